# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Online returns, on the order: what may still be returned, and its requests."""

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    return_request_ids = fields.One2many(
        "sale.return.request", "order_id", string="Return Requests", readonly=True
    )

    return_request_count = fields.Integer(compute="_compute_return_request_count")

    @api.depends("return_request_ids")
    def _compute_return_request_count(self):
        for order in self:
            order.return_request_count = len(order.return_request_ids)

    def _get_return_tracking_stage(self):
        if self.refunded_amount:
            # Less than what was paid came back: a partial refund.
            paid = self._get_paid_amount()
            if self.currency_id.compare_amounts(self.refunded_amount, paid) < 0:
                return "partially_refunded"
            return "refunded"
        states = set(self.return_request_ids.mapped("state")) - {"rejected"}
        for stage, state in (
            ("refunded", "refunded"),
            ("returned", "received"),
            ("return_requested", "approved"),
            ("return_requested", "requested"),
        ):
            if state in states:
                return stage
        return False

    def _get_returnable_lines(self):
        """Lines the customer may still ask to return, with what is left of each."""
        self.ensure_one()
        if not self.website_id.return_enabled or self.state != "sale":
            return {}
        lines = {}
        rules = {}  # one rule a product, however many lines have it
        for line in self.order_line.filtered(lambda sol: not sol.display_type):
            template = line.product_id.product_tmpl_id
            if template not in rules:
                rules[template] = template._get_return_rule(self.website_id)
            returnable = rules[template][0]
            quantity = line._get_returnable_quantity() if returnable else 0.0
            if quantity > 0:
                lines[line] = quantity
        return lines

    def action_view_return_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "website_sale_order_tracking.sale_return_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action
