# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import WebOrderTrackingCommon


@tagged("post_install", "-at_install")
class TestTrackingPage(HttpCase, WebOrderTrackingCommon):
    def _shipped_and_invoiced_order(self):
        order = self._paid_order()
        picking = order.picking_ids
        picking.carrier_tracking_ref = "REF777"
        self._validate_picking(picking)
        invoice = order._create_invoices()
        invoice.action_post()
        return order, invoice

    def _page(self, order, token=None):
        url = f"/my/orders/{order.id}/tracking"
        if token:
            url += f"?access_token={token}"
        return self.url_open(url, allow_redirects=False)

    def test_customer_follows_the_order(self):
        order, invoice = self._shipped_and_invoiced_order()
        self.authenticate(self.customer.login, self.customer.login)
        page = self._page(order)
        self.assertEqual(page.status_code, 200)
        text = page.text
        self.assertIn(order.name, text)
        self.assertEqual(
            re.findall(r'data-state="(\w+)"', text), ["done", "done", "done", "done"]
        )
        for label in (
            "Order Confirmed",
            "Payment Received",
            "Shipped",
            "Invoice Issued",
        ):
            self.assertIn(label, text)
        self.assertNotIn("Email Sent", text, "internal events stay internal")
        self.assertIn("Tracked Post", text)
        self.assertIn("https://post.example.com/track?ref=REF777", text)
        self.assertIn(invoice.name, text)
        self.assertIn(f"/my/invoices/{invoice.id}", text)
        portal = self.url_open(f"/my/orders/{order.id}")
        self.assertIn(f"/my/orders/{order.id}/tracking", portal.text)

    def test_step_bar_of_an_order_in_preparation(self):
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        order.picking_ids.move_ids.picked = True
        self.authenticate(self.customer.login, self.customer.login)
        states = re.findall(r'data-state="(\w+)"', self._page(order).text)
        self.assertEqual(states, ["done", "done", "current", "todo"])

    def test_persian_page_reads_right_to_left(self):
        lang = self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(
            ["website_sale_order_tracking"], ["fa_IR"], overwrite=True
        )
        self.website.language_ids |= lang
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        self.authenticate(self.customer.login, self.customer.login)
        page = self.url_open(f"/{lang.url_code}/my/orders/{order.id}/tracking")
        self.assertEqual(page.status_code, 200)
        # Odoo's right-to-left layout: its class and its RTL stylesheet.
        self.assertIn("o_rtl", page.text)
        self.assertIn("web.assets_frontend.rtl", page.text)
        self.assertIn("ثبت شد", page.text)
        self.assertIn("فاکتور", page.text)

    def test_access_as_odoo_portal(self):
        order, _invoice = self._shipped_and_invoiced_order()
        token = order._portal_ensure_token()
        self.assertEqual(
            self._page(order, token).status_code, 200, "the token opens it"
        )
        for response in (
            self._page(order),
            self._page(order, "wrong-token"),
            self.url_open("/my/orders/999999999/tracking", allow_redirects=False),
        ):
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(order.name, response.text)
            self.assertNotIn("REF777", response.text)
        self.authenticate(self.customer_2.login, self.customer_2.login)
        other = self._page(order)
        self.assertEqual(other.status_code, 404)
        self.assertNotIn(order.name, other.text)

    def test_emails_link_to_the_tracking_page(self):
        self.website.shipping_email_mode = "website"
        order, _invoice = self._shipped_and_invoiced_order()
        message = self.env["mail.message"].search(
            [
                ("model", "=", "stock.picking"),
                ("res_id", "=", order.picking_ids.id),
                ("subject", "ilike", "is on its way"),
            ]
        )
        url = re.search(
            r'href="[^"]*(/my/orders/\d+/tracking\?access_token=[^"]+)"', message.body
        )
        self.assertTrue(url)
        self.assertEqual(self.url_open(url.group(1)).status_code, 200)

    def test_payment_reminder_links_to_the_tracking_page(self):
        self.website.write({"unpaid_reminder_days": 1, "unpaid_cancel_days": 5})
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        order.checkout_date = fields.Datetime.now() - timedelta(days=2)
        self.env["sale.order"]._cron_process_unpaid_orders()
        message = order.message_ids.filtered(
            lambda m: "waiting for the payment" in (m.subject or "")
        )
        self.assertIn(f"/my/orders/{order.id}/tracking?access_token=", message.body)

    def test_queries_do_not_grow_with_lines_deliveries_or_events(self):
        self.authenticate(self.customer.login, self.customer.login)
        small = self._web_order(1)
        large = self._web_order(60)
        self._ship_in_three_parcels(large)
        for _index in range(20):
            large._add_tracking_event("payment_reminder")
        for order in (small, large):
            self._page(order)  # warm, as for a visitor coming back
        self.env.flush_all()
        before = self.cr.sql_log_count
        self.assertEqual(self._page(small).status_code, 200)
        queries = self.cr.sql_log_count - before
        self.assertGreater(queries, 5, "the server's queries are counted")
        with self.assertQueryCount(queries):
            page = self._page(large)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.text.count('o_wsot_parcel_item"'), 60)
        self.assertEqual(page.text.count('class="list-group-item o_wsot_parcel"'), 3)

    def _web_order(self, lines):
        products = self.product | self.product_2 | self.product_3
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.partner_id.id,
                "website_id": self.website.id,
                "carrier_id": self.carrier.id,
                "order_line": [
                    Command.create(
                        {"product_id": products[index % 3].id, "product_uom_qty": 1}
                    )
                    for index in range(lines)
                ],
            }
        )
        order.action_confirm()
        return order

    def _ship_in_three_parcels(self, order):
        """The first product shipped, then the second: the third still to come."""
        first = order.picking_ids
        first.carrier_tracking_ref = "QUERY-1"
        self._validate_picking(
            first, {self.product: 1, self.product_2: 0, self.product_3: 0}
        )
        second = first.backorder_ids
        second.carrier_tracking_ref = "QUERY-2"
        self._validate_picking(second, {self.product_2: 1, self.product_3: 0})
        self.assertEqual(len(order.picking_ids), 3)
        self.assertEqual(order.tracking_stage, "partially_shipped")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_3 = cls.env["product.product"].create(
            {"name": "Tracked Saucer", "type": "consu", "is_storable": True}
        )
