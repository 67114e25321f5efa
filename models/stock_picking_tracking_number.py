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

    def _get_tracking_refs(self):
        """The tracking numbers of the transfer: Odoo's *Tracking Reference*
        lists one a parcel, comma-separated (as Odoo's carrier integrations
        write the numbers of several packages)."""
        self.ensure_one()
        refs = (self.carrier_tracking_ref or "").split(",")
        return [ref.strip() for ref in refs if ref.strip()]

    def _get_parcel_tracking_refs(self, packages):
        """Which of the transfer's numbers each parcel of ``packages`` carries
        (a package, or None for what is not packed): ``{parcel: number}``. A
        package keeps the number it was given when that number is still one of
        the transfer's; the other numbers go to the other parcels in order."""
        self.ensure_one()
        free = self._get_tracking_refs()
        numbers = {}
        for package in packages:
            if package and package.sudo().carrier_tracking_ref in free:
                numbers[package] = package.sudo().carrier_tracking_ref
                free.remove(numbers[package])
        for package in packages:
            if package not in numbers and free:
                numbers[package] = free.pop(0)
        return numbers

    def _pin_parcel_tracking_refs(self, packages=None):
        """Each package of the transfer keeps the number it carries, so that a
        package added or removed later does not move the others' numbers."""
        for picking in self:
            parcels = packages or picking._get_shipping_packages()
            numbers = picking._get_parcel_tracking_refs(parcels)
            for package, number in numbers.items():
                if package and package.sudo().carrier_tracking_ref != number:
                    package.sudo().carrier_tracking_ref = number

    def write(self, vals):
        result = super().write(vals)
        if vals.get("carrier_tracking_ref"):
            # A number scanned or typed for a packed delivery is its next parcel's.
            self.filtered(
                lambda p: p.move_line_ids.result_package_id
            )._pin_parcel_tracking_refs()
        return result

    def on_barcode_scanned(self, barcode):
        """A code scanned on the form of a delivery to the customer not yet done
        is a tracking number, once it passes the carrier's check digit: the
        delivery's, or, when it has several parcels, the next parcel's without
        one (in the order of their labels)."""
        if self.state in ("done", "cancel") or not self._filter_customer_deliveries():
            return None
        number = (barcode or "").strip()
        blocker = self.carrier_id._get_tracking_number_blocker(number)
        refs = self._get_tracking_refs()
        parcels = len(self._get_shipping_packages())
        if not blocker and number in refs:
            blocker = self.env._("%s is already scanned.", number)
        elif not blocker and parcels > 1 and len(refs) >= parcels:
            blocker = self.env._(
                "Each of the %s parcels has its tracking number: clear the "
                "Tracking Reference to scan them again.",
                parcels,
            )
        if blocker:
            return {
                "warning": {
                    "title": self.env._("Tracking number not taken"),
                    "message": blocker,
                }
            }
        self.carrier_tracking_ref = ",".join(
            [*refs, number] if parcels > 1 else [number]
        )
        return None

    def _assign_range_tracking_numbers(self, packages_of=None):
        """Give each parcel of the transfers of self without a tracking number the
        next number of their carrier's range (carriers with a range only): a
        number a package when packages are used (``packages_of``: the parcels of
        each transfer by id, else its own), listed in *Tracking Reference*.

        Their rows are locked first: of two users printing the same delivery at
        once, the second waits, then is retried (Odoo's serialization) and finds
        the numbers of the first.
        """
        # The carrier may be read from a sale order the warehouse user cannot
        # read (Odoo lets them validate its delivery): the rights were checked
        # by the caller.
        todo = self.sudo().filtered(
            lambda p: p._get_shipping_carrier().tracking_number_range
            and p.state not in ("done", "cancel")
        )
        if not todo:
            return self.browse()
        todo.flush_recordset(["carrier_tracking_ref"])
        self.env.cr.execute(
            "SELECT id FROM stock_picking WHERE id IN %s ORDER BY id "
            "FOR NO KEY UPDATE",
            [tuple(todo.ids)],
        )
        todo.invalidate_recordset(["carrier_tracking_ref"])
        numbered = self.browse()
        for picking in todo:
            parcels = (packages_of or {}).get(
                picking.id
            ) or picking._get_shipping_packages()
            numbers = picking._get_parcel_tracking_refs(parcels)
            missing = [parcel for parcel in parcels if parcel not in numbers]
            if not missing:
                continue
            carrier = picking._get_shipping_carrier()
            new = [carrier._take_tracking_number() for _parcel in missing]
            picking.carrier_tracking_ref = ",".join(picking._get_tracking_refs() + new)
            picking._pin_parcel_tracking_refs(parcels)
            numbered |= picking
        return numbered

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
