# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the carrier collects on delivery, printed on the shipping label."""

from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _get_amount_to_collect(self):
        """The amount the carrier collects from the customer: what is left to pay
        (``_get_amount_due``) when the customer chose to pay on delivery (a
        payment provider marked *Paid on Delivery*); otherwise 0."""
        self.ensure_one()
        order = self.sudo()
        on_delivery = order.transaction_ids.filtered(
            lambda tx: tx.provider_id.collect_on_delivery
            and tx.state not in ("cancel", "error")
        )
        if not on_delivery:
            return 0.0
        return order._get_amount_due()
