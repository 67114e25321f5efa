# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class SaleReturnReason(models.Model):
    _name = "sale.return.reason"
    _description = "Return Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    website_ids = fields.Many2many(
        "website",
        string="Websites",
        help="Websites whose return form offers this reason. Empty: every website.",
    )
