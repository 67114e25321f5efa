# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shipping labels: one a parcel, from the pack step and the delivery, with the
sender, the recipient, the parcel's n/N, its barcode and the amount to collect;
printed in bulk in one report call, recorded on the delivery; right to left on a
Persian website; as a PDF on the carrier's paper."""

import io
import time
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from .common import LABEL_REPORT as REPORT
from .common import ShippingCommon, has_class


class LabelChecks(ShippingCommon):
    def _check_one_label_a_page(self, labels):
        """The labels are one document, each a page: a page break before each
        but the first (so no blank page after the last), none empty."""
        document = labels[0].getparent()
        self.assertIn("article", document.get("class").split())
        self.assertEqual(
            document.xpath(f"./div[{has_class('o_wsot_shipping_label')}]"), labels
        )
        self.assertEqual(
            len(document.getroottree().xpath(f"//div[{has_class('article')}]")), 1
        )
        style = " ".join(document.xpath("./style/text()"))
        self.assertIn(
            ".o_wsot_shipping_label + .o_wsot_shipping_label "
            "{ page-break-before: always; }",
            style,
        )
        self.assertNotIn("page-break-after", style)
        for label in labels:
            self.assertEqual(len(label.xpath(f"./div[{has_class('o_wsot_label')}]")), 1)
            self.assertTrue(label.text_content().strip())


