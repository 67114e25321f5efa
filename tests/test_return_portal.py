# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import io
import re

from lxml import html as lxml_html
from PIL import Image

from odoo.tests import HttpCase, tagged

from .common import PNG, ReturnCommon


def _image(image_format):
    """A small image of ``image_format`` (JPEG, PNG, GIF, WEBP, BMP)."""
    data = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(data, format=image_format)
    return data.getvalue()


@tagged("post_install", "-at_install")
class TestReturnPortal(HttpCase, ReturnCommon):
    def _post(self, order, token=None, csrf=True, files=None, **fields):
        if token:
            fields["access_token"] = token
        url = f"/my/orders/{order.id}/return"
        return self._post_form(url, files=files, csrf=csrf, **fields)

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
        # Notified, not the author: the request is the shop's, made for them.
        self.assertIn(order.partner_id, acknowledgement.notification_ids.res_partner_id)
        self.assertNotEqual(acknowledgement.author_id, order.partner_id)
        self.assertNotIn(order.partner_id, request.message_follower_ids.partner_id)
        self.assertEqual(request.activity_ids.user_id, self.salesman_1)
        tracking = self.url_open(f"/my/orders/{order.id}/tracking").text
        self.assertIn(request.name, tracking)
        self.assertNotIn("o_wsot_return_btn", tracking, "nothing left to return")

    def test_too_long_comment_is_refused_before_a_number_is_used(self):
        order = self._delivered_order()
        self.authenticate(self.customer.login, self.customer.login)
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "sale.return.request")]
        )
        next_number = sequence.number_next_actual
        fields = dict(self._valid_fields(order), comment="x" * 2001)
        response = self._post(order, **fields)
        self.assertEqual(response.status_code, 200)
        self.assertIn("A comment has at most 2000 characters", response.text)
        self.assertFalse(self._requests(order))
        sequence.invalidate_recordset()
        self.assertEqual(sequence.number_next_actual, next_number)

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
            ({f"quantity_{line.id}": "1e308"}, "too large"),
            ({f"quantity_{line.id}": "1000000"}, "At most 1"),
            ({f"quantity_{line.id}": "inf"}, "is not a number"),
            ({f"quantity_{line.id}": "-0"}, "more than 0"),
            ({f"quantity_{line.id}": "0.01"}, "whole number"),
            ({f"quantity_{line.id}": "1,5"}, "whole number"),
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
        self.assertIn("must be a JPEG, PNG, GIF or WebP image", response.text)
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
        self.website.return_comment_required = True
        self.start_tour(
            f"/my/orders/{order.id}/tracking",
            "website_sale_order_tracking_return_form",
            login="wsot_customer_1",
        )
        request = self._requests(order)
        self.assertEqual(request.line_ids.reason_id, self.reason)
        self.assertEqual(request.comment, "The lid is cracked.")

    def _comment_box(self, page):
        boxes = lxml_html.fromstring(page).xpath("//textarea[@name='comment']")
        self.assertEqual(len(boxes), 1, "the form has its comment box")
        return boxes[0]

    def test_comment_box_is_shown_kept_and_required(self):
        order = self._delivered_order()
        self.authenticate(self.customer.login, self.customer.login)
        box = self._comment_box(self.url_open(f"/my/orders/{order.id}/return").text)
        self.assertIsNone(box.get("required"))
        self.website.return_comment_required = True
        box = self._comment_box(self.url_open(f"/my/orders/{order.id}/return").text)
        self.assertIsNotNone(box.get("required"))
        comment = "The lid <b>is</b> cracked."
        fields = {**self._valid_fields(order, "5"), "comment": comment}
        response = self._post(order, **fields)
        self.assertIn("At most 1", response.text)
        self.assertEqual(self._comment_box(response.text).text, comment)
        line = self._line(order)
        response = self._post(order, **{**fields, f"quantity_{line.id}": "1"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._requests(order).comment, comment)

    def test_return_slip_button_downloads_the_slip(self):
        order = self._delivered_order()
        request = self._request(order)
        guest_url = request.get_portal_url()
        self.authenticate(self.customer.login, self.customer.login)
        for user, url in ((self.customer, request.get_portal_url()), (None, guest_url)):
            if not user:
                self.logout()
            page = self.url_open(url)
            self.assertEqual(page.status_code, 200)
            (href,) = lxml_html.fromstring(page.text).xpath(
                "//a[contains(@class, 'o_wsot_return_slip_download')]/@href"
            )
            slip = self.url_open(href)
            self.assertEqual(slip.status_code, 200, href)
            self.assertIn(
                slip.headers["Content-Type"].split(";")[0],
                ("application/pdf", "text/html"),
            )
            disposition = slip.headers["Content-Disposition"]
            self.assertTrue(disposition.startswith("attachment"), disposition)
            self.assertIn(re.sub(r"\W+", "_", request.name), disposition)
            self.assertIn(".pdf", disposition)

    def test_photo_must_be_jpeg_png_gif_or_webp(self):
        order = self._delivered_order(products={self.product: 4})
        self.authenticate(self.customer.login, self.customer.login)
        fields = self._valid_fields(order)
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        refused = {
            "svg": ("lid.svg", svg, "image/svg+xml"),
            "svg named png": ("lid.png", svg, "image/png"),
            "bmp": ("lid.bmp", _image("BMP"), "image/bmp"),
            "gif header only": ("lid.gif", b"GIF89a" + b"\0" * 64, "image/gif"),
        }
        for case, photo in refused.items():
            with self.subTest(case=case):
                response = self._post(order, files={"photo": photo}, **fields)
                self.assertEqual(response.status_code, 200)
                self.assertIn("JPEG, PNG, GIF or WebP", response.text)
        self.assertFalse(self._requests(order))
        for image_format, mimetype in (
            ("JPEG", "image/jpeg"),
            ("PNG", "image/png"),
            ("GIF", "image/gif"),
            ("WEBP", "image/webp"),
        ):
            with self.subTest(image_format=image_format):
                data = _image(image_format)
                response = self._post(
                    order, files={"photo": ("lid", data, mimetype)}, **fields
                )
                self.assertEqual(response.status_code, 303)
                request = self._requests(order)[:1]
                attachment = self.env["ir.attachment"].search(
                    [
                        ("res_model", "=", "sale.return.request"),
                        ("res_id", "=", request.id),
                        ("res_field", "=", "photo"),
                    ]
                )
                self.assertEqual(attachment.mimetype, mimetype)

    def test_cancelled_order_takes_no_return(self):
        order = self._delivered_order()
        fields = self._valid_fields(order)
        order._action_cancel()
        self.authenticate(self.customer.login, self.customer.login)
        response = self._post(order, **fields)
        self.assertEqual(response.status_code, 200)
        self.assertIn("is cancelled", response.text)
        self.assertFalse(self._requests(order))

    def test_order_id_in_the_form_is_ignored(self):
        order = self._delivered_order()
        other = self._delivered_order(self.customer_2)
        self.authenticate(self.customer.login, self.customer.login)
        response = self._post(
            order, order_id=str(other.id), **self._valid_fields(order)
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self._requests(order))
        self.assertFalse(self._requests(other))
