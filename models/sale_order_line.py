# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


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

    @api.model
    def _get_returned_quantity(self, move, returns):
        """What ``returns`` of ``move`` (not cancelled) take back, in its unit."""
        return sum(
            ret.product_uom._compute_quantity(
                ret.quantity if ret.state == "done" else ret.product_uom_qty,
                move.product_uom,
            )
            for ret in returns.filtered(lambda m: m.state != "cancel")
        )

    @api.model
    def _get_move_quantity_kept(self, move):
        """What ``move`` delivered less all its returns, in its unit."""
        return move.quantity - self._get_returned_quantity(move, move.returned_move_ids)

    def _get_returnable_quantity(self, exclude=None):
        """Delivered, less what return requests (not rejected) already ask for.

        Returns made in the warehouse without a request (Odoo's Return button)
        took their goods back too.
        """
        self.ensure_one()
        left = 0.0
        for move in self._get_delivered_moves():
            by_hand = move.returned_move_ids.filtered(
                lambda m: not m.picking_id.return_request_id
            )
            left += move.product_uom._compute_quantity(
                move.quantity - self._get_returned_quantity(move, by_hand),
                self.product_uom,
            )
        asked = sum(
            (self.return_line_ids - (exclude or self.env["sale.return.request.line"]))
            .filtered(lambda line: line.request_id.state != "rejected")
            .mapped("quantity")
        )
        return max(left - asked, 0.0)

    def _get_return_step(self):
        """The step of the return form's quantity: whole pieces, else the rounding."""
        self.ensure_one()
        piece = self.env.ref("uom.product_uom_unit", raise_if_not_found=False)
        return 1 if self.product_uom == piece else self.product_uom.rounding
