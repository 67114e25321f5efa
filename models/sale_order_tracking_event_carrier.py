# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's status events on the order's timeline, shown to the customer."""

from odoo import api, fields, models

CARRIER_EVENT_TYPES = [
    ("carrier_in_transit", "In Transit"),
    ("carrier_out_for_delivery", "Out for Delivery"),
    ("carrier_delivered", "Delivered"),
    ("carrier_failed_attempt", "Delivery Attempt Failed"),
    ("carrier_exception", "Delivery Problem"),
    ("carrier_returned", "Returned to Sender"),
]


class SaleOrderTrackingEvent(models.Model):
    _inherit = "sale.order.tracking.event"

    event_type = fields.Selection(
        selection_add=CARRIER_EVENT_TYPES,
        ondelete={key: "cascade" for key, _label in CARRIER_EVENT_TYPES},
    )

    @api.depends("event_type")
    def _compute_customer_visible(self):
        result = super()._compute_customer_visible()
        for event in self:
            if event.event_type in dict(CARRIER_EVENT_TYPES):
                event.customer_visible = True
        return result
