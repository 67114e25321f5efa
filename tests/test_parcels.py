# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What is in each parcel and when it comes: the tracking page, the shipping
email's "arrives by", and the email of a late delivery."""

import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_date

from .common import CronWorkersCase, WebOrderTrackingCommon

LATE = "new delivery date"


@tagged("post_install", "-at_install")
class TestParcels(HttpCase, WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier.transit_days = 3

    def _two_parcels(self):
        """An order of 2 teapots and a cup: a teapot and the cup shipped, the
        other teapot in the backorder."""
        order = self._paid_order(products={self.product: 2, self.product_2: 1})
        picking = order.picking_ids
        self.assertEqual(picking.carrier_id, self.carrier)
        picking.carrier_tracking_ref = "PARCEL-1"
        self._validate_picking(picking, {self.product: 1, self.product_2: 1})
        return order, picking, picking.backorder_ids

    def _page(self, order):
        self.authenticate(self.customer.login, self.customer.login)
        page = self.url_open(order.get_portal_url(suffix="/tracking"))
        self.assertEqual(page.status_code, 200)
        return page.text

    def _parcel_html(self, text, picking):
        marker = f'data-delivery="{picking.name}"'
        self.assertIn(marker, text, f"the parcel {picking.name} is shown")
        html = text.split(marker, 1)[1]
        return re.split(r"data-delivery=|o_wsot_lines_to_come|<h5>Invoices", html)[0]

    def _date(self, value):
        return format_date(self.env, value)

    def _local(self, value):
        return self.env["stock.picking"].with_user(self.customer)._to_local_date(value)

    def test_two_parcels_with_their_items_and_dates(self):
        order, shipped, backorder = self._two_parcels()
        text = self._page(order)
        first = self._parcel_html(text, shipped)
        second = self._parcel_html(text, backorder)
        self.assertIn("Tracked Teapot", first)
        self.assertIn("Tracked Cup", first)
        self.assertIn("Tracked Teapot", second)
        self.assertNotIn("Tracked Cup", second)
        self.assertIn(
            f"/web/image/product.product/{self.product_2.id}/image_128", first
        )
        # Shipped: its date plus the carrier's 3 transit days, and the carrier link.
        shipped_on = self._local(shipped.date_done) + timedelta(days=3)
        self.assertIn(self._date(shipped_on), first)
        self.assertIn("https://post.example.com/track?ref=PARCEL-1", first)
        # Still to come: its scheduled date plus the transit days, no link yet.
        coming = self._local(backorder.scheduled_date) + timedelta(days=3)
        self.assertIn(self._date(coming), second)
        self.assertIn("Still to come", second)
        self.assertNotIn("o_wsot_tracking_link", second)
        arrives_by = re.search(r"o_wsot_arrives_by.*?<strong[^>]*>([^<]+)<", text, re.S)
        self.assertEqual(
            arrives_by.group(1).strip(), self._date(max(shipped_on, coming))
        )

    def test_persian_parcels(self):
        lang = self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(
            ["website_sale_order_tracking"], ["fa_IR"], overwrite=True
        )
        self.website.language_ids |= lang
        order, _shipped, _backorder = self._two_parcels()
        self.authenticate(self.customer.login, self.customer.login)
        text = self.url_open(
            f"/{lang.url_code}{order.get_portal_url(suffix='/tracking')}"
        ).text
        block = re.search(r"o_wsot_arrives_by.*?</p>", text, re.S)
        self.assertTrue(block)
        for word in ("تحویل تا", "تحویل احتمالی", "ارسال در", "ارسال بعدی"):
            self.assertIn(word, text, block.group(0))

    def test_the_commitment_date_is_the_promise(self):
        order = self._paid_order()
        order.commitment_date = fields.Datetime.now() + timedelta(days=10)
        text = self._page(order)
        promised = self._date(self._local(order.commitment_date))
        self.assertIn(promised, self._parcel_html(text, order.picking_ids))
        self.assertEqual(order._get_arrives_by(), self._local(order.commitment_date))

    def test_late_delivery_shows_its_new_date(self):
        order = self._paid_order()
        picking = order.picking_ids
        picking.scheduled_date = fields.Datetime.now() - timedelta(days=5)
        html = self._parcel_html(self._page(order), picking)
        today = self._local(fields.Datetime.now())
        self.assertIn("Delayed", html)
        self.assertIn(self._date(today + timedelta(days=3)), html)
        self.assertIn(
            self._date(self._local(picking.scheduled_date) + timedelta(days=3)), html
        )

    def test_lines_in_no_delivery_are_still_to_come(self):
        order = self._paid_order(products={self.product: 1, self.product_2: 2})
        order.picking_ids.move_ids.filtered(
            lambda m: m.product_id == self.product_2
        )._action_cancel()
        text = self._page(order)
        to_come = re.search(r"o_wsot_lines_to_come.*?</ul>", text, re.S).group(0)
        self.assertIn("Tracked Cup", to_come)
        self.assertNotIn("Tracked Teapot", to_come)
        self.assertIn("2.00", to_come)

    def test_shipping_email_says_when_the_order_arrives(self):
        self.website.shipping_email_mode = "website"
        order, shipped, _backorder = self._two_parcels()
        message = self._messages(shipped, "is on its way")
        self.assertEqual(len(message), 1)
        self.assertIn("arrives by", message.body)
        self.assertIn(self._date(order._get_arrives_by()), message.body)

    def test_transit_days_are_checked(self):
        for days in (-1, 366):
            with self.subTest(days=days), self.assertRaises(ValidationError):
                self.carrier.transit_days = days

    # --- The late delivery email ---------------------------------------------------

    def _late_order(self, days_ago=5):
        order = self._paid_order()
        order.picking_ids.scheduled_date = fields.Datetime.now() - timedelta(
            days=days_ago
        )
        return order, order.picking_ids

    def _run_cron(self):
        self.env["stock.picking"]._cron_send_late_delivery_emails()

    def test_late_delivery_email_is_off_by_default(self):
        _order, picking = self._late_order()
        self._run_cron()
        self.assertFalse(self._messages(picking, LATE))
        self.assertFalse(picking.late_delivery_email_date)

    def test_late_delivery_email_goes_once_with_the_new_date(self):
        self.website.late_delivery_email_enabled = True
        order, picking = self._late_order()
        _on_time, on_time_picking = self._late_order(days_ago=1)  # 1 + 3 days
        _shipped, shipped_picking = self._late_order()
        self._validate_picking(shipped_picking)
        committed, committed_picking = self._late_order()
        committed.commitment_date = fields.Datetime.now() + timedelta(days=2)
        self._run_cron()
        message = self._messages(picking, LATE)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.customer.partner_id)
        new_date = fields.Date.today() + timedelta(days=3)
        self.assertEqual(picking.late_delivery_new_date, new_date)
        self.assertIn(format_date(self.env, new_date), message.body)
        self.assertIn(f"/my/orders/{order.id}/tracking?access_token=", message.body)
        for other in (on_time_picking, shipped_picking, committed_picking):
            self.assertFalse(self._messages(other, LATE), other.name)
        # Once a delivery, even when it is rescheduled and late again.
        picking.scheduled_date = fields.Datetime.now() - timedelta(days=9)
        self._run_cron()
        self.assertEqual(len(self._messages(picking, LATE)), 1)
        self.assertIn("email_sent", self._event_types(order))


