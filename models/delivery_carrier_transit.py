# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's transit days: how long a parcel takes once handed to it.

One figure a carrier: Odoo's carriers are already per website (their
``website_id``), so a website with slower parcels has its own carrier."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# A longer transit is a typo, not a carrier.
MAX_TRANSIT_DAYS = 365


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    transit_days = fields.Integer(
        default=0,
        help="Days a parcel takes from its shipping to the customer: added to the "
        "delivery's scheduled date for the date the customer is shown (unless "
        "the order has a commitment date).",
    )

    @api.constrains("transit_days")
    def _check_transit_days(self):
        for carrier in self:
            if not 0 <= carrier.transit_days <= MAX_TRANSIT_DAYS:
                raise ValidationError(
                    self.env._(
                        "The transit days of a carrier are between 0 and %(max)s.",
                        max=MAX_TRANSIT_DAYS,
                    )
                )
