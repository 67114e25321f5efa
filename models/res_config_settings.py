# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

# The website's settings saved together, in one write of the website: its
# constraints and the invoicing policy's start see every value of the form at
# once, whatever the order in which the form sends them (Odoo writes each related
# field on its own, checking the website after each).
WEBSITE_SETTINGS_FIELDS = (
    "salesperson_id",
    "salesteam_id",
    "send_abandoned_cart_email",
    "cart_abandoned_delay",
    "cart_recovery_mail_template_id",
    "order_assignment_mode",
    "unpaid_reminder_days",
    "unpaid_cancel_days",
    "unpaid_reminder_template_id",
    "unpaid_cancel_template_id",
    "shipping_email_mode",
    "shipping_email_template_id",
    "late_delivery_email_enabled",
    "cart_reminder_enabled",
    "cart_reminder_max_age_days",
    "return_enabled",
    "return_window_days",
    "return_photo_required",
    "return_comment_required",
    "invoice_policy_enabled",
    "invoice_policy_business",
    "invoice_policy_consumer",
    "website_invoice_mail_template_id",
    "website_invoice_journal_id",
)
INVOICE_POLICY_CELLS = ("invoice_policy_business", "invoice_policy_consumer")


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
    late_delivery_email_enabled = fields.Boolean(
        related="website_id.late_delivery_email_enabled", readonly=False
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
    order_exception_rule_count = fields.Integer(
        compute="_compute_order_exception_rule_count"
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

    @api.model_create_multi
    def create(self, vals_list):
        website_vals_list = [
            {name: vals.pop(name) for name in WEBSITE_SETTINGS_FIELDS if name in vals}
            for vals in vals_list
        ]
        records = super().create(vals_list)
        for settings, website_vals in zip(records, website_vals_list, strict=True):
            settings._write_website_settings(website_vals)
        return records

    def _write_website_settings(self, values):
        """Write the form's changed website settings in one write of the website."""
        self.ensure_one()
        website = self.website_id
        new, changed = {}, {}
        for name, value in values.items():
            field = self._fields[name]
            target = field.related.split(".")[-1]
            record_value = field.convert_to_record(
                field.convert_to_cache(value, self), self
            )
            new[target] = field.convert_to_write(record_value, self)
            if website[target] != record_value:
                changed[target] = new[target]
        if changed.get("invoice_policy_enabled"):
            # Switched on with the choices shown under the switch, even when they
            # equal the stored ones, not from Odoo's switch as a bare switch-on.
            changed.update(
                {cell: new[cell] for cell in INVOICE_POLICY_CELLS if cell in new}
            )
        if website and changed:
            website.write(changed)

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

    @api.onchange("automatic_invoice")
    def _onchange_automatic_invoice(self):
        # Saving moves the policies after Odoo's switch: the form shows it first,
        # so what the admin sees when saving is what this website gets.
        automatic = self.env["website"]._get_odoo_automatic_invoice()
        for settings in self.filtered(
            lambda s: s.invoice_policy_enabled and s.automatic_invoice != automatic
        ):
            settings.update(
                self.env["website"]._get_invoice_policy_followed(
                    settings.automatic_invoice,
                    {cell: settings[cell] for cell in INVOICE_POLICY_CELLS},
                )
            )

    def set_values(self):
        automatic_before = self.env["website"]._get_odoo_automatic_invoice()
        result = super().set_values()
        automatic = self.env["website"]._get_odoo_automatic_invoice()
        if automatic != automatic_before:
            # The form's website was saved as the form shows it.
            self.env["website"]._follow_automatic_invoice(
                automatic, keep=self.website_id
            )
        return result

    @api.depends("website_id.cart_reminder_step_ids")
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

    @api.depends("website_id.order_exception_rule_ids.enabled")
    def _compute_order_exception_rule_count(self):
        for settings in self:
            settings.order_exception_rule_count = len(
                settings.website_id.order_exception_rule_ids.filtered("enabled")
            )

    def action_open_order_exception_rules(self):
        """The website's exception rules, one per kind (switched off until then)."""
        self.ensure_one()
        self.website_id._ensure_order_exception_rules()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "website_sale_order_tracking.website_sale_order_exception_rule_action"
        )
        action["domain"] = [("website_id", "=", self.website_id.id)]
        return action

    @api.depends("website_id.order_assignment_rule_ids")
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
