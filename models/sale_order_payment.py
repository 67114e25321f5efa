# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the customer paid for an order, however it was recorded; who may move
money (Billing). Shared by the offline-payment queue, refunds and invoicing."""

import math

from odoo import models
from odoo.exceptions import AccessError


def _is_amount(value):
    """Whether ``value`` is a finite number (not NaN, not infinite, not text)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _check_billing_rights(self, message):
        """Raise ``message`` unless the user is an invoicing user (Billing) who may
        write the orders: the money flows (payments, refunds) are theirs. The
        providers and journals are then read in sudo."""
        if not self.env.su and not self.env.user.has_group(
            "account.group_account_invoice"
        ):
            raise AccessError(message)
        self.check_access("write")

    def _get_paid_amount(self):
        """What the customer paid for the order, however it was recorded.

        The order's done payment transactions (online payments, and offline ones
        recorded by staff), plus what was reconciled with its invoices by other
        means (Odoo's Register Payment, a bank statement, a payment of the invoice
        on the portal). The payments made by the order's own transactions are
        counted once, as transactions; credit notes are not payments.
        """
        self.ensure_one()
        order = self.sudo()
        transactions = order.transaction_ids.filtered(
            lambda tx: tx.state == "done"
            and tx.operation not in ("refund", "validation")
        )
        paid = sum(transactions.mapped("amount"))
        own_payments = transactions.payment_id
        own_moves = own_payments.move_id
        invoices = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        for invoice in invoices:
            received = 0.0
            for partial in invoice._get_all_reconciled_invoice_partials():
                move = partial["aml"].move_id
                if (
                    partial["is_exchange"]
                    or move in own_moves
                    or move.move_type in ("out_refund", "out_invoice")
                ):
                    continue
                received += partial["amount"]
            # Odoo 18's payments without a journal entry of their own.
            received += sum(
                invoice.matched_payment_ids.filtered(
                    lambda p: not p.move_id
                    and p.state in ("in_process", "paid")
                    and p not in own_payments
                    and p.payment_type == "inbound"
                ).mapped("amount")
            )
            paid += min(received, invoice.amount_total)
        return order.currency_id.round(paid)

    def _get_amount_due(self):
        """What is left for the customer to pay."""
        self.ensure_one()
        return max(
            self.currency_id.round(self.amount_total - self._get_paid_amount()), 0.0
        )

    def _is_paid(self):
        # Paid however the payment was recorded (see ``_get_paid_amount``).
        self.ensure_one()
        return (
            self.currency_id.compare_amounts(self._get_paid_amount(), self.amount_total)
            >= 0
        )
