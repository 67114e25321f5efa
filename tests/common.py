# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared data and real web-order flows for the tests of the addon.

Carts are made as the website makes them (``website.sale_get_order`` and
``_cart_update`` under a request of the customer), transactions are created by
the shop's own payment route and processed as the demo and wire-transfer providers'
notifications are, pickings are validated with their own buttons.
"""

import base64
import io
import re
import threading
from contextlib import contextmanager
from datetime import timedelta
from itertools import pairwise
from unittest.mock import patch

from lxml import html as lxml_html
from PIL import Image
from reportlab.graphics.barcode.code128 import _patterns as CODE128_PATTERNS

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import Form, TransactionCase

from odoo.addons.base.models import ir_actions_report
from odoo.addons.website.tools import MockRequest
from odoo.addons.website_sale.controllers.payment import PaymentPortal

# The smallest valid PNG image (1x1 pixel).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)
# The groups of the staff users of the tests (see ``create_staff``).
SALES = "sales_team.group_sale_salesman"
SALES_ALL = "sales_team.group_sale_salesman_all_leads"
SALES_MANAGER = "sales_team.group_sale_manager"
STOCK = "stock.group_stock_user"
BILLING = "account.group_account_invoice"
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# The provider and payment method of each way to pay of the tests.
PAYMENT_METHODS = {
    "transfer": (
        "payment.payment_provider_transfer",
        "payment_custom.payment_method_wire_transfer",
    ),
    "demo": ("payment.payment_provider_demo", "payment_demo.payment_method_demo"),
}


def create_staff(env, login, *groups):
    """A staff user called ``login``, holding only ``groups`` (XML ids)."""
    return env["res.users"].create(
        {
            "name": login,
            "login": login,
            "email": f"{login}@example.com",
            "groups_id": [Command.set([env.ref(group).id for group in groups])],
        }
    )


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
        cls.salesman_1 = create_staff(cls.env, "wsot_sales_1", SALES)
        cls.salesman_2 = create_staff(cls.env, "wsot_sales_2", SALES)
        cls.salesman_3 = create_staff(cls.env, "wsot_sales_3", SALES)
        # Staff holding one group each: Sales (all documents), Inventory, Billing.
        cls.sales_all = create_staff(cls.env, "wsot_sales_all", SALES_ALL)
        cls.stock_user = create_staff(cls.env, "wsot_stock_user", STOCK)
        cls.billing_user = create_staff(cls.env, "wsot_billing", BILLING)
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
        cls.provider_demo, cls.method_demo = map(cls.env.ref, PAYMENT_METHODS["demo"])
        cls.provider_demo.write({"state": "test", "is_published": True})
        cls.provider_transfer, cls.method_transfer = map(
            cls.env.ref, PAYMENT_METHODS["transfer"]
        )
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

    def _paid_order(self, customer=None, products=None, website=None):
        """A cart of ``customer`` (by default ``self.customer``) paid by card."""
        order = self._make_cart(customer or self.customer, products, website)
        self._pay_by_demo(order)
        self.assertEqual(order.state, "sale")
        return order

    def _waiting_order(self, customer=None, products=None, website=None, days_ago=0):
        """A cart paid by wire transfer, waiting for the money, checked out
        ``days_ago`` days ago."""
        order = self._make_cart(customer or self.customer, products, website)
        self._pay_by_wire_transfer(order)
        self.assertEqual(order.tracking_stage, "to_confirm")
        if days_ago:
            order.checkout_date = fields.Datetime.now() - timedelta(days=days_ago)
        return order

    def _csrf_token(self, url="/order-status"):
        """The session's CSRF token, read from the form of ``url`` (HTTP tests)."""
        return CSRF_TOKEN.search(self.url_open(url).text).group(1)

    def _post_form(self, url, files=None, csrf=True, **fields):
        """Post ``fields`` to ``url`` as the browser's form does (HTTP tests)."""
        if csrf:
            fields["csrf_token"] = self._csrf_token()
        return self.url_open(url, data=fields, files=files, allow_redirects=False)

    # --- The staff's side -----------------------------------------------------------

    def _wizard_form(self, action, user, **values):
        """The form of the wizard ``action`` opens for ``user``, filled in."""
        model = self.env[action["res_model"]].with_user(user)
        form = Form(model.with_context(**action["context"]))
        for name, value in values.items():
            setattr(form, name, value)
        return form

    def _messages(self, record, subject):
        """The messages of ``record`` whose subject holds ``subject``."""
        return self.env["mail.message"].search(
            [
                ("model", "=", record._name),
                ("res_id", "=", record.id),
                ("subject", "ilike", subject),
            ]
        )

    def _event_types(self, order):
        return order.tracking_event_ids.mapped("event_type")

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


