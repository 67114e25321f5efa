# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import WebOrderTrackingCommon


@tagged("post_install", "-at_install")
class TestSettings(WebOrderTrackingCommon):
    def _settings(self, website):
        return Form(self.env["res.config.settings"].with_context(website_id=website.id))

    def test_settings_are_per_website(self):
        form = self._settings(self.website_2)
        form.website_id = self.website_2
        form.unpaid_reminder_days = 2
        form.unpaid_cancel_days = 7
        form.salesteam_id = self.team
        form.order_assignment_mode = "round_robin"
        form.save().execute()
        self.assertEqual(self.website_2.unpaid_cancel_days, 7)
        self.assertEqual(self.website_2.order_assignment_mode, "round_robin")
        self.assertEqual(self.website.unpaid_cancel_days, 0)
        self.assertEqual(self.website.order_assignment_mode, "native")

    def test_bad_settings_write_nothing(self):
        form = self._settings(self.website_2)
        form.website_id = self.website_2
        form.unpaid_reminder_days = 9
        form.unpaid_cancel_days = 4
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            form.save().execute()
        self.env.invalidate_all()
        self.assertEqual(self.website_2.unpaid_reminder_days, 0)

    def test_assignment_rules_button(self):
        settings = self._settings(self.website_2)
        settings.website_id = self.website_2
        action = settings.save().action_open_order_assignment_rules()
        self.assertEqual(action["domain"], [("website_id", "=", self.website_2.id)])


