# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared data and real web-order flows for the tests of the addon.

Carts are made as the website makes them (``website.sale_get_order`` and
``_cart_update`` under a request of the customer), transactions are created by
the shop's own payment route and processed as the demo and wire-transfer providers'
notifications are, pickings are validated with their own buttons.
"""

import io
import threading
from itertools import pairwise

from lxml import html as lxml_html
from PIL import Image
from reportlab.graphics.barcode.code128 import _patterns as CODE128_PATTERNS

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import Form, TransactionCase

from odoo.addons.website.tools import MockRequest
from odoo.addons.website_sale.controllers.payment import PaymentPortal

LABEL_REPORT = "website_sale_order_tracking.action_report_shipping_label"
LABEL_XPATH = "//div[contains(concat(' ', @class, ' '), ' o_wsot_shipping_label ')]"


def has_class(css_class):
    """An XPath condition: the node has ``css_class`` among its classes."""
    return f"contains(concat(' ', @class, ' '), ' {css_class} ')"


def decode_code128(png):
    """The text of the Code 128 barcode image ``png``, read from the widths of
    its bars (as a scanner reads it): a check that the label's barcode holds
    the right value, independent of how the image was drawn."""
    image = Image.open(io.BytesIO(png)).convert("L")
    row = [image.getpixel((x, image.height // 2)) < 128 for x in range(image.width)]
    edges = [x for x in range(1, len(row)) if row[x] != row[x - 1]]
    # The widths of the bars and spaces, between the two quiet zones.
    runs = [end - start for start, end in pairwise(edges)]
    module = sum(runs[:6]) / 11  # the start symbol is 11 modules wide
    widths = "".join(str(round(run / module)) for run in runs)
    symbols = {
        "".join(str("abcd".index(c.lower()) + 1) for c in pattern): value
        for value, pattern in CODE128_PATTERNS.items()
    }
    values = [symbols[widths[i : i + 6]] for i in range(0, len(widths) - 7, 6)]
    text, code = "", {103: "A", 104: "B", 105: "C"}[values[0]]
    for value in values[1:-1]:  # the last one is the check symbol
        if value in (99, 100, 101) and not (code == "B" and value == 100):
            code = {99: "C", 100: "B", 101: "A"}[value]
        elif code == "C":
            text += f"{value:02d}"
        elif code == "B":
            text += chr(value + 32)
        else:
            text += chr(value + 32) if value < 64 else chr(value - 64)
    return text


class WebOrderTrackingCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.website = cls.env["website"].search([("company_id", "=", cls.company.id)])[
            :1
        ]
        cls.website_2 = cls.env["website"].create(
            {"name": "Second Shop", "company_id": cls.company.id}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.country_ir = cls.env.ref("base.ir")
        cls.country_us = cls.env.ref("base.us")
        cls.product = cls.env["product.product"].create(
            {
                "name": "Tracked Teapot",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "website_published": True,
                "taxes_id": [Command.clear()],
            }
        )
        cls.product_2 = cls.env["product.product"].create(
            {
                "name": "Tracked Cup",
                "type": "consu",
                "is_storable": True,
                "list_price": 20.0,
                "website_published": True,
                "taxes_id": [Command.clear()],
            }
        )
        for product in cls.product | cls.product_2:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 100.0
            )
        cls.salesman_1 = cls._create_salesman("Sales Person One", "wsot_sales_1")
        cls.salesman_2 = cls._create_salesman("Sales Person Two", "wsot_sales_2")
        cls.salesman_3 = cls._create_salesman("Sales Person Three", "wsot_sales_3")
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Web Team",
                "member_ids": [Command.set((cls.salesman_1 | cls.salesman_2).ids)],
            }
        )
        cls.customer = cls._create_customer("Customer One", "wsot_customer_1")
        cls.customer_2 = cls._create_customer("Customer Two", "wsot_customer_2")
        cls.company_customer = cls.env["res.partner"].create(
            {
                "name": "Customer Company",
                "is_company": True,
                "country_id": cls.country_us.id,
            }
        )
        cls.company_contact = cls._create_customer(
            "Company Contact", "wsot_customer_3", parent_id=cls.company_customer.id
        )
        cls._setup_providers()
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Tracked Post",
                "delivery_type": "fixed",
                "fixed_price": 10.0,
                "is_published": True,
                "tracking_url": "https://post.example.com/track?ref=<shipmenttrackingnumber>",
                "product_id": cls.env["product.product"]
                .create({"name": "Tracked Post Shipping", "type": "service"})
                .id,
            }
        )

    @classmethod
    def _create_salesman(cls, name, login):
        return cls.env["res.users"].create(
            {
                "name": name,
                "login": login,
                "email": f"{login}@example.com",
                "groups_id": [
                    Command.set([cls.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )

    @classmethod
    def _create_group_user(cls, login, *groups):
        """A staff user holding only ``groups`` (XML ids)."""
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "email": f"{login}@example.com",
                "groups_id": [Command.set([cls.env.ref(group).id for group in groups])],
            }
        )

    @classmethod
    def _create_customer(cls, name, login, **partner_values):
        user = cls.env["res.users"].create(
            {
                "name": name,
                "login": login,
                "password": login,
                "email": f"{login}@example.com",
                "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
            }
        )
        user.partner_id.write(
            {
                "street": "Valiasr St 1",
                "city": "Tehran",
                "zip": "1234567890",
                "country_id": cls.country_ir.id,
                "phone": "+98 21 1234 5678",
                **partner_values,
            }
        )
        return user

    @classmethod
    def _setup_providers(cls):
        cls.provider_demo = cls.env.ref("payment.payment_provider_demo")
        cls.provider_demo.write({"state": "test", "is_published": True})
        cls.method_demo = cls.env.ref("payment_demo.payment_method_demo")
        cls.provider_transfer = cls.env.ref("payment.payment_provider_transfer")
        cls.method_transfer = cls.env.ref("payment_custom.payment_method_wire_transfer")
        cls.provider_transfer.write(
            {
                "state": "enabled",
                "is_published": True,
                "payment_method_ids": [Command.set(cls.method_transfer.ids)],
            }
        )
        cls.method_transfer.active = True

    # --- The customer's side, as the website does it ---------------------------

    def _make_cart(self, customer, products=None, website=None):
        """A cart made by ``customer`` on ``website`` through the shop's cart code."""
        website = (website or self.website).with_user(customer)
        products = products or {self.product: 1}
        with MockRequest(website.env, website=website) as request:
            order = website.sale_get_order(force_create=True)
            for product, quantity in products.items():
                order._cart_update(product_id=product.id, add_qty=quantity)
            request.session["sale_order_id"] = order.id
        return order.with_user(self.env.user)

    def _checkout(self, order, provider=None, method=None):
        """Start paying ``order`` through the shop's transaction route.

        Returns the draft transaction, as the payment form receives it.
        """
        provider = provider or self.provider_transfer
        method = method or provider.payment_method_ids[:1]
        customer = order.partner_id.user_ids[:1]
        env = order.with_user(customer).env
        with MockRequest(env, website=order.website_id.with_user(customer)):
            if order._has_deliverable_products() and not order.carrier_id:
                # The checkout's delivery step (/shop/set_delivery_method).
                order.with_user(customer).sudo()._set_delivery_method(self.carrier)
            PaymentPortal().shop_payment_transaction(
                order.id,
                order._portal_ensure_token(),
                provider_id=provider.id,
                payment_method_id=method.id,
                token_id=None,
                amount=order.amount_total,
                flow="direct" if provider.code == "demo" else "redirect",
                tokenization_requested=False,
                landing_route="/shop/payment/validate",
            )
        return order.transaction_ids.filtered(lambda tx: tx.state == "draft")[:1]

    def _pay_by_wire_transfer(self, order):
        """The customer chooses wire transfer: the transaction becomes pending."""
        tx = self._checkout(order, self.provider_transfer)
        tx._handle_notification_data("custom", {"reference": tx.reference})
        tx._post_process()
        return tx

    def _pay_by_demo(self, order, state="done"):
        """The customer pays with the demo provider (simulated card payment)."""
        tx = self._checkout(order, self.provider_demo, self.method_demo)
        tx._handle_notification_data(
            "demo",
            {
                "reference": tx.reference,
                "payment_details": "4242",
                "simulated_state": state,
            },
        )
        tx._post_process()
        return tx

    def _paid_web_order(self, products=None, website=None, customer=None):
        """A web order of ``customer`` paid online (demo provider): confirmed."""
        order = self._make_cart(customer or self.customer, products, website)
        self._pay_by_demo(order)
        self.assertEqual(order.state, "sale")
        return order

    # --- The warehouse's side -----------------------------------------------------

    def _order_picking(self, order, picking_type):
        """The transfer of ``order`` of ``picking_type`` (pick, pack, ship)."""
        return order.picking_ids.filtered(lambda p: p.picking_type_id == picking_type)

    def _put_in_packages(self, picking, product_groups, user):
        """Pack ``picking`` as ``user`` does at the pack step: for each group of
        products, mark their lines picked and press Put in Pack (and confirm the
        package wizard of the carrier's, when it asks)."""
        picking = picking.with_user(user)
        picking.action_assign()
        packages = self.env["stock.quant.package"]
        for products in product_groups:
            lines = picking.move_line_ids.filtered(
                lambda ml, p=products: ml.product_id in p and not ml.result_package_id
            )
            lines.picked = True
            action = picking.action_put_in_pack()
            if isinstance(action, dict) and action.get("res_model"):
                wizard = Form(
                    self.env[action["res_model"]]
                    .with_user(user)
                    .with_context(**action["context"])
                ).save()
                wizard.action_put_in_pack()
            packages |= lines.result_package_id
        return packages

    def _validate_picking(self, picking, quantities=None, backorder=True):
        """Validate ``picking`` as a warehouse user does, with the given quantities."""
        picking.action_assign()
        for move in picking.move_ids:
            quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.quantity = quantity
            move.picked = True
        result = picking.button_validate()
        if (
            isinstance(result, dict)
            and result.get("res_model") == "stock.backorder.confirmation"
        ):
            wizard = (
                self.env["stock.backorder.confirmation"]
                .with_context(**result["context"])
                .create({})
            )
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        return picking


