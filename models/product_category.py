# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

RETURN_POLICIES = [
    ("default", "As Above"),
    ("returnable", "Returnable"),
    ("not_returnable", "Not Returnable"),
]


class ProductCategory(models.Model):
    _inherit = "product.category"

    return_policy = fields.Selection(
        RETURN_POLICIES,
        string="Returns",
        required=True,
        default="default",
        help="Whether customers may ask online to return products of this category. "
        "As Above: the parent category's choice, else returnable.",
    )
    return_window_days = fields.Integer(
        string="Return Window (Days)",
        help="Days after delivery during which a return may be asked for. 0: the "
        "parent category's, else the website's.",
    )

    def _get_return_rule(self):
        """(returnable, window days or 0) of this category, parents included."""
        self.ensure_one()
        returnable, window = None, 0
        for category in self.search(
            [("id", "parent_of", self.id)], order="parent_path desc"
        ):
            if returnable is None and category.return_policy != "default":
                returnable = category.return_policy == "returnable"
            window = window or category.return_window_days
        return returnable, window
