# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from .product_category import RETURN_POLICIES


class ProductTemplate(models.Model):
    _inherit = "product.template"

    return_policy = fields.Selection(
        RETURN_POLICIES,
        string="Returns",
        required=True,
        default="default",
        help="Whether customers may ask online to return this product. As Above: "
        "its category's choice.",
    )
    return_window_days = fields.Integer(
        string="Return Window (Days)",
        help="Days after delivery during which a return may be asked for. 0: the "
        "category's, else the website's.",
    )

    def _get_return_rule(self, website):
        """(returnable, window in days) of this product on ``website``."""
        self.ensure_one()
        returnable, window = self.categ_id._get_return_rule()
        if self.return_policy != "default":
            returnable = self.return_policy == "returnable"
        window = self.return_window_days or window or website.return_window_days
        return returnable is not False, window
