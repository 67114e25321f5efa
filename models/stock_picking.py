# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        # Warehouse staff may validate transfers of orders they cannot read.
        for picking in self.sudo().filtered(
            lambda p: p.sale_id.website_id and p.picking_type_code != "incoming"
        ):
            picking._add_order_tracking_event()
        return result

    def _add_order_tracking_event(self):
        self.ensure_one()
        values = {"picking_id": self.id, "description": self.name}
        if self.location_dest_id.usage == "customer":
            values.update(
                carrier_id=self.carrier_id.id,
                carrier_tracking_ref=self.carrier_tracking_ref,
            )
            return self.sale_id._add_tracking_event("shipped", **values)
        return self.sale_id._add_tracking_event("delivery_step", **values)
