# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

MAX_RETURN_COMMENT = 2000


class SaleReturnRequestLine(models.Model):
    _name = "sale.return.request.line"
    _description = "Return Request Line"

    request_id = fields.Many2one(
        "sale.return.request", required=True, ondelete="cascade", index=True
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", required=True, index=True
    )
    product_id = fields.Many2one(related="sale_line_id.product_id", store=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    reason_id = fields.Many2one("sale.return.reason", required=True)
    comment = fields.Text()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # A request's create checks its lines before writing anything.
        if not self.env.context.get("return_lines_checked"):
            lines._check_returnable()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if {"quantity", "sale_line_id", "request_id", "comment"} & set(vals):
            self._check_returnable()
        return result

    def _check_returnable(self):
        for line in self:
            error = line._get_return_error()
            if error:
                raise ValidationError(error)

    def _get_return_error(self):
        """Why this line may not be asked for, or False."""
        self.ensure_one()
        order = self.request_id.order_id
        sale_line = self.sale_line_id
        product = sale_line.product_id
        if sale_line.order_id != order:
            return self.env._(
                "%(product)s is not a line of order %(order)s.",
                product=product.display_name,
                order=order.name,
            )
        if float_compare(self.quantity, 0, precision_digits=6) <= 0:
            return self.env._(
                "The quantity of %(product)s must be more than 0.",
                product=product.display_name,
            )
        if self.comment and len(self.comment) > MAX_RETURN_COMMENT:
            return self.env._(
                "A comment has at most %(count)s characters.", count=MAX_RETURN_COMMENT
            )
        website = order.website_id
        if not website.return_enabled:
            return self.env._("This shop takes no returns online.")
        returnable, window = product.product_tmpl_id._get_return_rule(website)
        if not returnable:
            return self.env._(
                "%(product)s cannot be returned.", product=product.display_name
            )
        delivered_moves = sale_line._get_delivered_moves()
        if not delivered_moves:
            return self.env._(
                "%(product)s is not delivered yet.", product=product.display_name
            )
        deadline = max(delivered_moves.mapped("date")) + timedelta(days=window)
        if self.request_id.request_date > deadline:
            return self.env._(
                "The return window of %(product)s (%(days)s days after delivery) "
                "is over.",
                product=product.display_name,
                days=window,
            )
        returnable_qty = sale_line._get_returnable_quantity(exclude=self)
        if float_compare(self.quantity, returnable_qty, precision_digits=6) > 0:
            return self.env._(
                "At most %(quantity)s of %(product)s can be returned.",
                quantity=returnable_qty,
                product=product.display_name,
            )
        return False
