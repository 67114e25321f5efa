# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _is_cart_reminder_worthy(self):
        """Whether this cart line is worth a reminder: not free, still for sale.

        The same rule as the cart reminder cron's SQL.
        """
        self.ensure_one()
        product = self.product_id
        template = product.product_tmpl_id
        return bool(
            product
            and self.price_unit > 0
            and product.active
            and template.active
            and template.sale_ok
            and template.is_published
            and (
                not template.website_id
                or template.website_id == self.order_id.website_id
            )
        )
