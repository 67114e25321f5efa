# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which order exceptions a website looks for, and after how long.

One line per website and kind; a website without lines looks for none (the
addon installed changes nothing until a manager switches a kind on)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

EXCEPTION_KINDS = [
    ("paid_unconfirmed", "Paid Online, Not Confirmed"),
    ("offline_unpaid", "Offline Payment Not Received"),
    ("late_shipment", "Late Shipment"),
    ("waiting_stock", "Delivery Waiting for Stock"),
    ("return_unanswered", "Return Request Unanswered"),
    ("return_unrefunded", "Return Received, Not Refunded"),
    ("invoice_email_failed", "Invoice Email Failed"),
    ("invoice_request_unsent", "Requested Invoice Not Sent"),
    ("job_failure", "Scheduled Job Gave Up"),
]
# The unit and default of each kind's delay; None: no delay, the cause is
# already the end of the addon's own retries.
EXCEPTION_DELAYS = {
    "paid_unconfirmed": ("hours", 2),
    "offline_unpaid": ("days", 2),
    "late_shipment": ("hours", 24),
    "waiting_stock": ("days", 3),
    "return_unanswered": ("days", 2),
    "return_unrefunded": ("days", 3),
    "invoice_email_failed": (None, 0),
    "invoice_request_unsent": ("hours", 24),
    "job_failure": (None, 0),
}
MAX_EXCEPTION_DELAY = 3650


class WebsiteSaleOrderExceptionRule(models.Model):
    _name = "website.sale.order.exception.rule"
    _description = "Order Exception Rule"
    _order = "website_id, id"
    _rec_name = "kind"

    website_id = fields.Many2one(
        "website", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="website_id.company_id", store=True)
    kind = fields.Selection(EXCEPTION_KINDS, required=True)
    enabled = fields.Boolean(
        string="Active", help="Look for the orders of this kind on this website."
    )
    delay = fields.Integer(
        help="How long the condition lasts before the order is listed, in the "
        "unit shown."
    )
    delay_unit = fields.Selection(
        [("hours", "Hours"), ("days", "Days")],
        compute="_compute_delay_unit",
        string="Unit",
    )

    _sql_constraints = [
        (
            "website_kind_uniq",
            "UNIQUE(website_id, kind)",
            "A website has one rule per kind of exception.",
        )
    ]

    @api.depends("kind")
    def _compute_delay_unit(self):
        for rule in self:
            rule.delay_unit = EXCEPTION_DELAYS.get(rule.kind, (None, 0))[0] or False

    @api.constrains("delay")
    def _check_delay(self):
        for rule in self:
            if not 0 <= rule.delay <= MAX_EXCEPTION_DELAY:
                raise ValidationError(
                    self.env._(
                        "The delay of an exception rule is between 0 and %(max)s.",
                        max=MAX_EXCEPTION_DELAY,
                    )
                )


class Website(models.Model):
    _inherit = "website"

    order_exception_rule_ids = fields.One2many(
        "website.sale.order.exception.rule", "website_id", string="Exception Rules"
    )

    def _ensure_order_exception_rules(self):
        """A line for each kind, switched off with its default delay, for the
        manager to switch on."""
        missing = []
        for website in self:
            known = set(website.order_exception_rule_ids.mapped("kind"))
            missing += [
                {
                    "website_id": website.id,
                    "kind": kind,
                    "delay": EXCEPTION_DELAYS[kind][1],
                }
                for kind, _label in EXCEPTION_KINDS
                if kind not in known
            ]
        if missing:
            self.env["website.sale.order.exception.rule"].create(missing)