@tagged("post_install", "-at_install")
class TestShippingLabels(LabelChecks):
    def test_three_steps_two_packages_two_labels(self):
        order = self._three_step_order()
        pack = self._order_picking(order, self.warehouse.pack_type_id)
        packages = self._put_in_packages(
            pack, [self.product, self.product_2], self.stock_user
        )
        self.assertEqual(len(packages), 2)
        # The pack step prints the labels of its parcels. Odoo 18 makes the ship
        # step only when the pack step is done: until then the labels name the
        # pack transfer, and the print is recorded on it.
        self.assertFalse(self._order_picking(order, self.warehouse.out_type_id))
        action = pack.with_user(self.stock_user).action_print_shipping_labels()
        self.assertEqual(action["report_name"], self.env.ref(REPORT).report_name)
        labels = self._labels(self._render(pack))
        self.assertEqual(len(labels), 2, "one label a package")
        self._check_one_label_a_page(labels)
        self.assertEqual(
            [self._text(label, "o_wsot_label_parcel") for label in labels],
            ["1/2", "2/2"],
        )
        for label, weight in zip(labels, ("1.20", "0.30"), strict=True):
            self._check_label(label, order, pack, weight)
            self._check_barcode(label, pack.name)
        self.assertEqual(pack.shipping_label_print_count, 1)

        # The pack step done, the delivery takes the packages and the print over.
        self._validate_picking(pack.with_user(self.stock_user))
        ship = self._order_picking(order, self.warehouse.out_type_id)
        self.assertEqual(ship.state, "assigned")
        self.assertEqual(ship.move_line_ids.result_package_id, packages)
        self.assertEqual(ship.shipping_label_print_count, 1)
        self.assertEqual(ship.shipping_label_print_date, pack.shipping_label_print_date)
        # The ship step reprints them, now with a tracking number a parcel.
        ship.with_user(self.stock_user).carrier_tracking_ref = "TRK0001,TRK0002"
        self.assertEqual(
            packages.mapped("carrier_tracking_ref"), ["TRK0001", "TRK0002"]
        )
        labels = self._labels(self._render(ship))
        self.assertEqual(len(labels), 2)
        for label, weight, number in zip(
            labels, ("1.20", "0.30"), ("TRK0001", "TRK0002"), strict=True
        ):
            self._check_label(label, order, ship, weight)
            self._check_barcode(label, number)
        self.assertEqual(ship.shipping_label_print_count, 2, "the reprint counts")
        prints = ship.shipping_label_print_ids.sorted("id")
        self.assertEqual(prints.picking_id, pack | ship)
        self.assertEqual(prints.mapped("print_number"), [1, 1, 2, 2])
        self.assertEqual(prints.mapped("reprint"), [False, False, True, True])
        self.assertEqual(prints.mapped("package_id"), packages)
        self.assertEqual(
            prints.mapped("tracking_ref"), [False, False, "TRK0001", "TRK0002"]
        )
        self.assertEqual(prints.user_id, self.stock_user)
        self.assertEqual(pack.shipping_label_print_count, 1, "printed there once")
        # The pick step is not the last before shipping: no labels.
        pick = self._order_picking(order, self.warehouse.pick_type_id)
        self.assertFalse(pick.shipping_label_available)

    def _check_label(self, label, order, delivery, weight):
        self.assertEqual(label.get("data-oe-model"), "stock.picking")
        self.assertEqual(label.get("data-oe-lang"), "en_US")
        self.assertEqual(label.xpath(".//div[@dir]")[0].get("dir"), "ltr")
        sender = self._text(label, "o_wsot_label_from")
        self.assertIn(self.company.name, sender)
        self.assertIn("Warehouse Road 5", sender)
        self.assertIn("Karaj", sender)
        recipient = self._text(label, "o_wsot_label_to")
        self.assertIn("Customer One", recipient)
        self.assertIn("Valiasr St 1", recipient)
        self.assertIn("Tehran", recipient)
        self.assertIn("1234567890", recipient)
        self.assertIn("+98 21 1234 5678", recipient)
        text = " ".join(label.text_content().split())
        self.assertIn(order.name, text)
        self.assertIn(delivery.name, text)
        self.assertIn(f"Weight {weight} kg", text)
        self.assertIn("Carrier Tracked Post", text)
        self.assertNotIn("Amount to Collect", text, "paid online")

    def test_delivery_without_packages_is_one_parcel(self):
        order = self._paid_order(products={self.product: 2})
        delivery = order.picking_ids
        delivery.action_assign()
        labels = self._labels(self._render(delivery))
        self.assertEqual(len(labels), 1)
        self.assertEqual(self._text(labels[0], "o_wsot_label_parcel"), "1/1")
        self.assertIn("Weight 2.40 kg", " ".join(labels[0].text_content().split()))
        self._check_barcode(labels[0], delivery.name)

    def test_service_and_label_size_of_the_carrier(self):
        self.carrier.write(
            {"shipping_label_service": "Express 24h", "shipping_label_format": "a6"}
        )
        delivery = self._paid_order().picking_ids
        text = " ".join(self._labels(self._render(delivery))[0].text_content().split())
        self.assertIn("Service Express 24h", text)
        self.assertEqual(
            self.carrier._get_shipping_label_paperformat(),
            self.env.ref("website_sale_order_tracking.paperformat_shipping_label_a6"),
        )
        self.assertEqual(
            self.env["delivery.carrier"]._get_shipping_label_paperformat(),
            self.env.ref(
                "website_sale_order_tracking.paperformat_shipping_label_100x150"
            ),
            "100 x 150 mm without configuration",
        )

    def test_amount_to_collect_when_paid_on_delivery(self):
        cod = self.env["payment.provider"].create(
            {
                "name": "Cash on Delivery",
                "code": "custom",
                "custom_mode": "wire_transfer",
                "state": "enabled",
                "is_published": True,
                "collect_on_delivery": True,
                "payment_method_ids": [Command.set(self.method_transfer.ids)],
            }
        )
        order = self._make_cart(self.customer, {self.product: 1})
        tx = self._checkout(order, cod, self.method_transfer)
        tx._handle_notification_data("custom", {"reference": tx.reference})
        tx._post_process()
        self.assertEqual(order.tracking_stage, "to_confirm")
        # The shop confirms it to ship it; the carrier collects the money.
        wizard = self.env["sale.order.confirm.wizard"].create(
            {"order_ids": [Command.set(order.ids)], "confirm_unpaid": True}
        )
        wizard.action_confirm_orders()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order._get_amount_to_collect(), order.amount_total)
        label = self._labels(self._render(order.picking_ids))[0]
        collect = self._text(label, "o_wsot_label_collect")
        self.assertIn("Amount to Collect", collect)
        self.assertIn(f"{order.amount_total:.2f}", collect)

    def test_persian_website_label_is_right_to_left(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(
            ["website_sale_order_tracking"], ["fa_IR"], overwrite=True
        )
        fa = self.env.ref("base.lang_fa_IR")
        self.website_2.write(
            {"language_ids": [Command.link(fa.id)], "default_lang_id": fa.id}
        )
        state = self.env["res.country.state"].create(
            {"name": "Tehran Province", "code": "THR", "country_id": self.country_ir.id}
        )
        self.customer.partner_id.state_id = state
        delivery = self._paid_order(website=self.website_2).picking_ids
        label = self._labels(self._render(delivery))[0]
        self.assertEqual(label.get("data-oe-lang"), "fa_IR")
        page = label.xpath(f".//div[{has_class('o_wsot_label')}]")[0]
        self.assertEqual(page.get("dir"), "rtl")
        self.assertEqual(page.get("lang"), "fa-IR")
        # Persian order: province and city, then the street, then the postal code.
        lines = [
            " ".join(div.text_content().split())
            for div in label.xpath(f".//div[{has_class('o_wsot_label_to_box')}]/div")
        ]
        self.assertEqual(
            lines[2:5],
            ["Tehran Province، Tehran", "Valiasr St 1", "کد پستی: 1234567890"],
        )
        text = label.text_content()
        self.assertIn("گیرنده", text, "'To' in Persian")
        self.assertIn("فرستنده", text, "'From' in Persian")
        # The barcode and its number stay left to right.
        self._check_barcode(label, delivery.name)

    def test_a_cancelled_delivery_gets_no_label(self):
        # The list's button leaves it out; the report's address must too.
        delivery = self._paid_order().picking_ids
        delivery.with_user(self.stock_user).action_cancel()
        self.assertEqual(delivery.state, "cancel")
        with self.assertRaises(UserError):
            self._render(delivery)
        self.assertFalse(delivery.shipping_label_print_count)
        self.assertFalse(delivery.sudo().shipping_label_print_ids)

    def test_only_warehouse_users_print(self):
        delivery = self._paid_order().picking_ids
        for user in (self.salesman_1, self.customer):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._render(delivery, user=user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                delivery.with_user(user).action_print_shipping_labels()
        self.assertFalse(delivery.shipping_label_print_count)
        self._render(delivery)
        self.assertEqual(delivery.shipping_label_print_count, 1)
        # A preview (HTML report) records no print.
        self.env["ir.actions.report"].with_user(self.stock_user)._render_qweb_html(
            REPORT, delivery.ids
        )
        self.assertEqual(delivery.shipping_label_print_count, 1)


@tagged("post_install", "-at_install")
class TestShippingLabelPrintRecord(LabelChecks):
    """The prints are proven by their record, not typed: a row a label, made by
    printing only; the count and date on the delivery are computed from it."""

    def test_printing_twice_counts_two_and_records_the_reprint(self):
        delivery = self._paid_order().picking_ids
        self._render(delivery)
        self._render(delivery)
        self.assertEqual(delivery.shipping_label_print_count, 2)
        prints = delivery.shipping_label_print_ids.sorted("id")
        self.assertEqual(prints.mapped("print_number"), [1, 2])
        self.assertEqual(prints.mapped("reprint"), [False, True])
        self.assertEqual(prints.user_id, self.stock_user)
        self.assertEqual(prints.mapped("parcel"), ["1/1", "1/1"])
        self.assertEqual(delivery.shipping_label_print_date, prints[1].print_date)
        # The warehouse user reads the record.
        self.assertEqual(
            delivery.with_user(self.stock_user).shipping_label_print_ids, prints
        )

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_the_record_cannot_be_written(self):
        delivery = self._paid_order().picking_ids
        self._render(delivery)
        prints = delivery.shipping_label_print_ids
        as_stock = delivery.with_user(self.stock_user)
        for values in (
            {"shipping_label_print_count": 0},
            {"shipping_label_print_date": False},
            {"shipping_label_print_ids": [Command.clear()]},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                as_stock.write(values)
        with self.assertRaises(AccessError):
            self.env["stock.picking"].with_user(self.stock_user).create(
                {
                    "picking_type_id": self.warehouse.out_type_id.id,
                    "shipping_label_print_count": 3,
                }
            )
        log = self.env["stock.shipping.label.print"].with_user(self.stock_user)
        with self.assertRaises(AccessError):
            log.create({"picking_id": delivery.id, "delivery_id": delivery.id})
        with self.assertRaises(AccessError):
            prints.with_user(self.stock_user).write({"print_number": 7})
        with self.assertRaises(AccessError):
            prints.with_user(self.stock_user).unlink()
        with self.assertRaises(AccessError):
            prints.with_user(self.salesman_1).read(["print_number"])
        delivery.invalidate_recordset()
        self.assertEqual(delivery.shipping_label_print_count, 1, "unchanged")
        self.assertEqual(prints.print_number, 1)


@tagged("post_install", "-at_install")
class TestShippingLabelsBulk(LabelChecks):
    def _ready_deliveries(self, count):
        """``count`` deliveries to customers of the carrier, ready to ship."""
        out_type = self.warehouse.out_type_id
        pickings = self.env["stock.picking"].create(
            [
                {
                    "picking_type_id": out_type.id,
                    "partner_id": self.customer.partner_id.id,
                    "location_id": out_type.default_location_src_id.id,
                    "location_dest_id": self.env.ref(
                        "stock.stock_location_customers"
                    ).id,
                    "carrier_id": self.carrier.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": self.product_2.name,
                                "product_id": self.product_2.id,
                                "product_uom_qty": 1,
                                "product_uom": self.product_2.uom_id.id,
                                "location_id": out_type.default_location_src_id.id,
                                "location_dest_id": self.env.ref(
                                    "stock.stock_location_customers"
                                ).id,
                            }
                        )
                    ],
                }
                for _index in range(count)
            ]
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product_2, self.warehouse.lot_stock_id, count
        )
        pickings.action_confirm()
        pickings.action_assign()
        return pickings

    def _queries(self, deliveries):
        """The SQL queries of one print of the labels of ``deliveries``."""
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self._render(deliveries)
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_the_labels(self):
        deliveries = self._ready_deliveries(105)
        self._render(deliveries[:5])  # templates compiled, caches warm
        few, many = self._queries(deliveries[:5]), self._queries(deliveries[5:105])
        self.assertLess(few, 40)
        self.assertLessEqual(many, few + 3, "no query a label: 5 and 100 alike")

    def test_500_labels_in_one_report_call(self):
        deliveries = self._ready_deliveries(500)
        report_type = type(self.env["ir.actions.report"])
        calls = {"pdf": 0, "html": 0}
        render_pdf = report_type._render_qweb_pdf
        render_html = report_type._render_qweb_html

        def count_pdf(report, *args, **kwargs):
            calls["pdf"] += 1
            return render_pdf(report, *args, **kwargs)

        def count_html(report, *args, **kwargs):
            calls["html"] += 1
            return render_html(report, *args, **kwargs)

        start = time.perf_counter()
        with (
            patch.object(report_type, "_render_qweb_pdf", count_pdf),
            patch.object(report_type, "_render_qweb_html", count_html),
        ):
            labels = self._labels(self._render(deliveries))
        seconds = time.perf_counter() - start
        self.assertEqual(len(labels), 500)
        self._check_one_label_a_page(labels)
        self.assertEqual(calls, {"pdf": 1, "html": 1}, "one report call, not 500")
        self.assertEqual(set(deliveries.mapped("shipping_label_print_count")), {1})
        self.assertEqual(
            [int(label.get("data-oe-id")) for label in labels], deliveries.ids
        )
        self.assertLess(seconds, 120)


