# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    offline_journal_id = fields.Many2one(
        "account.journal",
        string="Received In",
        readonly=True,
        copy=False,
        help="The bank or cash journal staff recorded this offline payment in.",
    )
    offline_payment_date = fields.Date(string="Received On", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        transactions = super().create(vals_list)
        # A cart is checked out once the customer starts paying it.
        transactions.sale_order_ids._action_checkout_done()
        return transactions

    def _post_process(self):
        # Once per state: a repeated notification or a retried post-processing cron
        # of the same state writes no second event.
        for tx in self.filtered(
            lambda t: not t.is_post_processed
            and t.state in ("pending", "authorized", "done")
        ):
            event_type = (
                "payment_pending" if tx.state == "pending" else "payment_received"
            )
            tx.sale_order_ids._add_tracking_event(
                event_type,
                transaction_id=tx.id,
                description="%s %s"
                % (
                    tx.provider_id.name,
                    tx.currency_id.format(tx.amount),
                ),
            )
        return super()._post_process()

    def _create_payment(self, **extra_create_values):
        # An offline payment recorded by staff is booked where and when it arrived.
        if self.offline_journal_id:
            journal = self.offline_journal_id
            lines = journal.inbound_payment_method_line_ids
            method_line = (
                lines.filtered(
                    lambda line: line.payment_provider_id == self.provider_id
                )
                or lines.filtered(lambda line: line.code == "manual")
                or lines
            )[:1]
            extra_create_values = {
                "journal_id": journal.id,
                "payment_method_line_id": method_line.id,
                "date": self.offline_payment_date or fields.Date.context_today(self),
                **extra_create_values,
            }
        return super()._create_payment(**extra_create_values)

    # --- Invoicing policy of the website -----------------------------------------

    def _get_website_invoice_policy(self):
        """The invoicing policy of the website of this transaction's order, or False."""
        self.ensure_one()
        orders = self.sale_order_ids.filtered("website_id")
        return orders[:1]._get_invoice_policy() if orders else False

    def _check_amount_and_confirm_order(self):
        confirmed_orders = super()._check_amount_and_confirm_order()
        # This is where Odoo invoices a confirmed payment when its own switch is
        # on: for the website's "automatic" customers, the order is only recorded
        # as due for its invoice, which the invoicing job makes and emails.
        self.filtered(
            lambda tx: tx.state == "done" and tx._get_website_invoice_policy() == "auto"
        )._record_web_invoice_due()
        return confirmed_orders

    def _record_web_invoice_due(self):
        """The confirmed orders of these payments, not invoiced yet, are due."""
        self.sale_order_ids.filtered(
            lambda order: order.state == "sale"
            and not order.web_invoice_due
            and not order._get_customer_invoices()
        )._set_web_invoice_due()

    def _invoice_by_website_policy(self):
        """Odoo's own invoicing of paid orders, once per order."""
        for tx in self:
            orders = tx.sale_order_ids
            orders._lock_orders()
            if tx.invoice_ids or orders._get_customer_invoices():
                continue
            tx.with_context(website_invoice_policy=True)._invoice_sale_orders()
            tx.invoice_ids.web_invoice_send_state = "to_send"

    def _invoice_sale_orders(self):
        if self.env.context.get("website_invoice_policy"):
            return super()._invoice_sale_orders()
        # Orders of a website with its own policy are invoiced by that policy.
        return super(
            PaymentTransaction,
            self.filtered(lambda tx: not tx._get_website_invoice_policy()),
        )._invoice_sale_orders()

    def _send_invoice(self):
        # The website's policy sends its invoices with the website's own email.
        return super(
            PaymentTransaction,
            self.filtered(lambda tx: not tx._get_website_invoice_policy()),
        )._send_invoice()
