# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import re

from odoo.tests import HttpCase, tagged

from .test_returns import ReturnCommon

# The smallest valid PNG image (1x1 pixel).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestReturnPortal(HttpCase, ReturnCommon):
    def _post(self, order, token=None, csrf=True, files=None, **fields):
        data = dict(fields)
        if csrf:
            form = self.url_open("/order-status")
            data["csrf_token"] = re.search(
                r'name="csrf_token" value="([^"]+)"', form.text
            ).group(1)
        if token:
            data["access_token"] = token
        return self.url_open(
            f"/my/orders/{order.id}/return",
            data=data,
            files=files,
            allow_redirects=False,
        )

    def _line(self, order):
        return order.order_line.filtered("product_id.is_storable")

    def _valid_fields(self, order, quantity="1"):
        line = self._line(order)
        return {
            f"quantity_{line.id}": quantity,
            f"reason_{line.id}": str(self.reason.id),
            f"comment_{line.id}": "Cracked lid",
            "comment": "Please take it back.",
        }

    def _requests(self, order):
        return self.env["sale.return.request"].search([("order_id", "=", order.id)])

    def test_customer_sends_a_return_request(self):
        order = self._delivered_order(products={self.product: 2})
        order.user_id = self.salesman_1
        self.authenticate(self.customer.login, self.customer.login)
        for page in (f"/my/orders/{order.id}", f"/my/orders/{order.id}/tracking"):
            self.assertIn("o_wsot_return_btn", self.url_open(page).text, page)
        form = self.url_open(f"/my/orders/{order.id}/return")
        self.assertIn("Tracked Teapot", form.text)
        self.assertIn(self.reason.name, form.text)
        response = self._post(
            order,
            files={"photo": ("lid.png", PNG, "image/png")},
            **self._valid_fields(order, "2"),
        )
        self.assertEqual(response.status_code, 303)
        request = self._requests(order)
        self.assertIn(f"/my/returns/{request.id}", response.headers["Location"])
        self.assertEqual(request.line_ids.quantity, 2)
        self.assertEqual(request.line_ids.comment, "Cracked lid")
        self.assertEqual(request.comment, "Please take it back.")
        self.assertEqual(base64.b64decode(request.photo), PNG)
        page = self.url_open(response.headers["Location"])
        self.assertIn("Your return request was received", page.text)
        acknowledgement = request.message_ids.filtered(
            lambda m: "your return request" in (m.subject or "")
        )
        self.assertIn(order.partner_id, acknowledgement.partner_ids)
        self.assertEqual(request.activity_ids.user_id, self.salesman_1)
        tracking = self.url_open(f"/my/orders/{order.id}/tracking").text
        self.assertIn(request.name, tracking)
        self.assertNotIn("o_wsot_return_btn", tracking, "nothing left to return")

    def test_guest_with_the_order_link_may_ask(self):
        order = self._delivered_order()
        token = order._portal_ensure_token()
        response = self._post(order, token=token, **self._valid_fields(order))
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self._requests(order))
        self.assertEqual(self.url_open(response.headers["Location"]).status_code, 200)

    def test_others_are_refused_and_nothing_is_made(self):
        order = self._delivered_order()
        fields = self._valid_fields(order)
        for token in (None, "wrong-token"):
            response = self._post(order, token=token, **fields)
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(order.name, response.text)
        self.authenticate(self.customer_2.login, self.customer_2.login)
        self.assertEqual(self._post(order, **fields).status_code, 404)
        self.assertFalse(self._requests(order))

    def test_return_page_of_another_customer_is_hidden(self):
        order = self._delivered_order()
        request = self._request(order)
        self.authenticate(self.customer_2.login, self.customer_2.login)
        for url in (
            f"/my/returns/{request.id}",
            f"/my/returns/{request.id}?report_type=html",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(request.name, response.text)

    def test_customer_downloads_the_return_slip(self):
        order = self._delivered_order()
        request = self._request(order)
        self.authenticate(self.customer.login, self.customer.login)
        page = self.url_open(f"/my/returns/{request.id}").text
        self.assertIn("o_wsot_return_slip_download", page)
        slip = self.url_open(f"/my/returns/{request.id}?report_type=html")
        self.assertEqual(slip.status_code, 200)
        self.assertIn("o_wsot_return_slip", slip.text)
        self.assertIn(request.name, slip.text)

    def test_post_without_csrf_token_is_refused(self):
        order = self._delivered_order()
        self.authenticate(self.customer.login, self.customer.login)
        response = self._post(order, csrf=False, **self._valid_fields(order))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._requests(order))

    def test_bad_input_gets_a_message_and_nothing_is_made(self):
        order = self._delivered_order()
        other = self._delivered_order(self.customer_2)
        line = self._line(order)
        self.authenticate(self.customer.login, self.customer.login)
        cases = [
            ({f"quantity_{line.id}": "abc"}, "is not a number"),
            ({f"quantity_{line.id}": "nan"}, "is not a number"),
            ({f"quantity_{line.id}": "0"}, "more than 0"),
            ({f"quantity_{line.id}": "-1"}, "more than 0"),
            ({f"quantity_{line.id}": "5"}, "At most 1"),
            ({f"reason_{line.id}": ""}, "Choose why you return"),
            ({"comment": "x" * 2001}, "at most 2000 characters"),
            ({f"comment_{line.id}": "x" * 2001}, "at most 2000 characters"),
        ]
        for changes, message in cases:
            with self.subTest(message=message):
                fields = {**self._valid_fields(order), **changes}
                response = self._post(order, **fields)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        other_line = self._line(other)
        response = self._post(
            order,
            **{
                f"quantity_{other_line.id}": "1",
                f"reason_{other_line.id}": str(self.reason.id),
            },
        )
        self.assertIn("not part of the order", response.text)
        response = self._post(order, comment="nothing chosen")
        self.assertIn("Choose at least one product", response.text)
        self.assertFalse(self._requests(order))
        self.assertFalse(self._requests(other))

    def test_photo_rules(self):
        order = self._delivered_order()
        self.website.write(
            {"return_photo_required": True, "return_comment_required": True}
        )
        self.authenticate(self.customer.login, self.customer.login)
        fields = self._valid_fields(order)
        response = self._post(order, **fields)
        self.assertIn("Add a photo", response.text)
        not_image = {"photo": ("notes.txt", b"just text", "image/png")}
        response = self._post(order, files=not_image, **fields)
        self.assertIn("must be an image", response.text)
        too_large = {"photo": ("big.png", PNG + b"0" * (5 * 1024 * 1024), "image/png")}
        response = self._post(order, files=too_large, **fields)
        self.assertIn("larger than 5 MB", response.text)
        response = self._post(
            order,
            files={"photo": ("lid.png", PNG, "image/png")},
            **{**fields, "comment": ""},
        )
        self.assertIn("Tell us what is wrong", response.text)
        self.assertFalse(self._requests(order))

    def test_nothing_returnable_shows_no_button(self):
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        self.authenticate(self.customer.login, self.customer.login)
        text = self.url_open(f"/my/orders/{order.id}/tracking").text
        self.assertNotIn("o_wsot_return_btn", text)
        form = self.url_open(f"/my/orders/{order.id}/return").text
        self.assertIn("Nothing of this order can be returned online", form)

    def test_customer_returns_a_product_in_the_browser(self):
        order = self._delivered_order()
        self.start_tour(
            f"/my/orders/{order.id}/tracking",
            "website_sale_order_tracking_return_form",
            login="wsot_customer_1",
        )
        self.assertEqual(self._requests(order).line_ids.reason_id, self.reason)
