# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A delivery made from the step before shipping takes over its labels."""

from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _assign_picking(self):
        result = super()._assign_picking()
        # Odoo 18 makes the ship step when the pack (or pick) step is done.
        self.picking_id._take_over_shipping_labels()
        return result
