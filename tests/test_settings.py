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
