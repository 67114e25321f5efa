# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    order_assignment_mode = fields.Selection(
        related="website_id.order_assignment_mode", readonly=False
    )
    order_assignment_rule_count = fields.Integer(
        compute="_compute_order_assignment_rule_count"
    )
    unpaid_reminder_days = fields.Integer(
        related="website_id.unpaid_reminder_days", readonly=False
    )
    unpaid_cancel_days = fields.Integer(
        related="website_id.unpaid_cancel_days", readonly=False
    )
    unpaid_reminder_template_id = fields.Many2one(
        related="website_id.unpaid_reminder_template_id", readonly=False
    )
    unpaid_cancel_template_id = fields.Many2one(
        related="website_id.unpaid_cancel_template_id", readonly=False
    )

    shipping_email_mode = fields.Selection(
        related="website_id.shipping_email_mode", readonly=False
    )
    shipping_email_template_id = fields.Many2one(
        related="website_id.shipping_email_template_id", readonly=False
    )
    cart_reminder_enabled = fields.Boolean(
        related="website_id.cart_reminder_enabled", readonly=False
    )
    cart_reminder_max_age_days = fields.Integer(
        related="website_id.cart_reminder_max_age_days", readonly=False
    )
    cart_reminder_step_count = fields.Integer(
        compute="_compute_cart_reminder_step_count"
    )
    return_enabled = fields.Boolean(related="website_id.return_enabled", readonly=False)
    return_window_days = fields.Integer(
        related="website_id.return_window_days", readonly=False
    )
    return_photo_required = fields.Boolean(
        related="website_id.return_photo_required", readonly=False
    )
    return_comment_required = fields.Boolean(
        related="website_id.return_comment_required", readonly=False
    )
    invoice_policy_enabled = fields.Boolean(
        related="website_id.invoice_policy_enabled", readonly=False
    )
    invoice_policy_business = fields.Selection(
        related="website_id.invoice_policy_business", readonly=False
    )
    invoice_policy_consumer = fields.Selection(
        related="website_id.invoice_policy_consumer", readonly=False
    )
    website_invoice_mail_template_id = fields.Many2one(
        related="website_id.invoice_mail_template_id", readonly=False
    )
    website_invoice_journal_id = fields.Many2one(
        related="website_id.invoice_journal_id", readonly=False
    )

    @api.onchange("cart_reminder_enabled")
    def _onchange_cart_reminder_enabled(self):
        # Odoo's own switch is saved with the form too: keep it in step when the
        # user flips the sequence's (not when another website is chosen).
        for settings in self:
            if (
                settings.cart_reminder_enabled
                != settings.website_id.cart_reminder_enabled
            ):
                settings.send_abandoned_cart_email = settings.cart_reminder_enabled

    @api.onchange("invoice_policy_enabled")
    def _onchange_invoice_policy_enabled(self):
        # Switched on: start from what Odoo's Automatic Invoice does on this form.
        for settings in self:
            if settings.invoice_policy_enabled and not (
                settings.website_id.invoice_policy_enabled
            ):
                settings.update(
                    self.env["website"]._get_invoice_policy_start(
                        settings.automatic_invoice
                    )
                )

    def set_values(self):
        automatic_before = self.env["website"]._get_odoo_automatic_invoice()
        result = super().set_values()
        automatic = self.env["website"]._get_odoo_automatic_invoice()
        if automatic != automatic_before:
            self.env["website"]._follow_automatic_invoice(automatic)
        return result

    def _compute_cart_reminder_step_count(self):
        for settings in self:
            settings.cart_reminder_step_count = len(
                settings.website_id.cart_reminder_step_ids
            )

    def action_open_cart_reminder_steps(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "website_sale_order_tracking.website_cart_reminder_step_action"
        )
        action["domain"] = [("website_id", "=", self.website_id.id)]
        action["context"] = {"default_website_id": self.website_id.id}
        return action

    def _compute_order_assignment_rule_count(self):
        for settings in self:
            settings.order_assignment_rule_count = len(
                settings.website_id.order_assignment_rule_ids
            )

    def action_open_order_assignment_rules(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Assignment Rules"),
            "res_model": "website.order.assignment.rule",
            "view_mode": "list",
            "domain": [("website_id", "=", self.website_id.id)],
            "context": {"default_website_id": self.website_id.id},
        }
