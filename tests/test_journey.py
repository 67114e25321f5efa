# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A shop's day (issue #12): the addon as people use it, end to end.

Customers act through HTTP only (the shop's pages, forms and JSON routes, with
the session's CSRF token); staff through the settings form, buttons and wizards,
each as a user holding only the group the flow is for. One test per part of the
day, on the shop the administrator set up in ``setUpClass``.
"""

import ast
import html
import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import Form, HttpCase, tagged

from .common import PNG, SALES, WebOrderTrackingCommon, create_staff

SETTINGS = {
    "order_assignment_mode": "round_robin",
    "unpaid_reminder_days": 2,
    "unpaid_cancel_days": 7,
    "shipping_email_mode": "website",
    "cart_reminder_enabled": True,
    "return_enabled": True,
    "return_comment_required": True,
    "return_photo_required": True,
    "invoice_policy_enabled": True,
    "invoice_policy_consumer": "request",
}
SHIPPED = "is on its way"


@tagged("post_install", "-at_install")
class TestShopDay(HttpCase, WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.sales_user = create_staff(cls.env, "wsot_day_sales", SALES)
        cls.day_team = cls.env["crm.team"].create(
            {"name": "Day Team", "member_ids": [Command.set(cls.sales_user.ids)]}
        )
        # The administrator set the shop up the day before: the cart reminders
        # count from then (carts older than the switch are never reminded).
        with freeze_time(fields.Datetime.now() - timedelta(days=1)):
            cls._save_settings()
        warehouse = Form(cls.warehouse.with_user(cls.admin))
        warehouse.delivery_steps = "pick_pack_ship"
        warehouse.save()

    @classmethod
    def _settings_form(cls):
        settings = cls.env["res.config.settings"].with_user(cls.admin)
        return Form(settings.with_context(website_id=cls.website.id))

    @classmethod
    def _save_settings(cls):
        """Website and Inventory settings, as the administrator fills them in."""
        form = cls._settings_form()
        form.website_id = cls.website
        form.salesteam_id = cls.day_team
        form.group_stock_adv_location = True  # Inventory: Multi-Step Routes
        for name, value in SETTINGS.items():
            setattr(form, name, value)
        # The form asks for the template when the website sends its own email.
        form.shipping_email_template_id = cls.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped"
        )
        form.save().execute()

    # --- The customer's browser -------------------------------------------------

    def _add_to_cart(self, product=None, quantity=1):
        result = self.make_jsonrpc_request(
            "/shop/cart/update_json",
            {"product_id": (product or self.product).id, "add_qty": quantity},
        )
        return self.env["sale.order.line"].browse(result["line_id"]).order_id

    def _guest_address(self):
        """The guest fills the checkout's address form."""
        form = self.url_open("/shop/address")
        self.assertIn('name="street"', form.text)
        response = self.url_open(
            "/shop/address/submit",
            data={
                "csrf_token": self._csrf_token("/shop/address"),
                "address_type": "billing",
                "use_delivery_as_billing": "true",
                "name": "Guest Buyer",
                "email": "guest.buyer@example.com",
                "phone": "+32 2 555 12 12",
                "street": "Rue de la Loi 16",
                "city": "Brussels",
                "zip": "1000",
                "country_id": str(self.env.ref("base.be").id),
            },
        )
        self.assertIn("successUrl", response.json(), response.text)

    def _pay(self, provider, method):
        """Delivery step, payment page, transaction route, provider, status page."""
        self.assertEqual(self.url_open("/shop/checkout").status_code, 200)
        self.make_jsonrpc_request(
            "/shop/set_delivery_method", {"dm_id": str(self.carrier.id)}
        )
        page = self.url_open("/shop/payment")
        self.assertEqual(page.status_code, 200)
        for name in (provider.name, "Tracked Teapot"):
            self.assertIn(name, page.text)
        form = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', page.text))
        values = self.make_jsonrpc_request(
            html.unescape(form["transaction-route"]),
            {
                "access_token": form["access-token"],
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "token_id": None,
                "amount": float(form["amount"]),
                "flow": "direct" if provider.code == "demo" else "redirect",
                "tokenization_requested": False,
                "landing_route": form["landing-route"],
            },
        )
        if provider.code == "demo":  # the card form's "Pay" in test mode
            self.make_jsonrpc_request(
                "/payment/demo/simulate_payment",
                {
                    "reference": values["reference"],
                    "payment_details": "4242",
                    "simulated_state": "done",
                },
            )
        else:  # the browser posts the provider's redirect form
            redirect = values["redirect_form_html"]
            action = re.search(r'action="([^"]+)"', redirect).group(1)
            data = dict(re.findall(r'name="([^"]+)"\s+value="([^"]*)"', redirect))
            self.url_open(action, data=data)
        self.assertEqual(self.url_open("/payment/status").status_code, 200)
        status = self.make_jsonrpc_request("/payment/status/poll", {})
        confirmation = self.url_open(status["landing_route"])
        self.assertEqual(confirmation.status_code, 200)
        self.assertIn("/shop/confirmation", confirmation.url)
        return confirmation

    def _buy(self, login=None, provider=None, method=None):
        """A visitor (a guest when ``login`` is None) buys a teapot."""
        self.authenticate(login, login)
        order = self._add_to_cart()
        if not login:
            self._guest_address()
        page = self._pay(provider or self.provider_demo, method or self.method_demo)
        self.assertIn(order.name, page.text)
        return order

    # --- Staff ------------------------------------------------------------------

    def _validate(self, picking):
        """The Inventory user validates the transfer with its button."""
        self._validate_picking(picking.with_user(self.stock_user))
        self.assertEqual(picking.state, "done")

    def _ship(self, order):
        """Pick, pack and ship; the tracking stage after each."""
        stages = []
        wh = self.warehouse
        for picking_type in (wh.pick_type_id, wh.pack_type_id, wh.out_type_id):
            picking = order.picking_ids.filtered(
                lambda p, t=picking_type: p.picking_type_id == t
            )
            if picking_type == wh.out_type_id:
                picking.with_user(self.stock_user).carrier_tracking_ref = "DAY-1"
            self._validate(picking)
            stages.append(order.tracking_stage)
        return stages

    def _shipping_emails(self, order):
        return self.env["mail.message"].search(
            [
                ("model", "=", "stock.picking"),
                ("res_id", "in", order.picking_ids.ids),
                ("subject", "ilike", SHIPPED),
            ]
        )

    def _run_invoicing_cron(self):
        cron = self.env.ref("website_sale_order_tracking.ir_cron_invoice_web_orders")
        cron.with_user(self.admin).method_direct_trigger()  # as the scheduler runs it

    def _request_invoice(self, order):
        response = self._post_form(
            f"/my/orders/{order.id}/invoice/request", invoice_kind="consumer"
        )
        self.assertEqual(response.status_code, 303)
        return self.url_open(response.headers["Location"]).text

    # --- The day ------------------------------------------------------------------

    def test_1_morning_the_administrator_sets_the_shop_up(self):
        form = self._settings_form()
        form.website_id = self.website
        for name, value in SETTINGS.items():
            self.assertEqual(form[name], value, name)
        self.assertEqual(form.salesteam_id, self.day_team)
        self.assertGreaterEqual(form.cart_reminder_step_count, 1)
        self.assertTrue(form.group_stock_adv_location)
        self.assertEqual(self.warehouse.delivery_steps, "pick_pack_ship")

    def test_2_customers_check_out(self):
        guest_order = self._buy(None, self.provider_transfer, self.method_transfer)
        self.assertEqual(guest_order.partner_id.email, "guest.buyer@example.com")
        self.assertEqual(guest_order.state, "sent")
        self.assertEqual(guest_order.tracking_stage, "to_confirm")
        self.assertEqual(guest_order.user_id, self.sales_user, "round-robin")
        self.assertIn("payment_pending", self._event_types(guest_order))
        order = self._buy(self.customer.login)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.tracking_stage, "confirmed")
        self.assertEqual(order.team_id, self.day_team)
        for event in ("checkout", "payment_received", "confirmed"):
            self.assertIn(event, self._event_types(order))
        page = self.url_open(f"/my/orders/{order.id}/tracking").text
        self.assertEqual(
            re.findall(r'data-state="(\w+)"', page), ["done", "current", "todo", "todo"]
        )

    def test_3_staff_record_the_wire_transfer_and_confirm(self):
        order = self._buy(None, self.provider_transfer, self.method_transfer)
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )
        queue = self.env.ref("website_sale_order_tracking.action_orders_to_confirm")
        domain = ast.literal_eval(queue.domain)
        self.assertIn(order, order.with_user(self.sales_user).search(domain))
        confirm = order.with_user(self.sales_user).action_open_confirm_wizard()
        unpaid = self._wizard_form(confirm, self.sales_user).unpaid_order_ids[:]
        self.assertEqual(unpaid, order, "nothing recorded yet")
        # The transfer arrives: the accountant records it (Billing only), which
        # completes the customer's transaction and so confirms the order.
        action = order.with_user(self.billing_user).action_open_offline_payment_wizard()
        wizard = self._wizard_form(action, self.billing_user)
        self.assertEqual(wizard.order_ids[:], order)
        self.assertEqual(wizard.amount, order.amount_total, "what is left to pay")
        wizard.payment_date = fields.Date.today()
        wizard.journal_id = journal
        wizard.save().action_record_payment()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.tracking_stage, "confirmed")
        self.assertNotIn(order, order.with_user(self.sales_user).search(domain))
        self.assertIn("payment_received", self._event_types(order))
        # Another order, paid on the bank statement only: the salesperson
        # confirms it from the queue, which asks to confirm it anyway.
        other = self._buy(None, self.provider_transfer, self.method_transfer)
        confirm = other.with_user(self.sales_user).action_open_confirm_wizard()
        form = self._wizard_form(confirm, self.sales_user)
        self.assertEqual(form.unpaid_order_ids[:], other)
        form.confirm_unpaid = True
        form.save().action_confirm_orders()
        self.assertEqual(other.state, "sale")
        self.assertEqual(other.tracking_stage, "confirmed")

    def test_4_the_order_ships_and_the_customer_follows_it(self):
        order = self._buy(self.customer.login)
        self.assertEqual(order.picking_ids.picking_type_id, self.warehouse.pick_type_id)
        stages = self._ship(order)
        self.assertEqual(stages, ["in_preparation", "in_preparation", "shipped"])
        email = self._shipping_emails(order)
        self.assertEqual(len(email), 1, "one email, for the last step only")
        ship = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual((email.res_id, email.partner_ids), (ship.id, order.partner_id))
        self.assertIn("DAY-1", email.body)
        for event in ("delivery_step", "shipped", "email_sent"):
            self.assertIn(event, self._event_types(order))
        # The customer follows the email's link (in another browser: no session).
        self.authenticate(None, None)
        link = re.search(r'href="([^"]+)"[^>]*>\s*Follow your order', email.body)
        page = self.url_open(html.unescape(link.group(1)))
        self.assertEqual(page.status_code, 200)
        self.assertIn(order.name, page.text)
        self.assertIn("https://post.example.com/track?ref=DAY-1", page.text)
        self.assertEqual(re.findall(r'data-state="(\w+)"', page.text), ["done"] * 4)
        # A guest looks the order up by its reference and email.
        response = self._post_form(
            "/order-status", reference=order.name, email=self.customer.email
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/orders/{order.id}/tracking", response.headers["Location"])
        self.assertIn(order.name, self.url_open(response.headers["Location"]).text)
        # The customer asks for the invoice (On request for consumers).
        self.authenticate(self.customer.login, self.customer.login)
        page = self._request_invoice(order)
        self.assertIn("Your invoice request was received.", page)
        self.assertIn("Your invoice is being prepared", page)
        self.assertIn("invoice_requested", self._event_types(order))
        # The invoicing job the request woke up makes, posts and emails it.
        self._run_invoicing_cron()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.invoice_requested)
        self.assertEqual(invoice.web_invoice_send_state, "sending")
        page = self.url_open(f"/my/orders/{order.id}/tracking").text
        self.assertNotIn("Your invoice is being prepared", page)
        self.assertIn(invoice.name, page)
        self.assertIn(f"/my/invoices/{invoice.id}", page)
        self.assertIn("invoice_requested", self._event_types(order))

    def _ask_return(self, order):
        """The customer sends the return form: a teapot, a comment, a photo."""
        line = order.order_line.filtered(lambda sol: sol.product_id == self.product)
        reason = self.env.ref("website_sale_order_tracking.return_reason_damaged")
        response = self._post_form(
            f"/my/orders/{order.id}/return",
            files={"photo": ("teapot.png", PNG, "image/png")},
            **{
                f"quantity_{line.id}": "1",
                f"reason_{line.id}": str(reason.id),
                "comment": "The lid arrived cracked.",
            },
        )
        self.assertEqual(response.status_code, 303, response.text[-2000:])
        return order.return_request_ids, response.headers["Location"]

    def _delivered_and_invoiced(self):
        order = self._buy(self.customer.login)
        self._ship(order)
        self._request_invoice(order)
        self._run_invoicing_cron()
        return order

    def test_5_the_customer_asks_for_a_return(self):
        order = self._delivered_and_invoiced()
        form = self.url_open(f"/my/orders/{order.id}/return").text
        reason = self.env.ref("website_sale_order_tracking.return_reason_damaged")
        self.assertIn(reason.name, form)
        self.assertIn("Photo (required)", form)
        # The comment is a real, closed text area (else it swallows the form).
        self.assertRegex(form, r'<textarea[^>]*name="comment"[^>]*>\s*</textarea>')
        request, location = self._ask_return(order)
        self.assertEqual(request.comment, "The lid arrived cracked.")
        self.assertTrue(request.photo)
        self.assertEqual(order.tracking_stage, "return_requested")
        page = self.url_open(location).text
        self.assertIn("Your return request was received", page)
        self.assertIn(request.name, page)
        link = re.search(r"<a [^>]*o_wsot_return_slip_download[^>]*>", page).group()
        href = re.search(r'href="([^"]+)"', link).group(1)
        slip = self.url_open(html.unescape(href))
        self.assertEqual(slip.status_code, 200, "the return slip downloads")
        self.assertIn("attachment", slip.headers.get("Content-Disposition", ""))
        # A PDF, or its HTML when Odoo's test mode renders reports without
        # wkhtmltopdf.
        self.assertTrue(
            slip.content.startswith(b"%PDF") or request.name in slip.text,
            "the slip of this request",
        )

    def test_6_staff_approve_receive_and_refund_the_return(self):
        order = self._delivered_and_invoiced()
        request, _location = self._ask_return(order)
        request.with_user(self.sales_user).action_approve()
        self.assertEqual(request.state, "approved")
        self._validate(request.picking_ids)
        self.assertEqual(request.state, "received")
        self.assertEqual(order.tracking_stage, "returned")
        action = request.with_user(self.billing_user).action_open_refund_wizard()
        wizard = self._wizard_form(action, self.billing_user)
        self.assertEqual(wizard.amount, 100.0, "the returned teapot")
        result = wizard.save().action_refund()
        self.assertEqual(result["params"]["type"], "success", "through the provider")
        self.assertEqual(request.state, "refunded")
        # The teapot came back and was refunded; its shipping was paid and kept.
        self.assertGreater(order._get_paid_amount(), 100.0)
        self.assertEqual(order.tracking_stage, "partially_refunded")
        refund_tx = order.transaction_ids.child_transaction_ids
        self.assertEqual((refund_tx.state, refund_tx.amount), ("done", -100.0))
        for event in ("return_requested", "return_approved", "returned", "refunded"):
            self.assertIn(event, self._event_types(order))
        page = self.url_open(f"/my/orders/{order.id}/tracking").text
        self.assertIn(request.name, page)

    def test_7_evening_abandoned_carts_are_reminded(self):
        carts = {}
        for user in (self.customer, self.customer_2, self.company_contact):
            self.authenticate(user.login, user.login)
            carts[user] = self._add_to_cart()
        delay = self.website.cart_reminder_step_ids[:1].delay_hours
        # Simulates the hours passing since the customers left their carts: the
        # one direct write of this test, as no user can change this date.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET cart_update_date = cart_update_date - %s"
            " WHERE id IN %s",
            (timedelta(hours=delay + 1), tuple(c.id for c in carts.values())),
        )
        self.env.invalidate_all()
        cron = self.env.ref("website_sale_order_tracking.ir_cron_cart_reminders")
        cron.with_user(self.admin).method_direct_trigger()  # "Run Manually"
        mails = {
            user: self.env["mail.mail"].search(
                [("model", "=", "sale.order"), ("res_id", "=", cart.id)]
            )
            for user, cart in carts.items()
        }
        for user, mail in mails.items():
            self.assertEqual((len(mail), mail.state), (1, "outgoing"), user.login)
            self.assertEqual(mail.recipient_ids, user.partner_id)
            self.assertEqual(carts[user].cart_reminder_step, 1)
            self.assertIn("cart_reminder", self._event_types(carts[user]))
        # Customer Two unsubscribes with the email's link.
        self.authenticate(None, None)
        link = re.search(
            r'href="([^"]+/shop/cart/reminders/unsubscribe/[^"]+)"',
            mails[self.customer_2].body_html,
        )
        page = self.url_open(html.unescape(link.group(1))).text
        self.assertIn("Stop the cart reminders?", page)
        self.assertIn(self.customer_2.email, page)
        form = re.search(r"<form ([^>]*unsubscribe[^>]*)>(.*?)</form>", page, re.S)
        action = re.search(r'action="([^"]+)"', form.group(1)).group(1)
        data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(2)))
        done = self.url_open(action, data=data)
        self.assertIn("You are unsubscribed", done.text)
        blacklist = self.env["mail.blacklist"].search([])
        self.assertIn(
            self.customer_2.partner_id.email_normalized, blacklist.mapped("email")
        )
        # Customer One comes back by the email's link and buys the cart.
        self.authenticate(self.customer.login, self.customer.login)
        link = re.search(
            r'href="([^"]+/shop/cart\?access_token=[^"]+)"',
            mails[self.customer].body_html,
        )
        self.assertIn(
            "Tracked Teapot", self.url_open(html.unescape(link.group(1))).text
        )
        self._pay(self.provider_demo, self.method_demo)
        bought = carts[self.customer]
        self.assertEqual(bought.state, "sale")
        # Two days later only the cart still waiting gets the next step.
        with freeze_time(fields.Datetime.now() + timedelta(days=2)):
            cron.with_user(self.admin).method_direct_trigger()
        for user, step in (
            (self.customer, 1),
            (self.customer_2, 1),
            (self.company_contact, 2),
        ):
            self.assertEqual(carts[user].cart_reminder_step, step, user.login)