class InvoicingPolicyCommon(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", False)
        cls.business = cls._create_customer(
            "Business Buyer", "wsot_business_1", vat="DE136695976"
        )
        cls.business.partner_id.country_id = cls.env.ref("base.de")
        cls.journal_web = cls.env["account.journal"].create(
            {"name": "Web Invoices", "code": "WEBI", "type": "sale"}
        )
        cls.web_template = cls.env.ref("account.email_template_edi_invoice").copy(
            {"subject": "Your web invoice {{ object.name }}"}
        )
        cls.website.write(
            {
                "invoice_policy_enabled": True,
                "invoice_policy_business": "auto",
                "invoice_policy_consumer": "request",
                "invoice_mail_template_id": cls.web_template.id,
                "invoice_journal_id": cls.journal_web.id,
            }
        )

    def setUp(self):
        super().setUp()
        # No run of the invoicing job asked for yet (a committed test's payment
        # may have asked for one in the next minute).
        self._job_triggers().unlink()

    def _run_invoicing_job(self, **context):
        """The invoicing job's run that the payment or the request triggered."""
        return self.env["sale.order"].with_context(**context)._cron_invoice_web_orders()

    def _invoiced_order(self, customer=None, website=None):
        """A paid order, once the invoicing job it triggered has run."""
        order = self._paid_order(customer, website=website)
        self._run_invoicing_job()
        return order

    def _job_triggers(self):
        return self.env["ir.cron.trigger"].search(
            [
                (
                    "cron_id",
                    "=",
                    self.env.ref(
                        "website_sale_order_tracking.ir_cron_invoice_web_orders"
                    ).id,
                )
            ]
        )

    def _invoice_emails(self, invoices):
        return self.env["mail.message"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "in", invoices.ids),
                ("message_type", "=", "comment"),
            ]
        )

    @contextmanager
    def _without_pdf_tool(self):
        """Odoo's PDF tool missing, as on a server without wkhtmltopdf."""
        with (
            patch.object(
                ir_actions_report, "_get_wkhtmltopdf_bin", lambda: "/nonexistent/bin"
            ),
            # What Odoo's lookup of the binary sets when it finds none.
            patch.object(ir_actions_report, "wkhtmltopdf_state", "install"),
        ):
            yield


