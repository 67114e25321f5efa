# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import api, fields, models
from odoo.tools.sql import create_index

_logger = logging.getLogger(__name__)

# Runs of its job in which a record may fail before it is left out.
MAX_JOB_ATTEMPTS = 3
MAX_REASON_LENGTH = 2000
JOBS = [
    ("cart_reminder", "Cart Reminder"),
    ("unpaid_reminder", "Payment Reminder"),
    ("unpaid_cancel", "Unpaid Order Cancellation"),
    ("invoice_email", "Invoice Email"),
    ("web_invoicing", "Invoicing"),
    ("late_delivery_email", "Late Delivery Email"),
    ("carrier_status_email", "Carrier Status Email"),
]
# Records no longer due for their job: what failed for them is over.
SETTLED_DOMAINS = {
    "cart_reminder": [("order_id.tracking_stage", "!=", "cart")],
    "unpaid_reminder": [("order_id.tracking_stage", "!=", "to_confirm")],
    "unpaid_cancel": [("order_id.tracking_stage", "!=", "to_confirm")],
    # Sent (or sent by hand); a given-up invoice is "failed" until staff retry it.
    "invoice_email": [
        ("invoice_id.web_invoice_send_state", "not in", ["to_send", "failed"])
    ],
    # Invoiced (or invoiced by hand, or cancelled: the job then clears the flag).
    "web_invoicing": [("order_id.web_invoice_due", "=", False)],
    # The order is done with (cancelled, or locked) or fully shipped.
    "late_delivery_email": [
        "|",
        ("order_id.state", "!=", "sale"),
        (
            "order_id.tracking_stage",
            "not in",
            ["confirmed", "in_preparation", "partially_shipped"],
        ),
    ],
}


def get_given_up_sql(job, alias):
    """SQL condition: the record ``alias.id`` was given up for ``job``.

    ``job`` and ``alias`` are constants of the code, checked here.
    """
    if job not in dict(JOBS) or not alias.isidentifier():
        raise ValueError(f"Unknown job or bad alias: {job!r}, {alias!r}")
    return (
        "EXISTS (SELECT 1 FROM website_sale_job_failure f "  # noqa: S608
        f"WHERE f.res_id = {alias}.id AND f.job = '{job}' "
        "AND f.state = 'given_up')"
    )


