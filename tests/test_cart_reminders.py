# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.website.tools import MockRequest
from odoo.addons.website_sale.controllers.main import WebsiteSale
from odoo.addons.website_sale.controllers.payment import PaymentPortal

from ..models.sale_order_cart_reminder import CART_REMINDER_RULES
from .common import CronWorkersCase, WebOrderTrackingCommon

NOW = fields.Datetime.now


@tagged("post_install", "-at_install")
class CartReminderCommon(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template_1 = cls.env.ref(
            "website_sale_order_tracking.mail_template_cart_reminder_1"
        )
        cls.template_2 = cls.env.ref(
            "website_sale_order_tracking.mail_template_cart_reminder_2"
        )
        cls.template_3 = cls.env.ref(
            "website_sale_order_tracking.mail_template_cart_reminder_3"
        )
        cls.website.cart_abandoned_delay = 1.0
        cls.website.cart_reminder_enabled = True
        # Carts of the tests are made "hours ago": reminders were on long before.
        cls.website.cart_reminder_start_date = NOW() - timedelta(days=30)

    def _abandon(self, order, hours):
        """The customer's last change of ``order`` was ``hours`` ago."""
        order.cart_update_date = NOW() - timedelta(hours=hours)
        return order

    def _abandoned_cart(self, customer=None, hours=2, products=None, website=None):
        order = self._make_cart(customer or self.customer, products, website)
        return self._abandon(order, hours)

    def _run_cron(self):
        return self.env["sale.order"]._cron_send_cart_reminders()

    def _reminder_mails(self, order):
        return self.env["mail.mail"].search(
            [("model", "=", "sale.order"), ("res_id", "=", order.id)], order="id"
        )

    def _reminder_events(self, order):
        return order.tracking_event_ids.filtered(
            lambda e: e.event_type == "cart_reminder"
        )


@tagged("post_install", "-at_install")
class TestCartReminderSequence(CartReminderCommon):
    def test_enabling_builds_the_sequence_from_odoo_settings(self):
        website = self.website_2
        website.write({"cart_abandoned_delay": 5.0})
        self.assertFalse(website.cart_reminder_step_ids)
        website.cart_reminder_enabled = True
        steps = website.cart_reminder_step_ids
        self.assertEqual(steps.mapped("delay_hours"), [5.0, 24.0, 72.0])
        self.assertEqual(steps[0].mail_template_id, self.template_1)
        self.assertEqual(steps.mapped("step_number"), [1, 2, 3])
        self.assertTrue(website.send_abandoned_cart_email)
        self.assertAlmostEqual(
            website.cart_reminder_start_date, NOW(), delta=timedelta(minutes=1)
        )

    def test_own_odoo_template_stays_step_one(self):
        own = self.template_2.copy({"name": "Our own recovery email"})
        self.website_2.cart_recovery_mail_template_id = own
        self.website_2.cart_reminder_enabled = True
        self.assertEqual(self.website_2.cart_reminder_step_ids[0].mail_template_id, own)

    def test_odoo_settings_follow_step_one_and_back(self):
        first = self.website.cart_reminder_step_ids[0]
        first.write({"delay_hours": 3.0, "mail_template_id": self.template_3.id})
        self.assertEqual(self.website.cart_abandoned_delay, 3.0)
        self.assertEqual(self.website.cart_recovery_mail_template_id, self.template_3)
        self.website.cart_abandoned_delay = 2.0
        self.assertEqual(first.delay_hours, 2.0)
        self.website.cart_reminder_enabled = False
        self.assertFalse(self.website.send_abandoned_cart_email)
        self.website.cart_reminder_enabled = True
        self.website.send_abandoned_cart_email = False
        self.assertFalse(self.website.cart_reminder_enabled)

    def test_saving_settings_leaves_odoo_own_email_alone(self):
        self.website_2.write(
            {"send_abandoned_cart_email": True, "cart_abandoned_delay": 4.0}
        )
        settings = Form(
            self.env["res.config.settings"].with_context(website_id=self.website_2.id)
        )
        settings.website_id = self.website_2
        settings.save().execute()
        self.website_2.write({"cart_reminder_enabled": False})
        self.assertTrue(self.website_2.send_abandoned_cart_email)
        self.assertFalse(self.website_2.cart_reminder_step_ids)

    def test_settings_form_switches_both(self):
        settings = Form(
            self.env["res.config.settings"].with_context(website_id=self.website_2.id)
        )
        settings.website_id = self.website_2
        settings.cart_reminder_enabled = True
        record = settings.save()
        record.execute()
        self.assertTrue(self.website_2.cart_reminder_enabled)
        self.assertTrue(self.website_2.send_abandoned_cart_email)
        self.assertEqual(len(self.website_2.cart_reminder_step_ids), 3)
        action = record.action_open_cart_reminder_steps()
        steps = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(steps, self.website_2.cart_reminder_step_ids)

    def _assert_refused(self, message, vals):
        steps_before = self.website.cart_reminder_step_ids.read(
            ["delay_hours", "mail_template_id"]
        )
        with self.assertRaisesRegex(ValidationError, message):
            with self.env.cr.savepoint():
                self.website.write(vals)
        self.website.invalidate_recordset()
        self.assertEqual(
            self.website.cart_reminder_step_ids.read(
                ["delay_hours", "mail_template_id"]
            ),
            steps_before,
            "nothing is written",
        )

    def test_step_not_later_than_the_previous_is_refused(self):
        second = self.website.cart_reminder_step_ids[1]
        self._assert_refused(
            "step 2 is sent after 1 hours, which must be later",
            {"cart_reminder_step_ids": [Command.update(second.id, {"delay_hours": 1})]},
        )

    def test_step_without_template_is_refused(self):
        self._assert_refused(
            "step 4 needs an email template",
            {
                "cart_reminder_step_ids": [
                    Command.create({"sequence": 100, "delay_hours": 100})
                ]
            },
        )

    def test_more_than_five_steps_are_refused(self):
        self._assert_refused(
            "at most 5 steps",
            {
                "cart_reminder_step_ids": [
                    Command.create(
                        {
                            "sequence": 100 + hours,
                            "delay_hours": 100 + hours,
                            "mail_template_id": self.template_3.id,
                        }
                    )
                    for hours in range(3)
                ]
            },
        )

    def test_last_step_beyond_the_max_age_is_refused(self):
        self._assert_refused("would never be sent", {"cart_reminder_max_age_days": 2})

    def test_enabled_without_steps_is_refused(self):
        self._assert_refused(
            "need at least one step",
            {"cart_reminder_step_ids": [Command.clear()]},
        )


@tagged("post_install", "-at_install")
class TestCartReminderCron(CartReminderCommon):
    def test_steps_are_sent_in_order_once_each(self):
        order = self._abandoned_cart(hours=2)
        self.assertEqual(self._run_cron(), 1)
        mails = self._reminder_mails(order)
        self.assertEqual(len(mails), 1)
        self.assertIn("You left something in your cart", mails.subject)
        self.assertIn(f"/shop/cart?access_token={order.access_token}", mails.body_html)
        self.assertIn("Tracked Teapot", mails.body_html)
        self.assertIn("/shop/cart/reminders/unsubscribe/", mails.body_html)
        self.assertEqual(mails.recipient_ids, self.customer.partner_id)
        self.assertEqual(order.cart_reminder_step, 1)
        self.assertEqual(self._run_cron(), 0, "step 1 is sent once")
        # A day later step 2 is due; step 3 only two days after step 2.
        self._abandon(order, 30)
        order.cart_reminder_date = NOW() - timedelta(hours=28)
        self.assertEqual(self._run_cron(), 1)
        self.assertEqual(order.cart_reminder_step, 2)
        self.assertIn("still waiting", self._reminder_mails(order)[-1].subject)
        self.assertEqual(self._run_cron(), 0, "step 3 waits its own delay")
        self.assertEqual(len(self._reminder_events(order)), 2)
        self.assertEqual(
            sorted(self._reminder_events(order).mapped("description")),
            [
                "Step 1: eCommerce: Cart Reminder 1",
                "Step 2: eCommerce: Cart Reminder 2",
            ],
        )

    def test_a_late_cron_sends_one_step_at_a_time(self):
        order = self._abandoned_cart(hours=80)
        self._run_cron()
        self.assertEqual(order.cart_reminder_step, 1, "not steps 1, 2 and 3 at once")

    def test_updated_cart_waits_its_delays_anew(self):
        order = self._abandoned_cart(hours=30)
        order.cart_reminder_step = 1
        order.cart_reminder_date = NOW() - timedelta(hours=29)
        with self._customer_request(order):
            # The customer comes back and adds a cup.
            order.sudo()._cart_update(product_id=self.product_2.id, add_qty=1)
        self.assertAlmostEqual(
            order.cart_update_date, NOW(), delta=timedelta(minutes=1)
        )
        self.assertEqual(self._run_cron(), 0)
        self._abandon(order, 25)
        self.assertEqual(self._run_cron(), 1)
        self.assertEqual(order.cart_reminder_step, 2, "step 1 is never sent again")

    def test_empty_cart_gets_none(self):
        order = self._make_cart(self.customer)
        line = order.order_line
        with self._customer_request(order):
            order.sudo()._cart_update(
                product_id=self.product.id, line_id=line.id, add_qty=-1
            )
        self.assertFalse(order.order_line)
        self._abandon(order, 2)
        self.assertEqual(self._run_cron(), 0)

    def test_unknown_customer_gets_none(self):
        # Even when the website's public partner has an address.
        self.website.user_id.partner_id.email = "public@example.com"
        public_cart = self.env["sale.order"].create(
            {
                "partner_id": self.website.user_id.partner_id.id,
                "website_id": self.website.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        self._abandon(public_cart, 2)
        no_email = self._abandoned_cart(hours=2)
        no_email.partner_id.email = False
        self.assertEqual(self._run_cron(), 0)

    def test_guest_who_gave_an_email_gets_one(self):
        guest = self.env["res.partner"].create(
            {"name": "Guest", "email": "guest@example.com"}
        )
        cart = self.env["sale.order"].create(
            {
                "partner_id": guest.id,
                "website_id": self.website.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        self._abandon(cart, 2)
        self.assertEqual(self._run_cron(), 1)
        self.assertEqual(self._reminder_mails(cart).recipient_ids, guest)

    def test_blacklisted_email_gets_none(self):
        self._abandoned_cart(hours=2)
        self.env["mail.blacklist"]._add(self.customer.email)
        self.assertEqual(self._run_cron(), 0)

    def test_later_order_on_the_same_website_stops_reminders(self):
        cart = self._abandoned_cart(hours=3)
        other_site_cart = self._abandoned_cart(
            self.customer_2, hours=12, website=self.website_2
        )
        self.website_2.cart_reminder_enabled = True
        self.website_2.cart_reminder_start_date = NOW() - timedelta(days=30)
        # Each customer buys something else, on the first website.
        bought = self.env["sale.order"].create(
            {
                "partner_id": self.customer.partner_id.id,
                "website_id": self.website.id,
                "order_line": [Command.create({"product_id": self.product_2.id})],
            }
        )
        bought.action_confirm()
        bought_2 = bought.copy({"partner_id": self.customer_2.partner_id.id})
        bought_2.action_confirm()
        self.assertEqual(self._run_cron(), 1)
        self.assertFalse(self._reminder_mails(cart))
        self.assertTrue(
            self._reminder_mails(other_site_cart),
            "an order on another website does not stop this one's reminders",
        )

    def _guest_checkout(self, email, website):
        """A visitor who is not logged in buys on ``website`` and gives ``email``
        at the checkout (website_sale's address form makes a new contact)."""
        public = website.user_id
        order = self._make_cart(public, website=website)
        env = order.with_user(public).env
        with MockRequest(env, website=website.with_user(public)) as request:
            request.session["sale_order_id"] = order.id
            WebsiteSale().shop_address_submit(
                address_type="delivery",
                use_delivery_as_billing="true",
                name="Guest Buyer",
                email=email,
                street="Enghelab St 2",
                city="Tehran",
                zip="1234567891",
                country_id=str(self.country_ir.id),
                phone="+98 21 8765 4321",
            )
            order.with_user(public).sudo()._set_delivery_method(self.carrier)
            PaymentPortal().shop_payment_transaction(
                order.id,
                order._portal_ensure_token(),
                provider_id=self.provider_transfer.id,
                payment_method_id=self.method_transfer.id,
                token_id=None,
                amount=order.amount_total,
                flow="redirect",
                tokenization_requested=False,
                landing_route="/shop/payment/validate",
            )
        self.assertTrue(order.checkout_date)
        return order

    def test_guest_order_by_the_same_email_stops_reminders(self):
        self.website_2.cart_reminder_enabled = True
        self.website_2.cart_reminder_start_date = NOW() - timedelta(days=30)
        cart = self._abandoned_cart(hours=2)
        # The same customer buys as a guest on the other website: not this one.
        on_other_site = self._guest_checkout(
            self.customer.email.upper(), self.website_2
        )
        self.assertNotEqual(on_other_site.partner_id, self.customer.partner_id)
        self.assertEqual(self._run_cron(), 1)
        self.assertEqual(len(self._reminder_mails(cart)), 1)
        # Then as a guest on this website, under another salesperson.
        self.website.salesperson_id = self.salesman_2
        cart.with_context(mail_auto_subscribe_no_notify=True).user_id = self.salesman_1
        guest_order = self._guest_checkout(
            self.customer.email.replace("wsot", "WSOT"), self.website
        )
        self.assertNotEqual(guest_order.partner_id, self.customer.partner_id)
        self.assertEqual(
            guest_order.partner_id.email_normalized,
            self.customer.partner_id.email_normalized,
        )
        # Step 2 would be due: the cron sends nothing more, nor may a salesperson
        # who cannot see the guest's order.
        self._abandon(cart, 30)
        cart.cart_reminder_date = NOW() - timedelta(hours=28)
        self.assertEqual(self._run_cron(), 0)
        self.assertEqual(len(self._reminder_mails(cart)), 1)
        self.assertFalse(guest_order.with_user(self.salesman_1).has_access("read"))
        with self.assertRaisesRegex(UserError, "ordered on this website since"):
            cart.with_user(self.salesman_1).action_send_cart_reminder()
        self.assertEqual(cart.cart_reminder_step, 1)

    def test_order_before_the_last_change_does_not_stop_reminders(self):
        bought = self.env["sale.order"].create(
            {
                "partner_id": self.customer.partner_id.id,
                "website_id": self.website.id,
                "order_line": [Command.create({"product_id": self.product_2.id})],
            }
        )
        bought.action_confirm()
        bought.date_order = bought.checkout_date = NOW() - timedelta(hours=5)
        self._abandoned_cart(hours=2)
        self.assertEqual(self._run_cron(), 1)

    def test_free_or_unsellable_carts_get_none(self):
        free = self.env["product.product"].create(
            {"name": "Free Sample", "list_price": 0.0, "website_published": True}
        )
        self._abandoned_cart(hours=2, products={free: 1})
        self._abandoned_cart(self.customer_2, hours=2)
        self.product.website_published = False
        self.assertEqual(self._run_cron(), 0)
        self.product.website_published = True
        self.product.active = False
        self.assertEqual(self._run_cron(), 0)
        self.product.active = True
        self.product.sale_ok = False
        self.assertEqual(self._run_cron(), 0)
        self.product.sale_ok = True
        self.product.website_id = self.website_2
        self.assertEqual(self._run_cron(), 0, "sold on another website only")
        self.product.website_id = False
        self.assertEqual(self._run_cron(), 1)

    def test_old_carts_are_never_reminded(self):
        self._abandoned_cart(hours=8 * 24)
        self.assertEqual(self._run_cron(), 0, "older than the maximum age")
        self.website.cart_reminder_max_age_days = 10
        self.assertEqual(self._run_cron(), 1)

    def test_switching_on_does_not_email_old_carts(self):
        cart = self._abandoned_cart(self.customer_2, hours=5, website=self.website_2)
        self.website_2.cart_abandoned_delay = 1.0
        self.website_2.cart_reminder_enabled = True
        self.assertEqual(self._run_cron(), 0, "left before reminders were on")
        self._abandon(cart, 2)
        self.website_2.cart_reminder_start_date = NOW() - timedelta(hours=3)
        self.assertEqual(self._run_cron(), 1)

    def test_each_website_uses_its_own_template(self):
        own = self.template_1.copy(
            {"name": "Second shop reminder", "subject": "Second shop misses you"}
        )
        self.website_2.write({"cart_reminder_enabled": True})
        self.website_2.cart_reminder_step_ids[0].mail_template_id = own
        self.website_2.cart_reminder_start_date = NOW() - timedelta(days=30)
        cart = self._abandoned_cart(self.customer_2, hours=12, website=self.website_2)
        self._run_cron()
        self.assertEqual(self._reminder_mails(cart).subject, "Second shop misses you")

    def test_reminder_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.customer.partner_id.lang = "fa_IR"
        self.template_1.with_context(
            lang="fa_IR"
        ).subject = "{{ object.website_id.name }}: سبد خرید شما منتظر است"
        cart = self._abandoned_cart(hours=2)
        self._run_cron()
        self.assertIn("سبد خرید شما منتظر است", self._reminder_mails(cart).subject)

    def test_odoo_own_pass_skips_sequenced_websites_only(self):
        sequenced = self._abandoned_cart(hours=12)
        native = self._abandoned_cart(self.customer_2, hours=12, website=self.website_2)
        native.date_order = NOW() - timedelta(hours=12)
        self.website_2.write(
            {"send_abandoned_cart_email": True, "cart_abandoned_delay": 1.0}
        )
        self.env["website"]._send_abandoned_cart_email()
        self.assertTrue(native.cart_recovery_email_sent)
        self.assertFalse(self._reminder_mails(sequenced))

    def test_cron_reports_its_progress(self):
        self._abandoned_cart(hours=2)
        self._abandoned_cart(self.customer_2, hours=2)
        cron = self.env.ref("website_sale_order_tracking.ir_cron_cart_reminders")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        sent = (
            self.env["sale.order"]
            .with_context(ir_cron_progress_id=progress.id)
            ._cron_send_cart_reminders(batch_size=1)
        )
        self.assertEqual(sent, 2)
        self.assertEqual((progress.done, progress.remaining), (2, 0))

    def test_batches_do_not_query_per_cart(self):
        def queries_for(carts):
            for cart in carts:
                self._abandon(cart, 2)
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self.assertEqual(self._run_cron(), len(carts))
            return self.env.cr.sql_log_count - before

        customers = [
            self._create_customer(f"Batch Customer {index}", f"wsot_batch_{index}")
            for index in range(8)
        ]
        carts = [self._make_cart(customer) for customer in customers]
        self.env.ref("base.user_admin").partner_id.email = "admin@example.com"
        small = queries_for(carts[:2])
        large = queries_for(carts[2:])
        self.assertLessEqual(
            large, small + 2, f"three times the carts: {small} then {large} queries"
        )

    def _customer_request(self, order):
        website = order.website_id.with_user(self.customer)
        return MockRequest(website.env, website=website)


@tagged("post_install", "-at_install")
class TestCartReminderActions(CartReminderCommon):
    def test_send_reminder_now(self):
        cart = self._make_cart(self.customer)
        action = cart.with_user(self.salesman_1).action_send_cart_reminder()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(cart.cart_reminder_step, 1)
        self.assertEqual(len(self._reminder_mails(cart)), 1)
        cart.action_send_cart_reminder()
        self.assertEqual(cart.cart_reminder_step, 2, "the next step, at once")

    def test_template_with_attachment_sends_it(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "size-guide.txt", "raw": b"S M L", "res_model": "mail.template"}
        )
        self.template_1.attachment_ids = attachment
        cart = self._abandoned_cart(hours=2)
        self._run_cron()
        mail = self._reminder_mails(cart)
        self.assertEqual(mail.attachment_ids.mapped("name"), ["size-guide.txt"])
        self.assertIn("/shop/cart/reminders/unsubscribe/", mail.body_html)
        self.assertEqual(cart.cart_reminder_step, 1)

    def test_send_reminder_now_refused_with_the_reason(self):
        cart = self._make_cart(self.customer)
        self.env["mail.blacklist"]._add(self.customer.email)
        with self.assertRaisesRegex(UserError, "unsubscribed"):
            cart.action_send_cart_reminder()
        self.assertFalse(self._reminder_mails(cart))
        self._pay_by_demo(cart)
        with self.assertRaisesRegex(UserError, "not a cart any more"):
            cart.action_send_cart_reminder()

    def test_send_reminder_now_not_after_a_later_order(self):
        cart = self._abandoned_cart(self.customer_2, hours=3)
        bought = self._make_cart(self.customer_2)
        self.assertNotEqual(bought, cart)
        self._pay_by_demo(bought)
        with self.assertRaisesRegex(UserError, "ordered on this website since"):
            cart.action_send_cart_reminder()
        self.assertFalse(self._reminder_mails(cart))

    def test_cron_and_button_read_the_same_rules(self):
        """Each rule of who may get a reminder: the cron leaves the cart out and
        Send Reminder names it; a cart that passes them all is due for both."""

        def unpublish(cart):
            cart.order_line.product_id.website_published = False

        def later_order(cart):
            bought = self._make_cart(self.customer)
            self.assertNotEqual(bought, cart)
            self._pay_by_demo(bought)

        breaks = {
            "cart": ("not a cart any more", self._pay_by_demo),
            "email": (
                "email is not known",
                lambda cart: cart.partner_id.write({"email": False}),
            ),
            "subscribed": (
                "unsubscribed",
                lambda cart: self.env["mail.blacklist"]._add(cart.partner_id.email),
            ),
            "priced": ("nothing in it is for sale", unpublish),
            "no_later_order": ("ordered on this website since", later_order),
        }
        self.assertEqual(set(breaks), set(CART_REMINDER_RULES), "a test a rule")
        Order = self.env["sale.order"]
        for rule, (reason, break_rule) in breaks.items():
            # Each rule broken alone: its changes are undone after it.
            with self.subTest(rule=rule), self.env.cr.savepoint() as savepoint:
                cart = self._abandoned_cart(hours=2)
                due = Order._get_due_cart_reminders(cart.ids)
                self.assertEqual([order_id for order_id, _step in due], cart.ids)
                self.assertIsNone(cart._get_cart_reminder_blocker())
                break_rule(cart)
                self.assertFalse(Order._get_due_cart_reminders(cart.ids))
                self.assertEqual(cart._get_failed_cart_reminder_rules(), [rule])
                self.assertIn(reason, cart._get_cart_reminder_blocker())
                savepoint.close(rollback=True)

    def test_report_counts_reminders_and_recoveries(self):
        recovered = self._abandoned_cart(hours=2)
        lost = self._abandoned_cart(self.customer_2, hours=2)
        self._run_cron()
        self._abandon(lost, 30)
        lost.cart_reminder_date = NOW() - timedelta(hours=28)
        self._run_cron()
        self._pay_by_demo(recovered)
        self.assertEqual(recovered.state, "sale")
        self.env.flush_all()
        report = self.env["website.cart.reminder.report"]
        groups = report.read_group(
            [("website_id", "=", self.website.id)],
            [
                "abandoned_count:sum",
                "reminder_count:sum",
                "step_1_count:sum",
                "step_2_count:sum",
                "recovered_count:sum",
                "recovered_amount:sum",
            ],
            ["website_id"],
        )
        self.assertEqual(len(groups), 1)
        group = groups[0]
        self.assertEqual(group["abandoned_count"], 2)
        self.assertEqual(group["reminder_count"], 3)
        self.assertEqual(group["step_1_count"], 2)
        self.assertEqual(group["step_2_count"], 1)
        self.assertEqual(group["recovered_count"], 1)
        self.assertEqual(group["recovered_amount"], recovered.amount_total)
        for view_type in ("pivot", "graph", "list", "search"):
            report.get_view(view_type=view_type)


@tagged("post_install", "-at_install")
class TestCartReminderWorkers(CronWorkersCase):
    CARTS = 4

    def _create_data(self, env):
        orders = self._abandoned_carts(
            env, [f"Worker {index}" for index in range(self.CARTS)]
        )
        return self._ids(orders, website=orders.website_id)

    @staticmethod
    def _cron(env, batch_size=1):
        env["sale.order"]._cron_send_cart_reminders(batch_size=batch_size)

    def test_two_workers_send_each_reminder_once(self):
        self.assertFalse(self._run_workers(self._cron))
        self.assertEqual(self._orders_mailed(), sorted(self.ids["orders"]))

    @mute_logger("odoo.sql_db")
    def test_killed_batch_is_sent_again_once(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            SaleOrder = env["sale.order"]
            first, second = self.ids["orders"][:2]
            SaleOrder._send_cart_reminder_batch([first])
            cr.commit()  # pylint: disable=invalid-commit
            SaleOrder._send_cart_reminder_batch([second])
            cr.rollback()  # the worker dies before committing its second batch
        self.assertEqual(len(self._orders_mailed()), 1)
        self.assertFalse(self._run_workers(self._cron, count=1))
        self.assertEqual(self._orders_mailed(), sorted(self.ids["orders"]))
