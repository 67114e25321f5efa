# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

MAX_CART_REMINDER_STEPS = 5


def _format_hours(hours):
    """1.5 -> "1.5", 24.0 -> "24"."""
    return f"{hours:g}"


class WebsiteCartReminderStep(models.Model):
    """One email of a website's abandoned-cart reminder sequence."""

    _name = "website.cart.reminder.step"
    _description = "Abandoned-Cart Reminder Step"
    _order = "website_id, sequence, id"

    website_id = fields.Many2one(
        "website", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    step_number = fields.Integer(
        string="Step", compute="_compute_step_number", help="Position in the sequence."
    )
    delay_hours = fields.Float(
        string="Delay (Hours)",
        required=True,
        default=1.0,
        help="Hours after the last change of the cart after which this email is sent.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'sale.order')]",
        help="The email of this step, rendered on the cart.",
        ondelete="restrict",
    )

    @api.depends("website_id.cart_reminder_step_ids")
    def _compute_step_number(self):
        for step in self:
            steps = step.website_id.cart_reminder_step_ids
            step.step_number = list(steps).index(step) + 1 if step in steps else 0

    @api.depends("step_number", "delay_hours")
    def _compute_display_name(self):
        for step in self:
            hours = _format_hours(step.delay_hours)
            step.display_name = self.env._(
                "Step %(step)s (after %(hours)s h)",
                step=step.step_number,
                hours=hours,
            )

    @api.constrains("website_id", "sequence", "delay_hours", "mail_template_id")
    def _check_cart_reminder_steps(self):
        self.website_id._check_cart_reminder_sequence()

    # --- Native settings follow step 1 ------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        steps = super().create(vals_list)
        steps.website_id._sync_native_cart_recovery()
        return steps

    def write(self, vals):
        websites = self.website_id
        result = super().write(vals)
        (websites | self.website_id)._sync_native_cart_recovery()
        return result

    def unlink(self):
        websites = self.website_id
        result = super().unlink()
        websites.exists()._sync_native_cart_recovery()
        return result
