# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's webhook of status events, over real HTTP requests: what it
records, the stages and emails that follow, and every request it refuses."""

import json
import time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .carrier_common import CarrierEventsCommon, carrier_event, sign
from .common import SALES, SALES_MANAGER, create_staff

REF = "WSOT-TRK-1"


@tagged("post_install", "-at_install")
class TestCarrierWebhook(CarrierEventsCommon):
    def test_events_move_the_order_to_delivered(self):
        order = self._shipped_order(refs=("WSOT-TRK-1", "WSOT-TRK-2"))
        first, second = order.picking_ids.sorted("id")
        answer = self.client.post(
            [
                carrier_event(REF, "in_transit", "e1", place="Tehran hub"),
                carrier_event(
                    REF,
                    "out_for_delivery",
                    "e2",
                    "2026-01-06T08:00:00+03:30",
                    place="Tehran",
                    message="With the courier",
                ),
            ]
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertEqual(answer.json(), {"received": 2, "recorded": 2, "duplicates": 0})
        self.assertEqual(first.carrier_delivery_status, "out_for_delivery")
        self.assertEqual(order.tracking_stage, "out_for_delivery")
        event = order.tracking_event_ids.filtered(
            lambda e: e.event_type == "carrier_out_for_delivery"
        )
        self.assertTrue(event.customer_visible)
        self.assertEqual(event.description, "Tehran — With the courier")
        self.assertEqual(
            str(event.date), "2026-01-06 04:30:00", "the carrier's time, UTC"
        )
        self.assertEqual(event.picking_id, first)

        self.client.post(
            [carrier_event(REF, "delivered", "e3", "2026-01-06T12:00:00Z")]
        )
        self.assertEqual(first.carrier_delivery_status, "delivered")
        self.assertEqual(
            order.tracking_stage, "shipped", "the second parcel is not there"
        )
        self.client.post(
            [carrier_event("WSOT-TRK-2", "delivered", "e4", "2026-01-07T12:00:00Z")]
        )
        self.assertEqual(second.carrier_delivery_status, "delivered")
        self.assertEqual(order.tracking_stage, "delivered")
        steps = order._get_tracking_page_steps()
        self.assertEqual(steps[-1], ("Delivered", "done"))

    def test_an_older_event_does_not_undo_a_newer_one(self):
        order = self._shipped_order()
        self.client.post(
            [carrier_event(REF, "delivered", "late", "2026-01-07T12:00:00Z")]
        )
        self.client.post(
            [carrier_event(REF, "in_transit", "early", "2026-01-05T12:00:00Z")]
        )
        self.assertEqual(order.picking_ids.carrier_delivery_status, "delivered")
        self.assertEqual(order.tracking_stage, "delivered")
        self.assertEqual(len(order.picking_ids.carrier_event_ids), 2)

    def test_same_event_twice_is_recorded_once(self):
        order = self._shipped_order()
        event = carrier_event(REF, "in_transit", "dup-1")
        answer = self.client.post([event, event])
        self.assertEqual(answer.json(), {"received": 2, "recorded": 1, "duplicates": 1})
        counts = self._counts()
        answer = self.client.post([event])
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json(), {"received": 1, "recorded": 0, "duplicates": 1})
        self.assertEqual(self._counts(), counts)
        self.assertEqual(self._event_types(order).count("carrier_in_transit"), 1)

    def test_a_single_event_object_is_accepted(self):
        order = self._shipped_order()
        body = json.dumps(carrier_event(REF, "in_transit", "single")).encode()
        answer = self.client.post(None, body=body)
        self.assertEqual(answer.json()["recorded"], 1)
        self.assertEqual(order.picking_ids.carrier_delivery_status, "in_transit")

    def test_bad_requests_write_nothing(self):
        order = self._shipped_order()
        good = carrier_event(REF, "delivered", "bad-1")
        now = int(time.time())
        window = self.carrier.sudo().carrier_webhook_window
        cases = {
            "unsigned": (401, {"events": [good], "signed": False}),
            "wrong secret": (401, {"events": [good], "secret": "0" * 64}),
            "stale": (401, {"events": [good], "timestamp": now - window - 5}),
            "from the future": (401, {"events": [good], "timestamp": now + window + 5}),
            "unknown token": (404, {"events": [good], "token": "nope" * 8}),
            "not JSON": (400, {"events": None, "body": b"{not json"}),
            "not UTF-8": (400, {"events": None, "body": b"\xff\xfe"}),
            "no events": (400, {"events": []}),
            "events not a list": (400, {"events": None, "body": b'{"events": 3}'}),
            "an event not an object": (400, {"events": [good, "x"]}),
            "missing event id": (400, {"events": [dict(good, event_id="")]}),
            "missing number": (400, {"events": [dict(good, tracking_number=None)]}),
            "number with a comma": (
                400,
                {"events": [dict(good, tracking_number="A,B")]},
            ),
            "bad status": (400, {"events": [dict(good, status="lost")]}),
            "time without offset": (
                400,
                {"events": [dict(good, time="2026-01-05T10:00:00")]},
            ),
            "time not a time": (400, {"events": [dict(good, time="yesterday")]}),
            "time a number": (400, {"events": [dict(good, time=1767600000)]}),
            "time in the future": (
                400,
                {"events": [dict(good, time="2999-01-01T00:00:00Z")]},
            ),
            "over-long message": (400, {"events": [dict(good, message="x" * 513)]}),
            "control characters": (400, {"events": [dict(good, place="a\x00b")]}),
            "message not a text": (400, {"events": [dict(good, message=["x"])]}),
            "too many events": (
                400,
                {"events": [dict(good, event_id=f"m{i}") for i in range(501)]},
            ),
            "unknown tracking number": (
                404,
                {"events": [good, carrier_event("NOPE-1", "delivered", "bad-2")]},
            ),
        }
        counts = self._counts()
        for name, (status, request) in cases.items():
            with self.subTest(name):
                answer = self.client.post(**request)
                self.assertEqual(answer.status_code, status, answer.text)
                self.assertTrue(answer.json()["error"])
                self.assertEqual(self._counts(), counts)
        self.assertEqual(order.tracking_stage, "shipped")
        self.assertEqual(
            self.url_open(
                f"/order-tracking/carrier/{self.client.carrier.carrier_webhook_token}"
            ).status_code,
            405,
            "GET is not a carrier's event",
        )

    def test_a_form_content_type_is_told_apart(self):
        # Odoo parses a form's body before the route runs: the body signed is
        # gone, and the carrier would be told its signature is wrong.
        order = self._shipped_order()
        body = json.dumps({"events": [carrier_event(REF, "delivered", "ct-1")]})
        now = int(time.time())
        secret = self.client.carrier.carrier_webhook_secret
        token = self.client.carrier.carrier_webhook_token
        answer = self.url_open(
            f"/order-tracking/carrier/{token}",
            data=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Timestamp": str(now),
                "X-Signature": sign(secret, now, body.encode()),
            },
        )
        self.assertEqual(answer.status_code, 400, answer.text)
        self.assertIn("application/json", answer.json()["error"])
        self.assertEqual(order.tracking_stage, "shipped")

    def test_other_carriers_numbers_are_unknown(self):
        self._shipped_order()
        other = self.carrier.copy({"name": "Other Post"})
        other.carrier_webhook_enabled = True
        answer = type(self.client)(self, other).post(
            [carrier_event(REF, "delivered", "x1")]
        )
        self.assertEqual(answer.status_code, 404)
        self.assertNotEqual(
            other.sudo().carrier_webhook_token,
            self.carrier.sudo().carrier_webhook_token,
        )

    def test_disabled_or_regenerated_webhook_answers_404(self):
        self._shipped_order()
        event = carrier_event(REF, "in_transit", "r1")
        old_token = self.carrier.sudo().carrier_webhook_token
        self.carrier.action_regenerate_carrier_webhook_token()
        self.assertEqual(self.client.post([event], token=old_token).status_code, 404)
        self.assertEqual(self.client.post([event]).status_code, 200)
        old_secret = self.carrier.sudo().carrier_webhook_secret
        self.carrier.action_regenerate_carrier_webhook_secret()
        event = carrier_event(REF, "in_transit", "r2")
        self.assertEqual(self.client.post([event], secret=old_secret).status_code, 401)
        self.carrier.carrier_webhook_enabled = False
        self.assertEqual(self.client.post([event]).status_code, 404)

    def test_emails_follow_the_website_settings(self):
        order = self._shipped_order()
        picking = order.picking_ids
        self.client.post([carrier_event(REF, "in_transit", "m1")])
        self.assertFalse(picking.carrier_status_email_due, "off by default")
        self._run_status_email_job()
        self.assertFalse(self._messages(picking, "In Transit"), "off by default")
        triggers = self.env["ir.cron.trigger"].search_count([])
        self.client.post(
            [carrier_event(REF, "out_for_delivery", "m2", "2026-01-06T08:00:00Z")]
        )
        # The carrier's request only flags the delivery and wakes the job up.
        self.assertTrue(picking.carrier_status_email_due)
        self.assertEqual(self.env["ir.cron.trigger"].search_count([]), triggers + 1)
        self.assertFalse(self._messages(picking, "Out for Delivery"))
        self.assertEqual(self._run_status_email_job(), 1)
        self.assertFalse(picking.carrier_status_email_due)
        message = self._messages(picking, "Out for Delivery")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.customer.partner_id)
        self.assertIn("out for delivery", message.body)
        self.assertIn(order.name, message.subject)
        self.website.carrier_email_delivered = False
        self.client.post(
            [carrier_event(REF, "delivered", "m3", "2026-01-06T12:00:00Z")]
        )
        self._run_status_email_job()
        self.assertFalse(self._messages(picking, "Delivered"))
        emails = order.tracking_event_ids.filtered(
            lambda e: e.event_type == "email_sent" and e.picking_id == picking
        )
        self.assertEqual(emails.mapped("description"), ["eCommerce: Delivery Status"])

    def test_status_changed_again_before_the_email_sends_the_latest(self):
        order = self._shipped_order()
        picking = order.picking_ids
        self.client.post(
            [
                carrier_event(REF, "out_for_delivery", "l1", "2026-01-06T08:00:00Z"),
            ]
        )
        self.client.post(
            [carrier_event(REF, "delivered", "l2", "2026-01-06T12:00:00Z")]
        )
        # Run by a scheduler user who is not the superuser (an Inventory user).
        job = self.env["stock.picking"].with_user(self.stock_user)
        self.assertEqual(job._cron_send_carrier_status_emails(), 1, "one due")
        self.assertFalse(picking.carrier_status_email_due)
        self.assertFalse(self._messages(picking, "Out for Delivery"))
        self.assertEqual(len(self._messages(picking, "Delivered")), 1)
        self.assertEqual(self._run_status_email_job(), 0, "nothing twice")

    def test_email_in_the_customers_language(self):
        # The Persian of i18n/fa.po loads once the lead's .pot holds its messages
        # (Odoo merges a .po with the module's .pot); the test's own translation
        # shows the email goes in the customer's language.
        self.env["res.lang"]._activate_lang("fa_IR")
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_carrier_status"
        )
        template.with_context(
            lang="fa_IR"
        ).subject = "{{ object.sale_id.name }}: تلاش ناموفق برای تحویل"
        self.customer.partner_id.lang = "fa_IR"
        order = self._shipped_order()
        self.client.post([carrier_event(REF, "failed_attempt", "fa1")])
        self._run_status_email_job()
        message = self._messages(order.picking_ids, order.name)
        self.assertEqual(len(message), 1)
        self.assertIn("تلاش ناموفق برای تحویل", message.subject)

    def test_webhook_keys_are_for_the_administrator_only(self):
        sales = create_staff(self.env, "wsot_carrier_sales", SALES)
        for user in (sales, self.stock_user, self.customer):
            for field in ("carrier_webhook_token", "carrier_webhook_secret"):
                with self.subTest(user=user.login, field=field):
                    with self.assertRaises(AccessError):
                        self.carrier.with_user(user).read([field])
            with self.assertRaises(AccessError):
                self.carrier.with_user(user).action_regenerate_carrier_webhook_secret()
        self.assertNotIn(
            "carrier_webhook_secret",
            self.env["delivery.carrier"].with_user(sales).fields_get(),
        )
        self.assertEqual(len(self.carrier.sudo().carrier_webhook_secret), 64)

    def test_only_the_administrator_sets_webhook_keys_at_creation(self):
        # Odoo checks the fields' groups when they are read or written, not in
        # create: a manager would choose the token and the secret of a new carrier.
        manager = create_staff(
            self.env, "wsot_carrier_manager", SALES_MANAGER, "stock.group_stock_manager"
        )
        Carrier = self.env["delivery.carrier"].with_user(manager)
        product = self.carrier.product_id.id
        for values in (
            {"carrier_webhook_enabled": True},
            {"carrier_webhook_token": "t" * 43, "carrier_webhook_secret": "s" * 64},
            {"carrier_webhook_window": 86400},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                Carrier.create(dict(values, name="Forged Post", product_id=product))
        self.assertFalse(
            self.env["delivery.carrier"].search([("name", "=", "Forged Post")])
        )
        Carrier.create({"name": "Plain Post", "product_id": product})

    def test_managers_still_duplicate_carriers(self):
        stock_manager = create_staff(
            self.env, "wsot_carrier_stock_manager", "stock.group_stock_manager"
        )
        # As in a request of its own: nothing of the carrier read before.
        self.env.invalidate_all()
        copy = self.carrier.with_user(stock_manager).copy()
        self.assertTrue(copy.name)
        self.assertFalse(copy.sudo().carrier_webhook_enabled)
        self.assertFalse(copy.sudo().carrier_webhook_token)

    def test_installing_changes_nothing(self):
        self.carrier.carrier_webhook_enabled = False
        order = self._shipped_order()
        self.assertEqual(len(order._get_tracking_page_steps()), 4)
        self.assertEqual(order.tracking_stage, "shipped")
        carrier = self.carrier.copy({"name": "New Post"}).sudo()
        self.assertFalse(carrier.carrier_webhook_token)
        self.assertFalse(carrier.carrier_webhook_enabled)

    def test_hostile_bodies_and_headers_write_nothing(self):
        order = self._shipped_order()
        good = json.dumps({"events": [carrier_event(REF, "delivered", "h-1")]})
        secret = self.client.carrier.carrier_webhook_secret
        now = int(time.time())
        token = self.client.carrier.carrier_webhook_token
        url = f"/order-tracking/carrier/{token}"
        deep = b'{"events": ' + b"[" * 100000 + b"]" * 100000 + b"}"
        # A good event, padded over the 1 MB limit.
        big = good[:-1].encode() + b', "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'

        def chunks(body):
            for start in range(0, len(body), 65536):
                yield body[start : start + 65536]

        def signed(body, timestamp=now, signature=None):
            return {
                "X-Timestamp": str(timestamp),
                "X-Signature": signature or sign(secret, timestamp, body),
            }

        cases = {
            "deeply nested JSON": (400, deep, signed(deep)),
            "a signature not in ASCII": (
                401,
                good.encode(),
                signed(good.encode(), signature="sha256=\xff" + "0" * 63),
            ),
            "a timestamp with underscores": (
                401,
                good.encode(),
                dict(
                    signed(good.encode()),
                    **{"X-Timestamp": f"{now:_}"},
                ),
            ),
            "a timestamp with a sign": (
                401,
                good.encode(),
                dict(signed(good.encode()), **{"X-Timestamp": f"+{now}"}),
            ),
            "over 1 MB without a length (chunked)": (400, chunks(big), signed(big)),
        }
        counts = self._counts()
        for name, (status, body, headers) in cases.items():
            with self.subTest(name):
                answer = self.url_open(url, data=body, headers=headers, timeout=60)
                self.assertEqual(answer.status_code, status, answer.text[:300])
                self.assertTrue(answer.json()["error"])
                self.assertEqual(self._counts(), counts)
        self.assertEqual(order.tracking_stage, "shipped")
