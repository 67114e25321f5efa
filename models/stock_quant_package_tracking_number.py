# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One tracking number a parcel: the package keeps the number of its delivery it
was given (from the carrier's range, or scanned), which its label carries."""

from odoo import fields, models


class StockQuantPackage(models.Model):
    _inherit = "stock.quant.package"

    carrier_tracking_ref = fields.Char(
        string="Tracking Number",
        copy=False,
        readonly=True,
        help="The carrier's tracking number of this parcel: one of the numbers of "
        "its delivery's Tracking Reference, printed on its shipping label.",
    )
