# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A delivery on a hand-over manifest: one manifest at most, of its carrier."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    carrier_manifest_id = fields.Many2one(
        "stock.carrier.manifest",
        string="Hand-over Manifest",
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The manifest with which the parcels of this delivery were (or will "
        "be) handed to the carrier.",
    )

    def write(self, vals):
        if "carrier_manifest_id" in vals and any(
            picking.carrier_manifest_id.state == "confirmed" for picking in self
        ):
            raise UserError(
                self.env._(
                    "This delivery was handed over with a confirmed manifest: it "
                    "cannot change manifest."
                )
            )
        if "carrier_id" in vals and "carrier_manifest_id" not in vals:
            # Another carrier takes the delivery: it leaves its draft manifest
            # (a confirmed one keeps it, and the constraint refuses the change).
            self.filtered(
                lambda p: p.carrier_manifest_id.state == "draft"
                and p.carrier_id.id != vals["carrier_id"]
            ).carrier_manifest_id = False
        return super().write(vals)

    @api.constrains("carrier_manifest_id", "carrier_id")
    def _check_carrier_manifest(self):
        for picking in self.filtered("carrier_manifest_id"):
            manifest = picking.carrier_manifest_id
            if not picking._filter_customer_deliveries():
                raise ValidationError(
                    self.env._(
                        "%s is not a delivery to a customer: only those go on a "
                        "hand-over manifest.",
                        picking.name,
                    )
                )
            if picking.carrier_id != manifest.carrier_id:
                raise ValidationError(
                    self.env._(
                        "%(delivery)s goes with %(carrier)s, not with the carrier "
                        "of manifest %(manifest)s.",
                        delivery=picking.name,
                        carrier=picking.carrier_id.name or self.env._("no carrier"),
                        manifest=manifest.name,
                    )
                )

    def action_create_carrier_manifest(self):
        """Hand the selected deliveries over: a draft manifest a carrier."""
        self.env["stock.carrier.manifest"]._check_manifest_rights()
        deliveries = self._filter_customer_deliveries().filtered(
            lambda p: not p.carrier_manifest_id and p.state in ("assigned", "done")
        )
        if not deliveries:
            raise UserError(
                self.env._(
                    "Select deliveries to customers, ready or done, that are on no "
                    "manifest yet."
                )
            )
        carriers = deliveries.carrier_id
        unmanaged = deliveries.filtered(
            lambda p: not p.carrier_id.carrier_manifest_enabled
        )
        if unmanaged:
            raise UserError(
                self.env._(
                    "These deliveries go with a carrier that does not use hand-over "
                    "manifests (Hand-over Manifest on the carrier): %s",
                    ", ".join(unmanaged.mapped("name")),
                )
            )
        manifests = self.env["stock.carrier.manifest"].create(
            [
                {
                    "carrier_id": carrier.id,
                    "company_id": carrier_deliveries.company_id[:1].id,
                    "picking_ids": [fields.Command.set(carrier_deliveries.ids)],
                }
                for carrier in carriers
                if (
                    carrier_deliveries := deliveries.filtered(
                        lambda p, c=carrier: p.carrier_id == c
                    )
                )
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "website_sale_order_tracking.stock_carrier_manifest_action"
        )
        if len(manifests) == 1:
            action.update(res_id=manifests.id, views=[(False, "form")])
        else:
            action["domain"] = [("id", "in", manifests.ids)]
        return action
