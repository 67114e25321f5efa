# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

import psycopg2

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# The failure list's job of the invoice-email cron.
WEB_INVOICE_JOB = "invoice_email"
# Attempts at an invoice email whose delivery failed, the first one included.
MAX_INVOICE_SEND_ATTEMPTS = 5
INVOICE_SEND_STATES = [
    ("to_send", "To Send"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "website.sale.batch.mixin"]

    invoice_requested = fields.Boolean(
        string="Requested by Customer",
        readonly=True,
        copy=False,
        help="Made when the customer asked for it on the website.",
    )
    web_invoice_send_state = fields.Selection(
        INVOICE_SEND_STATES,
        string="Invoice Email",
        readonly=True,
        copy=False,
        help="Delivery of the invoice email of a website's invoicing policy; "
        "failed deliveries are tried again by a scheduled action.",
    )
    web_invoice_send_attempts = fields.Integer(readonly=True, copy=False)
    web_invoice_send_error = fields.Char(
        string="Invoice Email Error", readonly=True, copy=False
    )
    web_invoice_message_id = fields.Many2one(
        "mail.message", string="Invoice Email Message", readonly=True, copy=False
    )

    def init(self):
        result = super().init()
        # The send cron only looks at invoices whose email is not settled yet.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS account_move_web_invoice_send_todo_idx
                ON account_move (id)
             WHERE web_invoice_send_state IN ('to_send', 'sending')
            """
        )
        return result

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Accountants may post invoices of orders they cannot read.
        for move in posted.sudo():
            event_type = {
                "out_invoice": "invoice_posted",
                "out_refund": "credit_note",
            }.get(move.move_type)
            if event_type:
                move.line_ids.sale_line_ids.order_id._add_tracking_event(
                    event_type, invoice_id=move.id, description=move.name
                )
        posted.sudo().filtered(
            lambda m: m.move_type == "out_refund"
        )._mark_returns_refunded()
        return posted

    def _mark_returns_refunded(self):
        """The received returns these posted credit notes credit are refunded.

        However the credit note was made (the addon's refund or Odoo's own Credit
        Note button): posting it proved the user's right to credit the customer.
        """
        for credit_note in self:
            sale_lines = credit_note.invoice_line_ids.sale_line_ids
            requests = sale_lines.order_id.return_request_ids.filtered(
                lambda r, lines=sale_lines: r.state == "received"
                and r.line_ids.sale_line_id & lines
            )
            requests.sudo().write({"state": "refunded"})

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        self._add_invoice_paid_event()
        return result

    def _add_invoice_paid_event(self):
        """The "paid" timeline event of each paid customer invoice, once.

        A payment matched without a journal entry of its own (Odoo 18's payments
        of providers) marks the invoice paid without the paid hook.
        """
        paid = self.sudo().filtered(
            lambda m: m.move_type == "out_invoice"
            and m.payment_state in ("paid", "in_payment")
        )
        if not paid:
            return
        known = (
            self.env["sale.order.tracking.event"]
            .sudo()
            .search(
                [("event_type", "=", "invoice_paid"), ("invoice_id", "in", paid.ids)]
            )
            .invoice_id
        )
        for move in paid - known:
            move.line_ids.sale_line_ids.order_id._add_tracking_event(
                "invoice_paid", invoice_id=move.id, description=move.name
            )

    # --- The invoice email of a website's policy ------------------------------

    def _send_web_invoices(self, raise_errors=False):
        """Email each invoice with its website's template and PDF, once.

        The invoices are sent together first (``account_move_invoice_job.py``:
        their PDFs in one rendering call, their emails queued together), and one
        by one when that fails, so that a failure is its invoice's only. The
        delivery is followed by ``_cron_send_web_invoices``. An invoice whose PDF
        or email cannot be made (no PDF tool, a broken template) stays to send,
        with its error shown to the team, and the send cron tries it again: the
        customer who paid or asked for it never gets the error. The cron itself
        passes ``raise_errors`` so that its failure list counts the tries.
        """
        self._add_invoice_paid_event()
        invoices = self.filtered(
            lambda m: m.state == "posted" and m.web_invoice_send_state == "to_send"
        )
        if len(invoices) > 1 and invoices._send_web_invoices_together(raise_errors):
            return
        for invoice in invoices:
            try:
                with self.env.cr.savepoint():
                    invoice._generate_and_send_web_invoices()
            except psycopg2.Error:
                raise
            # The shop's failure, whatever it is: kept on the invoice.
            except Exception as error:  # pylint: disable=broad-exception-caught
                if raise_errors:
                    raise
                _logger.warning("Invoice %s not sent: %s", invoice.name, error)
                invoice._record_web_invoice_send_failure(str(error))
                continue
            invoice._mark_web_invoices_sent()

    def _record_web_invoice_send_failure(self, reason):
        """The invoice's PDF or email could not be made: the team is told.

        It stays to send: the send cron tries it again, and gives it up (failed,
        with an activity for the salesperson) after its own count of tries.
        """
        self.ensure_one()
        orders = self.sudo().line_ids.sale_line_ids.order_id
        orders._add_tracking_event(
            "invoice_send_failed", invoice_id=self.id, description=reason[:200]
        )
        self.write({"web_invoice_send_error": reason})

    def _give_up_web_invoice_email(self):
        """The send cron gave these invoices up: failed, and the salespeople told."""
        for invoice in self:
            invoice.write({"web_invoice_send_state": "failed"})
            invoice.sudo().line_ids.sale_line_ids.order_id._schedule_invoice_email_activity(
                invoice
            )

    def action_retry_web_invoice_email(self):
        """Send the failed invoice emails again, with the send cron."""
        failed = self.filtered(lambda m: m.web_invoice_send_state == "failed")
        failed.write(
            {
                "web_invoice_send_state": "to_send",
                "web_invoice_send_attempts": 0,
                "web_invoice_send_error": False,
            }
        )
        if failed:
            # With all the tries of the send cron again.
            self.env["website.sale.job.failure"]._reopen(WEB_INVOICE_JOB, failed)
            self.env.ref(
                "website_sale_order_tracking.ir_cron_send_web_invoices"
            ).sudo()._trigger()
        return True

    @api.model
    def _cron_send_web_invoices(self, batch_size=100):
        """Send the invoices still to send; follow and retry their delivery."""
        self.env["website.sale.job.failure"]._resolve_settled(WEB_INVOICE_JOB)
        # Invoices that failed in this run are not claimed again in it.
        failed_ids = set()
        return self._run_cron_batches(
            lambda: self._process_web_invoice_batch(batch_size, failed_ids)
        )

    def _process_web_invoice_batch(self, batch_size, failed_ids=None):
        """Claim and process one batch; ``failed_ids`` collects the failures."""
        failed_ids = set() if failed_ids is None else failed_ids
        invoices = self._claim_web_invoices(batch_size, failed_ids)
        # Claimed because their delivery is over, not those sent below.
        delivered = invoices.filtered(lambda m: m.web_invoice_send_state == "sending")
        # Together (one PDF rendering call), and one by one only when that fails.
        failed = self._run_isolated(
            WEB_INVOICE_JOB,
            invoices.filtered(lambda m: m.web_invoice_send_state == "to_send"),
            lambda invoice: invoice._send_web_invoices(raise_errors=True),
            process_all=lambda todo: todo._send_web_invoices(raise_errors=True),
        )
        self.env["website.sale.job.failure"]._get_given_up(
            WEB_INVOICE_JOB, failed
        )._give_up_web_invoice_email()
        failed |= delivered._follow_web_invoice_delivery()
        failed_ids.update(failed.ids)
        return len(invoices)

    def _claim_web_invoices(self, limit, exclude_ids=()):
        """Invoices to send or whose email is settled, locked for this worker.

        Invoices given up by the job, and ``exclude_ids`` (those that failed in
        this run), are left out.
        """
        query = """
            SELECT am.id
              FROM account_move am
             WHERE am.web_invoice_send_state IN ('to_send', 'sending')
               AND am.state = 'posted'
               AND (am.web_invoice_send_state = 'to_send' OR EXISTS (
                    SELECT 1
                      FROM mail_notification n
                     WHERE n.mail_message_id = am.web_invoice_message_id
                       AND n.notification_type = 'email'
                       AND n.notification_status IN ('sent', 'exception', 'bounce')))
        """
        return self._claim_batch(WEB_INVOICE_JOB, "am", query, limit, exclude_ids)

    def _follow_web_invoice_delivery(self):
        """Settle each sent invoice email: delivered, retried or given up.

        Return the invoices whose settling failed (skipped and recorded).
        """
        notifications = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", self.web_invoice_message_id.ids),
                    ("notification_type", "=", "email"),
                ]
            )
            .grouped("mail_message_id")
        )

        def settle(invoices):
            for invoice in invoices:
                invoice._settle_web_invoice_email(
                    notifications.get(
                        invoice.web_invoice_message_id, self.env["mail.notification"]
                    )
                )

        # All together, and one by one only when one of them fails.
        return self._run_isolated(WEB_INVOICE_JOB, self, settle, process_all=settle)

    def _settle_web_invoice_email(self, notifications):
        self.ensure_one()
        failed = notifications.filtered(
            lambda n: n.notification_status in ("exception", "bounce")
        )
        if not failed:
            self.write(
                {"web_invoice_send_state": "sent", "web_invoice_send_error": False}
            )
            return
        self._retry_web_invoice_email(failed)

    def _retry_web_invoice_email(self, failed_notifications):
        self.ensure_one()
        reason = (
            failed_notifications[:1].failure_reason
            or failed_notifications[:1].failure_type
            or ""
        )
        orders = self.sudo().line_ids.sale_line_ids.order_id
        orders._add_tracking_event(
            "invoice_send_failed", invoice_id=self.id, description=reason[:200]
        )
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "=", self.web_invoice_message_id.id),
                    ("state", "=", "exception"),
                ]
            )
        )
        if self.web_invoice_send_attempts >= MAX_INVOICE_SEND_ATTEMPTS or not mails:
            self.write(
                {"web_invoice_send_state": "failed", "web_invoice_send_error": reason}
            )
            orders._schedule_invoice_email_activity(self)
            return
        # Back to Odoo's mail queue, whose cron delivers it again: one attempt per
        # run of this cron, whatever the queue does in between.
        failed_notifications.write(
            {
                "notification_status": "ready",
                "failure_type": False,
                "failure_reason": False,
            }
        )
        mails.write(
            {"state": "outgoing", "failure_reason": False, "failure_type": False}
        )
        self.write(
            {
                "web_invoice_send_attempts": self.web_invoice_send_attempts + 1,
                "web_invoice_send_error": reason,
            }
        )
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
