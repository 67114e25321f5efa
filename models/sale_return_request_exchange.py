# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Exchanges, on the return request: its approval makes the replacement order.

The goods come back by the request's return transfer, as for any return. The
replacement is a new order of the asked variants, linked to the request:

- same price: free, confirmed at once, its delivery reserved;
- dearer: the line costs the difference, and the order waits for the customer
  to pay it on the portal (Odoo's quotation payment), which confirms it;
- cheaper: free and confirmed; the difference is the request's value to refund,
  paid back by the refund wizard once the goods are received.

The request is *Exchange* from its approval until its goods are received.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class SaleReturnRequest(models.Model):
    _inherit = "sale.return.request"

    state = fields.Selection(
        selection_add=[("approved",), ("exchange", "Exchange")],
        ondelete={"exchange": lambda requests: requests.write({"state": "approved"})},
    )
    is_exchange = fields.Boolean(
        compute="_compute_is_exchange",
        store=True,
        help="A line asks for another variant instead of a refund.",
    )
    replacement_order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("replacement_order_id") for vals in vals_list
        ):
            self._check_workflow_fields(["replacement_order_id"])
        return super().create(vals_list)

    def write(self, vals):
        if "replacement_order_id" in vals and not self.env.su:
            self._check_workflow_fields(["replacement_order_id"])
        return super().write(vals)

    @api.depends("line_ids.exchange_product_id")
    def _compute_is_exchange(self):
        for request in self:
            request.is_exchange = bool(request.line_ids.exchange_product_id)

    @api.depends("line_ids.exchange_product_id", "line_ids.exchange_price_difference")
    def _compute_amount_total(self):
        # An exchanged line is worth what the replacement costs less, if anything.
        result = super()._compute_amount_total()
        for request in self:
            for line in request.line_ids.filtered("exchange_product_id"):
                request.amount_total += (
                    line._get_exchange_refund_value()
                    - line.quantity * line.sale_line_id.price_reduce_taxinc
                )
        return result

    @api.model
    def _prepare_portal_line_vals(self, line, form, raw_quantity, reasons):
        """``exchange_<line id>``: the id of the variant asked instead of a refund
        (empty: a refund). Only a number here; the line checks the variant."""
        vals = super()._prepare_portal_line_vals(line, form, raw_quantity, reasons)
        raw = str(form.get(f"exchange_{line.id}") or "").strip()
        if raw:
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
                raise UserError(
                    self.env._(
                        "This variant cannot be sent in exchange for %(product)s.",
                        product=line.product_id.display_name,
                    )
                )
            vals["exchange_product_id"] = int(raw)
        return vals

    @api.ondelete(at_uninstall=False)
    def _unlink_except_exchange(self):
        for request in self.filtered(lambda r: r.state == "exchange"):
            raise UserError(
                self.env._(
                    "Return %(name)s has a replacement order: it cannot be deleted.",
                    name=request.name,
                )
            )

    def _is_awaiting_goods(self):
        return super()._is_awaiting_goods() or self.state == "exchange"

    def action_approve(self):
        """Approve; an exchange also makes its replacement order.

        The asked variants are checked again first (still sold, and in stock now):
        a refusal writes nothing.
        """
        self.check_access("write")
        exchanges = self.sudo().filtered("is_exchange")
        exchanges._check_state("requested")
        exchanges._lock_exchange_stock()
        for line in exchanges.line_ids.filtered("exchange_product_id"):
            error = line._get_exchange_error()
            if error:
                raise UserError(error)
        result = super().action_approve()
        for request in exchanges:
            request._create_replacement_order()
        return result

    def _lock_exchange_stock(self):
        """Lock the stock of the asked variants until the approval commits.

        Two approvals at once would both see the last unit free, and Odoo's
        reservation skips a locked quant (it makes a new one): both replacements
        would be reserved. The second approval waits here instead, then fails
        with a serialization error once the first commits the quants it
        reserved; Odoo retries it, and the stock check refuses it.
        """
        variants = self.line_ids.exchange_product_id.filtered("is_storable")
        if variants:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM stock_quant WHERE product_id IN %s "
                    "ORDER BY id FOR NO KEY UPDATE",
                    tuple(variants.ids),
                )
            )

    def _create_replacement_order(self):
        """The replacement order of the request's exchanged lines (in sudo)."""
        self.ensure_one()
        lines = self.line_ids.filtered("exchange_product_id")
        for line in lines:
            line.exchange_price_difference = line._get_exchange_unit_price_difference()
        replacement = self.env["sale.order"].create(
            self._prepare_replacement_order_vals(lines)
        )
        self.write({"replacement_order_id": replacement.id, "state": "exchange"})
        if replacement.currency_id.compare_amounts(replacement.amount_total, 0) > 0:
            # The customer pays the difference on the order's portal page;
            # Odoo confirms the order once it is paid.
            replacement.write({"require_payment": True, "prepayment_percent": 1.0})
            replacement.action_quotation_sent()
        else:
            replacement.action_confirm()
            replacement._check_exchange_reserved()
        self.order_id._add_tracking_event("exchange", description=replacement.name)
        replacement._add_tracking_event("exchange", description=self.order_id.name)
        return replacement

    def _prepare_replacement_order_vals(self, lines):
        order = self.order_id
        return {
            "partner_id": order.partner_id.id,
            "partner_invoice_id": order.partner_invoice_id.id,
            "partner_shipping_id": order.partner_shipping_id.id,
            "company_id": order.company_id.id,
            "website_id": order.website_id.id,
            "pricelist_id": order.pricelist_id.id,
            "fiscal_position_id": order.fiscal_position_id.id,
            "warehouse_id": order.warehouse_id.id,
            "carrier_id": order.carrier_id.id,
            "user_id": order.user_id.id,
            "team_id": order.team_id.id,
            "origin": f"{order.name}, {self.name}",
            "client_order_ref": order.client_order_ref,
            "exchange_request_id": self.id,
            "order_line": [
                fields.Command.create(line._prepare_replacement_line_vals())
                for line in lines
            ],
        }
