# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

MAX_RETURN_COMMENT = 2000
# Beyond any order: refused before the ORM rounds it (which overflows).
MAX_RETURN_QUANTITY = 1e9


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
        for vals in vals_list:
            self._check_quantity_vals(vals)
        requests = self.env["sale.return.request"].browse(
            {vals["request_id"] for vals in vals_list if vals.get("request_id")}
        )
        requests._check_lines_editable()
        requests.sudo().order_id._lock_orders()
        lines = super().create(vals_list)
        # Checked once all the lines exist: two lines of one order line count
        # together, whether made with their request or added to it later.
        lines._check_returnable()
        return lines

    def write(self, vals):
        if "request_id" in vals and not self.env.su:
            raise UserError(self.env._("A return line stays in its request."))
        self.request_id._check_lines_editable()
        self._check_quantity_vals(vals)
        if {"quantity", "sale_line_id", "request_id"} & set(vals):
            self.request_id.sudo().order_id._lock_orders()
        result = super().write(vals)
        if {"quantity", "sale_line_id", "request_id", "comment"} & set(vals):
            self._check_returnable()
        return result

    @api.model
    def _check_quantity_vals(self, vals):
        """Refuse NaN, infinities and huge numbers before the ORM rounds them."""
        try:
            quantity = float(vals.get("quantity") or 0.0)
        except (TypeError, ValueError):
            quantity = math.nan
        if math.isfinite(quantity) and abs(quantity) <= MAX_RETURN_QUANTITY:
            return
        product = (
            self.env["sale.order.line"].browse(vals.get("sale_line_id")).product_id
            or self.sale_line_id[:1].product_id
        ).display_name
        if math.isfinite(quantity):
            raise ValidationError(
                self.env._("The quantity of %(product)s is too large.", product=product)
            )
        raise ValidationError(
            self.env._("The quantity of %(product)s is not a number.", product=product)
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_reviewed(self):
        self.request_id._check_lines_editable()

    def _check_returnable(self):
        for line in self:
            error = line._get_return_error()
            if error:
                raise ValidationError(error)
        self._check_returnable_total()

    def _check_returnable_total(self):
        """What all the lines ask of each order line, against what is left of it."""
        lines = self.filtered(lambda line: line.request_id.state != "rejected")
        for sale_line, asked_lines in lines.grouped("sale_line_id").items():
            returnable = sale_line._get_returnable_quantity(exclude=asked_lines)
            asked = sum(asked_lines.mapped("quantity"))
            if (
                float_compare(
                    asked,
                    returnable,
                    precision_rounding=sale_line.product_uom.rounding,
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "At most %(quantity)s of %(product)s can be returned.",
                        quantity=returnable,
                        product=sale_line.product_id.display_name,
                    )
                )

    def _get_return_error(self):
        """Why this line may not be asked for, or ``None``."""
        self.ensure_one()
        return (
            self._get_order_error()
            or self._get_quantity_error()
            or self._get_return_rule_error()
        )

    def _get_order_error(self):
        """The order may take no return, or the line is of another order."""
        order = self.request_id.order_id
        sale_line = self.sale_line_id
        if order.state == "cancel":
            return self.env._(
                "Order %(order)s is cancelled: it cannot be returned.",
                order=order.name,
            )
        if order.state != "sale":
            return self.env._(
                "Order %(order)s is not confirmed: it cannot be returned.",
                order=order.name,
            )
        if sale_line.order_id != order:
            return self.env._(
                "%(product)s is not a line of order %(order)s.",
                product=sale_line.product_id.display_name,
                order=order.name,
            )
        return None

    def _get_quantity_error(self):
        """The quantity is no number of the product's unit, or the comment too long."""
        product = self.sale_line_id.product_id
        if not math.isfinite(self.quantity):
            return self.env._(
                "The quantity of %(product)s is not a number.",
                product=product.display_name,
            )
        if float_compare(self.quantity, 0, precision_digits=6) <= 0:
            return self.env._(
                "The quantity of %(product)s must be more than 0.",
                product=product.display_name,
            )
        uom_error = self._get_unit_error()
        if uom_error:
            return uom_error
        return self.env["sale.return.request"]._get_comment_error(self.comment)

    def _get_return_rule_error(self):
        """The website or the product takes no return of it, or not any more."""
        sale_line = self.sale_line_id
        product = sale_line.product_id
        website = self.request_id.order_id.website_id
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
        return None

    def _get_unit_error(self):
        """Why the quantity does not fit the unit of the order line, or False.

        The unit's rounding decides (tenths of a kilo for a kilo rounded to 0.1),
        and things counted in pieces (the Unit category: Units, Dozens...) come
        back in whole pieces, whatever the rounding of their unit.
        """
        uom = self.sale_line_id.product_uom
        product = self.sale_line_id.product_id.display_name
        if not _is_whole(self.quantity / uom.rounding):
            # Outside the message's call: Odoo's term extraction reads its
            # arguments as plain literals.
            rounding = f"{uom.rounding:f}".rstrip("0").rstrip(".")
            return self.env._(
                "The quantity of %(product)s must be a multiple of %(rounding)s "
                "%(unit)s.",
                product=product,
                rounding=rounding,
                unit=uom.name,
            )
        piece = self.env.ref("uom.product_uom_unit", raise_if_not_found=False)
        if not piece or uom.category_id != piece.category_id:
            return False
        if _is_whole(uom._compute_quantity(self.quantity, piece, round=False)):
            return False
        if uom == piece:
            return self.env._(
                "The quantity of %(product)s must be a whole number.",
                product=product,
            )
        return self.env._(
            "The quantity of %(product)s must be a whole number of %(unit)s.",
            product=product,
            unit=piece.name,
        )


def _is_whole(number):
    return not float_compare(number, round(number), precision_digits=6)
