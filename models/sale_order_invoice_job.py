# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The invoicing job of the websites' invoicing policies.

A confirmed payment (policy "automatic") or the customer's request (policy "on
request") only records that the order is due for its invoice and wakes the job
up: the customer waits for neither the invoice nor its PDF. The job invoices,
posts and reconciles each due order, then renders the PDFs of the whole batch in
one call of Odoo's report engine and queues their emails together.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.sql import create_index

# The failure list's job of the invoicing cron.
WEB_INVOICING_JOB = "web_invoicing"
# Orders a batch, their PDFs rendered in one call: 80 (Odoo's
# ``account.pdf_generation_batch``) outlived the cron worker's 120 s under load,
# and so did 20 once a minute's payments shared a run (the run stops after the
# batch that passes its time budget: the batch must fit in what is left).
WEB_INVOICING_BATCH_SIZE = 10
WEB_INVOICING_CRON = "website_sale_order_tracking.ir_cron_invoice_web_orders"
# Seconds from the first payment due for its invoice to the job's run, which the
# payments until then share: one PDF rendering for all their invoices. Woken up
# at once by every payment, the job rendered one invoice a wkhtmltopdf call under
# steady sales (load test: 110 calls for 107 invoices). A system parameter of
# this name changes it (0: at once).
WEB_INVOICING_DELAY_PARAM = "website_sale_order_tracking.web_invoicing_delay"
WEB_INVOICING_DELAY = 60


class SaleOrder(models.Model):
    _inherit = "sale.order"

    web_invoice_due = fields.Boolean(
        string="Invoice Being Prepared",
        readonly=True,
        copy=False,
        help="Paid, and due for its invoice by the website's invoicing policy: the "
        "invoicing job makes, posts and emails it shortly.",
    )

    def init(self):
        result = super().init()
        # The invoicing job reads only the few orders due for their invoice.
        create_index(
            self.env.cr,
            "sale_order_web_invoice_due_index",
            self._table,
            ["id"],
            where="web_invoice_due",
        )
        return result

    def _set_web_invoice_due(self):
        """These orders are due for their invoice: the invoicing job makes it.

        One flag in the caller's transaction and a trigger of the job, nothing
        the customer waits for.
        """
        if not self:
            return
        self.sudo().write({"web_invoice_due": True})
        self._trigger_web_invoicing()

    def _trigger_web_invoicing(self):
        """Wake the invoicing job up after the delay, unless a run of it is
        already asked for: the orders due until then wait for that one."""
        cron = self.env.ref(WEB_INVOICING_CRON).sudo()
        now = fields.Datetime.now()
        asked = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count([("cron_id", "=", cron.id), ("call_at", ">=", now)], limit=1)
        )
        if not asked:
            cron._trigger(at=now + timedelta(seconds=self._get_web_invoicing_delay()))

    def _get_web_invoicing_delay(self):
        value = (
            self.env["ir.config_parameter"].sudo().get_param(WEB_INVOICING_DELAY_PARAM)
        )
        try:
            return max(int(value), 0) if value else WEB_INVOICING_DELAY
        except ValueError:
            return WEB_INVOICING_DELAY

    def _is_web_invoice_pending(self):
        """Whether the customer should read that the invoice is being prepared."""
        self.ensure_one()
        return self.web_invoice_due and self.state == "sale"

    @api.model
    def _cron_invoice_web_orders(self, batch_size=WEB_INVOICING_BATCH_SIZE):
        """Invoice, post, reconcile and email the web orders due for their invoice."""
        self.env["website.sale.job.failure"]._resolve_settled(WEB_INVOICING_JOB)
        # Orders that failed in this run are not claimed again in it.
        failed_ids = set()
        return self._run_cron_batches(
            lambda: self._process_web_invoicing_batch(batch_size, failed_ids)
        )

    def _process_web_invoicing_batch(self, batch_size, failed_ids=None):
        """Claim one batch of due orders, invoice each, send the invoices together.

        ``failed_ids`` collects the orders that failed (recorded, tried again at
        the next runs). Return the number of orders claimed.
        """
        failed_ids = set() if failed_ids is None else failed_ids
        orders = self._claim_web_invoice_due(batch_size, failed_ids)
        invoices = self.env["account.move"]

        def invoice_one(order):
            nonlocal invoices
            invoices |= order._invoice_due_web_order()

        failed = self._run_isolated(WEB_INVOICING_JOB, orders, invoice_one)
        failed_ids.update(failed.ids)
        # The PDFs of the batch in one rendering call, the emails queued together;
        # an invoice whose PDF or email fails is left to the send cron.
        invoices._send_web_invoices()
        return len(orders)

    def _claim_web_invoice_due(self, limit, exclude_ids=()):
        """Orders due for their invoice, locked for this worker.

        Orders the job gave up, and ``exclude_ids`` (those that failed in this
        run), are left out.
        """
        query = """
            SELECT so.id
              FROM sale_order so
             WHERE so.web_invoice_due
        """
        return self._claim_batch(WEB_INVOICING_JOB, "so", query, limit, exclude_ids)

    def _invoice_due_web_order(self):
        """Make the invoice of this due order, once; the order is no longer due.

        An order cancelled, or invoiced by the team, since it was recorded gets
        none. Return the invoice made.
        """
        self.ensure_one()
        invoices = self.env["account.move"]
        if self.state == "sale" and not self._get_customer_invoices():
            invoices = self.with_company(self.company_id)._invoice_paid_web_order(
                requested=bool(self.invoice_request_date)
            )
        self.web_invoice_due = False
        return invoices
