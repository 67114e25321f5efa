# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Online returns: the website's return window and what a request needs."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class Website(models.Model):
    _inherit = "website"

    return_enabled = fields.Boolean(
        string="Online Returns",
        help="Customers may ask on the portal to return delivered products.",
    )

    return_window_days = fields.Integer(
        string="Return Window (Days)",
        default=30,
        help="Days after delivery during which a return may be asked for, unless "
        "the product or its category has its own.",
    )

    return_photo_required = fields.Boolean(
        string="Photo Required", help="A return request must come with a photo."
    )

    return_comment_required = fields.Boolean(
        string="Comment Required", help="A return request must come with a comment."
    )

    @api.constrains("return_window_days")
    def _check_return_window_days(self):
        for website in self:
            if website.return_window_days < 1:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: the return window is at least 1 day.",
                        website=website.name,
                    )
                )

    def _get_return_reasons(self):
        self.ensure_one()
        return self.env["sale.return.reason"].search(
            ["|", ("website_ids", "=", False), ("website_ids", "in", self.ids)]
        )
