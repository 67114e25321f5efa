# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Orders paid offline: the delays and emails of the reminder and of the
cancellation of unpaid orders."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class Website(models.Model):
    _inherit = "website"

    unpaid_reminder_days = fields.Integer(
        string="Payment Reminder After (Days)",
        default=0,
        help="Days after checkout after which an order awaiting an offline payment "
        "(e.g. wire transfer) gets one payment reminder. 0 sends none.",
    )

    unpaid_cancel_days = fields.Integer(
        string="Cancel Unpaid Orders After (Days)",
        default=0,
        help="Days after checkout after which an order still awaiting an offline "
        "payment is cancelled and its customer told. 0 never cancels.",
    )

    unpaid_reminder_template_id = fields.Many2one(
        "mail.template",
        string="Payment Reminder Email",
        domain="[('model', '=', 'sale.order')]",
        help="Email that reminds the customer of an order still awaiting its "
        "offline payment. Empty: the addon's default email.",
        default=lambda self: self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_reminder",
            raise_if_not_found=False,
        ),
    )

    unpaid_cancel_template_id = fields.Many2one(
        "mail.template",
        string="Cancellation Email",
        domain="[('model', '=', 'sale.order')]",
        help="Email that tells the customer their unpaid order was cancelled. "
        "Empty: the addon's default email.",
        default=lambda self: self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_cancelled",
            raise_if_not_found=False,
        ),
    )

    @api.constrains("unpaid_reminder_days", "unpaid_cancel_days")
    def _check_unpaid_delays(self):
        for website in self:
            reminder = website.unpaid_reminder_days
            cancel = website.unpaid_cancel_days
            if reminder < 0 or cancel < 0:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: the delays of the payment reminder and "
                        "of the cancellation cannot be negative.",
                        website=website.name,
                    )
                )
            if reminder and cancel and cancel <= reminder:
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: unpaid orders are cancelled after "
                        "%(cancel)s days, so a reminder after %(reminder)s days would "
                        "never be sent. Cancel later than the reminder.",
                        website=website.name,
                        cancel=cancel,
                        reminder=reminder,
                    )
                )

    @api.constrains("unpaid_reminder_template_id", "unpaid_cancel_template_id")
    def _check_unpaid_order_templates(self):
        self._check_email_template_models(
            {
                "unpaid_reminder_template_id": "sale.order",
                "unpaid_cancel_template_id": "sale.order",
            }
        )

    def _get_unpaid_order_template(self, kind):
        """The website's email for unpaid orders (``reminder`` or ``cancel``).

        Websites that existed before the addon was installed have none set: they
        use the addon's default template.
        """
        self.ensure_one()
        template = self[f"unpaid_{kind}_template_id"]
        xmlid = {
            "reminder": "mail_template_unpaid_order_reminder",
            "cancel": "mail_template_unpaid_order_cancelled",
        }[kind]
        return template or self.env.ref(
            f"website_sale_order_tracking.{xmlid}", raise_if_not_found=False
        )
