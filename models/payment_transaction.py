# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

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
