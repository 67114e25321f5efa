# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools.sql import create_index

EVENT_TYPES = [
    ("checkout", "Checkout Completed"),
    ("payment_pending", "Awaiting Payment"),
    ("payment_received", "Payment Received"),
    ("confirmed", "Order Confirmed"),
    ("delivery_step", "Delivery Step Done"),
    ("shipped", "Shipped"),
    ("handed_to_carrier", "Handed to Carrier"),
    ("invoice_created", "Invoice Created"),
    ("invoice_posted", "Invoice Issued"),
    ("invoice_sent", "Invoice Sent"),
    ("invoice_send_failed", "Invoice Email Failed"),
    ("invoice_requested", "Invoice Requested"),
    ("invoice_paid", "Invoice Paid"),
    ("credit_note", "Credit Note Issued"),
    ("email_sent", "Email Sent"),
    ("payment_reminder", "Payment Reminder Sent"),
    ("cart_reminder", "Cart Reminder Sent"),
    ("job_failed", "Scheduled Job Failed"),
    ("return_requested", "Return Requested"),
    ("return_approved", "Return Approved"),
    ("return_rejected", "Return Rejected"),
    ("returned", "Return Received"),
    ("refunded", "Refunded"),
    ("cancelled", "Order Cancelled"),
]

# Events the customer may see on the tracking page; the others are internal.
CUSTOMER_VISIBLE_EVENTS = {
    "checkout",
    "payment_pending",
    "payment_received",
    "confirmed",
    "shipped",
    "handed_to_carrier",
    "invoice_posted",
    "invoice_sent",
    "invoice_requested",
    "invoice_paid",
    "credit_note",
    "return_requested",
    "return_approved",
    "return_rejected",
    "returned",
    "refunded",
    "payment_reminder",
    "cancelled",
}


class SaleOrderTrackingEvent(models.Model):
    _name = "sale.order.tracking.event"
    _description = "Order Timeline Event"
    _order = "date desc, id desc"
    _rec_name = "event_type"

    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    website_id = fields.Many2one(related="order_id.website_id", store=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    event_type = fields.Selection(
        EVENT_TYPES, string="Event", required=True, readonly=True
    )
    description = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    picking_id = fields.Many2one("stock.picking", string="Transfer", readonly=True)
    invoice_id = fields.Many2one("account.move", readonly=True)
    transaction_id = fields.Many2one(
        "payment.transaction", string="Payment Transaction", readonly=True
    )
    carrier_id = fields.Many2one("delivery.carrier", readonly=True)
    carrier_tracking_ref = fields.Char(string="Tracking Reference", readonly=True)
    customer_visible = fields.Boolean(
        compute="_compute_customer_visible",
        store=True,
        help="Shown to the customer on the order's tracking page.",
    )

    def init(self):
        result = super().init()
        # The return report reads each refunded request's refund date (its
        # order's first refund event after the request): a few index entries,
        # instead of every event of the order read from the table.
        create_index(
            self.env.cr,
            "sale_order_tracking_event_refunded_index",
            self._table,
            ["order_id", "date"],
            where="event_type = 'refunded'",
        )
        return result

    @api.depends("event_type")
    def _compute_customer_visible(self):
        for event in self:
            event.customer_visible = event.event_type in CUSTOMER_VISIBLE_EVENTS
