# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The after-sale reports and dashboard on a known timeline: the orders go
through the real flows (checkout, payment, transfers, returns, refunds), then
the dates of their events are set, so that medians and percentiles are known."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SALES_MANAGER, WebOrderTrackingCommon, create_staff
from .test_refunds import RefundCommon

DASHBOARD = "website.sale.after.sale.dashboard"
LEAD = "website.sale.lead.time.report"


class AfterSaleCommon(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = create_staff(cls.env, "wsot_after_sale_manager", SALES_MANAGER)
        # A fixed start, two weeks ago, on the hour.
        cls.t0 = fields.Datetime.now().replace(minute=0, second=0) - timedelta(days=14)

    def _order(self, user=None, products=None, **values):
        order = self._paid_order(products=products, website=self.website_2)
        order.write({"user_id": (user or self.salesman_1).id, **values})
        return order

    def _set_timeline(self, order, checkout, **hours):
        """Checkout of ``order`` at ``checkout``, its events of each type
        ``hours[type]`` hours later."""
        order.checkout_date = checkout
        for event_type, delay in hours.items():
            events = order.tracking_event_ids.filtered(
                lambda e, t=event_type: e.event_type == t
            )
            self.assertTrue(events, f"{order.name} has a {event_type} event")
            events.sudo().write({"date": checkout + timedelta(hours=delay)})

    def _dashboard(self, user=None, **kwargs):
        return (
            self.env[DASHBOARD]
            .with_user(user or self.manager)
            .get_dashboard_data(website_id=self.website_2.id, **kwargs)
        )


@tagged("post_install", "-at_install")
class TestAfterSaleLeadTimes(AfterSaleCommon):
    def _shipped_orders(self):
        hours = [(1, 2, 24), (2, 4, 48), (10, 20, 120)]
        users = [self.salesman_1, self.salesman_1, self.salesman_2]
        orders = self.env["sale.order"]
        for (paid, confirmed, shipped), user in zip(hours, users, strict=True):
            order = self._order(user)
            self._validate_picking(order.picking_ids)
            self._set_timeline(
                order,
                self.t0,
                payment_received=paid,
                confirmed=confirmed,
                shipped=shipped,
            )
            orders |= order
        return orders

    def test_medians_and_90th_percentiles_of_each_step(self):
        self._shipped_orders()
        steps = {s["step"]: s for s in self._dashboard()["lead_times"]}
        # percentile_cont over 3 values: the median is the middle one, the
        # 90th percentile 80% of the way from the second to the third.
        expected = {
            "payment_hours": (2.0, 2.0 + 0.8 * 8, 3),
            "confirmation_hours": (4.0, 4.0 + 0.8 * 16, 3),
            "ship_hours": (48.0, 48.0 + 0.8 * 72, 3),
            "delivery_hours": (48.0, 48.0 + 0.8 * 72, 3),
            "pick_hours": (None, None, 0),
            "pack_hours": (None, None, 0),
        }
        for step, (median, p90, count) in expected.items():
            self.assertAlmostEqual(steps[step]["median"], median, msg=step)
            self.assertAlmostEqual(steps[step]["p90"], p90, msg=step)
            self.assertEqual(steps[step]["count"], count, msg=step)
        # The pivot's average of the same measure.
        [(average,)] = self.env[LEAD]._read_group(
            [("website_id", "=", self.website_2.id)], [], ["payment_hours:avg"]
        )
        self.assertAlmostEqual(average, 13 / 3)

    def test_trend_by_week(self):
        orders = self._shipped_orders()
        # The third order checked out a week later: a week of its own.
        later = self.t0 + timedelta(days=7)
        self._set_timeline(orders[2], later, payment_received=10, shipped=120)
        weeks = self._dashboard()["weeks"]
        self.assertEqual(len(weeks), 2)
        self.assertEqual([w["count"] for w in weeks], [2, 1])
        self.assertAlmostEqual(weeks[0]["medians"]["delivery_hours"], 36.0)
        self.assertAlmostEqual(weeks[1]["medians"]["delivery_hours"], 120.0)
        self.assertLess(weeks[0]["week"], weeks[1]["week"])

    def test_pick_pack_and_ship_of_a_three_step_delivery(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self._order()
        for picking_type in (
            self.warehouse.pick_type_id,
            self.warehouse.pack_type_id,
            self.warehouse.out_type_id,
        ):
            self._validate_picking(self._order_picking(order, picking_type))
        self.assertEqual(order.tracking_stage, "shipped")
        pick, pack = order.tracking_event_ids.filtered(
            lambda e: e.event_type == "delivery_step"
        ).sorted("id")
        self._set_timeline(order, self.t0, payment_received=1, shipped=30)
        pick.sudo().date = self.t0 + timedelta(hours=5)
        pack.sudo().date = self.t0 + timedelta(hours=6)
        row = self.env[LEAD].search([("order_id", "=", order.id)])
        self.assertAlmostEqual(row.pick_hours, 5.0)
        self.assertAlmostEqual(row.pack_hours, 6.0)
        self.assertAlmostEqual(row.ship_hours, 30.0)
        self.assertAlmostEqual(row.delivery_hours, 30.0)

    def test_delivered_only_once_every_delivery_is_done(self):
        order = self._order(products={self.product: 2})
        self._validate_picking(order.picking_ids, {self.product: 1})
        row = self.env[LEAD].search([("order_id", "=", order.id)])
        self.assertTrue(row.ship_hours is not False and row.ship_hours >= 0)
        self.assertFalse(row.delivery_date, "a backorder is still to ship")
        backorder = order.picking_ids.filtered(lambda p: p.state != "done")
        self._validate_picking(backorder)
        row.invalidate_recordset()
        self.assertEqual(
            row.delivery_date,
            order.tracking_event_ids.filtered(lambda e: e.picking_id == backorder).date,
        )

    def test_on_time_shipping_against_the_promised_date(self):
        now = fields.Datetime.now()
        on_time = self._order(commitment_date=now + timedelta(days=2))
        shipped_late = self._order(commitment_date=now - timedelta(days=1))
        due_unshipped = self._order(commitment_date=now - timedelta(days=1))
        self._order(commitment_date=now + timedelta(days=3))  # not due yet
        # No commitment date: the delivery's scheduled date is the promise.
        by_schedule = self._order()
        by_schedule.picking_ids.scheduled_date = now + timedelta(days=1)
        for order in on_time | shipped_late | by_schedule:
            self._validate_picking(order.picking_ids)
        self.assertTrue(due_unshipped.picking_ids.filtered(lambda p: p.state != "done"))
        self.assertEqual(
            self._dashboard()["on_time"], {"on_time": 2, "late": 2, "rate": 50.0}
        )
        rows = self.env[LEAD].search([("website_id", "=", self.website_2.id)])
        late = rows.filtered(lambda r: r.late_count).order_id
        self.assertEqual(late, shipped_late | due_unshipped)
        [(rate,)] = self.env[LEAD]._read_group(
            [("website_id", "=", self.website_2.id)], [], ["on_time_rate:avg"]
        )
        self.assertAlmostEqual(rate, 50.0)

    def test_a_salesperson_reads_the_figures_of_their_own_orders(self):
        self._shipped_orders()
        steps = {s["step"]: s for s in self._dashboard(self.salesman_1)["lead_times"]}
        self.assertEqual(steps["payment_hours"]["count"], 2)
        self.assertAlmostEqual(steps["payment_hours"]["median"], 1.5)
        rows = self.env[LEAD].with_user(self.salesman_1).search([])
        self.assertEqual(rows.user_id, self.salesman_1)
        self.assertFalse(
            self._dashboard(self.salesman_1)["cart_reminders"],
            "the abandoned-cart report is the managers'",
        )
        self.assertIsInstance(self._dashboard()["cart_reminders"], dict)
        for model in (LEAD, "website.sale.return.report", "website.sale.unpaid.report"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.stock_user).search([])
        with self.assertRaises(AccessError):
            self._dashboard(self.stock_user)

    def test_bad_period_falls_back_to_the_default(self):
        self._shipped_orders()
        for period in (-5, 0, 10**9, "30; DROP TABLE x", None):
            data = self._dashboard(period_days=period)
            self.assertEqual(data["period_days"], 90)
            self.assertEqual(data["lead_times"][0]["count"], 3)
        self.assertEqual(self._dashboard(period_days=7)["lead_times"][0]["count"], 0)
        # A website that is no id reads all websites, not an error.
        data = (
            self.env[DASHBOARD]
            .with_user(self.manager)
            .get_dashboard_data(website_id="1 OR 1=1")
        )
        self.assertFalse(data["website_id"])
        self.assertEqual(data["lead_times"][0]["count"], 3)


@tagged("post_install", "-at_install")
class TestAfterSaleUnpaid(AfterSaleCommon):
    def test_unpaid_offline_orders_by_age(self):
        orders = {
            days: self._waiting_order(website=self.website_2, days_ago=days)
            for days in (1, 5, 10, 20, 30)
        }
        self._paid_order(website=self.website_2)  # paid: not in the list
        buckets = {b["bucket"]: b for b in self._dashboard()["unpaid"]}
        self.assertEqual(
            [b["bucket"] for b in self._dashboard()["unpaid"]],
            ["0_2", "3_7", "8_14", "15"],
        )
        expected = {"0_2": [1], "3_7": [5], "8_14": [10], "15": [20, 30]}
        for bucket, days in expected.items():
            self.assertEqual(buckets[bucket]["count"], len(days))
            self.assertAlmostEqual(
                buckets[bucket]["amount"],
                sum(orders[d].amount_total for d in days),
            )


@tagged("post_install", "-at_install")
class TestAfterSaleReturns(AfterSaleCommon, RefundCommon):
    def test_return_rates_refund_lead_time_and_refunded_amount(self):
        self.website_2.write({"return_enabled": True, "return_window_days": 30})
        cups = self.env["product.category"].create({"name": "Cups"})
        self.product_2.categ_id = cups
        wrong_item = self.env.ref(
            "website_sale_order_tracking.return_reason_wrong_item"
        )
        orders = self.env["sale.order"]
        for __ in range(4):
            order = self._order(products={self.product: 1, self.product_2: 1})
            self._validate_picking(order.picking_ids)
            orders |= order

        def line(order, product):
            return order.order_line.filtered(lambda sol: sol.product_id == product)

        refunded = self._request(orders[0], {line(orders[0], self.product): 1})
        refunded.action_approve()
        self._validate_picking(refunded.picking_ids)
        self._wizard(orders[0], return_request=refunded).action_refund()
        self.assertEqual(refunded.state, "refunded")
        asked = self._request(orders[1], {line(orders[1], self.product_2): 1})
        asked.line_ids.reason_id = wrong_item
        rejected = self._request(orders[2], {line(orders[2], self.product_2): 1})
        rejected._reject("Outside the return window")
        # The refund came 30 hours after the request.
        refunded.sudo().request_date = self.t0
        orders[0].tracking_event_ids.filtered(
            lambda e: e.event_type == "refunded"
        ).sudo().date = self.t0 + timedelta(hours=30)

        returns = self._dashboard()["returns"]
        self.assertEqual((returns["delivered"], returns["returned"]), (8.0, 2.0))
        self.assertAlmostEqual(returns["rate"], 25.0)
        self.assertAlmostEqual(returns["refunded_amount"], 100.0)
        self.assertEqual(returns["refund_count"], 1)
        self.assertAlmostEqual(returns["refund_median_hours"], 30.0)
        self.assertAlmostEqual(returns["refund_p90_hours"], 30.0)
        self.assertEqual(
            {(r["name"], r["returned"], r["rate"]) for r in returns["by_product"]},
            {
                (self.product.display_name, 1.0, 25.0),
                (self.product_2.display_name, 1.0, 25.0),
            },
        )
        self.assertIn(
            (cups.display_name, 1.0, 25.0),
            {(r["name"], r["returned"], r["rate"]) for r in returns["by_category"]},
        )
        self.assertEqual(
            {(r["name"], r["returned"], r["rate"]) for r in returns["by_reason"]},
            {
                (self.reason.display_name, 1.0, 12.5),
                (wrong_item.display_name, 1.0, 12.5),
            },
        )
        # The pivot by product sets the returned quantity against the delivered.
        groups = self.env["website.sale.return.report"]._read_group(
            [("website_id", "=", self.website_2.id)],
            ["product_id"],
            ["delivered_qty:sum", "returned_qty:sum", "refunded_amount:sum"],
        )
        self.assertEqual(
            set(groups),
            {(self.product, 4.0, 1.0, 100.0), (self.product_2, 4.0, 1.0, 0.0)},
        )

    def test_a_salesperson_reads_the_returns_of_their_own_orders(self):
        self.website_2.write({"return_enabled": True, "return_window_days": 30})
        own = self._order(self.salesman_1, products={self.product: 2})
        other = self._order(
            self.salesman_2, products={self.product: 1, self.product_2: 1}
        )
        for order in own | other:
            self._validate_picking(order.picking_ids)
        returned_line = other.order_line.filtered(
            lambda sol: sol.product_id == self.product_2
        )
        self._request(other, {returned_line: 1})
        returns = self._dashboard(self.salesman_1)["returns"]
        self.assertEqual((returns["delivered"], returns["returned"]), (2.0, 0.0))
        self.assertEqual(
            (returns["by_product"], returns["by_category"], returns["by_reason"]),
            ([], [], []),
        )
        self.assertEqual(returns["refund_count"], 0)
        returns = self._dashboard()["returns"]
        self.assertEqual((returns["delivered"], returns["returned"]), (4.0, 1.0))
        self.assertEqual(
            [(r["name"], r["returned"], r["rate"]) for r in returns["by_product"]],
            [(self.product_2.display_name, 1.0, 100.0)],
        )
        self.assertEqual(
            [(r["name"], r["returned"]) for r in returns["by_reason"]],
            [(self.reason.display_name, 1.0)],
        )
