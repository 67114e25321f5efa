# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The values of the shipping label report: one label a parcel."""

from odoo import api, models


class ReportShippingLabel(models.AbstractModel):
    _name = "report.website_sale_order_tracking.report_shipping_label"
    _description = "Shipping Label Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        pickings = self.env["stock.picking"].browse(docids)
        pickings._check_shipping_label_rights()
        printing = (data or {}).get("report_type") == "pdf"
        if printing:
            # A print (not a preview): numbers from the carriers' ranges...
            pickings._prepare_shipping_label_print()
        labels = pickings._get_shipping_labels()
        if printing:
            # ... and the print recorded, a row a label.
            pickings._record_shipping_label_print(labels)
        return {
            "doc_ids": docids,
            "doc_model": "stock.picking",
            "docs": pickings,
            "labels": labels,
            "label_zoom": (
                self.env["ir.actions.report"]._get_shipping_label_zoom()
                if printing
                else 1.0
            ),
            "label_ratio": self.env[
                "ir.actions.report"
            ]._get_shipping_label_page_ratio(),
        }
