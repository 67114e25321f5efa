# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The values of the hand-over manifest report: its deliveries and parcels."""

from odoo import api, models


class ReportCarrierManifest(models.AbstractModel):
    _name = "report.website_sale_order_tracking.report_carrier_manifest"
    _description = "Hand-over Manifest Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        manifests = self.env["stock.carrier.manifest"].browse(docids)
        manifests._check_manifest_rights()
        manifests.check_access("read")
        parcels = {manifest: manifest._get_parcels() for manifest in manifests}
        return {
            "doc_ids": docids,
            "doc_model": "stock.carrier.manifest",
            "docs": manifests,
            "parcels": parcels,
            # The tracking number of each parcel: {picking: {package: number}}.
            "tracking_refs": {
                picking: picking.sudo()._get_parcel_tracking_refs(
                    [package for package, _weight in picking_parcels]
                )
                for by_picking in parcels.values()
                for picking, picking_parcels in by_picking.items()
            },
        }
