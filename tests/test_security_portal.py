# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The addon's web routes as an attacker would use them.

The wrong visitor (public user, another customer, wrong, empty or missing token,
the token of another document) gets a 404 that names nothing; parameters sent as
files or over-long text are refused with a 400 and write nothing.
"""

from odoo.tests import HttpCase, tagged

from .common import InvoicingPolicyCommon, ReturnCommon

INVALID = "The form was sent with an invalid value of “{}”."


@tagged("post_install", "-at_install")
class TestPortalRoutesSecurity(HttpCase, ReturnCommon, InvoicingPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = cls._create_customer(
            "Company Colleague",
            "wsot_colleague",
            parent_id=cls.company_customer.id,
        )

    def setUp(self):
        super().setUp()
        self.order = self._delivered_order()
        self.return_request = self._request(self.order)
        self.other_order = self._delivered_order(self.customer_2)

    def _document_urls(self, order, return_request, pdf=True):
        urls = [
            f"/my/orders/{order.id}/tracking",
            f"/my/orders/{order.id}/invoice/request",
            f"/my/orders/{order.id}/return",
            f"/my/returns/{return_request.id}",
            f"/my/returns/{return_request.id}?report_type=html",
        ]
        if pdf:  # refused before rendering (made only with wkhtmltopdf installed)
            urls.append(f"/my/returns/{return_request.id}?report_type=pdf")
        return urls

    def _assert_hidden(self, response):
        """A 404 that names neither the documents nor their customer."""
        self.assertEqual(response.status_code, 404, response.url)
        for secret in (
            self.order.name,
            self.return_request.name,
            self.customer.name,
            self.customer.email,
        ):
            self.assertNotIn(secret, response.text, response.url)

    def _assert_nothing_written(self):
        self.assertEqual(
            self.env["sale.return.request"].search([("order_id", "=", self.order.id)]),
            self.return_request,
        )
        self.assertFalse(self.order.invoice_ids)
        self.assertFalse(self.order.invoice_request_date)
        self.assertFalse(self.env["website.order.lookup.attempt"].search([]))
        self.assertFalse(
            self.env["mail.blacklist"].search(
                [("email", "=", self.customer.partner_id.email_normalized)]
            )
        )

    # --- The wrong visitor -----------------------------------------------------

    def test_wrong_visitor_gets_a_quiet_404_that_names_nothing(self):
        token = self.order._portal_ensure_token()
        other_token = self.other_order._portal_ensure_token()
        queries = {
            "no token": "",
            "empty token": "access_token=",
            "wrong token": f"access_token={token[:-1]}x",
            "token of another order": f"access_token={other_token}",
            "wildcard token": "access_token=%25",
        }
        with self.assertNoLogs("odoo.http", level="WARNING"):
            for url in self._document_urls(self.order, self.return_request):
                for label, query in queries.items():
                    with self.subTest(url=url, visitor=label):
                        separator = "&" if "?" in url else "?"
                        self._assert_hidden(self.url_open(f"{url}{separator}{query}"))
            self.authenticate(self.customer_2.login, self.customer_2.login)
            for url in self._document_urls(self.order, self.return_request):
                with self.subTest(url=url, visitor="another customer"):
                    self._assert_hidden(self.url_open(url))
            for url in (
                "/my/orders/99999999999/tracking",
                "/my/returns/99999999999",
            ):
                with self.subTest(url=url, visitor="no such document"):
                    self._assert_hidden(self.url_open(url))

    def test_wrong_visitor_posts_nothing(self):
        self.authenticate(self.customer_2.login, self.customer_2.login)
        line = self.order.order_line.filtered("product_id.is_storable")
        for url, fields in (
            (
                f"/my/orders/{self.order.id}/return",
                {f"quantity_{line.id}": "1", f"reason_{line.id}": str(self.reason.id)},
            ),
            (
                f"/my/orders/{self.order.id}/invoice/request",
                {"invoice_kind": "consumer"},
            ),
        ):
            with self.subTest(url=url):
                self._assert_hidden(self._post_form(url, **fields))
        unsubscribe = self._post_form(
            f"/shop/cart/reminders/unsubscribe/{self.order.id}",
            access_token="%",  # noqa: S106 - a wildcard, not a secret
        )
        self.assertEqual(unsubscribe.status_code, 303)
        self.assertNotIn(self.order.name, unsubscribe.text)
        self._assert_nothing_written()

    def test_portal_contact_of_the_company_sees_what_odoo_shows(self):
        """The addon's pages follow Odoo's own order page for each visitor."""
        order = self._delivered_order(self.company_contact)
        return_request = self._request(order)
        for user, allowed in ((self.colleague, True), (self.customer, False)):
            self.authenticate(user.login, user.login)
            odoo_page = self.url_open(f"/my/orders/{order.id}", allow_redirects=False)
            self.assertEqual(odoo_page.status_code == 200, allowed, user.name)
            for url in self._document_urls(order, return_request, pdf=False):
                with self.subTest(user=user.name, url=url):
                    response = self.url_open(url)
                    self.assertEqual(
                        response.status_code == 200, allowed, response.status_code
                    )
                    if not allowed:
                        self.assertNotIn(order.name, response.text)

    # --- Files where text is expected, over-long text -------------------------

    def _assert_refused(self, response, name):
        self.assertEqual(response.status_code, 400)
        self.assertIn(INVALID.format(name), response.text)

    def test_file_sent_as_text_is_refused_on_every_route(self):
        token = self.order._portal_ensure_token()
        text_file = ("value.txt", b"S00001", "text/plain")
        line = self.order.order_line.filtered("product_id.is_storable")
        for url, fields, name in (
            ("/order-status", {"email": self.customer.email}, "reference"),
            ("/order-status", {"reference": self.order.name}, "email"),
            (
                f"/my/orders/{self.order.id}/return",
                {
                    "access_token": token,
                    f"quantity_{line.id}": "1",
                    f"reason_{line.id}": str(self.reason.id),
                },
                "comment",
            ),
            (
                f"/my/orders/{self.order.id}/invoice/request",
                {"access_token": token, "invoice_kind": "business", "vat": ""},
                "company_name",
            ),
            (f"/my/orders/{self.order.id}/tracking", {}, "access_token"),
            (
                f"/my/returns/{self.return_request.id}",
                {"access_token": self.return_request._portal_ensure_token()},
                "report_type",
            ),
            (f"/shop/cart/reminders/unsubscribe/{self.order.id}", {}, "access_token"),
        ):
            with self.subTest(url=url, name=name):
                response = self._post_form(url, files={name: text_file}, **fields)
                self._assert_refused(response, name)
        self._assert_nothing_written()

    def test_text_sent_as_the_photo_is_refused(self):
        self.authenticate(self.customer.login, self.customer.login)
        line = self.order.order_line.filtered("product_id.is_storable")
        response = self._post_form(
            f"/my/orders/{self.order.id}/return",
            photo="not an image",
            **{f"quantity_{line.id}": "1", f"reason_{line.id}": str(self.reason.id)},
        )
        self._assert_refused(response, "photo")
        self._assert_nothing_written()

    def test_over_long_text_is_refused(self):
        self.authenticate(self.customer.login, self.customer.login)
        line = self.order.order_line.filtered("product_id.is_storable")
        for url, fields, name in (
            ("/order-status", {"reference": "S" * 65, "email": "a@b.c"}, "reference"),
            (
                "/order-status",
                {"reference": self.order.name, "email": "a" * 243 + "@example.com"},
                "email",
            ),
            (f"/my/orders/{self.order.id}/tracking", {"access_token": "a" * 129}, None),
            (
                f"/my/orders/{self.order.id}/return",
                {
                    f"quantity_{line.id}": "1",
                    f"reason_{line.id}": str(self.reason.id),
                    "comment": "x" * 4001,
                },
                "comment",
            ),
            (
                f"/my/orders/{self.order.id}/invoice/request",
                {"invoice_kind": "business", "company_name": "C" * 4001},
                "company_name",
            ),
        ):
            name = name or "access_token"
            with self.subTest(url=url, name=name):
                self._assert_refused(self._post_form(url, **fields), name)
        self._assert_nothing_written()

    def test_text_at_the_limit_is_read(self):
        response = self._post_form(
            "/order-status", reference="S" * 64, email="a" * 242 + "@example.com"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "No order was found with this reference and email.", response.text
        )

    def test_nul_character_is_refused(self):
        """PostgreSQL stores no NUL character: refused before any query."""
        self.authenticate(self.customer.login, self.customer.login)
        line = self.order.order_line.filtered("product_id.is_storable")
        for url, fields, name in (
            (
                "/order-status",
                {"reference": "S\x000001", "email": "a@b.c"},
                "reference",
            ),
            (
                f"/my/orders/{self.order.id}/return",
                {
                    f"quantity_{line.id}": "1",
                    f"reason_{line.id}": str(self.reason.id),
                    "comment": "Broken\x00",
                },
                "comment",
            ),
        ):
            with self.subTest(url=url, name=name):
                self._assert_refused(self._post_form(url, **fields), name)
        self._assert_nothing_written()
