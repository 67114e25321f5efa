# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The orders that need a person: one exception per order, kind and cause, with
its responsible user and an activity for them, closed with it.

Exceptions are made and cleared by ``website_sale_order_exception_detection.py``
(cron and events); people assign, snooze and resolve them."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .website_sale_order_exception_rule import EXCEPTION_KINDS

MAX_RESOLUTION_NOTE = 2000
# The record behind an exception of each kind, when it has one.
CAUSE_MODELS = {
    "return_unanswered": "sale.return.request",
    "return_unrefunded": "sale.return.request",
    "invoice_email_failed": "account.move",
    "job_failure": "website.sale.job.failure",
}
# Fields a user may write directly; the rest moves through the actions.
USER_WRITABLE_FIELDS = frozenset({"user_id"})


class WebsiteSaleOrderException(models.Model):
    _name = "website.sale.order.exception"
    _inherit = ["website.sale.batch.mixin"]
    _description = "Order Exception"
    _order = "since, id"

    order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    website_id = fields.Many2one(
        related="order_id.website_id", store=True, index=True, readonly=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    # Written when the exception opens (not related to the order's team: a
    # related stored field makes every write of an order's team look its
    # exceptions up, at checkout too).
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        index=True,
        readonly=True,
        help="The order's sales team when the exception opened.",
    )
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    kind = fields.Selection(EXCEPTION_KINDS, required=True, readonly=True)
    cause_id = fields.Integer(
        string="Cause ID",
        readonly=True,
        default=0,
        help="The return, invoice or job failure behind it.",
    )
    cause_ref = fields.Reference(
        selection="_selection_cause_ref", string="Cause", compute="_compute_cause_ref"
    )
    since = fields.Datetime(
        readonly=True, help="When the condition began (the date the delay counts from)."
    )
    user_id = fields.Many2one("res.users", string="Responsible", index=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    next_action = fields.Char(compute="_compute_next_action")
    state = fields.Selection(
        [("open", "Open"), ("snoozed", "Snoozed"), ("resolved", "Resolved")],
        required=True,
        default="open",
        readonly=True,
        index=True,
    )
    snoozed_until = fields.Date(readonly=True)
    resolution = fields.Selection(
        [("cleared", "Cleared by Itself"), ("manual", "Resolved by Hand")],
        readonly=True,
    )
    resolved_date = fields.Datetime(readonly=True)
    resolution_note = fields.Text(readonly=True)

    def init(self):
        result = super().init()
        # One open exception per order, kind and cause: with INSERT ... ON
        # CONFLICT, two detections at once cannot make two.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS website_sale_order_exception_open_uniq
                ON website_sale_order_exception (order_id, kind, cause_id)
             WHERE state <> 'resolved'
            """
        )
        return result

    @api.model
    def _selection_cause_ref(self):
        models_ = sorted(set(CAUSE_MODELS.values()))
        return [(model, self.env[model]._description) for model in models_]

    @api.depends("kind", "cause_id")
    def _compute_cause_ref(self):
        for exception in self:
            model = CAUSE_MODELS.get(exception.kind)
            exception.cause_ref = (
                f"{model},{exception.cause_id}"
                if model and exception.cause_id
                else False
            )

    @api.depends("order_id.name", "kind")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for exception in self:
            exception.display_name = (
                f"{exception.order_id.name}: {labels.get(exception.kind, '')}"
            )

    @api.depends("kind")
    def _compute_next_action(self):
        actions = self._get_next_actions()
        for exception in self:
            exception.next_action = actions.get(exception.kind, "")

    def _get_next_actions(self):
        return {
            "paid_unconfirmed": self.env._(
                "Check the payment, then confirm or refund the order."
            ),
            "offline_unpaid": self.env._(
                "Ask the customer about the payment, or cancel the order."
            ),
            "late_shipment": self.env._(
                "Ship the order, or tell the customer the new date."
            ),
            "waiting_stock": self.env._(
                "Replenish the products, or split the delivery."
            ),
            "return_unanswered": self.env._("Approve or reject the return request."),
            "return_unrefunded": self.env._("Refund the returned products."),
            "invoice_email_failed": self.env._(
                "Correct the customer's email address and send the invoice again."
            ),
            "invoice_request_unsent": self.env._(
                "Make and send the invoice the customer asked for."
            ),
            "job_failure": self.env._("Correct what made the job fail, then retry it."),
        }

    def write(self, vals):
        if not self.env.su and set(vals) - USER_WRITABLE_FIELDS:
            raise UserError(
                self.env._(
                    "An order exception changes through its actions: assign, "
                    "postpone or resolve."
                )
            )
        result = super().write(vals)
        if "user_id" in vals:
            for exception in self.sudo().filtered("activity_id"):
                exception.activity_id.user_id = exception.user_id
        return result

    # --- Activities -------------------------------------------------------------

    def _schedule_activities(self):
        """The responsible user of each new exception, and an activity for them."""
        activity_type = self.env.ref(
            "website_sale_order_tracking.mail_activity_type_order_exception"
        )
        labels = dict(self._fields["kind"]._description_selection(self.env))
        actions = self._get_next_actions()
        model_id = self.env["ir.model"]._get_id("sale.order")
        vals_list = []
        for exception in self.sudo():
            exception.user_id = exception.order_id._get_responsible_user()
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": exception.order_id.id,
                    "activity_type_id": activity_type.id,
                    "summary": labels[exception.kind],
                    "note": plaintext2html(actions[exception.kind]),
                    "user_id": exception.user_id.id,
                    "date_deadline": fields.Date.context_today(self),
                }
            )
        # Many at once from the cron: no email per activity to the assignees,
        # who find them in their activities. An order at most once a creation:
        # Odoo subscribes the assignee of each activity to its record in one
        # insert, which fails on an order listed twice.
        Activity = self.env["mail.activity"].sudo()
        rounds = []
        for exception, vals in zip(self.sudo(), vals_list, strict=True):
            free = next((r for r in rounds if vals["res_id"] not in r["orders"]), None)
            if free is None:
                free = {"orders": set(), "items": []}
                rounds.append(free)
            free["orders"].add(vals["res_id"])
            free["items"].append((exception, vals))
        for round_ in rounds:
            activities = Activity.with_context(mail_activity_quick_update=True).create(
                [vals for _exception, vals in round_["items"]]
            )
            for (exception, _vals), activity in zip(
                round_["items"], activities, strict=True
            ):
                exception.activity_id = activity

    def _resolve(self, resolution, note=False):
        """Resolve these exceptions and mark their activities done."""
        exceptions = self.sudo().filtered(lambda e: e.state != "resolved")
        if not exceptions:
            return
        exceptions.write(
            {
                "state": "resolved",
                "resolution": resolution,
                "resolved_date": fields.Datetime.now(),
                "resolution_note": note,
                "snoozed_until": False,
            }
        )
        feedback = note or (
            self.env._("The condition cleared by itself.")
            if resolution == "cleared"
            else False
        )
        activities = exceptions.activity_id.exists()
        if activities:
            activities.action_feedback(feedback=feedback)

    # --- Staff actions ------------------------------------------------------------

    def _check_actionable(self):
        self.check_access("write")
        if any(e.state == "resolved" for e in self):
            raise UserError(self.env._("A resolved exception cannot be changed."))

    def action_assign(self, user):
        """Make ``user`` responsible for these exceptions and their activities."""
        self._check_actionable()
        if not user:
            raise UserError(self.env._("Choose the user to assign the exceptions to."))
        self.sudo().write({"user_id": user.id})
        return True

    def action_snooze(self, until):
        """Put these exceptions aside until ``until`` (a date in the future)."""
        self._check_actionable()
        until = fields.Date.to_date(until) if until else False
        if not until or until <= fields.Date.context_today(self):
            raise UserError(self.env._("Postpone the exceptions to a later day."))
        self.sudo().write({"state": "snoozed", "snoozed_until": until})
        self.sudo().activity_id.exists().write({"date_deadline": until})
        return True

    def action_resolve(self, note):
        """A person dealt with these exceptions: resolved with their note."""
        self._check_actionable()
        note = (note or "").strip()
        if not note:
            raise UserError(self.env._("Say how the exceptions were resolved."))
        if len(note) > MAX_RESOLUTION_NOTE:
            raise UserError(
                self.env._(
                    "A resolution note has at most %(count)s characters.",
                    count=MAX_RESOLUTION_NOTE,
                )
            )
        self._resolve("manual", note)
        return True

    def action_open_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Handle Exceptions"),
            "res_model": "website.sale.order.exception.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_exception_ids": self.ids,
                "default_action": self.env.context.get("exception_action", "assign"),
            },
        }

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }
