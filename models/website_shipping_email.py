# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipping email of the website."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class Website(models.Model):
    _inherit = "website"

    shipping_email_mode = fields.Selection(
        [
            ("company", "Company Setting"),
            ("website", "This Website's Email"),
            ("none", "No Email"),
        ],
        string="Shipping Email",
        required=True,
        default="company",
        help="Email sent to the customer of a web order when a delivery to them is "
        "validated:\n"
        "- Company Setting: Odoo's own email on validation, when the company "
        "turns it on in Inventory settings;\n"
        "- This Website's Email: the template below, once per shipped transfer, "
        "instead of the company's;\n"
        "- No Email: none for this website's orders.",
    )

    shipping_email_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'stock.picking')]",
        help="The website's own email to the customer when a delivery is done.",
        default=lambda self: self.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped",
            raise_if_not_found=False,
        ),
    )

    @api.constrains("shipping_email_mode", "shipping_email_template_id")
    def _check_shipping_email_template(self):
        for website in self:
            if (
                website.shipping_email_mode == "website"
                and not website._get_shipping_email_template()
            ):
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: its own shipping email needs a template.",
                        website=website.name,
                    )
                )

    @api.constrains("shipping_email_template_id")
    def _check_shipping_email_template_model(self):
        self._check_email_template_models(
            {"shipping_email_template_id": "stock.picking"}
        )

    def _get_shipping_email_template(self):
        self.ensure_one()
        return self.shipping_email_template_id or self.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped",
            raise_if_not_found=False,
        )
