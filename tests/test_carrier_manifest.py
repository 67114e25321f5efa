# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The hand-over manifest: the parcels one carrier takes at one time. Confirming
it validates the deliveries not yet done (Shipped) and records *Handed to
Carrier* on each order's timeline, once; its PDF has a place to sign."""

import io

from lxml import html as lxml_html

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import ShippingCommon, has_class

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
        orders = self._paid_web_order() | self._paid_web_order({self.product: 2})
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
        ship.carrier_tracking_ref = "TRK-DONE-1"
        self._validate_picking(ship.with_user(self.stock_user))
        self.assertEqual(order.tracking_stage, "shipped")
        manifest.action_add_ready_deliveries()
        self.assertEqual(manifest.picking_ids, ship, "done today, on no manifest")
        self.assertEqual(manifest.parcel_count, 2, "its two packages")
        manifest.action_confirm()
        event = self._handed_events(order)
        self.assertEqual(len(event), 1)
        self.assertEqual(event.carrier_tracking_ref, "TRK-DONE-1")
        self.assertEqual(order.tracking_stage, "shipped")

    def test_rules_of_a_manifest(self):
        order = self._paid_web_order()
        delivery = order.picking_ids
        other_carrier = self.carrier.copy(
            {"name": "Courier Without Manifest", "carrier_manifest_enabled": False}
        )
        other = self._paid_web_order().picking_ids
        other.carrier_id = other_carrier
        with self.assertRaisesRegex(UserError, "does not use hand-over manifests"):
            other.with_user(self.stock_user).action_create_carrier_manifest()
        manifest = self._hand_over(delivery)
        with self.assertRaises(ValidationError):
            manifest.picking_ids |= other
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
        delivery = self._paid_web_order().picking_ids
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
        orders = self._paid_web_order() | self._paid_web_order()
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
        orders = self._paid_web_order() | self._paid_web_order()
        manifest = self._hand_over(orders.picking_ids)
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
