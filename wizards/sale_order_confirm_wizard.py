# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrderConfirmWizard(models.TransientModel):
    _name = "sale.order.confirm.wizard"
    _description = "Confirm Web Orders Paid Offline"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    unpaid_order_ids = fields.Many2many(
        "sale.order",
        string="Orders Without Recorded Payment",
        compute="_compute_unpaid_order_ids",
    )
    confirm_unpaid = fields.Boolean(
        string="Confirm Anyway",
        help="Confirm the orders whose payment is not recorded in Odoo, "
        "e.g. because the transfer was checked on the bank statement.",
    )

    @api.depends("order_ids")
    def _compute_unpaid_order_ids(self):
        for wizard in self:
            wizard.unpaid_order_ids = wizard.order_ids.filtered(
                lambda o: not o._is_payment_recorded()
            )

    def action_confirm_orders(self):
        self.ensure_one()
        # An order of the queue may still be post-processed by its customer's
        # payment page (Odoo's poll subscribes the customer to it): locked first,
        # the two meet as a concurrency error, which Odoo retries, instead of a
        # duplicate follower shown to the salesperson.
        self.order_ids._lock_orders()
        not_confirmable = self.order_ids.filtered(
            lambda o: o.state not in ("draft", "sent")
        )
        if not_confirmable:
            raise UserError(
                self.env._(
                    "These orders cannot be confirmed because they are cancelled or "
                    "already confirmed: %s",
                    ", ".join(not_confirmable.mapped("name")),
                )
            )
        if self.unpaid_order_ids and not self.confirm_unpaid:
            raise UserError(
                self.env._(
                    "No payment is recorded for these orders: %s. Check that the "
                    'payment arrived, then tick "Confirm Anyway".',
                    ", ".join(self.unpaid_order_ids.mapped("name")),
                )
            )
        self.order_ids.action_confirm()
        return {"type": "ir.actions.act_window_close"}
