# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment on delivery: the carrier collects the amount due from the customer."""

from odoo import fields, models


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    collect_on_delivery = fields.Boolean(
        string="Paid on Delivery",
        help="The customer pays the carrier when the parcel arrives (cash on "
        "delivery). The shipping labels of the orders paid with this provider show "
        "the amount the carrier must collect: what is left to pay on the order.",
    )
