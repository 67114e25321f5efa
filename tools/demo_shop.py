#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo shop of ``make run``: an English and a Persian website, each with web
orders in every tracking stage, made once in a database where the addon is
installed with Odoo's demo data.

    PYTHONPATH=$ODOO_SRC python tools/demo_shop.py -c CONF -d DB --port 8069 \
        --links links.json

The orders are made as the shop makes them (see tests/common.py): carts by
``website.sale_get_order`` and ``_cart_update`` under a request of the customer,
the guest's address by the checkout's address form, transactions by the shop's
payment route, processed as the demo and wire-transfer providers' notices are,
pickings validated with their buttons, invoices asked for on the website, returns
asked by the portal's form, approved and received, refunds by the refund wizard,
cart reminders by their cron. No stage is written. The build runs once: the
parameter ``website_sale_order_tracking.demo_shop`` holds what it made, and later
runs only point the websites at the server's port and write the links.
"""

import argparse
import contextlib
import datetime
import json
import logging
import shutil
import sys

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry

MARKER = "website_sale_order_tracking.demo_shop"
STAGES = [
    "cart",
    "awaiting_payment",
    "to_confirm",
    "confirmed",
    "in_preparation",
    "partially_shipped",
    "shipped",
    "return_requested",
    "returned",
    "refunded",
    "cancelled",
]

# (reference, English name, Persian name, price, website "en" or "fa")
PRODUCTS = [
    ("en_teapot", "Ceramic Teapot", None, 45.0, "en"),
    ("en_cups", "Porcelain Tea Cups (set of 4)", None, 32.0, "en"),
    ("en_tea", "Loose Leaf Green Tea 250 g", None, 18.0, "en"),
    ("fa_saffron", "Sargol Saffron 4.6 g", "زعفران سرگل ۴٫۶ گرمی", 15.0, "fa"),
    ("fa_pistachio", "Akbari Pistachios 500 g", "پسته اکبری ۵۰۰ گرمی", 18.0, "fa"),
    ("fa_gaz", "Isfahan Gaz 400 g", "گز اصفهان ۴۰۰ گرمی", 9.0, "fa"),
    ("fa_teapot", "Turquoise Clay Teapot", "قوری سفالی فیروزه‌ای", 25.0, "fa"),
    ("fa_kilim", "Handwoven Kilim 120x180", "گلیم دستباف ۱۲۰×۱۸۰", 140.0, "fa"),
]

# Customers with a portal account: (login, name, address, language).
CUSTOMERS = {
    "en": [
        (
            "emma.wilson@example.com",
            "Emma Wilson",
            ("221 Baker Street", "London", "NW1 6XE", "base.uk", "+44 20 7946 0321"),
        ),
        (
            "liam.carter@example.com",
            "Liam Carter",
            ("1200 Pine Street", "Seattle", "98101", "base.us", "+1 206 555 0142"),
        ),
        (
            "olivia.brown@example.com",
            "Olivia Brown",
            ("48 Queen Street", "Auckland", "1010", "base.nz", "+64 9 555 0187"),
        ),
    ],
    "fa": [
        (
            "sara.ahmadi@example.com",
            "سارا احمدی",
            (
                "خیابان ولیعصر، بالاتر از میدان ونک، کوچه نیلوفر، پلاک ۱۴، واحد ۳",
                "تهران",
                "1969833114",
                "base.ir",
                "+98 912 345 6789",
            ),
        ),
        (
            "reza.karimi@example.com",
            "رضا کریمی",
            (
                "خیابان چهارباغ عباسی، کوچه شهید رجایی، پلاک ۲۳",
                "اصفهان",
                "8173935561",
                "base.ir",
                "+98 913 210 4455",
            ),
        ),
        (
            "maryam.hosseini@example.com",
            "مریم حسینی",
            (
                "بلوار زند، نبش کوچه ۱۲، پلاک ۸",
                "شیراز",
                "7134845794",
                "base.ir",
                "+98 917 301 2288",
            ),
        ),
    ],
}

# Shoppers who leave their cart (reminded), and the guest who checks out.
SHOPPERS = {
    "en": [
        ("noah.davis@example.com", "Noah Davis", ("9 Elm Road", "Leeds", "LS1 4AP")),
        (
            "ava.martin@example.com",
            "Ava Martin",
            ("77 King Street", "Bristol", "BS1 4EF"),
        ),
    ],
    "fa": [
        (
            "negar.sadeghi@example.com",
            "نگار صادقی",
            ("خیابان شریعتی، کوچه گلستان، پلاک ۵", "تهران", "1913674511"),
        ),
        (
            "hamid.nouri@example.com",
            "حمید نوری",
            ("خیابان حافظ، کوچه ۱۸، پلاک ۴۲", "شیراز", "7137745612"),
        ),
    ],
}
GUESTS = {
    "en": {
        "name": "Lucas Moreau",
        "email": "lucas.moreau@example.com",
        "phone": "+33 1 44 55 66 77",
        "street": "12 Rue de Rivoli",
        "city": "Paris",
        "zip": "75004",
        "country": "base.fr",
    },
    "fa": {
        "name": "علی رحیمی",
        "email": "ali.rahimi@example.com",
        "phone": "+98 935 441 7720",
        "street": "خیابان فردوسی، کوچه بهار، پلاک ۳۱",
        "city": "تهران",
        "zip": "1136914813",
        "country": "base.ir",
    },
}
PHONE_OF_SHOPPERS = {"en": "+44 113 496 0", "fa": "+98 21 8810 4"}


def boot(config_path, dbname):
    """Odoo's configuration and the database's registry, as ``odoo-bin`` sets them."""
    odoo.tools.config.parse_config(
        # Errors only: wkhtmltopdf's warnings of each PDF would fill the screen.
        ["-c", config_path, "-d", dbname, "--log-level=error"],
        setup_logging=True,
    )
    return Registry(dbname)


class DemoShop:
    """The two websites of the demo and their orders, in ``env`` (superuser)."""

    def __init__(self, env, port):
        self.env = env
        self.port = port
        self.urls = {
            "en": f"http://localhost:{port}",
            "fa": f"http://127.0.0.1:{port}",
        }

    # --- Once per run ---------------------------------------------------------------

    def point_at_server(self, state):
        """The websites' domains and Odoo's base URL: this server's port.

        The Persian website answers on 127.0.0.1, the English one on localhost (a
        website is chosen by the host name of the request).
        """
        for code in ("en", "fa"):
            self.env["website"].browse(state["websites"][code]).domain = self.urls[code]
        parameters = self.env["ir.config_parameter"]
        parameters.set_param("web.base.url", self.urls["en"])
        # The server's own URL for the PDFs it renders (wkhtmltopdf fetches the
        # assets there, with the visitor's session).
        parameters.set_param("web.base.url.freeze", True)

    def links(self, state):
        orders = self.env["sale.order"]
        en = orders.browse(state["links"]["en"])
        fa = orders.browse(state["links"]["fa"])
        guest = orders.browse(state["guest"])
        return {
            "tracking_en": self.urls["en"] + en.get_portal_url(suffix="/tracking"),
            "tracking_fa": self.urls["fa"]
            + "/fa"
            + fa.get_portal_url(suffix="/tracking"),
            "orders_to_confirm": self.urls["en"]
            + "/odoo/action-website_sale_order_tracking.action_orders_to_confirm",
            "guest_lookup": self.urls["en"] + "/order-status",
            "guest_reference": guest.name,
            "guest_email": guest.partner_id.email,
        }

    # --- The build ------------------------------------------------------------------

    def build(self):
        """Make both websites and their orders; return what the links need."""
        self._check_wkhtmltopdf()
        return self._build()

    def _build(self):
        self._setup_payment()
        persian = self._install_persian()
        websites = {"en": self._english_website(), "fa": self._persian_website(persian)}
        for website in websites.values():
            self._setup_website(website)
        products = self._create_products(websites)
        state = {"websites": {code: w.id for code, w in websites.items()}}
        self.point_at_server(state)
        state["orders"], state["links"] = {}, {}
        for code, website in websites.items():
            site = DemoSite(self, code, website, products[code])
            state["orders"][code] = site.make_orders()
            state["links"][code] = state["orders"][code]["shipped"]
            state.setdefault("guest", site.guest_order_id)
        self.env["ir.config_parameter"].set_param(MARKER, json.dumps(state))
        return state

    def _check_wkhtmltopdf(self):
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() in (
            "install",
            "broken",
        ):
            # Without wkhtmltopdf Odoo cannot attach the order's PDF to its
            # emails, and confirming a paid order fails: the emails go without it.
            log("wkhtmltopdf is missing: the demo's emails get no PDF")
            self.env["mail.template"].search(
                [("model", "=", "sale.order")]
            ).report_template_ids = False

    def _setup_payment(self):
        demo = self.env.ref("payment.payment_provider_demo")
        demo.write({"state": "test", "is_published": True})
        transfer = self.env.ref("payment.payment_provider_transfer")
        method = self.env.ref("payment_custom.payment_method_wire_transfer")
        transfer.write(
            {
                "state": "enabled",
                "is_published": True,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True
        transfer._transfer_ensure_pending_msg_is_set()

    def _install_persian(self):
        """fa_IR active, with the translations of every installed module."""
        persian = self.env["res.lang"]._activate_lang("fa_IR")
        modules = self.env["ir.module.module"].search([("state", "=", "installed")])
        modules._update_translations(["fa_IR"])
        return persian

    def _english_website(self):
        website = self.env["website"].search([], order="sequence, id", limit=1)
        # Odoo's demo products are the English shop's: the Persian one has its own.
        self.env["product.template"].search(
            [("website_id", "=", False), ("is_published", "=", True)]
        ).website_id = website
        return website

    def _persian_website(self, persian):
        english = self.env.ref("base.lang_en")
        return self.env["website"].create(
            {
                "name": "بازارچه پارسی",
                "company_id": self.env.company.id,
                "default_lang_id": persian.id,
                "language_ids": [Command.set((persian | english).ids)],
            }
        )

    def _setup_website(self, website):
        """The addon's settings, as an administrator chooses them."""
        team = self.env.ref(
            "sales_team.salesteam_website_sales", raise_if_not_found=False
        )
        team = team or self.env["crm.team"].search([], limit=1)
        team.member_ids |= self.env.ref("base.user_admin") | self.env.ref(
            "base.user_demo"
        )
        website.write(
            {
                "salesteam_id": team.id,
                "order_assignment_mode": "round_robin",
                "unpaid_reminder_days": 2,
                "unpaid_cancel_days": 7,
                "return_enabled": True,
                "return_window_days": 30,
                "invoice_policy_enabled": True,
                "invoice_policy_business": "auto",
                "invoice_policy_consumer": "request",
            }
        )

    def _create_products(self, websites):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        products = {"en": {}, "fa": {}}
        for key, name, persian_name, price, code in PRODUCTS:
            template = self.env["product.template"].create(
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": price,
                    "website_id": websites[code].id,
                    "is_published": True,
                }
            )
            if persian_name:
                template.with_context(lang="fa_IR").name = persian_name
            product = template.product_variant_id
            self.env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 100.0
            )
            products[code][key] = product
        return products