@tagged("post_install", "-at_install")
class TestShippingLabelPdf(ShippingCommon):
    """The PDF itself, with wkhtmltopdf (installed on the machines that run the
    tests): one page a label, the carrier's paper size, no blank page."""

    def _render_pdf(self, pickings):
        self._pdf_without_server()
        report = self.env["ir.actions.report"].with_user(self.stock_user)
        content, kind = report.with_context(
            force_report_rendering=True
        )._render_qweb_pdf(REPORT, pickings.ids)
        self.assertEqual(kind, "pdf")
        return PdfFileReader(io.BytesIO(content))

    def _size_mm(self, page):
        box = page.mediabox
        return (
            round(float(box.width) * 25.4 / 72),
            round(float(box.height) * 25.4 / 72),
        )

    def test_pdf_one_page_a_label_on_the_carriers_paper(self):
        other = self._paid_order().picking_ids
        other.carrier_id = self.carrier.copy(
            {"name": "A6 Post", "shipping_label_format": "a6"}
        )
        order = self._three_step_order()
        pack = self._order_picking(order, self.warehouse.pack_type_id)
        self._put_in_packages(pack, [self.product, self.product_2], self.stock_user)
        # Each label is as high as its paper (less its margins), whatever the
        # scale wkhtmltopdf prints at: 144/94 and 142/99 of the width, less 1.5 %.
        root = self._render(pack | other)
        styles = " ".join(root.xpath("//style/text()"))
        self.assertIn("padding-bottom: 150.89%", styles)
        self.assertIn("padding-bottom: 141.28%", styles)
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            # No wkhtmltopdf here: the HTML the PDF is made of, one label a page.
            labels = self._labels(root)
            self.assertEqual(len(labels), 3)
            return
        pdf = self._render_pdf(pack | other)
        self.assertEqual(len(pdf.pages), 3, "two parcels, then one: no blank page")
        sizes = [self._size_mm(page) for page in pdf.pages]
        self.assertEqual(sizes, [(100, 150), (100, 150), (105, 148)])
        texts = [" ".join(page.extract_text().split()) for page in pdf.pages]
        self.assertIn("1/2", texts[0])
        self.assertIn("2/2", texts[1])
        self.assertIn("1/1", texts[2])
        self.assertIn("Customer One", texts[0])
        # The barcode's number, at the bottom of the label, is on the page.
        self.assertIn(pack.name, texts[0])
        self.assertIn(other.name, texts[2])
