# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import os

import polib

from odoo.tests import TransactionCase, tagged

I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")


@tagged("post_install", "-at_install")
class TestPersian(TransactionCase):
    def test_fa_translates_every_message_of_the_template(self):
        pot = polib.pofile(os.path.join(I18N, "website_sale_order_tracking.pot"))
        fa = {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(os.path.join(I18N, "fa.po"))
        }
        untranslated = [entry.msgid for entry in pot if not fa.get(entry.msgid)]
        self.assertFalse(untranslated)

    def test_template_holds_the_current_emails(self):
        pot = {
            entry.msgid
            for entry in polib.pofile(
                os.path.join(I18N, "website_sale_order_tracking.pot")
            )
        }
        templates = self.env["mail.template"].search(
            [("id", "in", self._module_records("mail.template"))]
        )
        self.assertTrue(templates)
        for template in templates.with_context(lang="en_US"):
            for field in ("subject", "body_html"):
                self.assertTrue(
                    str(template[field]) in pot,
                    f"{template.name}: its {field} is not in the template, run "
                    "tools/wsot.py i18n",
                )

    def _module_records(self, model):
        return (
            self.env["ir.model.data"]
            .search(
                [("module", "=", "website_sale_order_tracking"), ("model", "=", model)]
            )
            .mapped("res_id")
        )

    def test_fa_is_loaded(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(
            ["website_sale_order_tracking"], ["fa_IR"], overwrite=True
        )
        env = self.env(context={"lang": "fa_IR"})
        labels = dict(
            env["sale.order"]._fields["tracking_stage"]._description_selection(env)
        )
        self.assertEqual(labels["to_confirm"], "در انتظار تأیید دستی")
        reminder = env.ref("website_sale_order_tracking.mail_template_cart_reminder_1")
        self.assertIn("چیزی در سبد خریدتان جا مانده است", reminder.subject)
        self.assertIn("تکمیل سفارش", reminder.body_html)
        self.assertEqual(env._("round-robin"), "نوبتی")