class ReturnCommon(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website.write({"return_enabled": True, "return_window_days": 30})
        cls.reason = cls.env.ref("website_sale_order_tracking.return_reason_damaged")

    def _delivered_order(self, customer=None, products=None, quantities=None):
        order = self._paid_order(customer, products)
        self._validate_picking(order.picking_ids, quantities)
        return order

    def _request(self, order, quantities=None, **values):
        """A return request as the portal makes it: {sale line: quantity}."""
        quantities = quantities or {
            line: line.product_uom_qty
            for line in order.order_line.filtered("product_id.is_storable")
        }
        return self.env["sale.return.request"].create(
            {
                "order_id": order.id,
                "line_ids": [
                    Command.create(
                        {
                            "sale_line_id": line.id,
                            "quantity": quantity,
                            "reason_id": self.reason.id,
                        }
                    )
                    for line, quantity in quantities.items()
                ],
                **values,
            }
        )


class ShippingCommon(WebOrderTrackingCommon):
    """Shipping labels and hand-over: a warehouse user, weighed products, the
    company's warehouse address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = create_staff(cls.env, "wsot_labels_stock", STOCK)
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

    def _check_barcode(self, label, value):
        """The barcode is a Code 128 image that reads ``value``."""
        image = label.xpath(f".//td[{has_class('o_wsot_label_barcode')}]//img")
        self.assertEqual(len(image), 1)
        self.assertEqual(image[0].get("alt"), f"Barcode {value}")
        source = image[0].get("src")
        self.assertTrue(source.startswith("data:image/png;base64,"))
        png = base64.b64decode(source.split(",", 1)[1])
        self.assertEqual(decode_code128(png), value)
        self.assertEqual(self._text(label, "o_wsot_label_barcode_value"), value)

    def _text(self, node, css_class):
        found = node.xpath(f".//*[{has_class(css_class)}]")
        return " ".join(" ".join(n.text_content().split()) for n in found)

    def _three_step_order(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self._paid_order(products={self.product: 1, self.product_2: 1})
        pick = self._order_picking(order, self.warehouse.pick_type_id)
        self._validate_picking(pick.with_user(self.stock_user))
        return order


class CronWorkersCase(TransactionCase):
    """The cron as workers run it: cursors of their own, a commit per batch.

    The data of such a test is made by ``_create_data`` (its ids in ``self.ids``),
    committed by a cursor of its own and removed afterwards by ``_remove_data``;
    the test's transaction writes nothing, so it holds no lock the workers wait on.
    """

    # A service sold by the workers' tests.
    SERVICE = {
        "name": "Worker Service",
        "type": "service",
        "list_price": 100.0,
        "taxes_id": [Command.clear()],
    }
    # What ``_remove_data`` removes after the orders: the records of these keys of
    # ``self.ids``, in this order.
    REMOVED = {
        "product": "product.product",
        "billing": "res.users",
        "partners": "res.partner",
        "website": "website",
        "template": "mail.template",
    }

    def setUp(self):
        super().setUp()
        self.ids = self._in_own_cursor(self._create_data)
        self.addCleanup(self._in_own_cursor, self._remove_data)

    def _create_data(self, env):
        """Make the test's data; return the ids the test and ``_remove_data`` read."""
        return {}

    def _remove_data(self, env):
        """Remove the orders of ``self.ids`` and the records of ``REMOVED``."""
        self._remove_orders(env["sale.order"].browse(self.ids.get("orders", [])))
        for key, model in self.REMOVED.items():
            env[model].browse(self.ids.get(key, [])).unlink()

    def _in_own_cursor(self, function):
        """Call ``function(env)`` in a cursor of its own, commit, return its result."""
        with self.env.registry.cursor() as cr:
            result = function(api.Environment(cr, SUPERUSER_ID, {}))
            cr.commit()  # pylint: disable=invalid-commit
            return result

    def _run_at_once(self, functions):
        """Call each ``function(env)`` in a worker of its own, all at once; return
        their errors."""
        errors = []

        def work(function):
            try:
                self._in_own_cursor(function)
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(repr(error))

        workers = [
            threading.Thread(target=work, args=(function,)) for function in functions
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        return errors

    def _run_workers(self, function, count=2):
        """Run ``function(env)`` in ``count`` workers at once; return their errors."""
        return self._run_at_once([function] * count)

    # --- The data of the workers' tests, in their own cursor ------------------------

    @staticmethod
    def _web_orders(env, names, product_values, website=None, quantity=1):
        """For each new customer called in ``names``, an order of ``quantity`` of a
        new product on ``website`` (by default the first one)."""
        website = website or env["website"].search([], limit=1)
        product = env["product.product"].create(product_values)
        partners = env["res.partner"].create(
            [
                {"name": name, "email": f"{name.lower().replace(' ', '.')}@example.com"}
                for name in names
            ]
        )
        return env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "website_id": website.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": quantity}
                        )
                    ],
                }
                for partner in partners
            ]
        )

    @staticmethod
    def _ids(orders, **records):
        """The ids of ``orders``, their customers and product, and of ``records``
        (one record a key), as the test and ``_remove_data`` read them."""
        return {
            "orders": orders.ids,
            "partners": orders.partner_id.ids,
            "product": orders.order_line.product_id.id,
            **{key: record.id for key, record in records.items()},
        }

    @staticmethod
    def _transaction(env, order, reference, provider="transfer", **values):
        """A transaction of ``order`` by wire transfer, or ``provider="demo"``."""
        provider, method = map(env.ref, PAYMENT_METHODS[provider])
        return env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "reference": reference,
                "sale_order_ids": [Command.set(order.ids)],
                **values,
            }
        )

    def _abandoned_carts(self, env, names):
        """Carts of ``names`` (see ``_web_orders``) left two hours ago on a new
        website whose cart reminders are on."""
        website = env["website"].create(
            {"name": "Reminder Worker Shop", "cart_abandoned_delay": 1.0}
        )
        website.cart_reminder_enabled = True
        website.cart_reminder_start_date = fields.Datetime.now() - timedelta(days=1)
        product = {"name": "Worker Teapot", "list_price": 10.0, "is_published": True}
        orders = self._web_orders(env, names, product, website)
        orders.cart_update_date = fields.Datetime.now() - timedelta(hours=2)
        return orders

    def _waiting_orders(self, env, names, **website_values):
        """Orders of ``names`` (see ``_web_orders``) checked out by wire transfer
        two days ago on a new website (``website_values``) that reminds after one
        day; they wait for the money."""
        website = env["website"].create(
            {
                "name": "Unpaid Worker Shop",
                "unpaid_reminder_days": 1,
                "unpaid_cancel_days": 30,
                **website_values,
            }
        )
        orders = self._web_orders(env, names, {"name": "Worker Product"}, website)
        for order in orders:
            # As the payment page's post-processing leaves them.
            self._transaction(
                env,
                order,
                f"WSOT-WORKER-{order.id}",
                state="pending",
                is_post_processed=True,
            )
        orders.checkout_date = fields.Datetime.now() - timedelta(days=2)
        env.flush_all()
        self.assertEqual(set(orders.mapped("tracking_stage")), {"to_confirm"})
        return orders

    def _orders_mailed(self, model="mail.mail", subject=None):
        """The ids of the orders of ``self.ids`` that have a ``model`` record (an
        email by default) whose subject holds ``subject``, if given."""
        domain = [("model", "=", "sale.order"), ("res_id", "in", self.ids["orders"])]
        if subject:
            domain.append(("subject", "ilike", subject))
        return self._in_own_cursor(
            lambda env: sorted(env[model].search(domain).mapped("res_id"))
        )

    @staticmethod
    def _remove_orders(orders):
        """Remove ``orders`` with their messages, transactions, payments and
        invoices."""
        env = orders.env
        transactions = orders.transaction_ids
        payments = transactions.payment_id
        invoices = orders.invoice_ids
        moves = invoices | payments.move_id
        moves |= env["account.move"].search([("reversed_entry_id", "in", invoices.ids)])
        # The accounting audit trail keeps the messages of posted invoices and of
        # their partner: the test's own go by SQL.
        for records in (orders, moves, payments, orders.partner_id):
            if records:
                env.cr.execute(
                    "DELETE FROM mail_message WHERE model = %s AND res_id IN %s",
                    [records._name, tuple(records.ids)],
                )
        env.invalidate_all()
        payments.action_draft()
        payments.unlink()
        moves = moves.exists()
        moves.filtered(lambda move: move.state != "draft").button_draft()
        moves.with_context(force_delete=True).unlink()
        transactions.unlink()
        orders.with_context(disable_cancel_warning=True)._action_cancel()
        orders.unlink()
