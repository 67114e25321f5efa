# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Refunds: a credit note, and its payment back through the provider when it can
refund. What was refunded is read from the posted credit notes."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .sale_order_payment import _is_amount


class SaleOrder(models.Model):
    _inherit = "sale.order"

    refunded_amount = fields.Monetary(
        compute="_compute_refunded_amount",
        compute_sudo=True,
        help="Credited to the customer by the order's posted credit notes.",
    )

    # The credit notes prove what was refunded: a refund through the provider or by
    # hand, by the addon's wizard or by Odoo's own Credit Note button, has one.
    @api.depends(
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.move_type",
        "order_line.invoice_lines.move_id.amount_total",
    )
    def _compute_refunded_amount(self):
        for order in self:
            order.refunded_amount = sum(
                order.invoice_ids.filtered(
                    lambda m: m.move_type == "out_refund" and m.state == "posted"
                ).mapped("amount_total")
            )

    def write(self, vals):
        if "refunded_amount" in vals:
            # Computed from the credit notes: a client writing it must not believe
            # it moved the refund cap.
            raise UserError(
                self.env._(
                    "The refunded amount comes from the order's credit notes; "
                    "it cannot be changed."
                )
            )
        return super().write(vals)

    def action_open_refund_wizard(self, return_request=None):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refund"),
            "res_model": "sale.order.refund.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_order_id": self.id,
                "default_return_request_id": return_request.id
                if return_request
                else False,
            },
        }

    def _get_refundable_amount(self):
        """Paid for the order, less what its credit notes credited back."""
        self.ensure_one()
        return max(
            self.currency_id.round(self._get_paid_amount() - self.refunded_amount), 0.0
        )

    def _get_refund_transaction(self, amount):
        """The payment whose provider can refund ``amount``, or an empty recordset.

        Read in sudo: the providers are the Settings administrators' records; the
        caller checked the user's rights.
        """
        self.ensure_one()
        payments = self.sudo().transaction_ids.filtered(
            lambda tx: tx.state == "done"
            and tx.operation != "refund"
            and tx.provider_id.support_refund in ("full_only", "partial")
        )
        for tx in payments.sorted("id", reverse=True):
            refunded = -sum(
                tx.child_transaction_ids.filtered(
                    lambda child: child.operation == "refund"
                    and child.state in ("pending", "authorized", "done")
                ).mapped("amount")
            )
            left = tx.amount - refunded
            if tx.provider_id.support_refund == "full_only":
                fits = (
                    not refunded
                    and tx.currency_id.compare_amounts(amount, tx.amount) == 0
                )
            else:
                fits = tx.currency_id.compare_amounts(amount, left) <= 0
            if fits:
                return tx
        return self.env["payment.transaction"]

    def _refund(self, amount, return_request=None):
        """Credit note of ``amount`` and its refund: through the provider or by hand.

        The order row is locked and its refunded amount written: of two users
        refunding at once, the second waits, then fails and is retried with the
        first one's refund counted.
        """
        self.ensure_one()
        # Refunds post credit notes and pay money back.
        self._check_billing_rights(
            self.env._("Only invoicing users (Billing) may refund an order.")
        )
        if return_request and return_request.order_id != self:
            raise UserError(self.env._("This return request is of another order."))
        self._lock_orders()
        if self.state == "cancel":
            raise UserError(self.env._("A cancelled order cannot be refunded."))
        refundable = self._get_refundable_amount()
        self._check_refund_amount(amount, refundable)
        amount = self.currency_id.round(amount)
        credit_note = self._create_refund_credit_note(amount, return_request)
        amount = credit_note.amount_total
        self._check_refund_amount(amount, refundable)
        refund_tx = self.env["payment.transaction"]
        source_tx = self._get_refund_transaction(amount)
        if source_tx:
            refund_tx = source_tx._send_refund_request(amount_to_refund=amount)
            refund_tx.invoice_ids = credit_note
            if refund_tx.state == "done" and not refund_tx.is_post_processed:
                refund_tx._post_process()
        if return_request:
            # The refund is the only way to this state (see sale.return.request).
            return_request.sudo().write({"state": "refunded"})
        self._add_tracking_event(
            "refunded",
            invoice_id=credit_note.id,
            transaction_id=refund_tx.id,
            description=self.currency_id.format(amount)
            + ("" if refund_tx else " " + self.env._("(by hand)")),
        )
        return {"credit_note": credit_note, "transaction": refund_tx}

    def _check_refund_amount(self, amount, refundable):
        currency = self.currency_id
        if not _is_amount(amount):
            raise UserError(self.env._("The refund must be an amount of money."))
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("The refund must be more than 0."))
        if currency.compare_amounts(amount, refundable) > 0:
            raise UserError(
                self.env._(
                    "At most %(amount)s of order %(order)s can still be refunded.",
                    amount=currency.format(refundable),
                    order=self.name,
                )
            )

    def _create_refund_credit_note(self, amount, return_request=None):
        """Reverse the order's invoice: the returned lines, scaled to ``amount``."""
        invoice = self.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        ).sorted("id")[-1:]
        if not invoice:
            raise UserError(
                self.env._(
                    "Order %(order)s has no posted invoice to credit: invoice it "
                    "first.",
                    order=self.name,
                )
            )
        credit_note = invoice._reverse_moves(
            [{"ref": self.env._("Refund of %(order)s", order=self.name)}]
        )
        product_lines = credit_note.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        if return_request:
            returned = {
                sale_line: sum(lines.mapped("quantity"))
                for sale_line, lines in return_request.line_ids.grouped(
                    "sale_line_id"
                ).items()
            }
            for line in product_lines:
                sale_line = line.sale_line_ids[:1]
                if sale_line in returned:
                    line.quantity = min(line.quantity, returned[sale_line])
                else:
                    line.unlink()
        total = credit_note.amount_total
        if self.currency_id.compare_amounts(amount, total) > 0:
            raise UserError(
                self.env._(
                    "The refunded lines are worth %(total)s: refund at most that.",
                    total=self.currency_id.format(total),
                )
            )
        if self.currency_id.compare_amounts(amount, total) < 0:
            factor = amount / total
            for line in credit_note.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
            ):
                line.price_unit = line.price_unit * factor
        credit_note.action_post()
        return credit_note
