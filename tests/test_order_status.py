# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo.tests import HttpCase, tagged

from .common import WebOrderTrackingCommon

NOT_FOUND = "No order was found with this reference and email."


@tagged("post_install", "-at_install")
class TestOrderStatusLookup(HttpCase, WebOrderTrackingCommon):
    def setUp(self):
        super().setUp()
        self.order = self._paid_order_of(self.customer)

    def _paid_order_of(self, customer, website=None):
        order = self._make_cart(customer, website=website)
        self._pay_by_demo(order)
        return order

    def _lookup(self, reference, email):
        page = self.url_open("/order-status")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            "/order-status",
            data={"csrf_token": csrf, "reference": reference, "email": email},
            allow_redirects=False,
        )

    def _attempts(self, **domain):
        return self.env["website.order.lookup.attempt"].search(
            [(key, "=", value) for key, value in domain.items()]
        )

    def test_reference_and_email_open_the_tracking_page(self):
        response = self._lookup(self.order.name.lower(), " WSOT_customer_1@example.com")
        self.assertEqual(response.status_code, 303)
        location = response.headers["Location"]
        self.assertIn(f"/my/orders/{self.order.id}/tracking?access_token=", location)
        self.assertEqual(self.url_open(location).status_code, 200)
        self.assertEqual(len(self._attempts(success=True)), 1)

    def test_every_mismatch_gets_the_same_answer(self):
        other_site = self._paid_order_of(self.customer_2, self.website_2)
        cart = self._make_cart(self.customer_2)
        for reference, email in (
            (self.order.name, "someone@example.com"),
            ("S99999", self.customer.email),
            (other_site.name, self.customer_2.email),
            (cart.name, self.customer_2.email),
        ):
            with self.subTest(reference=reference, email=email):
                response = self._lookup(reference, email)
                self.assertEqual(response.status_code, 200)
                self.assertIn(NOT_FOUND, response.text)
                self.assertNotIn("/tracking", response.text)
        self.assertEqual(len(self._attempts(success=False)), 4)

    def test_failures_are_limited_per_client_address(self):
        for _index in range(10):
            self.assertIn(NOT_FOUND, self._lookup(f"S{_index}", "a@example.com").text)
        blocked = self._lookup(self.order.name, self.customer.email)
        self.assertEqual(blocked.status_code, 200)
        self.assertIn("Too many attempts", blocked.text)
        self.assertNotIn("/tracking", blocked.text)

    def test_failures_are_limited_per_order_reference(self):
        self.env["website.order.lookup.attempt"].create(
            [
                {"ip_address": f"10.0.0.{index}", "reference": self.order.name}
                for index in range(10)
            ]
        )
        blocked = self._lookup(self.order.name, self.customer.email)
        self.assertIn("Too many attempts", blocked.text)

    def test_empty_form_writes_nothing(self):
        response = self._lookup("", "")
        self.assertIn("Enter the reference of your order", response.text)
        self.assertFalse(self._attempts())
