# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The hand-over manifest: the parcels one carrier takes at one time. Confirming
it validates the deliveries not yet done (Shipped) and records *Handed to
Carrier* on each order's timeline, once; its PDF has a place to sign."""

import io
import threading

from lxml import html as lxml_html

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import CronWorkersCase, ShippingCommon, has_class

MANIFEST_REPORT = "website_sale_order_tracking.action_report_carrier_manifest"


class ManifestCommon(ShippingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier.carrier_manifest_enabled = True

    def _hand_over(self, deliveries):
        """The warehouse user selects the deliveries, Actions > Hand Over to
        Carrier: a draft manifest."""
        action = deliveries.with_user(self.stock_user).action_create_carrier_manifest()
        manifest = self.env["stock.carrier.manifest"].browse(action["res_id"])
        self.assertEqual(manifest.state, "draft")
        return manifest.with_user(self.stock_user)

    def _handed_events(self, orders):
        return orders.tracking_event_ids.filtered(
            lambda e: e.event_type == "handed_to_carrier"
        )


@tagged("post_install", "-at_install")
class TestCarrierManifest(ManifestCommon):
    def test_confirmed_twice_records_once_and_ships(self):
        orders = self._paid_order() | self._paid_order(products={self.product: 2})
        deliveries = orders.picking_ids
        self.assertEqual(set(deliveries.mapped("state")), {"assigned"})
        manifest = self._hand_over(deliveries)
        self.assertEqual(manifest.carrier_id, self.carrier)
        self.assertEqual(manifest.picking_ids, deliveries)
        self.assertEqual((manifest.delivery_count, manifest.parcel_count), (2, 2))
        self.assertAlmostEqual(manifest.total_weight, 3.6)
        self.assertTrue(manifest.name.startswith("MAN/"))

        manifest.action_confirm()
        self.assertEqual(manifest.state, "confirmed")
        self.assertEqual(set(deliveries.mapped("state")), {"done"})
        self.assertEqual(set(orders.mapped("tracking_stage")), {"shipped"})
        events = self._handed_events(orders)
        self.assertEqual(events.order_id, orders)
        self.assertEqual(len(events), 2, "one event an order")
        self.assertTrue(all(events.mapped("customer_visible")))
        self.assertEqual(events.carrier_id, self.carrier)
        self.assertEqual(set(events.mapped("description")), {manifest.name})
        self.assertEqual(events.user_id, self.stock_user)
        page = orders[0]._get_tracking_page_values()
        self.assertIn(
            events.filtered(lambda e: e.order_id == orders[0]), page["events"]
        )

        manifest.action_confirm()
        manifest.invalidate_recordset()
        self.assertEqual(len(self._handed_events(orders)), 2, "recorded once")

        # Confirmed: the list the driver signed stays as it was.
        with self.assertRaises(UserError):
            manifest.date = "2026-01-01 10:00:00"
        with self.assertRaises(UserError):
            deliveries[0].with_user(self.stock_user).carrier_manifest_id = False
        with self.assertRaises(UserError):
            manifest.unlink()

    def test_packed_delivery_already_done(self):
        order = self._three_step_order()
        pack = self._order_picking(order, self.warehouse.pack_type_id)
        self._put_in_packages(pack, [self.product, self.product_2], self.stock_user)
        manifest = (
            self.env["stock.carrier.manifest"]
            .with_user(self.stock_user)
            .create({"carrier_id": self.carrier.id})
        )
        # Not ready yet: the ship step waits for the pack step.
        manifest.action_add_ready_deliveries()
        self.assertFalse(manifest.picking_ids)
        self._validate_picking(pack.with_user(self.stock_user))
        ship = self._order_picking(order, self.warehouse.out_type_id)
        ship.carrier_tracking_ref = "TRK-DONE-1,TRK-DONE-2"
        self._validate_picking(ship.with_user(self.stock_user))
        self.assertEqual(order.tracking_stage, "shipped")
        manifest.action_add_ready_deliveries()
        self.assertEqual(manifest.picking_ids, ship, "done today, on no manifest")
        self.assertEqual(manifest.parcel_count, 2, "its two packages")
        # The manifest lists each parcel with its own number.
        content, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.stock_user)
            ._render_qweb_pdf(MANIFEST_REPORT, manifest.ids)
        )
        rows = lxml_html.fromstring(content).xpath(
            f"//table[{has_class('o_wsot_manifest_parcels')}]/tbody/tr"
        )
        self.assertEqual(
            [row.xpath("./td")[-1].text_content().strip() for row in rows],
            ["TRK-DONE-1", "TRK-DONE-2"],
        )
        manifest.action_confirm()
        event = self._handed_events(order)
        self.assertEqual(len(event), 1)
        self.assertEqual(event.carrier_tracking_ref, "TRK-DONE-1,TRK-DONE-2")
        self.assertEqual(order.tracking_stage, "shipped")

    def test_rules_of_a_manifest(self):
        order = self._paid_order()
        delivery = order.picking_ids
        other_carrier = self.carrier.copy(
            {"name": "Courier Without Manifest", "carrier_manifest_enabled": False}
        )
        other = self._paid_order().picking_ids
        other.carrier_id = other_carrier
        with self.assertRaisesRegex(UserError, "does not use hand-over manifests"):
            other.with_user(self.stock_user).action_create_carrier_manifest()
        manifest = self._hand_over(delivery)
        with self.assertRaises(ValidationError):
            manifest.picking_ids |= other
        # Another carrier takes a delivery: it leaves the draft manifest.
        second = self._paid_order().picking_ids
        manifest.picking_ids |= second
        second.carrier_id = other_carrier
        self.assertEqual(manifest.picking_ids, delivery)
        with self.assertRaisesRegex(UserError, "confirmed with its button"):
            manifest.state = "confirmed"
        # A delivery no longer ready blocks the confirmation.
        delivery.do_unreserve()
        with self.assertRaisesRegex(UserError, "not ready"):
            manifest.action_confirm()
        self.assertEqual(manifest.state, "draft")
        self.assertFalse(self._handed_events(order))
        empty = (
            self.env["stock.carrier.manifest"]
            .with_user(self.stock_user)
            .create({"carrier_id": self.carrier.id})
        )
        with self.assertRaisesRegex(UserError, "Add the deliveries"):
            empty.action_confirm()

    def test_only_warehouse_users_hand_over(self):
        delivery = self._paid_order().picking_ids
        manifest = self._hand_over(delivery)
        for user in (self.salesman_1, self.customer):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    manifest.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self.env["stock.carrier.manifest"].with_user(user).create(
                        {"carrier_id": self.carrier.id}
                    )
                with self.assertRaises(AccessError):
                    manifest.with_user(user).action_confirm()
                with self.assertRaises(AccessError):
                    delivery.with_user(user).action_create_carrier_manifest()
        self.assertEqual(manifest.state, "draft")
        manifest.action_confirm()
        self.assertEqual(manifest.state, "confirmed")

    def test_manifest_report_lists_parcels_and_a_place_to_sign(self):
        orders = self._paid_order() | self._paid_order()
        manifest = self._hand_over(orders.picking_ids)
        report = self.env["ir.actions.report"].with_user(self.stock_user)
        content, kind = report._render_qweb_pdf(MANIFEST_REPORT, manifest.ids)
        self.assertEqual(kind, "html")
        root = lxml_html.fromstring(content)
        rows = root.xpath(f"//table[{has_class('o_wsot_manifest_parcels')}]/tbody/tr")
        self.assertEqual(len(rows), 2)
        text = " ".join(root.text_content().split())
        for delivery in orders.picking_ids:
            self.assertIn(delivery.name, text)
        self.assertIn("Total: 2 deliveries", text)
        self.assertIn("Received by (carrier)", text)
        self.assertEqual(
            len(root.xpath(f"//div[{has_class('o_wsot_manifest_signatures')}]")), 1
        )
        with self.assertRaises(AccessError):
            report.with_user(self.salesman_1)._render_qweb_pdf(
                MANIFEST_REPORT, manifest.ids
            )