class ShippingCommon(WebOrderTrackingCommon):
    """Shipping labels and hand-over: a warehouse user, weighed products, the
    company's warehouse address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = cls._create_group_user(
            "wsot_labels_stock", "stock.group_stock_user"
        )
        cls.product.weight = 1.2
        cls.product_2.weight = 0.3
        cls.company.partner_id.write(
            {
                "street": "Warehouse Road 5",
                "city": "Karaj",
                "zip": "3199999999",
                "country_id": cls.country_ir.id,
            }
        )

    def _render(self, pickings, user=None):
        """The labels as printed by ``user``: Odoo's test mode renders the PDF
        report as its HTML (one ``article`` a page of the PDF)."""
        report = self.env["ir.actions.report"].with_user(user or self.stock_user)
        content, kind = report._render_qweb_pdf(LABEL_REPORT, pickings.ids)
        self.assertEqual(kind, "html")
        return lxml_html.fromstring(content)

    def _pdf_without_server(self):
        """wkhtmltopdf renders the PDF without fetching Odoo's assets (the test
        server is not asked: the labels carry their own style)."""
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )

    def _labels(self, root):
        return root.xpath(LABEL_XPATH)

    def _text(self, node, css_class):
        found = node.xpath(f".//*[{has_class(css_class)}]")
        return " ".join(" ".join(n.text_content().split()) for n in found)

    def _three_step_order(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self._paid_web_order({self.product: 1, self.product_2: 1})
        pick = self._order_picking(order, self.warehouse.pick_type_id)
        self._validate_picking(pick.with_user(self.stock_user))
        return order


class CronWorkersCase(TransactionCase):
    """The cron as workers run it: cursors of their own, a commit per batch.

    The data of such a test is committed by a cursor of its own and removed
    afterwards; the test's transaction writes nothing, so it holds no lock the
    workers wait on.
    """

    def _in_own_cursor(self, function):
        """Call ``function(env)`` in a cursor of its own, commit, return its result."""
        with self.env.registry.cursor() as cr:
            result = function(api.Environment(cr, SUPERUSER_ID, {}))
            cr.commit()  # pylint: disable=invalid-commit
            return result

    def _run_workers(self, function, count=2):
        """Run ``function(env)`` in ``count`` workers at once; return their errors."""
        errors = []

        def work():
            try:
                self._in_own_cursor(function)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(repr(error))

        workers = [threading.Thread(target=work) for _index in range(count)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        return errors