class WebsiteSaleJobFailure(models.Model):
    """A record a scheduled job of the shop could not process.

    The job skips it and goes on with the others; it tries it again at each of
    its next runs, ``MAX_JOB_ATTEMPTS`` runs in all, then leaves it out until a
    manager asks for a retry. A later success resolves it.
    """

    _name = "website.sale.job.failure"
    _description = "eCommerce Scheduled Job Failure"
    _order = "date desc, id desc"
    _rec_name = "record_name"

    job = fields.Selection(JOBS, required=True, readonly=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char(string="Record", readonly=True)
    order_id = fields.Many2one(
        "sale.order", ondelete="cascade", index="btree_not_null", readonly=True
    )
    invoice_id = fields.Many2one(
        "account.move", ondelete="cascade", index="btree_not_null", readonly=True
    )
    website_id = fields.Many2one("website", ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    reason = fields.Text(readonly=True)
    attempts = fields.Integer(
        readonly=True, help="Runs of the job in which this record failed."
    )
    date = fields.Datetime(string="Last Failure", readonly=True)
    state = fields.Selection(
        [
            ("retrying", "Retrying"),
            ("given_up", "Given Up"),
            ("resolved", "Resolved"),
        ],
        required=True,
        default="retrying",
        readonly=True,
        help="Retrying: tried again at the job's next run. Given Up: failed at "
        "every try, left out until retried by hand. Resolved: processed since.",
    )

    def init(self):
        result = super().init()
        # One open failure per record and job.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS website_sale_job_failure_open_uniq
                ON website_sale_job_failure (job, res_model, res_id)
             WHERE state <> 'resolved'
            """
        )
        # What the jobs' claiming queries leave out.
        create_index(
            self.env.cr,
            "website_sale_job_failure_given_up_index",
            self._table,
            ["res_id", "job"],
            where="state = 'given_up'",
        )
        return result

    @api.model
    def _search_open(self, job, records):
        """The failures of ``records`` for ``job`` not resolved (one each at most)."""
        return self.sudo().search(
            [
                ("job", "=", job),
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("state", "!=", "resolved"),
            ]
        )

    @api.model
    def _record_failure(self, job, record, error):
        """Count one more failed run of ``job`` for ``record``, with its reason."""
        failure = self._search_open(job, record)
        attempts = failure.attempts + 1
        state = "given_up" if attempts >= MAX_JOB_ATTEMPTS else "retrying"
        reason = self._get_failure_reason(error)
        orders, invoice = self._get_failure_documents(record)
        values = {
            "attempts": attempts,
            "state": state,
            "reason": reason,
            "date": fields.Datetime.now(),
        }
        if failure:
            failure.write(values)
        else:
            failure = self.sudo().create(
                {
                    **values,
                    "job": job,
                    "res_model": record._name,
                    "res_id": record.id,
                    "record_name": record.sudo().display_name,
                    "order_id": orders[:1].id,
                    "invoice_id": invoice.id,
                    "website_id": orders[:1].website_id.id,
                    "company_id": record.sudo().company_id.id,
                }
            )
        if state == "given_up":
            _logger.warning(
                "Job %s gave up %s after %s failed runs: %s",
                job,
                record,
                attempts,
                reason,
            )
        description = failure._get_timeline_description()
        orders._add_tracking_event(
            "job_failed", invoice_id=invoice.id, description=description[:250]
        )
        return failure

    def _get_timeline_description(self):
        """The failure as the order's timeline tells it."""
        self.ensure_one()
        label = dict(self._fields["job"]._description_selection(self.env))[self.job]
        if self.state == "given_up":
            return self.env._(
                "%(job)s failed %(attempts)s times, given up: %(reason)s",
                job=label,
                attempts=self.attempts,
                reason=self.reason,
            )
        return self.env._(
            "%(job)s failed (try %(attempts)s of %(max)s): %(reason)s",
            job=label,
            attempts=self.attempts,
            max=MAX_JOB_ATTEMPTS,
            reason=self.reason,
        )

    @api.model
    def _get_failure_reason(self, error):
        """The error's message, and its cause's (Odoo's template errors wrap it)."""
        reason = str(error) or type(error).__name__
        cause = error.__cause__
        if cause is not None:
            reason = f"{reason}\n{type(cause).__name__}: {cause}"
        return reason[:MAX_REASON_LENGTH]

    @api.model
    def _get_failure_documents(self, record):
        """The web orders (whose timeline tells the failure) and invoice of it."""
        record = record.sudo()
        if record._name == "sale.order":
            return record, self.env["account.move"]
        if record._name == "account.move":
            return record.line_ids.sale_line_ids.order_id, record
        if record._name == "stock.picking":
            return record.sale_id, self.env["account.move"]
        return self.env["sale.order"], self.env["account.move"]

    @api.model
    def _resolve(self, job, records):
        """The failures of ``records`` for ``job`` are over: they went through."""
        if not records:
            return
        self._search_open(job, records).write({"state": "resolved"})

    @api.model
    def _resolve_settled(self, *jobs):
        """Resolve the failures of records no longer due for ``jobs`` (a cart
        bought since, an order paid, an invoice sent by hand...): the list shows
        what is still to be done."""
        for job in jobs:
            self.sudo().search(
                [("job", "=", job), ("state", "!=", "resolved")] + SETTLED_DOMAINS[job]
            ).write({"state": "resolved"})

    @api.model
    def _get_given_up(self, job, records):
        """Those of ``records`` that ``job`` gave up."""
        if not records:
            return records
        given_up = self._search_open(job, records).filtered(
            lambda f: f.state == "given_up"
        )
        return records.filtered(lambda r: r.id in given_up.mapped("res_id"))

    @api.model
    def _reopen(self, job, records):
        """Staff fixed the cause of ``records``' failures: all the tries again."""
        if records:
            self._search_open(job, records).action_retry()

    # --- Staff actions ------------------------------------------------------------

    def action_retry(self):
        """Try these records again at the job's next run, with all their tries."""
        open_failures = self.filtered(lambda f: f.state != "resolved")
        open_failures.write({"state": "retrying", "attempts": 0})
        return True

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
