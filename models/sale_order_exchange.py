# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Exchanges, on the orders: the variants a line may be exchanged for, the
replacement order's link to its return request, and the stage *Exchange* of the
exchanged order and of its replacement."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .sale_order_tracking_page import TRACKING_PAGE_STEP_OF_STAGE


class SaleOrder(models.Model):
    _inherit = "sale.order"

    exchange_request_id = fields.Many2one(
        "sale.return.request",
        string="Exchange Of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The return request this order replaces goods of.",
    )
    tracking_stage = fields.Selection(
        selection_add=[("returned",), ("exchange", "Exchange")]
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get("exchange_request_id") for vals in vals_list
        ):
            self._raise_exchange_link_write()
        return super().create(vals_list)

    def write(self, vals):
        if "exchange_request_id" in vals and not self.env.su:
            self._raise_exchange_link_write()
        return super().write(vals)

    @api.model
    def _raise_exchange_link_write(self):
        raise UserError(
            self.env._("A replacement order is made by the approval of its exchange.")
        )

    @api.depends("exchange_request_id")
    def _compute_tracking_stage(self):
        # The dependencies add to those of the stage's own computation.
        return super()._compute_tracking_stage()

    def _get_return_tracking_stage(self):
        """*Exchange* while an approved exchange waits for the goods back."""
        stage = super()._get_return_tracking_stage()
        if stage in (False, "return_requested", "returned") and (
            "exchange" in self.return_request_ids.mapped("state")
        ):
            return "exchange"
        return stage

    def _get_delivery_tracking_stage(self):
        """A replacement order is *Exchange* until its delivery ships."""
        stage = super()._get_delivery_tracking_stage()
        if (
            self.exchange_request_id
            and stage in ("confirmed", "in_preparation")
            and not self.env.context.get("wsot_delivery_stage_only")
        ):
            return "exchange"
        return stage

    def _get_tracking_page_current_step(self):
        # The replacement's step bar follows its delivery.
        if self.tracking_stage == "exchange" and self.exchange_request_id:
            stage = self.with_context(
                wsot_delivery_stage_only=True
            )._get_delivery_tracking_stage()
            return TRACKING_PAGE_STEP_OF_STAGE.get(stage, 1)
        return super()._get_tracking_page_current_step()

    def _get_exchange_replacements(self):
        """The replacement orders of the order's exchanges."""
        self.ensure_one()
        return self.return_request_ids.replacement_order_id

    def _check_exchange_reserved(self):
        """The replacement's delivery holds its goods: when another order took
        them meanwhile, the approval is refused (and rolled back)."""
        self.ensure_one()
        moves = self.picking_ids.move_ids.filtered(
            lambda m: m.product_id.is_storable and m.state not in ("done", "cancel")
        )
        for move in moves.filtered(lambda m: m.state != "assigned"):
            raise UserError(
                self.env._(
                    "%(variant)s is no longer in stock: the exchange cannot be "
                    "approved now.",
                    variant=move.product_id.display_name,
                )
            )

    def action_view_exchange_request(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.return.request",
            "view_mode": "form",
            "res_id": self.exchange_request_id.id,
        }


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _get_exchange_products(self, in_stock=True):
        """The variants the line may be exchanged for: the other variants of its
        product, sold on the order's website (published, for sale, of its
        company, a possible combination) and, with ``in_stock``, in stock in
        its warehouse."""
        self.ensure_one()
        order = self.order_id
        website = order.website_id
        if not website or not self.product_id:
            return self.env["product.product"]
        domain = expression.AND(
            [
                website._product_domain(),
                website.website_domain(),
                [
                    ("product_tmpl_id", "=", self.product_id.product_tmpl_id.id),
                    ("id", "!=", self.product_id.id),
                    ("is_published", "=", True),
                    ("company_id", "in", (False, order.company_id.id)),
                ],
            ]
        )
        variants = self.env["product.product"].search(domain)
        free_qty = dict(
            zip(
                variants.ids,
                variants.with_context(warehouse_id=order.warehouse_id.id).mapped(
                    "free_qty"
                ),
                strict=True,
            )
        )
        return variants.filtered(
            lambda variant: variant._is_variant_possible()
            and (not in_stock or not variant.is_storable or free_qty[variant.id] > 0)
        )


class SaleOrderTrackingEvent(models.Model):
    _inherit = "sale.order.tracking.event"

    event_type = fields.Selection(
        selection_add=[("exchange", "Exchange Approved")],
        ondelete={"exchange": "cascade"},
    )

    @api.depends("event_type")
    def _compute_customer_visible(self):
        result = super()._compute_customer_visible()
        for event in self.filtered(lambda e: e.event_type == "exchange"):
            event.customer_visible = True
        return result