@tagged("post_install", "-at_install")
class TestCarrierManifestPdf(ManifestCommon):
    def test_manifest_pdf(self):
        orders = self._paid_order() | self._paid_order()
        manifest = self._hand_over(orders.picking_ids)
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            # No wkhtmltopdf here: the HTML the PDF is made of.
            content, kind = (
                self.env["ir.actions.report"]
                .with_user(self.stock_user)
                ._render_qweb_pdf(MANIFEST_REPORT, manifest.ids)
            )
            self.assertEqual(kind, "html")
            self.assertIn(manifest.name, lxml_html.fromstring(content).text_content())
            return
        self._pdf_without_server()
        content, kind = (
            self.env["ir.actions.report"]
            .with_user(self.stock_user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(MANIFEST_REPORT, manifest.ids)
        )
        self.assertEqual(kind, "pdf")
        pdf = PdfFileReader(io.BytesIO(content))
        self.assertEqual(len(pdf.pages), 1)
        text = pdf.pages[0].extract_text()
        self.assertIn(manifest.name, text)
        for delivery in orders.picking_ids:
            self.assertIn(delivery.name, text)


@tagged("post_install", "-at_install")
class TestCarrierManifestTwoUsers(CronWorkersCase):
    """Two warehouse users confirming the same manifest at the same time, each in
    a transaction of their own (committed data, removed afterwards)."""

    def setUp(self):
        super().setUp()
        self.ids = self._in_own_cursor(self._create_manifest)
        self.addCleanup(self._in_own_cursor, self._remove_manifest)

    def _create_manifest(self, env):
        product = env["product.product"].create(
            {"name": "Manifest Worker Mug", "type": "consu", "list_price": 5.0}
        )
        carrier = env["delivery.carrier"].create(
            {
                "name": "Manifest Worker Post",
                "product_id": env["product.product"]
                .create({"name": "Manifest Worker Shipping", "type": "service"})
                .id,
                "carrier_manifest_enabled": True,
            }
        )
        partner = env["res.partner"].create({"name": "Manifest Worker Customer"})
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "website_id": env["website"].search([], limit=1).id,
                "carrier_id": carrier.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        users = env["res.users"].create(
            [
                {
                    "name": f"Manifest Worker {index}",
                    "login": f"wsot_manifest_worker_{index}",
                    "groups_id": [Command.set([env.ref("stock.group_stock_user").id])],
                }
                for index in (1, 2)
            ]
        )
        manifest = env["stock.carrier.manifest"].create(
            {
                "carrier_id": carrier.id,
                "picking_ids": [Command.set(order.picking_ids.ids)],
            }
        )
        return {
            "manifest": manifest.id,
            "order": order.id,
            "pickings": order.picking_ids.ids,
            "carrier": carrier.id,
            "products": (product | carrier.product_id).ids,
            "partner": partner.id,
            "users": users.ids,
        }

    def _remove_manifest(self, env):
        ids = self.ids
        for query, values in (
            ("DELETE FROM sale_order_tracking_event WHERE order_id = %s", ids["order"]),
            ("DELETE FROM stock_carrier_manifest WHERE id = %s", ids["manifest"]),
            (
                "DELETE FROM stock_move_line WHERE picking_id IN %s",
                tuple(ids["pickings"]),
            ),
            ("DELETE FROM stock_move WHERE picking_id IN %s", tuple(ids["pickings"])),
            ("DELETE FROM stock_picking WHERE id IN %s", tuple(ids["pickings"])),
            (
                "DELETE FROM mail_message WHERE model = 'sale.order' AND res_id = %s",
                ids["order"],
            ),
            (
                "DELETE FROM mail_message WHERE model = 'stock.picking' "
                "AND res_id IN %s",
                tuple(ids["pickings"]),
            ),
            (
                "DELETE FROM mail_message WHERE model = 'stock.carrier.manifest' "
                "AND res_id = %s",
                ids["manifest"],
            ),
        ):
            env.cr.execute(query, [values])
        env.cr.execute(
            "DELETE FROM stock_valuation_layer WHERE product_id IN %s",
            [tuple(ids["products"])],
        )
        env.invalidate_all()
        order = env["sale.order"].browse(ids["order"])
        order._action_cancel()
        order.unlink()
        env["res.users"].browse(ids["users"]).unlink()
        env["delivery.carrier"].browse(ids["carrier"]).unlink()
        env["product.product"].browse(ids["products"]).unlink()
        env["res.partner"].browse(ids["partner"]).unlink()

    def _confirm_as(self, index):
        def confirm(env):
            manifest = env["stock.carrier.manifest"].browse(self.ids["manifest"])
            manifest.with_user(self.ids["users"][index]).action_confirm()

        return confirm

    def _handed_over(self, env):
        order = env["sale.order"].browse(self.ids["order"])
        events = order.tracking_event_ids.filtered(
            lambda e: e.event_type == "handed_to_carrier"
        )
        return len(events), order.tracking_stage, order.picking_ids.state

    def test_two_users_confirm_at_once_records_once(self):
        errors = []
        barrier = threading.Barrier(2)

        def work(index):
            try:
                with self.env.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    barrier.wait(timeout=30)
                    self._confirm_as(index)(env)
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(repr(error))

        workers = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        # The second waited for the first, then failed to serialize; Odoo retries
        # its request, which finds the manifest confirmed and records nothing.
        self.assertLessEqual(len(errors), 1, errors)
        if errors:
            self.assertIn("serialize", errors[0])
        self._in_own_cursor(self._confirm_as(1))
        self.assertEqual(self._in_own_cursor(self._handed_over), (1, "shipped", "done"))
