# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The queue of orders paid offline (wire transfer, pay on site): recording the
payments that arrived, and the cron that reminds, then cancels, unpaid orders."""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import create_index

from .sale_order_payment import _is_amount

# Providers whose payments arrive outside Odoo (wire transfer, pay on site...):
# their orders wait in a queue until a person confirms them.
OFFLINE_PROVIDER_CODES = ("custom",)

UNPAID_BATCH_SIZE = 100

# The failure list's job of each action of the unpaid-orders cron.
UNPAID_JOBS = {"cancel": "unpaid_cancel", "remind": "unpaid_reminder"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    unpaid_reminder_date = fields.Datetime(
        string="Payment Reminder Sent On", readonly=True, copy=False
    )

    def init(self):
        result = super().init()
        # The unpaid-orders cron reads only the small queue of orders to confirm.
        create_index(
            self.env.cr,
            "sale_order_to_confirm_checkout_date_index",
            self._table,
            ["website_id", "checkout_date"],
            where="tracking_stage = 'to_confirm'",
        )
        return result

    def _has_pending_offline_payment(self):
        """Whether the order waits for a payment made outside Odoo, which Odoo has
        recorded (its transaction post-processed: the order's email sent to the
        customer).

        Until then the customer's payment page is still recording it: an order
        confirmed from the queue in between made that request start again (a
        concurrent update of the order) and the customer wait for it.
        """
        return any(
            tx.state == "pending"
            and tx.is_post_processed
            and tx.provider_code in OFFLINE_PROVIDER_CODES
            for tx in self.transaction_ids
        )

    def _is_payment_recorded(self):
        """Whether enough was paid for Odoo to confirm the order by itself."""
        self.ensure_one()
        return (
            self.currency_id.compare_amounts(
                self._get_paid_amount(), self._get_prepayment_required_amount()
            )
            >= 0
        )

    def action_open_offline_payment_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Payment"),
            "res_model": "sale.order.offline.payment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    def _check_offline_payment(self, amount, journal):
        """A UserError if ``amount`` may not be recorded as paid into ``journal``."""
        self.ensure_one()
        currency = self.currency_id
        if self.state == "cancel":
            raise UserError(
                self.env._(
                    "Order %(order)s is cancelled: no payment can be recorded for it.",
                    order=self.name,
                )
            )
        if journal.type not in ("bank", "cash") or journal.company_id != (
            self.company_id
        ):
            raise UserError(
                self.env._(
                    "Record the payment of %(order)s in a bank or cash journal of "
                    "%(company)s.",
                    order=self.name,
                    company=self.company_id.name,
                )
            )
        if not _is_amount(amount) or currency.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("The amount received must be more than 0."))
        due = self._get_amount_due()
        if currency.compare_amounts(amount, due) > 0:
            raise UserError(
                self.env._(
                    "At most %(amount)s is left to pay on order %(order)s.",
                    amount=currency.format(due),
                    order=self.name,
                )
            )

    def _record_offline_payment(self, amount, payment_date, journal):
        """Record that ``amount`` of the customer's offline payment arrived.

        As the provider's own confirmation would: the customer's pending
        transaction is done when the whole of it arrived, else a done transaction
        of the same provider is added for the amount received. Both are then
        post-processed by Odoo (order confirmed once the amount to confirm is
        reached, payment in ``journal``, invoice per the website's policy, emails,
        timeline). The orders are locked first: of two people recording the same
        transfer, the second waits, fails and is retried with the first one's
        payment counted.
        """
        self.ensure_one()
        # Recording a payment posts accounting entries, as Register Payment does.
        self._check_billing_rights(
            self.env._("Only invoicing users (Billing) may record a payment.")
        )
        journal.check_access("read")
        self._lock_orders()
        self._check_offline_payment(amount, journal)
        order = self.sudo()
        amount = order.currency_id.round(amount)
        pending = order._get_pending_offline_transactions()
        tx = pending.filtered(
            lambda t: t.sale_order_ids == order
            and order.currency_id.compare_amounts(t.amount, amount) == 0
        )[:1] or order._create_offline_transaction(amount, pending[:1])
        tx.write(
            {"offline_journal_id": journal.id, "offline_payment_date": payment_date}
        )
        tx._set_done(
            state_message=self.env._(
                "Payment recorded by %(user)s.", user=self.env.user.name
            )
        )
        tx._post_process()
        if order._is_paid():
            # The whole transfer arrived, in parts: the customer's own
            # transaction is settled by them.
            leftover = order._get_pending_offline_transactions()
            leftover._set_canceled(
                state_message=self.env._(
                    "Paid by the payments recorded by %(user)s.",
                    user=self.env.user.name,
                )
            )
            leftover._post_process()
        return tx

    def _get_pending_offline_transactions(self):
        return self.transaction_ids.filtered(
            lambda tx: tx.state == "pending"
            and tx.provider_code in OFFLINE_PROVIDER_CODES
            and tx.operation != "refund"
        ).sorted("id")

    def _create_offline_transaction(self, amount, pending_tx):
        """A transaction of the customer's offline provider for ``amount``."""
        self.ensure_one()
        provider = pending_tx.provider_id or self._get_offline_provider()
        return (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": (
                        pending_tx.payment_method_id or provider.payment_method_ids[:1]
                    ).id,
                    "amount": amount,
                    "currency_id": self.currency_id.id,
                    "partner_id": (pending_tx.partner_id or self.partner_id).id,
                    "operation": pending_tx.operation or "online_redirect",
                    "sale_order_ids": [Command.set(self.ids)],
                }
            )
        )

    def _get_offline_provider(self):
        """The offline provider of the order's last transactions, or the company's."""
        self.ensure_one()
        offline = self.sudo().transaction_ids.filtered(
            lambda tx: tx.provider_code in OFFLINE_PROVIDER_CODES
        )
        provider = offline.sorted("id")[-1:].provider_id
        if not provider:
            provider = (
                self.env["payment.provider"]
                .sudo()
                .search(
                    [
                        ("code", "in", OFFLINE_PROVIDER_CODES),
                        ("state", "!=", "disabled"),
                        ("company_id", "=", self.company_id.id),
                    ],
                    limit=1,
                )
            )
        if not provider:
            raise UserError(
                self.env._(
                    "No offline payment provider (wire transfer) is enabled for "
                    "%(company)s.",
                    company=self.company_id.name,
                )
            )
        return provider

    def action_open_confirm_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Confirm Orders"),
            "res_model": "sale.order.confirm.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    @api.model
    def _cron_process_unpaid_orders(self, batch_size=UNPAID_BATCH_SIZE):
        """Remind, then cancel, web orders still waiting for an offline payment.

        Cancellation runs first so an order due for both is only cancelled.
        """
        self.env["website.sale.job.failure"]._resolve_settled(*UNPAID_JOBS.values())
        # Orders that failed in this run are not claimed again in it; one whose
        # cancellation failed is not reminded in its stead either.
        failed_ids = set()
        done = self._run_cron_batches(
            lambda: self._process_unpaid_batch("cancel", batch_size, failed_ids)
        )
        return done + self._run_cron_batches(
            lambda: self._process_unpaid_batch("remind", batch_size, failed_ids),
            done=done,
        )

    def _process_unpaid_batch(self, action, batch_size, failed_ids=None):
        """Claim and process one batch; ``failed_ids`` collects the failures."""
        failed_ids = set() if failed_ids is None else failed_ids
        orders = self._claim_unpaid_orders(action, batch_size, failed_ids)
        if action == "cancel":
            failed = orders._cancel_unpaid_web_orders()
        else:
            failed = orders._send_unpaid_reminders()
        failed_ids.update(failed.ids)
        return len(orders)

    def _claim_unpaid_orders(self, action, limit, exclude_ids=()):
        """Orders due for ``action``, locked for this worker.

        Orders given up for the action, and ``exclude_ids`` (those that failed
        in this run), are left out.
        """
        delay_column = (
            "unpaid_cancel_days" if action == "cancel" else "unpaid_reminder_days"
        )
        extra = "" if action == "cancel" else "AND so.unpaid_reminder_date IS NULL"
        query = f"""
            SELECT so.id
              FROM sale_order so
              JOIN website w ON w.id = so.website_id
             WHERE so.tracking_stage = 'to_confirm'
               AND w.{delay_column} > 0
               AND so.checkout_date <= (NOW() AT TIME ZONE 'UTC')
                                        - make_interval(days => w.{delay_column})
               {extra}
        """  # noqa: S608 (column names are constants above)
        return self._claim_batch(UNPAID_JOBS[action], "so", query, limit, exclude_ids)

    def _send_unpaid_reminders(self):
        """Remind each order's customer; return the orders that failed."""
        return self._run_isolated(
            "unpaid_reminder", self, lambda order: order._send_unpaid_reminder()
        )

    def _send_unpaid_reminder(self):
        self.ensure_one()
        self.write({"unpaid_reminder_date": fields.Datetime.now()})
        template = self.website_id._get_unpaid_order_template("reminder")
        if self._send_tracking_email(template):
            self._add_tracking_event("payment_reminder", description=template.name)

    def _cancel_unpaid_web_orders(self):
        """Cancel each order and tell its customer; return the orders that failed."""
        return self._run_isolated(
            "unpaid_cancel", self, lambda order: order._cancel_unpaid_web_order()
        )

    def _cancel_unpaid_web_order(self):
        self.ensure_one()
        self._action_cancel()
        template = self.website_id._get_unpaid_order_template("cancel")
        if self._send_tracking_email(template):
            self._add_tracking_event("email_sent", description=template.name)
