# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    return_line_ids = fields.One2many(
        "sale.return.request.line", "sale_line_id", string="Return Request Lines"
    )

    def _get_delivered_moves(self):
        """The done moves that brought this line to the customer (no returns)."""
        self.ensure_one()
        return self.move_ids.filtered(
            lambda m: m.state == "done"
            and m.location_dest_id.usage == "customer"
            and not m.origin_returned_move_id
        )

    def _get_returnable_quantity(self, exclude=None):
        """Delivered, less what return requests (not rejected) already ask for."""
        self.ensure_one()
        delivered = sum(
            move.product_uom._compute_quantity(move.quantity, self.product_uom)
            for move in self._get_delivered_moves()
        )
        asked = sum(
            (self.return_line_ids - (exclude or self.env["sale.return.request.line"]))
            .filtered(lambda line: line.request_id.state != "rejected")
            .mapped("quantity")
        )
        return max(delivered - asked, 0.0)

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
