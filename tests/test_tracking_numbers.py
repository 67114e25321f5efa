# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tracking numbers without typing: the carrier's number range (prefix, next
number, check digit, suffix), never the same number twice, also for two users at
once; the number scanned on the ship step, checked."""

import threading

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.website_sale_order_tracking.models import (
    delivery_carrier_tracking_number,
)

from .common import CronWorkersCase, ShippingCommon


@tagged("post_install", "-at_install")
class TestTrackingNumbers(ShippingCommon):
    def _use_range(self, carrier=None, **values):
        carrier = carrier or self.carrier
        carrier.write(
            {
                "tracking_number_range": True,
                "tracking_number_prefix": "RR",
                "tracking_number_suffix": "IR",
                "tracking_number_padding": 8,
                "tracking_number_check_digit": "s10",
                "tracking_number_next": 47312482,
                **values,
            }
        )
        return carrier

    def test_range_formats_the_numbers_of_national_posts(self):
        carrier = self._use_range()
        # UPU S10's own example: serial 47312482, check digit 9.
        self.assertEqual(carrier._take_tracking_number(), "RR473124829IR")
        self.assertEqual(carrier._take_tracking_number(), "RR473124832IR")
        self.assertEqual(carrier.tracking_number_next, 47312484)
        carrier.write(
            {
                "tracking_number_check_digit": "mod10",
                "tracking_number_prefix": False,
                "tracking_number_suffix": False,
                "tracking_number_padding": 12,
                "tracking_number_next": 99998888,
            }
        )
        self.assertEqual(carrier._take_tracking_number(), "0000999988884")
        # GS1's own example of a check digit: 629104150021 -> 3.
        self.assertEqual(
            delivery_carrier_tracking_number._check_digit("mod10", "629104150021"), "3"
        )
        carrier.write(
            {"tracking_number_check_digit": "none", "tracking_number_padding": 0}
        )
        self.assertEqual(carrier._take_tracking_number(), "99998889")

    def test_range_used_up(self):
        carrier = self._use_range(tracking_number_last=47312482)
        self.assertEqual(carrier._take_tracking_number(), "RR473124829IR")
        with self.assertRaisesRegex(UserError, "used up"):
            carrier._take_tracking_number()
        # The next range the carrier gave.
        carrier.write({"tracking_number_next": 50000000, "tracking_number_last": 0})
        self.assertTrue(carrier._take_tracking_number().startswith("RR50000000"))

    def test_printed_label_carries_the_number_and_keeps_it(self):
        self._use_range()
        delivery = self._paid_order().picking_ids
        self.assertFalse(delivery.carrier_tracking_ref)
        report = self.env["ir.actions.report"].with_user(self.stock_user)
        content = report._render_qweb_pdf(
            "website_sale_order_tracking.action_report_shipping_label", delivery.ids
        )[0]
        self.assertEqual(delivery.carrier_tracking_ref, "RR473124829IR")
        self.assertIn(b'alt="Barcode RR473124829IR"', content)
        # A reprint keeps the number; validating keeps it too.
        report._render_qweb_pdf(
            "website_sale_order_tracking.action_report_shipping_label", delivery.ids
        )
        self.assertEqual(delivery.carrier_tracking_ref, "RR473124829IR")
        self._validate_picking(delivery.with_user(self.stock_user))
        shipped = delivery.sale_id.tracking_event_ids.filtered(
            lambda e: e.event_type == "shipped"
        )
        self.assertEqual(shipped.carrier_tracking_ref, "RR473124829IR")

    def test_number_printed_at_the_pack_step_goes_with_the_delivery(self):
        self._use_range()
        order = self._three_step_order()
        pack = self._order_picking(order, self.warehouse.pack_type_id)
        self._put_in_packages(pack, [self.product, self.product_2], self.stock_user)
        labels = self._labels(self._render(pack))
        self.assertEqual(len(labels), 2)
        # A number a parcel, each on its label, both on the transfer (Odoo's
        # comma-separated list).
        numbers = ["RR473124829IR", "RR473124832IR"]
        self.assertEqual(pack.carrier_tracking_ref, ",".join(numbers))
        packages = pack.move_line_ids.result_package_id.sorted("id")
        self.assertEqual(packages.mapped("carrier_tracking_ref"), numbers)
        for label, number in zip(labels, numbers, strict=True):
            self._check_barcode(label, number)
        self._validate_picking(pack.with_user(self.stock_user))
        ship = self._order_picking(order, self.warehouse.out_type_id)
        self.assertEqual(ship.carrier_tracking_ref, ",".join(numbers), "taken over")
        labels = self._labels(self._render(ship))
        for label, number in zip(labels, numbers, strict=True):
            self._check_barcode(label, number)
        self._validate_picking(ship.with_user(self.stock_user))
        self.assertEqual(ship.carrier_tracking_ref, ",".join(numbers), "no new one")
        shipped = order.tracking_event_ids.filtered(lambda e: e.event_type == "shipped")
        self.assertEqual(shipped.carrier_tracking_ref, ",".join(numbers))
        self.assertEqual(self.carrier.tracking_number_next, 47312484)

    def test_validation_and_button_give_a_number(self):
        self._use_range()
        first = self._paid_order().picking_ids
        second = self._paid_order().picking_ids
        second.with_user(self.stock_user).action_take_tracking_number()
        self.assertEqual(second.carrier_tracking_ref, "RR473124829IR")
        second.with_user(self.stock_user).action_take_tracking_number()
        self.assertEqual(second.carrier_tracking_ref, "RR473124829IR", "kept")
        self._validate_picking(first.with_user(self.stock_user))
        self.assertEqual(first.carrier_tracking_ref, "RR473124832IR")
        with self.assertRaises(AccessError):
            first.with_user(self.salesman_1).action_take_tracking_number()

    def test_carrier_without_range_changes_nothing(self):
        delivery = self._paid_order().picking_ids
        self._validate_picking(delivery.with_user(self.stock_user))
        self.assertFalse(delivery.carrier_tracking_ref)

    def test_scan_on_the_ship_step(self):
        self._use_range()
        delivery = self._paid_order().picking_ids
        form = Form(delivery.with_user(self.stock_user))
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            form._barcode_scanned = "RR473124828IR"
        self.assertIn("check digit", logs.output[0])
        self.assertFalse(form.carrier_tracking_ref, "a misread is not taken")
        form._barcode_scanned = "RR473124829IR"
        self.assertEqual(form.carrier_tracking_ref, "RR473124829IR")
        form.save()
        self.assertEqual(delivery.carrier_tracking_ref, "RR473124829IR")
        # Without a check digit rule, any number the carrier prints is taken.
        self.carrier.tracking_number_range = False
        form = Form(delivery.with_user(self.stock_user))
        form._barcode_scanned = " 1Z999AA10123456784 "
        self.assertEqual(form.carrier_tracking_ref, "1Z999AA10123456784")

    def test_a_scanned_comma_is_not_two_numbers(self):
        delivery = self._paid_order().picking_ids
        form = Form(delivery.with_user(self.stock_user))
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            form._barcode_scanned = "TRK-A,TRK-B"
        self.assertIn("commas", logs.output[0])
        self.assertFalse(form.carrier_tracking_ref)
        form.save()
        self.assertFalse(delivery.carrier_tracking_ref)

    def test_scan_a_number_a_package(self):
        order = self._paid_order(products={self.product: 1, self.product_2: 1})
        delivery = order.picking_ids
        packages = self._put_in_packages(
            delivery, [self.product, self.product_2], self.stock_user
        )
        form = Form(delivery.with_user(self.stock_user))
        form._barcode_scanned = "TRK-A"
        form._barcode_scanned = "TRK-B"
        self.assertEqual(form.carrier_tracking_ref, "TRK-A,TRK-B")
        for scanned, message in (("TRK-A", "already scanned"), ("TRK-C", "2 parcels")):
            with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
                form._barcode_scanned = scanned
            self.assertIn(message, logs.output[0])
        self.assertEqual(form.carrier_tracking_ref, "TRK-A,TRK-B")
        form.save()
        self.assertEqual(packages.mapped("carrier_tracking_ref"), ["TRK-A", "TRK-B"])
        labels = self._labels(self._render(delivery))
        for label, number in zip(labels, ("TRK-A", "TRK-B"), strict=True):
            self._check_barcode(label, number)
        # A package emptied and packed again keeps the numbers where they are.
        self.assertEqual(
            delivery._get_parcel_tracking_refs(list(packages.sorted("id", True))),
            {packages[1]: "TRK-B", packages[0]: "TRK-A"},
        )

    def test_range_gives_each_package_its_number(self):
        self._use_range()
        order = self._paid_order(products={self.product: 1, self.product_2: 1})
        delivery = order.picking_ids
        packages = self._put_in_packages(
            delivery, [self.product, self.product_2], self.stock_user
        )
        delivery.with_user(self.stock_user).action_take_tracking_number()
        self.assertEqual(delivery.carrier_tracking_ref, "RR473124829IR,RR473124832IR")
        self.assertEqual(
            packages.mapped("carrier_tracking_ref"), ["RR473124829IR", "RR473124832IR"]
        )
        # A reused package with a number of an earlier delivery gets a new one.
        other = self._paid_order().picking_ids
        reused = self._put_in_packages(other, [self.product], self.stock_user)
        reused.carrier_tracking_ref = "RR000000000IR"
        self._validate_picking(other.with_user(self.stock_user))
        self.assertEqual(other.carrier_tracking_ref, "RR473124846IR")
        self.assertEqual(reused.carrier_tracking_ref, "RR473124846IR")

    def test_scan_only_on_deliveries_to_customers(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._paid_order()
        pick = self._order_picking(order, self.warehouse.pick_type_id)
        form = Form(pick.with_user(self.stock_user))
        # The pick's form does not listen to the scanner...
        with self.assertRaisesRegex(AssertionError, "invisible field"):
            form._barcode_scanned = "TRK-ON-PICK"
        # ... and the server takes no number for it either.
        self.assertIsNone(pick.with_user(self.stock_user).on_barcode_scanned("TRK-1"))
        self.assertFalse(pick.carrier_tracking_ref)

    def test_defaults_need_no_configuration(self):
        carrier = self.env["delivery.carrier"].create(
            {"name": "New Courier", "product_id": self.carrier.product_id.id}
        )
        self.assertEqual(carrier.shipping_label_format, "100x150")
        self.assertFalse(carrier.tracking_number_range)
        self.assertFalse(carrier.carrier_manifest_enabled)
        self.assertEqual(carrier.tracking_number_check_digit, "none")
        self.assertEqual(carrier.tracking_number_next, 1)
        self.assertIsNone(carrier._get_tracking_number_blocker("ANY-NUMBER-1"))


@tagged("post_install", "-at_install")
class TestTrackingNumbersTwoUsers(CronWorkersCase):
    """Two warehouse users taking numbers of the same range at the same time, each
    in a transaction of their own (committed data, removed afterwards)."""

    def setUp(self):
        super().setUp()
        self.carrier_id = self._in_own_cursor(self._create_carrier)
        self.addCleanup(self._in_own_cursor, self._remove_carrier)
        self.parcels = self._in_own_cursor(self._create_parcels)
        self.addCleanup(self._in_own_cursor, self._remove_parcels)

    def _create_parcels(self, env):
        """Three deliveries of the carrier, two packages each: one for each user,
        one both print at once."""
        out_type = env["stock.warehouse"].search([], limit=1).out_type_id
        pickings = env["stock.picking"].create(
            [
                {
                    "picking_type_id": out_type.id,
                    "carrier_id": self.carrier_id,
                    "location_id": out_type.default_location_src_id.id,
                    "location_dest_id": env.ref("stock.stock_location_customers").id,
                }
                for _index in range(3)
            ]
        )
        packages = env["stock.quant.package"].create([{} for _index in range(6)])
        return {
            picking.id: packages[2 * index : 2 * index + 2].ids
            for index, picking in enumerate(pickings)
        }

    def _remove_parcels(self, env):
        env["stock.picking"].browse(list(self.parcels)).unlink()
        env["stock.quant.package"].browse(
            [id_ for ids in self.parcels.values() for id_ in ids]
        ).unlink()

    def _number_parcels(self, picking_id):
        def number(env):
            picking = env["stock.picking"].browse(picking_id)
            packages = env["stock.quant.package"].browse(self.parcels[picking_id])
            picking._assign_range_tracking_numbers({picking_id: list(packages)})

        return number

    def _numbers(self, env):
        pickings = env["stock.picking"].browse(list(self.parcels))
        return {p.id: p._get_tracking_refs() for p in pickings}

    def test_two_users_numbering_packages_at_once(self):
        own_1, own_2, shared = list(self.parcels)
        barrier = threading.Barrier(2)

        def at_once(picking_ids):
            def work(env):
                barrier.wait(timeout=30)
                for picking_id in picking_ids:
                    self._number_parcels(picking_id)(env)

            return work

        errors = self._run_at_once([at_once([own_1, shared]), at_once([own_2, shared])])
        # The second to lock the shared delivery waited for the first, then failed
        # to serialize; Odoo retries its request, which finds the numbers.
        self.assertLessEqual(len(errors), 1, errors)
        if errors:
            self.assertIn("serialize", errors[0])
        # The retry (nothing more to number for the user who succeeded).
        for picking_id in (own_1, own_2, shared):
            self._in_own_cursor(self._number_parcels(picking_id))
        numbers = self._in_own_cursor(self._numbers)
        self.assertEqual([len(numbers[p]) for p in (own_1, own_2, shared)], [2, 2, 2])
        every = [n for refs in numbers.values() for n in refs]
        self.assertEqual(len(set(every)), 6, "a number a package, never twice")

    def _create_carrier(self, env):
        product = env["product.product"].create(
            {"name": "Range Worker Shipping", "type": "service"}
        )
        carrier = env["delivery.carrier"].create(
            {
                "name": "Range Worker Post",
                "product_id": product.id,
                "tracking_number_range": True,
                "tracking_number_prefix": "EE",
                "tracking_number_suffix": "IR",
                "tracking_number_check_digit": "s10",
                "tracking_number_next": 10000000,
            }
        )
        return carrier.id

    def _remove_carrier(self, env):
        carrier = env["delivery.carrier"].browse(self.carrier_id)
        sequence, product = carrier.tracking_sequence_id, carrier.product_id
        carrier.unlink()
        sequence.unlink()
        product.unlink()

    def test_two_users_at_once_never_get_the_same_number(self):
        taken = []
        barrier = threading.Barrier(2)

        def take(env):
            carrier = env["delivery.carrier"].browse(self.carrier_id)
            carrier._get_tracking_sequence()
            barrier.wait(timeout=30)
            numbers = [carrier._take_tracking_number() for _index in range(50)]
            taken.extend(numbers)

        errors = self._run_workers(take)
        self.assertFalse(errors)
        self.assertEqual(len(taken), 100)
        self.assertEqual(len(set(taken)), 100, "never the same number twice")

        # A number taken by a transaction that fails is skipped, never reused.
        def take_and_fail(env):
            number = env["delivery.carrier"].browse(self.carrier_id)
            taken.append(number._take_tracking_number())
            env.cr.rollback()

        self._in_own_cursor(take_and_fail)
        after = self._in_own_cursor(
            lambda env: env["delivery.carrier"]
            .browse(self.carrier_id)
            ._take_tracking_number()
        )
        self.assertNotIn(after, taken)
        self.assertEqual(
            sorted(int(number[2:10]) for number in [*taken, after]),
            list(range(10000000, 10000102)),
            "one number each, the failed one skipped",
        )
