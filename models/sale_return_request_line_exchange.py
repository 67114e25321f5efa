# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Exchanges: a return line may ask for another variant of the same product
instead of a refund. Which variant may be asked for, whether it is in stock, and
what it costs more or less than what was paid."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class SaleReturnRequestLine(models.Model):
    _inherit = "sale.return.request.line"

    exchange_product_id = fields.Many2one(
        "product.product",
        string="Exchange For",
        index="btree_not_null",
        help="The variant sent to the customer instead of a refund.",
    )
    exchange_price_difference = fields.Float(
        digits="Product Price",
        readonly=True,
        copy=False,
        help="Per unit, set at approval: what the replacement costs more "
        "(positive) or less (negative) than what was paid.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            "exchange_price_difference" in vals for vals in vals_list
        ):
            self._raise_price_difference_write()
        return super().create(vals_list)

    def write(self, vals):
        if "exchange_price_difference" in vals and not self.env.su:
            self._raise_price_difference_write()
        result = super().write(vals)
        if "exchange_product_id" in vals:
            self._check_returnable()
        return result

    @api.model
    def _raise_price_difference_write(self):
        raise UserError(
            self.env._("The price difference of an exchange is set at its approval.")
        )

    def _get_return_error(self):
        return super()._get_return_error() or self._get_exchange_error()

    def _get_exchange_error(self):
        """Why the variant asked in exchange may not be sent, or ``None``.

        The id comes from the customer's form: whatever it is, it must be one of
        the variants the form offers (same product, sold on the order's website,
        in stock), in the quantity all the request's lines ask of it.
        """
        self.ensure_one()
        variant = self.exchange_product_id
        if not variant:
            return None
        sale_line = self.sale_line_id
        product = sale_line.product_id.display_name
        if variant not in sale_line._get_exchange_products(in_stock=False):
            # Not named: the id may be of anything, or of nothing.
            return self.env._(
                "This variant cannot be sent in exchange for %(product)s.",
                product=product,
            )
        return self._get_exchange_stock_error()

    def _get_exchange_stock_error(self):
        """The warehouse of the order has less of the variant than the request's
        lines ask of it, or ``None``."""
        variant = self.exchange_product_id
        if not variant.is_storable:
            return None
        warehouse = self.request_id.order_id.warehouse_id
        asked = sum(
            line.sale_line_id.product_uom._compute_quantity(
                line.quantity, variant.uom_id, round=False
            )
            for line in self.request_id.line_ids
            if line.exchange_product_id == variant
        )
        free = variant.with_context(warehouse_id=warehouse.id).free_qty
        if float_compare(asked, free, precision_rounding=variant.uom_id.rounding) > 0:
            return self.env._(
                "Only %(quantity)s %(unit)s of %(variant)s are available now: "
                "choose another variant, or a refund.",
                quantity=max(free, 0.0),
                unit=variant.uom_id.name,
                variant=variant.display_name,
            )
        return None

    def _get_exchange_unit_price_difference(self):
        """Per unit of the order line, as Odoo prices a new line of the variant in
        the order's pricelist now, less the price paid (after discount)."""
        self.ensure_one()
        sale_line = self.sale_line_id.with_company(self.request_id.company_id)
        order = sale_line.order_id
        variant = self.exchange_product_id
        price = order.pricelist_id._get_product_price(
            variant,
            self.quantity,
            currency=order.currency_id,
            uom=sale_line.product_uom,
            date=order.date_order,
        )
        price = variant._get_tax_included_unit_price_from_price(
            price,
            product_taxes=variant.taxes_id.filtered(
                lambda tax: tax.company_id == order.company_id
            ),
            fiscal_position=order.fiscal_position_id,
        )
        paid = sale_line.price_unit * (1 - (sale_line.discount or 0.0) / 100.0)
        return order.currency_id.round(price - paid)

    def _get_exchange_refund_value(self):
        """What the customer gets back for an exchange of a cheaper variant: the
        difference with the order line's taxes (0 otherwise)."""
        self.ensure_one()
        sale_line = self.sale_line_id
        currency = self.request_id.currency_id
        if currency.compare_amounts(self.exchange_price_difference, 0) >= 0:
            return 0.0
        return sale_line.tax_id.compute_all(
            -self.exchange_price_difference,
            currency,
            self.quantity,
            product=sale_line.product_id,
            partner=sale_line.order_id.partner_shipping_id,
        )["total_included"]

    def _prepare_replacement_line_vals(self):
        """The line of the replacement order: the variant, at the difference
        when it costs more, else free."""
        self.ensure_one()
        sale_line = self.sale_line_id
        return {
            "product_id": self.exchange_product_id.id,
            "product_uom_qty": self.quantity,
            "product_uom": sale_line.product_uom.id,
            "price_unit": max(self.exchange_price_difference, 0.0),
            "discount": 0.0,
            "tax_id": [fields.Command.set(sale_line.tax_id.ids)],
        }
