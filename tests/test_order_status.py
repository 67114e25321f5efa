# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import threading

from odoo.tests import HttpCase, tagged

from .common import CronWorkersCase, WebOrderTrackingCommon

NOT_FOUND = "No order was found with this reference and email."
TOO_MANY = "Too many attempts. Please try again in a few minutes."


@tagged("post_install", "-at_install")
class TestOrderStatusLookup(HttpCase, WebOrderTrackingCommon):
    def setUp(self):
        super().setUp()
        self.order = self._paid_order()

    def _lookup(self, reference, email):
        return self._post_form("/order-status", reference=reference, email=email)

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
        other_site = self._paid_order(self.customer_2, website=self.website_2)
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
        self.assertIn(TOO_MANY, blocked.text)
        self.assertNotIn("/tracking", blocked.text)

    def _fail_from(self, ip_address, reference=None, count=1):
        """Failed lookups of ``reference`` from another client, as the form's."""
        for _index in range(count):
            _order, error = self.env["website.order.lookup.attempt"]._lookup_order(
                self.website,
                reference or self.order.name,
                "guess@example.com",
                ip_address,
            )
            self.assertIn(error, (NOT_FOUND, TOO_MANY))

    def test_wildcards_match_no_order(self):
        name = self.order.name
        for reference in ("%", "S%", f"{name[:-1]}_", "_" * len(name), f"%{name[-2:]}"):
            with self.subTest(reference=reference):
                response = self._lookup(reference, self.customer.email)
                self.assertEqual(response.status_code, 200)
                self.assertIn(NOT_FOUND, response.text)
                self.assertNotIn("access_token", response.text)

    def test_variants_of_a_reference_count_as_one(self):
        name = self.order.name
        for reference in (name, name.lower(), f"  {name} ", name.title(), name):
            self.assertIn(NOT_FOUND, self._lookup(reference, "a@example.com").text)
        self.assertEqual(set(self._attempts().mapped("reference")), {name})
        blocked = self._lookup(f" {name.lower()}", self.customer.email)
        self.assertIn(TOO_MANY, blocked.text)
        self.assertNotIn("/tracking", blocked.text)
        # Another reference from the same client is still looked up.
        self.assertIn(NOT_FOUND, self._lookup("S99999", "a@example.com").text)

    def test_failures_of_others_never_lock_the_customer_out(self):
        for index in range(30):
            self._fail_from(f"10.0.0.{index}")
        self._fail_from("10.0.1.1", count=12)
        response = self._lookup(self.order.name, self.customer.email)
        self.assertEqual(response.status_code, 303)
        self.assertIn(
            f"/my/orders/{self.order.id}/tracking", response.headers["Location"]
        )

    def test_a_busy_reference_gives_each_client_one_try(self):
        for index in range(20):
            self._fail_from(f"10.0.0.{index}")
        attempts = self.env["website.order.lookup.attempt"]
        self._fail_from("192.0.2.1")
        _order, error = attempts._lookup_order(
            self.website, self.order.name, self.customer.email, "192.0.2.1"
        )
        self.assertEqual(error, TOO_MANY)
        order, error = attempts._lookup_order(
            self.website, self.order.name, self.customer.email, "192.0.2.2"
        )
        self.assertEqual((order, error), (self.order, None))

    def test_an_ipv6_client_is_limited_per_network(self):
        for index in range(10):
            self._fail_from(f"2001:db8:1:2::{index + 1}", reference=f"S9{index}")
        _order, error = self.env["website.order.lookup.attempt"]._lookup_order(
            self.website, self.order.name, self.customer.email, "2001:db8:1:2:ffff::9"
        )
        self.assertEqual(error, TOO_MANY)
        order, error = self.env["website.order.lookup.attempt"]._lookup_order(
            self.website, self.order.name, self.customer.email, "2001:db8:1:3::1"
        )
        self.assertEqual(order, self.order)

    def test_empty_form_writes_nothing(self):
        response = self._lookup("", "")
        self.assertIn("Enter the reference of your order", response.text)
        self.assertFalse(self._attempts())


@tagged("post_install", "-at_install")
class TestOrderStatusLookupWorkers(CronWorkersCase):
    """Lookups sent all at once, each served by a worker of its own."""

    CLIENT = "203.0.113.77"

    def _remove_data(self, env):
        env["website.order.lookup.attempt"].search(
            [("ip_address", "=", self.CLIENT)]
        ).unlink()

    def _lookups_at_once(self, references):
        """Look ``references`` up all at once from one client; their errors."""
        website_id = self.env["website"].search([], limit=1).id
        started = threading.Barrier(len(references))
        answers = []

        def lookup(env, reference):
            started.wait(timeout=30)
            _order, error = env["website.order.lookup.attempt"]._lookup_order(
                env["website"].browse(website_id),
                reference,
                "nobody@example.com",
                self.CLIENT,
            )
            answers.append(error)

        errors = self._run_at_once(
            [
                lambda env, reference=reference: lookup(env, reference)
                for reference in references
            ]
        )
        self.assertFalse(errors)
        return answers

    def _failures(self):
        return self._in_own_cursor(
            lambda env: env["website.order.lookup.attempt"].search_count(
                [("ip_address", "=", self.CLIENT), ("success", "=", False)]
            )
        )

    def test_parallel_lookups_never_pass_the_client_limit(self):
        answers = self._lookups_at_once([f"S-RACE-{index}" for index in range(20)])
        self.assertEqual(answers.count(NOT_FOUND), 10)
        self.assertEqual(answers.count(TOO_MANY), 10)
        self.assertEqual(self._failures(), 10)

    def test_parallel_lookups_never_pass_the_reference_limit(self):
        answers = self._lookups_at_once(["S-RACE"] * 20)
        self.assertEqual(answers.count(NOT_FOUND), 5)
        self.assertEqual(answers.count(TOO_MANY), 15)
        self.assertEqual(self._failures(), 5)