@tagged("post_install", "-at_install")
class TestLateDeliveryWorkers(CronWorkersCase):
    """Two workers running the late delivery job at once mail each delivery once."""

    def _create_data(self, env):
        website = env["website"].create(
            {"name": "Late Worker Shop", "late_delivery_email_enabled": True}
        )
        product = {"name": "Late Worker Teapot", "type": "consu", "list_price": 5.0}
        orders = self._web_orders(
            env, ["Late One", "Late Two", "Late Three"], product, website
        )
        orders.action_confirm()
        orders.picking_ids.scheduled_date = fields.Datetime.now() - timedelta(days=4)
        return {
            **self._ids(orders, website=website),
            "pickings": orders.picking_ids.ids,
        }

    def _remove_data(self, env):
        pickings = tuple(self.ids["pickings"])
        for query in (
            "DELETE FROM mail_message WHERE model = 'stock.picking' AND res_id IN %s",
            "DELETE FROM website_sale_job_failure WHERE res_model = 'stock.picking' "
            "AND res_id IN %s",
            "DELETE FROM stock_move_line WHERE picking_id IN %s",
            "DELETE FROM stock_move WHERE picking_id IN %s",
            "DELETE FROM stock_picking WHERE id IN %s",
        ):
            env.cr.execute(query, [pickings])
        env.invalidate_all()
        return super()._remove_data(env)

    def test_two_workers_mail_each_late_delivery_once(self):
        errors = self._run_workers(
            lambda env: env["stock.picking"]._cron_send_late_delivery_emails(
                batch_size=1
            )
        )
        self.assertEqual(errors, [])
        mailed = self._in_own_cursor(
            lambda env: env["mail.message"]
            .search(
                [
                    ("model", "=", "stock.picking"),
                    ("res_id", "in", self.ids["pickings"]),
                    ("subject", "ilike", LATE),
                ]
            )
            .mapped("res_id")
        )
        self.assertEqual(sorted(mailed), sorted(self.ids["pickings"]))
        self.assertEqual(len(self.ids["pickings"]), 3)
