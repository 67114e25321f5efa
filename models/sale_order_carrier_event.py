# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order's stages after shipping, from its carriers' status events: Out for
Delivery, then Delivered once every delivery to the customer is delivered."""

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    tracking_stage = fields.Selection(
        selection_add=[
            ("shipped",),
            ("out_for_delivery", "Out for Delivery"),
            ("delivered", "Delivered"),
        ]
    )

    @api.depends("picking_ids.carrier_delivery_status")
    def _compute_tracking_stage(self):
        # The dependencies add to those of the stage's own computation.
        return super()._compute_tracking_stage()

    def _get_delivery_tracking_stage(self):
        stage = super()._get_delivery_tracking_stage()
        if stage not in ("shipped", "partially_shipped"):
            return stage
        deliveries = self.picking_ids._filter_carrier_deliverable()
        statuses = set(deliveries.mapped("carrier_delivery_status"))
        if stage == "shipped" and statuses == {"delivered"}:
            return "delivered"
        if "out_for_delivery" in statuses:
            return "out_for_delivery"
        return stage

    def _has_carrier_status(self):
        """Whether a carrier reports on the order's deliveries (the tracking page
        then shows a Delivered step)."""
        self.ensure_one()
        deliveries = self.sudo().picking_ids._filter_customer_deliveries()
        return any(deliveries.mapped("carrier_delivery_status")) or any(
            deliveries.carrier_id.mapped("carrier_webhook_enabled")
        )
