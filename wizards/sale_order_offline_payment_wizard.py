# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrderOfflinePaymentWizard(models.TransientModel):
    _name = "sale.order.offline.payment.wizard"
    _description = "Record an Offline Payment of Web Orders"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    order_count = fields.Integer(compute="_compute_order_count")
    company_id = fields.Many2one("res.company", compute="_compute_company_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_company_id")
    amount_due = fields.Monetary(
        string="Left to Pay",
        compute="_compute_amount_due",
        help="What is left to pay on the orders, however it was paid so far.",
    )
    amount = fields.Monetary(
        string="Amount Received",
        compute="_compute_amount",
        store=True,
        readonly=False,
        help="Received for the order: all that is left to pay, or a part of it. "
        "Several orders are each recorded as paid in full.",
    )
    payment_date = fields.Date(
        string="Received On", required=True, default=fields.Date.context_today
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Received In",
        required=True,
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
    )

    @api.depends("order_ids")
    def _compute_order_count(self):
        for wizard in self:
            wizard.order_count = len(wizard.order_ids)

    @api.depends("order_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.order_ids.company_id[:1]
            wizard.currency_id = wizard.order_ids.currency_id[:1]

    @api.depends("order_ids")
    def _compute_amount_due(self):
        for wizard in self:
            wizard.amount_due = sum(
                order._get_amount_due() for order in wizard.order_ids._origin
            )

    @api.depends("amount_due", "order_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = wizard.amount_due if len(wizard.order_ids) == 1 else 0.0

    @api.depends("order_ids")
    def _compute_journal_id(self):
        for wizard in self:
            providers = (
                wizard.order_ids._origin.sudo()._get_pending_offline_transactions()
            )
            journal = providers.provider_id.journal_id[:1]
            if journal.type not in ("bank", "cash"):
                journal = self.env["account.journal"].search(
                    [
                        ("type", "in", ("bank", "cash")),
                        ("company_id", "=", wizard.company_id.id),
                    ],
                    limit=1,
                )
            wizard.journal_id = journal

    def action_record_payment(self):
        """Record the payment of each order: the amount given for one order, what
        is left to pay for several."""
        self.ensure_one()
        # All the orders chosen, also those the user may not read (a Many2many
        # read hides them): the rights are checked on each.
        orders = self.sudo().order_ids.sudo(False)
        if not orders:
            raise UserError(self.env._("Choose the orders whose payment arrived."))
        # Recording a payment posts accounting entries, as Register Payment does.
        orders._check_billing_rights(
            self.env._("Only invoicing users (Billing) may record a payment.")
        )
        if len(orders.company_id) > 1 or len(orders.currency_id) > 1:
            raise UserError(
                self.env._("Record the payments of one company and currency at a time.")
            )
        # One lock for all, in one statement: no deadlock with a bulk of another.
        orders._lock_orders()
        if len(orders) == 1:
            amounts = {orders: self.amount}
        else:
            amounts = {order: order._get_amount_due() for order in orders}
        for order, amount in amounts.items():
            order._check_offline_payment(amount, self.journal_id)
        for order, amount in amounts.items():
            order._record_offline_payment(amount, self.payment_date, self.journal_id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Payment recorded for %(orders)s.",
                    orders=", ".join(orders.mapped("name")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
