# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking numbers without typing, on the ship step: scanned on the delivery's
form (Odoo's barcode handler), or taken from the carrier's number range."""

from odoo import fields, models
from odoo.exceptions import AccessError


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "barcodes.barcode_events_mixin"]

    carrier_tracking_number_range = fields.Boolean(
        related="carrier_id.tracking_number_range"
    )

    def on_barcode_scanned(self, barcode):
        """A code scanned on the form of a delivery to the customer not yet done
        is its tracking number, once it passes the carrier's check digit."""
        if self.state in ("done", "cancel") or not self._filter_customer_deliveries():
            return None
        number = (barcode or "").strip()
        blocker = self.carrier_id._get_tracking_number_blocker(number)
        if blocker:
            return {
                "warning": {
                    "title": self.env._("Tracking number not taken"),
                    "message": blocker,
                }
            }
        self.carrier_tracking_ref = number
        return None

    def _assign_range_tracking_numbers(self):
        """Give the transfers of self without a tracking number the next number
        of their carrier's range (carriers with a range only).

        Their rows are locked first: of two users printing the same delivery at
        once, the second waits and finds the number of the first.
        """
        # The carrier may be read from a sale order the warehouse user cannot
        # read (Odoo lets them validate its delivery): the rights were checked
        # by the caller.
        todo = self.sudo().filtered(
            lambda p: p._get_shipping_carrier().tracking_number_range
            and not p.carrier_tracking_ref
            and p.state not in ("done", "cancel")
        )
        if not todo:
            return self.browse()
        todo.flush_recordset(["carrier_tracking_ref"])
        self.env.cr.execute(
            "SELECT id FROM stock_picking WHERE id IN %s "
            "AND carrier_tracking_ref IS NULL ORDER BY id FOR NO KEY UPDATE",
            [tuple(todo.ids)],
        )
        todo = self.browse(row[0] for row in self.env.cr.fetchall()).sudo()
        for picking in todo:
            picking.carrier_tracking_ref = (
                picking._get_shipping_carrier()._take_tracking_number()
            )
        return todo

    def action_take_tracking_number(self):
        """The button of the ship step: the next number of the carrier's range."""
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(
                self.env._("Only warehouse users may take tracking numbers.")
            )
        self.check_access("write")
        self._filter_customer_deliveries()._assign_range_tracking_numbers()
        return True

    def _action_done(self):
        # A delivery of a carrier with a range leaves with a number of it, also
        # when its labels were not printed.
        self._filter_customer_deliveries()._assign_range_tracking_numbers()
        return super()._action_done()