class DemoSite:
    """One website's customers and orders: every tracking stage, a guest's order,
    invoice requests, returns and a refund, abandoned carts with their reminders."""

    def __init__(self, shop, code, website, products):
        self.shop = shop
        self.code = code
        self.lang = "fa_IR" if code == "fa" else "en_US"
        self.env = shop.env(context=dict(shop.env.context, lang=self.lang))
        self.website = website.with_env(self.env)
        self.products = list(products.values())
        self.guest_order_id = None
        self.provider_demo = self.env.ref("payment.payment_provider_demo")
        self.provider_transfer = self.env.ref("payment.payment_provider_transfer")
        self.carrier = self._create_carrier()

    def _create_carrier(self):
        names = {"en": ("Express Post", None), "fa": ("Express Post", "پست پیشتاز")}
        name, persian_name = names[self.code]
        carrier = (
            self.shop.env["delivery.carrier"]
            .with_context(lang="en_US")
            .create(
                {
                    "name": name,
                    "delivery_type": "fixed",
                    "fixed_price": 5.0,
                    "website_id": self.website.id,
                    "is_published": True,
                    "tracking_url": "https://tracking.example.com/?ref="
                    "<shipmenttrackingnumber>",
                    "product_id": self.shop.env["product.product"]
                    .create(
                        {"name": f"{name} ({self.website.name})", "type": "service"}
                    )
                    .id,
                }
            )
        )
        if persian_name:
            carrier.with_context(lang="fa_IR").name = persian_name
        return carrier.with_env(self.env)

    # --- People ---------------------------------------------------------------------

    def _create_customers(self):
        users = self.env["res.users"]
        for login, name, (street, city, zip_code, country, phone) in CUSTOMERS[
            self.code
        ]:
            users |= self.env["res.users"].create(
                {
                    "name": name,
                    "login": login,
                    "password": login.split("@")[0],
                    "lang": self.lang,
                    "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
                }
            )
            users[-1].partner_id.write(
                {
                    "email": login,
                    "street": street,
                    "city": city,
                    "zip": zip_code,
                    "country_id": self.env.ref(country).id,
                    "phone": phone,
                }
            )
        return users

    # --- The customer's side, as the website does it ---------------------------------

    @contextlib.contextmanager
    def _visit(self, user):
        """A request of ``user`` on the website (as tests/common.py makes them)."""
        # Website's request of the shell imports Odoo's test framework, which
        # logs an error when imported outside the test runner.
        logging.getLogger("odoo.tests.common").setLevel(logging.CRITICAL)
        from odoo.addons.website.tools import MockRequest

        website = self.website.with_user(user)
        with MockRequest(website.env, website=website) as request:
            yield website, request

    def cart(self, user, quantities):
        """``user`` puts ``{product index: quantity}`` in a cart on the website."""
        with self._visit(user) as (website, _request):
            order = website.sale_get_order(force_create=True)
            for index, quantity in quantities.items():
                order._cart_update(product_id=self.products[index].id, add_qty=quantity)
        return order.with_env(self.env)

    def checkout(self, order, provider):
        """Delivery method, then the shop's transaction route: a draft transaction."""
        from odoo.addons.website_sale.controllers.payment import PaymentPortal

        user = order.partner_id.user_ids[:1] or self.website.user_id
        with self._visit(user) as (_website, request):
            request.session["sale_order_id"] = order.id
            if not order.carrier_id:
                order.with_user(user).sudo()._set_delivery_method(self.carrier)
            PaymentPortal().shop_payment_transaction(
                order.id,
                order._portal_ensure_token(),
                provider_id=provider.id,
                payment_method_id=provider.payment_method_ids[:1].id,
                token_id=None,
                amount=order.amount_total,
                flow="direct" if provider.code == "demo" else "redirect",
                tokenization_requested=False,
                landing_route="/shop/payment/validate",
            )
        return order.transaction_ids.filtered(lambda tx: tx.state == "draft")[:1]

    def pay(self, order, provider=None):
        """Pay by card (demo provider) or by wire transfer (pending)."""
        provider = provider or self.provider_demo
        tx = self.checkout(order, provider)
        data = {"reference": tx.reference}
        if provider.code == "demo":
            data.update(payment_details="4242", simulated_state="done")
        tx._handle_notification_data(provider.code, data)
        tx._post_process()
        return order

    def guest_order(self, values):
        """A visitor without an account: cart, the checkout's address form, card."""
        from odoo.addons.website_sale.controllers.main import WebsiteSale

        public = self.website.user_id
        with self._visit(public) as (website, _request):
            order = website.sale_get_order(force_create=True)
            order._cart_update(product_id=self.products[0].id, add_qty=1)
            form = dict(values, country_id=str(self.env.ref(values["country"]).id))
            del form["country"]
            response = WebsiteSale().shop_address_submit(
                address_type="billing", use_delivery_as_billing="true", **form
            )
            result = json.loads(response.get_data(as_text=True))
            if "successUrl" not in result:
                raise RuntimeError(f"guest address refused: {result}")
        return self.pay(order.with_env(self.env))

    # --- Staff ----------------------------------------------------------------------

    def prepare(self, order):
        """The warehouse has picked the products, not shipped them yet."""
        order.picking_ids.action_assign()
        order.picking_ids.move_ids.picked = True
        return order

    def ship(self, order, quantities=None):
        """Validate the delivery (of ``{product: quantity}`` only: a backorder)."""
        picking = order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        picking.carrier_tracking_ref = self._tracking_number(order)
        self._validate(picking, quantities)
        return order

    def _tracking_number(self, order):
        # Iran Post's are 24 digits, the others' two letters, 9 digits, a country.
        digits = str(order.id * 982451653 * 104729 * 1299709)
        if self.code == "fa":
            return digits[:24].ljust(24, "7")
        return f"EX{digits[:9]}GB"

    def _validate(self, picking, quantities=None):
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(
                move.product_id, move.product_uom_qty
            )
            move.picked = True
        result = picking.button_validate()
        while isinstance(result, dict) and result.get("res_model"):
            wizard = self.env[result["res_model"]].with_context(**result["context"])
            if result["res_model"] == "confirm.stock.sms":
                # Odoo asks once whether to text customers: the demo does not.
                result = wizard.browse(result["res_id"]).dont_send_sms()
            elif result["res_model"] == "stock.backorder.confirmation":
                result = wizard.create({}).process()
            else:
                raise RuntimeError(f"{picking.name}: {result['res_model']} asked")

    def request_invoice(self, order):
        """The customer asks for the invoice on the website (policy: on request)."""
        order.action_request_invoice()
        return order

    def ask_return(self, order):
        """The customer's return form: one of the first product, damaged."""
        line = order.order_line.filtered(lambda sol: sol.product_id.is_storable)[:1]
        reason = self.env.ref("website_sale_order_tracking.return_reason_damaged")
        comments = {
            "en": "The lid arrived chipped.",
            "fa": "بسته‌بندی آسیب دیده بود و محصول سالم نرسید.",
        }
        form = {
            f"quantity_{line.id}": "1",
            f"reason_{line.id}": str(reason.id),
            "comment": comments[self.code],
        }
        return self.env["sale.return.request"]._create_from_portal_form(order, form)

    def receive_return(self, return_request):
        return_request.action_approve()
        self._validate(return_request.picking_ids)
        return return_request

    def refund(self, return_request):
        action = return_request.action_open_refund_wizard()
        wizard = self.env[action["res_model"]].with_context(**action["context"])
        wizard.create({}).action_refund()

    def cancel(self, order):
        """Cancelled by the team with Odoo's wizard, which emails the customer."""
        action = order.action_cancel()
        self.env[action["res_model"]].with_context(**action["context"]).create(
            {"order_id": order.id}
        ).action_send_mail_and_cancel()
        return order

    # --- The orders -----------------------------------------------------------------

    def make_orders(self):
        """Every tracking stage, checked; ``{stage: order id}``."""
        a, b, c = self._create_customers()
        orders = {
            "confirmed": self.pay(self.cart(a, {0: 1})),
            "in_preparation": self.prepare(self.pay(self.cart(c, {1: 2}))),
            "partially_shipped": self.ship(
                self.pay(self.cart(b, {0: 2, 1: 1})), {self.products[0]: 1}
            ),
            "shipped": self.request_invoice(
                self.ship(self.pay(self.cart(a, {0: 1, 2: 1})))
            ),
            "to_confirm": self.pay(self.cart(c, {2: 3}), self.provider_transfer),
            "cancelled": self.cancel(
                self.pay(self.cart(b, {1: 1}), self.provider_transfer)
            ),
        }
        returned = {}
        for stage, customer in (
            ("return_requested", b),
            ("returned", c),
            ("refunded", a),
        ):
            order = self.request_invoice(
                self.ship(self.pay(self.cart(customer, {0: 1, 1: 1})))
            )
            returned[stage] = self.ask_return(order)
            orders[stage] = order
        self.receive_return(returned["returned"])
        self.refund(self.receive_return(returned["refunded"]))
        guest = self.guest_order(GUESTS[self.code])
        self.guest_order_id = self.ship(guest).id
        # Last: a customer's open cart is the one the website gives them back.
        awaiting = self.cart(b, {2: 1})
        self.checkout(awaiting, self.provider_demo)
        orders["awaiting_payment"] = awaiting
        orders["cart"] = self.cart(a, {1: 1, 2: 2})
        self._abandoned_carts()
        return self._checked(orders)

    def _checked(self, orders):
        self.env.invalidate_all()
        wrong = {
            stage: order.tracking_stage
            for stage, order in orders.items()
            if order.tracking_stage != stage
        }
        missing = set(STAGES) - set(orders)
        if wrong or missing:
            raise RuntimeError(f"{self.website.name}: wrong stages {wrong}, {missing}")
        log(f"{self.website.name}: an order in each of the {len(STAGES)} stages")
        return {stage: order.id for stage, order in orders.items()}

    def _abandoned_carts(self):
        """Two shoppers left their cart; each gets the first reminder; on the
        English shop one of them then orders."""
        start = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        self.website.write(
            {"cart_reminder_enabled": True, "cart_reminder_start_date": start}
        )
        carts = self.env["sale.order"]
        for index, (login, name, (street, city, zip_code)) in enumerate(
            SHOPPERS[self.code]
        ):
            user = self.env["res.users"].create(
                {
                    "name": name,
                    "login": login,
                    "password": login.split("@")[0],
                    "lang": self.lang,
                    "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
                }
            )
            user.partner_id.write(
                {
                    "email": login,
                    "street": street,
                    "city": city,
                    "zip": zip_code,
                    "country_id": self.env.ref(
                        "base.ir" if self.code == "fa" else "base.uk"
                    ).id,
                    "phone": f"{PHONE_OF_SHOPPERS[self.code]}{index + 1}{index + 5}0",
                }
            )
            carts |= self.cart(user, {index: 1, 2: 1})
        # The hours since the shoppers left, one more than the first reminder's
        # delay: the one direct write of the demo, as no user can change this
        # date (the journey test does the same).
        delay = self.website.cart_reminder_step_ids[:1].delay_hours
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET cart_update_date = cart_update_date - %s"
            " WHERE id IN %s",
            [datetime.timedelta(hours=delay + 1), tuple(carts.ids)],
        )
        self.env.invalidate_all()
        # The cron claims its batches and commits each: the carts are committed.
        self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env["sale.order"]._cron_send_cart_reminders()
        reminded = carts.filtered(lambda cart: cart.cart_reminder_step == 1)
        if reminded != carts:
            raise RuntimeError(f"{self.website.name}: cart reminders not sent")
        if self.code == "en":
            self.pay(carts[1])  # back by the reminder's link, and paid


def log(message):
    sys.stdout.write(f"[demo_shop] {message}\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--links", required=True, help="JSON file of the links")
    args = parser.parse_args()
    registry = boot(args.config, args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        shop = DemoShop(env, args.port)
        state = env["ir.config_parameter"].get_param(MARKER)
        if state:
            state = json.loads(state)
            shop.point_at_server(state)
        else:
            log("Building the demo shop: English and Persian websites, their orders")
            state = shop.build()
        links = shop.links(state)
    if not shutil.which("rtlcss"):
        log(
            "rtlcss is missing (npm install -g rtlcss): Odoo cannot mirror its CSS "
            "for the Persian website's right-to-left pages"
        )
    with open(args.links, "w", encoding="utf-8") as target:
        json.dump(links, target, indent=2)


if __name__ == "__main__":
    main()
