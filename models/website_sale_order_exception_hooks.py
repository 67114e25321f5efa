# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The events that make or clear order exceptions at once, before the cron.

Each hook runs the rules of the kinds its event may change, for its orders only
(``_sync_orders``): an order confirmed, a delivery done, a return answered or
refunded, an invoice email given up or sent, a job failure given up or over.
What no hook sees (stock arriving, a rule switched off) the next cron pass does.
"""

from odoo import api, fields, models

from .website_sale_order_exception_rule import EXCEPTION_KINDS

ALL_KINDS = frozenset(kind for kind, _label in EXCEPTION_KINDS)
# The kinds an event of the order's timeline may open or clear.
EVENT_KINDS = {
    "payment_received": {"paid_unconfirmed", "offline_unpaid"},
    "confirmed": {"paid_unconfirmed", "offline_unpaid"},
    "cancelled": ALL_KINDS,
    "delivery_step": {"late_shipment", "waiting_stock"},
    "shipped": {"late_shipment", "waiting_stock"},
    "invoice_sent": {"invoice_email_failed", "invoice_request_unsent"},
}
RETURN_KINDS = {"return_unanswered", "return_unrefunded"}
INVOICE_KINDS = {"invoice_email_failed", "invoice_request_unsent"}
INVOICE_FIELDS = {"web_invoice_send_state", "is_move_sent"}


def _sync(env, orders, kinds):
    env["website.sale.order.exception"]._sync_orders(orders, kinds)


class SaleOrderTrackingEvent(models.Model):
    _inherit = "sale.order.tracking.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        for event_type, group in events.grouped("event_type").items():
            if event_type in EVENT_KINDS:
                _sync(self.env, group.order_id, EVENT_KINDS[event_type])
        return events


class SaleReturnRequest(models.Model):
    _inherit = "sale.return.request"

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            _sync(self.env, self.sudo().order_id, RETURN_KINDS)
        return result


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        result = super().write(vals)
        if INVOICE_FIELDS & set(vals):
            orders = self.sudo().line_ids.sale_line_ids.order_id
            _sync(self.env, orders, INVOICE_KINDS)
        return result


class WebsiteSaleJobFailure(models.Model):
    _inherit = "website.sale.job.failure"

    @api.model_create_multi
    def create(self, vals_list):
        failures = super().create(vals_list)
        _sync(self.env, failures.sudo().order_id, {"job_failure"})
        return failures

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            _sync(self.env, self.sudo().order_id, {"job_failure"})
        return result


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # The responsible marked the activity done: the exception is resolved
        # by hand, with their feedback (before the activity goes).
        exceptions = (
            self.env["website.sale.order.exception"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "!=", "resolved")])
        )
        if exceptions:
            exceptions.write(
                {
                    "state": "resolved",
                    "resolution": "manual",
                    "resolved_date": fields.Datetime.now(),
                    "resolution_note": feedback or False,
                }
            )
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
