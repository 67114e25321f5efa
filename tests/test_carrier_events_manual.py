# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's events without a webhook: the warehouse's Mark as Delivered and
the import of a carrier's CSV file; and the same event sent twice at once."""

import base64
import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .carrier_common import CarrierEventsCommon, carrier_event
from .common import PNG, SALES_ALL, CronWorkersCase, create_staff

CSV_HEADER = "tracking_number,status,time,place,message,event_id\n"


@tagged("post_install", "-at_install")
class TestMarkAsDelivered(CarrierEventsCommon):
    def test_stock_user_marks_the_delivery_delivered(self):
        order = self._shipped_order()
        picking = order.picking_ids
        picking.with_user(self.stock_user).action_mark_carrier_delivered()
        self.assertEqual(picking.carrier_delivery_status, "delivered")
        self.assertEqual(picking.carrier_event_ids.source, "manual")
        self.assertIn(self.stock_user.name, picking.carrier_event_ids.message)
        self.assertEqual(order.tracking_stage, "delivered")
        event = order.tracking_event_ids.filtered(
            lambda e: e.event_type == "carrier_delivered"
        )
        self.assertEqual(event.user_id, self.stock_user)
        # A second click records nothing more.
        picking.with_user(self.stock_user).action_mark_carrier_delivered()
        self.assertEqual(len(picking.carrier_event_ids), 1)

    def test_others_cannot_mark_delivered(self):
        order = self._shipped_order()
        sales = create_staff(self.env, "wsot_mark_sales", SALES_ALL)
        for user in (sales, self.customer):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                order.picking_ids.with_user(user).action_mark_carrier_delivered()
        self.assertFalse(order.picking_ids.carrier_event_ids)

    def test_the_carrier_status_is_not_written_by_rpc(self):
        # Sales users may write deliveries (sale_stock): the status comes from
        # the events only, else a salesperson would mark parcels delivered.
        order = self._shipped_order()
        picking = order.picking_ids
        sales = create_staff(self.env, "wsot_status_sales", SALES_ALL)
        self.client.post([carrier_event("WSOT-TRK-1", "in_transit", "w1")])
        event = picking.carrier_last_event_id
        counts = self._counts()
        for user in (sales, self.stock_user):
            for vals in (
                {"carrier_delivery_status": "delivered"},
                {"carrier_last_event_id": False},
                {"carrier_event_ids": [(5, 0, 0)]},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(AccessError):
                        picking.with_user(user).write(vals)
        self.assertEqual(picking.carrier_delivery_status, "in_transit")
        self.assertEqual(picking.carrier_last_event_id, event)
        self.assertEqual(order.tracking_stage, "shipped")
        self.assertEqual(self._counts(), counts)

    def test_only_shipped_customer_deliveries(self):
        order = self._paid_order()
        picking = order.picking_ids
        picking.with_user(self.stock_user).action_mark_carrier_delivered()
        self.assertFalse(picking.carrier_event_ids, "not shipped yet")
        self.assertEqual(order.tracking_stage, "confirmed")


@tagged("post_install", "-at_install")
class TestCarrierEventImport(CarrierEventsCommon):
    def _import(self, content, user=None, carrier=None):
        if isinstance(content, str):
            content = content.encode()
        wizard = (
            self.env["delivery.carrier.event.import"]
            .with_user(user or self.stock_user)
            .create(
                {
                    "carrier_id": (carrier or self.carrier).id,
                    "file": base64.b64encode(content),
                    "file_name": "events.csv",
                }
            )
        )
        return wizard.action_import()

    def test_import_then_import_again(self):
        order = self._shipped_order(refs=("WSOT-TRK-1", "WSOT-TRK-2"))
        content = (
            CSV_HEADER
            + "WSOT-TRK-1,in_transit,2026-01-05T10:00:00+03:30,Tehran,,c1\n"
            + 'WSOT-TRK-1,delivered,2026-01-06T10:00:00Z,Tehran,"Left with the '
            + 'neighbour, door 2",c2\n'
            + "WSOT-TRK-2,delivered,2026-01-06T11:00:00Z,,,c3\n"
        )
        action = self._import(content)
        self.assertIn("3 events recorded", action["params"]["message"])
        self.assertEqual(order.tracking_stage, "delivered")
        events = order.picking_ids.carrier_event_ids
        self.assertEqual(set(events.mapped("source")), {"import"})
        self.assertIn("Left with the neighbour, door 2", events.mapped("message"))
        counts = self._counts()
        action = self._import(content)
        self.assertIn("0 events recorded, 3 already known", action["params"]["message"])
        self.assertEqual(self._counts(), counts)

    def test_deliveries_of_another_company_are_unknown(self):
        # A carrier shared by two companies: a warehouse user of the other
        # company cannot move this company's parcels with a file.
        order = self._shipped_order()
        self.carrier.sudo().company_id = False
        other = self.env["res.company"].create({"name": "Other Warehouse Company"})
        user = create_staff(self.env, "wsot_import_other_co", "stock.group_stock_user")
        user.write({"company_ids": [(6, 0, other.ids)], "company_id": other.id})
        counts = self._counts()
        content = CSV_HEADER + "WSOT-TRK-1,delivered,2026-01-06T10:00:00Z,,,co1\n"
        with self.assertRaisesRegex(UserError, "Unknown tracking numbers: WSOT-TRK-1"):
            self._import(content, user=user)
        self.assertEqual(self._counts(), counts)
        self.assertEqual(order.tracking_stage, "shipped")
        self._import(content)
        self.assertEqual(order.tracking_stage, "delivered")

    def test_bad_files_write_nothing(self):
        self._shipped_order()
        good = "WSOT-TRK-1,delivered,2026-01-06T10:00:00Z,,,b1\n"
        files = {
            "binary": PNG,
            "not UTF-8": CSV_HEADER.encode() + "WSOT-TRK-1,délivré".encode("latin-1"),
            "empty": b"",
            "wrong columns": "number,state,when\nWSOT-TRK-1,delivered,x\n",
            "unknown column": CSV_HEADER.strip() + ",price\n" + good.strip() + ",3\n",
            "missing cell": CSV_HEADER + "WSOT-TRK-1,delivered\n",
            "bad status": CSV_HEADER + good.replace("delivered", "lost"),
            "bad time": CSV_HEADER + good.replace("2026-01-06T10:00:00Z", "6/1/2026"),
            "unknown number": CSV_HEADER + good + good.replace("WSOT-TRK-1", "X9"),
            "too big": CSV_HEADER + good * (2 * 1024 * 1024 // len(good) + 1),
        }
        counts = self._counts()
        for name, content in files.items():
            with self.subTest(name), self.assertRaises(UserError) as caught:
                self._import(content)
            self.assertTrue(str(caught.exception))
            self.assertEqual(self._counts(), counts)

    def test_only_warehouse_users_import(self):
        self._shipped_order()
        sales = create_staff(self.env, "wsot_import_sales", SALES_ALL)
        with self.assertRaises(AccessError):
            self._import(CSV_HEADER, user=sales)


@tagged("post_install", "-at_install")
class TestSameEventAtOnce(CronWorkersCase):
    """The carrier sends the same event twice at once: two transactions record
    it, the second waits for the first and records nothing."""

    REMOVED = {"partners": "res.partner"}

    def _create_data(self, env):
        carrier = env["delivery.carrier"].create(
            {
                "name": "At Once Post",
                "product_id": env["product.product"]
                .create({"name": "At Once Shipping", "type": "service"})
                .id,
                "carrier_webhook_enabled": True,
            }
        )
        product = {"name": "At Once Parcel", "type": "consu"}
        orders = self._web_orders(env, ["Parcel Customer"], product)
        orders.carrier_id = carrier
        orders.action_confirm()
        picking = orders.picking_ids
        picking.carrier_tracking_ref = "WSOT-AT-ONCE"
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking.button_validate()
        return dict(
            self._ids(orders),
            carrier=carrier.id,
            pickings=picking.ids,
            products=(carrier.product_id | orders.order_line.product_id).ids,
        )

    def _remove_data(self, env):
        pickings = tuple(self.ids["pickings"])
        for query in (
            "DELETE FROM sale_order_tracking_event WHERE picking_id IN %s",
            "DELETE FROM stock_move_line WHERE picking_id IN %s",
            "DELETE FROM stock_move WHERE picking_id IN %s",
            "DELETE FROM stock_picking WHERE id IN %s",
            "DELETE FROM mail_message WHERE model = 'stock.picking' AND res_id IN %s",
        ):
            env.cr.execute(query, [pickings])
        env.cr.execute(
            "DELETE FROM stock_valuation_layer WHERE product_id IN %s",
            [tuple(self.ids["products"])],
        )
        env.invalidate_all()
        result = super()._remove_data(env)
        env["delivery.carrier"].browse(self.ids["carrier"]).unlink()
        env["product.product"].browse(self.ids["products"]).unlink()
        return result

    def _record(self, env):
        carrier = env["delivery.carrier"].browse(self.ids["carrier"])
        return (
            env["delivery.carrier.event"]
            .sudo()
            ._record_carrier_events(
                carrier, [carrier_event("WSOT-AT-ONCE", "delivered", "at-once-1")]
            )
        )

    def test_second_transaction_records_nothing(self):
        results = {}
        with self.env.registry.cursor() as first_cr:
            first = api.Environment(first_cr, SUPERUSER_ID, {})
            results["first"] = self._record(first)
            first.flush_all()

            def second():
                results["second"] = self._in_own_cursor(self._record)

            worker = threading.Thread(target=second)
            worker.start()
            # The second transaction waits on the unique index for the first.
            time.sleep(1.0)
            self.assertTrue(worker.is_alive())
            first_cr.commit()
        worker.join(timeout=60)
        self.assertEqual(results["first"]["recorded"], 1)
        self.assertEqual(
            results["second"], {"received": 1, "recorded": 0, "duplicates": 1}
        )
        counts = self._in_own_cursor(
            lambda env: (
                env["delivery.carrier.event"].search_count(
                    [("external_id", "=", "at-once-1")]
                ),
                env["sale.order.tracking.event"].search_count(
                    [
                        ("order_id", "in", self.ids["orders"]),
                        ("event_type", "=", "carrier_delivered"),
                    ]
                ),
                env["sale.order"].browse(self.ids["orders"]).tracking_stage,
            )
        )
        self.assertEqual(counts, (1, 1, "delivered"))