@tagged("post_install", "-at_install")
class TestSettingsForm(WebOrderTrackingCommon):
    """The settings form as the admin uses it: what it shows is what is in force,
    and what it shows when Save is pressed is what is stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", False)
        cls.admin = cls.env.ref("base.user_admin")
        cls.journal_web = cls.env["account.journal"].create(
            {"name": "Web Settings Invoices", "code": "WSET", "type": "sale"}
        )
        cls.invoice_template = cls.env.ref("account.email_template_edi_invoice").copy(
            {"name": "Settings web invoice"}
        )
        cls.unpaid_template = cls.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_reminder"
        ).copy({"name": "Settings reminder"})
        cls.shipping_template = cls.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped"
        ).copy({"name": "Settings shipped"})

    def _form(self, website):
        form = Form(self.env["res.config.settings"].with_user(self.admin))
        form.website_id = website
        return form

    def _template(self, xmlid):
        return self.env.ref(f"website_sale_order_tracking.{xmlid}")

    def test_invoicing_policy_switched_on_is_saved_as_shown(self):
        website = self.env["website"].create({"name": "Never Invoiced Shop"})
        form = self._form(website)
        form.invoice_policy_enabled = True
        # Odoo's switch is off: the policy starts from "manual".
        self.assertEqual(form.invoice_policy_business, "manual")
        form.invoice_policy_business = "auto"
        form.invoice_policy_consumer = "request"
        form.save().execute()
        form = self._form(website)
        self.assertTrue(form.invoice_policy_enabled)
        self.assertEqual(form.invoice_policy_business, "auto")
        self.assertEqual(form.invoice_policy_consumer, "request")

    def test_odoo_switch_and_policy_changed_together_are_saved_as_shown(self):
        self.website_2.write(
            {
                "invoice_policy_enabled": True,
                "invoice_policy_business": "manual",
                "invoice_policy_consumer": "manual",
            }
        )
        form = self._form(self.website_2)
        form.automatic_invoice = True
        # Saving moves the policy after Odoo's switch: the form shows it.
        self.assertEqual(form.invoice_policy_consumer, "auto")
        form.invoice_policy_consumer = "request"
        form.save().execute()
        form = self._form(self.website_2)
        self.assertEqual(form.invoice_policy_business, "auto")
        self.assertEqual(form.invoice_policy_consumer, "request")

    def test_counts_follow_the_chosen_website(self):
        self.website_2.cart_reminder_enabled = True
        self.assertEqual(len(self.website_2.cart_reminder_step_ids), 3)
        self.env["website.order.assignment.rule"].create(
            {
                "website_id": self.website_2.id,
                "team_id": self.team.id,
                "user_id": self.salesman_1.id,
            }
        )
        form = self._form(self.website)
        self.assertEqual(form.cart_reminder_step_count, 0)
        self.assertEqual(form.order_assignment_rule_count, 0)
        form.website_id = self.website_2
        self.assertEqual(form.cart_reminder_step_count, 3)
        self.assertEqual(form.order_assignment_rule_count, 1)
        form = self._form(self.website_2)
        self.assertEqual(form.cart_reminder_step_count, 3)
        self.assertEqual(form.order_assignment_rule_count, 1)

    def test_templates_in_force_are_shown_on_every_website(self):
        defaults = {
            "unpaid_reminder_template_id": self._template(
                "mail_template_unpaid_order_reminder"
            ),
            "unpaid_cancel_template_id": self._template(
                "mail_template_unpaid_order_cancelled"
            ),
            "shipping_email_template_id": self._template(
                "mail_template_web_order_shipped"
            ),
        }
        # A website that existed before the addon: its columns were added empty.
        old = self.env["website"].create({"name": "Shop Before Install"})
        old.write(dict.fromkeys(defaults, False))
        self.env["website"]._set_default_email_templates()
        new = self.env["website"].create({"name": "Shop After Install"})
        for website in (old, new, self.website):
            form = self._form(website)
            for field, template in defaults.items():
                self.assertEqual(form[field], template, f"{website.name} {field}")
            # The website's own shipping email needs no template picked by hand.
            form.shipping_email_mode = "website"
            form.save().execute()
            self.assertEqual(website.shipping_email_mode, "website")

    def test_filling_the_defaults_keeps_the_templates_chosen(self):
        self.website_2.unpaid_reminder_template_id = self.unpaid_template
        self.env["website"]._set_default_email_templates()
        self.assertEqual(
            self.website_2.unpaid_reminder_template_id, self.unpaid_template
        )

    def test_every_setting_is_saved_and_read_back(self):
        values = {
            "salesteam_id": self.team,
            "order_assignment_mode": "round_robin",
            "unpaid_reminder_days": 2,
            "unpaid_cancel_days": 7,
            "unpaid_reminder_template_id": self.unpaid_template,
            "unpaid_cancel_template_id": self.unpaid_template,
            "shipping_email_mode": "website",
            "shipping_email_template_id": self.shipping_template,
            "cart_reminder_enabled": True,
            "cart_reminder_max_age_days": 2,
            "return_enabled": True,
            "return_window_days": 14,
            "return_photo_required": True,
            "return_comment_required": True,
            "invoice_policy_enabled": True,
            "invoice_policy_business": "request",
            "invoice_policy_consumer": "auto",
            "website_invoice_mail_template_id": self.invoice_template,
            "website_invoice_journal_id": self.journal_web,
        }
        form = self._form(self.website_2)
        for field, value in values.items():
            form[field] = value
        form.save().execute()
        form = self._form(self.website_2)
        for field, value in values.items():
            self.assertEqual(form[field], value, field)
        # Carts forgotten after 2 days: no step after them.
        delays = self.website_2.cart_reminder_step_ids.mapped("delay_hours")
        self.assertEqual(delays, [self.website_2.cart_abandoned_delay, 24.0])
        self.assertEqual(self._form(self.website).order_assignment_mode, "native")

    def test_later_delays_are_saved_whatever_the_order(self):
        self.website_2.write({"unpaid_reminder_days": 2, "unpaid_cancel_days": 7})
        form = self._form(self.website_2)
        form.unpaid_reminder_days = 10
        form.unpaid_cancel_days = 20
        form.save().execute()
        form = self._form(self.website_2)
        self.assertEqual((form.unpaid_reminder_days, form.unpaid_cancel_days), (10, 20))
        form.unpaid_cancel_days = 1
        form.unpaid_reminder_days = 0
        form.save().execute()
        self.assertEqual(
            (self.website_2.unpaid_reminder_days, self.website_2.unpaid_cancel_days),
            (0, 1),
        )

    def test_bad_values_give_a_message_and_save_nothing(self):
        cases = [
            ({"unpaid_reminder_days": -1}, "cannot be negative"),
            ({"unpaid_cancel_days": -3}, "cannot be negative"),
            ({"return_enabled": True, "return_window_days": 0}, "at least 1 day"),
            ({"return_enabled": True, "return_window_days": -5}, "at least 1 day"),
            (
                {"cart_reminder_enabled": True, "cart_reminder_max_age_days": 0},
                "at least one day",
            ),
            (
                {"cart_reminder_enabled": True, "cart_reminder_max_age_days": -2},
                "at least one day",
            ),
            (
                {
                    "order_assignment_mode": "fixed",
                    "salesperson_id": self.env["res.users"],
                },
                "salesperson",
            ),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                form = self._form(self.website_2)
                form.shipping_email_mode = "none"
                for field, value in values.items():
                    form[field] = value
                with (
                    self.assertRaisesRegex(ValidationError, message),
                    self.env.cr.savepoint(),
                ):
                    form.save().execute()
                self.env.invalidate_all()
                website = self.website_2
                self.assertEqual(website.shipping_email_mode, "company", "no save")
                self.assertFalse(website.return_enabled)
                self.assertFalse(website.cart_reminder_enabled)
                self.assertFalse(website.cart_reminder_step_ids)
                self.assertEqual(website.unpaid_reminder_days, 0)
                self.assertEqual(website.unpaid_cancel_days, 0)
                self.assertEqual(website.return_window_days, 30)
                self.assertEqual(website.order_assignment_mode, "native")

    def test_records_of_the_wrong_kind_are_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Company"})
        purchase = self.env["account.journal"].create(
            {"name": "Web Purchases", "code": "WPUR", "type": "purchase"}
        )
        foreign_sale = self.env["account.journal"].create(
            {
                "name": "Other Sales",
                "code": "OSAL",
                "type": "sale",
                "company_id": other_company.id,
            }
        )
        partner_template = self.env["mail.template"].create(
            {
                "name": "Not an invoice",
                "model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        website = self.website_2.with_user(self.admin)
        cases = [
            ({"invoice_journal_id": purchase.id}, "sales journal"),
            ({"invoice_journal_id": foreign_sale.id}, "sales journal"),
            ({"invoice_mail_template_id": partner_template.id}, "email template of"),
            ({"unpaid_reminder_template_id": partner_template.id}, "email template of"),
            ({"shipping_email_template_id": partner_template.id}, "email template of"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                # As a JSON-RPC call writes it, past the fields' domains.
                website.write(values)
        self.env.invalidate_all()
        self.assertFalse(self.website_2.invoice_journal_id)
        self.assertFalse(self.website_2.invoice_mail_template_id)
