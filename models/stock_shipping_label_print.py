# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The record of each shipping label printed: who printed which parcel's label of
which delivery, when, with which tracking number, and whether it was a reprint.

Rows are made only by the print itself (the label report, in sudo) and cannot be
changed or removed by anyone (no write, create or unlink rights): the delivery's
*Labels Printed* and *Labels Last Printed On* are computed from them, so what the
warehouse printed is proven, not typed."""

from odoo import fields, models


class StockShippingLabelPrint(models.Model):
    _name = "stock.shipping.label.print"
    _description = "Shipping Label Print"
    _order = "print_date desc, id desc"
    _rec_name = "parcel"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Printed From",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The transfer whose labels were printed (the delivery, or the step "
        "before shipping).",
    )
    delivery_id = fields.Many2one(
        "stock.picking",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The delivery the print counts for: the delivery to the customer, or "
        "the step before shipping until Odoo makes that delivery, which then "
        "takes the print over.",
    )
    company_id = fields.Many2one(
        related="picking_id.company_id", store=True, readonly=True, index=True
    )
    package_id = fields.Many2one(
        "stock.quant.package", readonly=True, ondelete="set null"
    )
    parcel = fields.Char(readonly=True, help="The parcel's n/N on the label.")
    tracking_ref = fields.Char(
        string="Tracking Number",
        readonly=True,
        help="The tracking number the label carried, if any.",
    )
    print_number = fields.Integer(
        string="Print",
        readonly=True,
        help="1 for the first print of the delivery's labels, 2 for the first "
        "reprint, and so on.",
    )
    reprint = fields.Boolean(readonly=True)
    print_date = fields.Datetime(string="Printed On", readonly=True)
    user_id = fields.Many2one("res.users", string="Printed By", readonly=True)
