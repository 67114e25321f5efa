# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The customer's tracking page of an order: its step bar, timeline and documents."""

from odoo import models

# The steps of the customer's tracking page, and the stage each one stands for.
TRACKING_PAGE_STEPS = ("ordered", "confirmed", "in_preparation", "shipped")
# The last step, once a carrier reports on the order's deliveries.
TRACKING_PAGE_DELIVERED_STEP = "delivered"

TRACKING_PAGE_STEP_OF_STAGE = {
    "quotation": 0,
    "cart": 0,
    "awaiting_payment": 0,
    "to_confirm": 0,
    "confirmed": 1,
    "in_preparation": 2,
    "partially_shipped": 3,
    "shipped": 4,  # every step done, or Delivered to come
    "out_for_delivery": 4,
    "delivered": 5,
    "return_requested": 5,
    "returned": 5,
    "refunded": 5,
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _get_tracking_page_url(self):
        """The tracking page, with the access token, for emails and the portal."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url(suffix="/tracking")

    def _get_tracking_page_values(self):
        """What the tracking page shows; ``self`` is the order the visitor may see."""
        self.ensure_one()
        return {
            "steps": self._get_tracking_page_steps(),
            "events": self.env["sale.order.tracking.event"]
            .sudo()
            .search(
                [("order_id", "=", self.id), ("customer_visible", "=", True)],
                order="date, id",
            ),
            "deliveries": self.picking_ids._filter_customer_deliveries().filtered(
                lambda p: p.state != "cancel"
            ),
            "invoices": self.invoice_ids.filtered(lambda move: move.state == "posted"),
            "invoice_pending": self._is_web_invoice_pending(),
        }

    def _get_tracking_page_steps(self):
        """``[(label, state)]`` of the step bar, state in done / current / todo."""
        self.ensure_one()
        labels = {
            "ordered": self.env._("Ordered"),
            "confirmed": self.env._("Confirmed"),
            "in_preparation": self.env._("In Preparation"),
            "shipped": self.env._("Partially Shipped")
            if self.tracking_stage == "partially_shipped"
            else self.env._("Shipped"),
            "delivered": self.env._("Out for Delivery")
            if self.tracking_stage == "out_for_delivery"
            else self.env._("Delivered"),
        }
        if self.tracking_stage == "cancelled":
            return []
        current = TRACKING_PAGE_STEP_OF_STAGE[self.tracking_stage]
        steps = TRACKING_PAGE_STEPS
        if self._has_carrier_status():
            steps += (TRACKING_PAGE_DELIVERED_STEP,)
        return [
            (
                labels[step],
                "done"
                if index < current
                else "current"
                if index == current
                else "todo",
            )
            for index, step in enumerate(steps)
        ]
