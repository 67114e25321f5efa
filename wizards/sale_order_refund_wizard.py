# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class SaleOrderRefundWizard(models.TransientModel):
    _name = "sale.order.refund.wizard"
    _description = "Refund a Web Order"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    return_request_id = fields.Many2one("sale.return.request", readonly=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    refundable_amount = fields.Monetary(compute="_compute_refundable_amount")
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        readonly=False,
        help="Paid back to the customer; the credit note is of the same amount.",
    )
    transaction_id = fields.Many2one(
        "payment.transaction",
        string="Payment",
        compute="_compute_transaction_id",
        help="The payment refunded through its provider. Empty: a manual refund.",
    )

    @api.depends("order_id")
    def _compute_refundable_amount(self):
        for wizard in self:
            wizard.refundable_amount = (
                wizard.order_id._get_refundable_amount() if wizard.order_id else 0.0
            )

    @api.depends("order_id", "return_request_id")
    def _compute_amount(self):
        for wizard in self:
            if wizard.return_request_id:
                wizard.amount = min(
                    wizard.return_request_id.amount_total, wizard.refundable_amount
                )
            else:
                wizard.amount = wizard.refundable_amount

    @api.depends("order_id", "amount")
    def _compute_transaction_id(self):
        for wizard in self:
            wizard.transaction_id = (
                wizard.order_id._get_refund_transaction(wizard.amount).sudo(False)
                if wizard.order_id
                else False
            )

    def action_refund(self):
        self.ensure_one()
        refund = self.order_id._refund(self.amount, self.return_request_id)
        if refund["transaction"]:
            message = self.env._(
                "%(amount)s refunded through %(provider)s; credit note %(note)s.",
                amount=self.currency_id.format(self.amount),
                # The provider is the administrators' record; _refund checked
                # the user's rights.
                provider=refund["transaction"].sudo().provider_id.name,
                note=refund["credit_note"].name,
            )
            notification_type = "success"
        else:
            message = self.env._(
                "Credit note %(note)s posted. No payment of this order can be "
                "refunded through its provider: pay %(amount)s back to the customer "
                "by hand.",
                note=refund["credit_note"].name,
                amount=self.currency_id.format(self.amount),
            )
            notification_type = "warning"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": notification_type,
                "sticky": notification_type == "warning",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
