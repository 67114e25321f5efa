"""Simulated customers and staff of bench/load/run_load.py (locust).

Two shops at once, the same people on each: ``odoo`` (Odoo's modules only) and
``addon`` (the same data with the addon). The routes of the addon are replaced on
Odoo's shop by Odoo's own page for the same need: the portal order page for the
tracking page, the order's link with its token for the guest lookup, the order
page for the return form. Requests are named ``<shop> <route>``; a whole
checkout is also recorded as one ``FLOW`` entry, from the cart to the
confirmation page.

Settings from the environment: LOAD_ODOO_URL, LOAD_ADDON_URL, LOAD_SCENARIO_DIR
(the scenario files that load_data.py prepare wrote), LOAD_SEED.
"""

import html
import itertools
import json
import os
import random
import re
import time

from locust import HttpUser, between, task
from locust.clients import HttpSession

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SCENARIOS = {}
COUNTERS = {}
# Odoo's payment page polls again after a "retry" answer: how often, how soon (s).
RETRY = object()
POLL_TRIES = 5
POLL_WAIT = 0.5


def scenario(target):
    if target not in SCENARIOS:
        path = os.path.join(os.environ["LOAD_SCENARIO_DIR"], f"{target}.json")
        with open(path, encoding="utf-8") as source:
            data = json.load(source)
        data["logins"] = itertools.cycle(sorted(data["portal"]))
        data["guests"] = itertools.cycle(data["guest_orders"])
        SCENARIOS[target] = data
    return SCENARIOS[target]


def next_index(key):
    """The n-th user of a kind: the same seed for the n-th user of each shop."""
    COUNTERS[key] = COUNTERS.get(key, -1) + 1
    return COUNTERS[key]


class ShopClient:
    """One browser (cookies) on one shop, naming its requests by shop and route."""

    def __init__(self, user, session):
        self.user, self.session, self.target = user, session, user.target

    def get(self, url, route, **kwargs):
        return self._check("get", url, route, **kwargs)

    def post(self, url, route, **kwargs):
        return self._check("post", url, route, **kwargs)

    def _check(self, method, url, route, expect=None, **kwargs):
        name = f"{self.target} {route}"
        with getattr(self.session, method)(
            url, name=name, catch_response=True, **kwargs
        ) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
            elif expect and expect not in response.text:
                response.failure(f"{expect!r} not in the page")
            else:
                response.success()
        return response

    def jsonrpc(self, url, route, params, retry=False):
        """The call's result; with ``retry``, RETRY for Odoo's answer "retry"
        (the payment page's poll met a concurrent transaction)."""
        body = {"jsonrpc": "2.0", "method": "call", "params": params}
        response = self.post(url, route, json=body)
        try:
            answer = response.json()
        except ValueError:
            return None
        if answer.get("error"):
            error = answer["error"].get("data", {}).get("message") or answer["error"]
            if retry and error == "retry":
                return RETRY
            self.user.fail_request(f"{self.target} {route}", f"JSON-RPC error: {error}")
            return None
        return answer.get("result")

    def authenticate(self, login, password, db):
        return self.jsonrpc(
            "/web/session/authenticate",
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )

    def csrf(self, url, route):
        match = CSRF.search(self.get(url, route).text)
        return match.group(1) if match else ""


class LoadUser(HttpUser):
    abstract = True
    target = None

    def on_start(self):
        self.data = scenario(self.target)
        self.rng = random.Random(  # noqa: S311 - a scenario, not secrets
            f"{os.environ.get('LOAD_SEED', '1')}-{self.kind}-"
            f"{next_index((self.kind, self.target))}"
        )

    def fail_request(self, name, message):
        self.environment.events.request.fire(
            request_type="JSONRPC",
            name=name,
            response_time=0,
            response_length=0,
            exception=Exception(message),
            context={},
        )

    def record_flow(self, name, start):
        self.environment.events.request.fire(
            request_type="FLOW",
            name=f"{self.target} {name}",
            response_time=(time.perf_counter() - start) * 1000,
            response_length=0,
            exception=None,
            context={},
        )


class Shopper(LoadUser):
    """A portal customer (logged in once: a login costs Odoo 600,000 hash
    rounds), who also shops as a guest in a browser of their own."""

    abstract = True
    kind = "shopper"
    wait_time = between(0.5, 2)

    def on_start(self):
        super().on_start()
        self.login = next(self.data["logins"])
        self.customer = self.data["portal"][self.login]
        self.browser = ShopClient(self, self.client)
        self.browser.authenticate(self.login, self.data["password"], self.data["db"])

    @task(5)
    def browse(self):
        url, _product_id = self.rng.choice(self.data["products"])
        self.browser.get("/shop", "/shop")
        self.browser.get(f"/shop?page={self.rng.randint(2, 4)}", "/shop?page=")
        self.browser.get(url, "/shop/<product>")

    @task(2)
    def checkout_as_portal_user(self):
        self._buy(self.browser, guest=False)

    @task(2)
    def checkout_as_guest(self):
        guest = ShopClient(self, self._new_session())
        self._buy(guest, guest=True)

    @task(3)
    def tracking_page(self):
        order_id = self.rng.choice(self.customer["orders"])
        suffix = "/tracking" if self.data["addon"] else ""
        self.browser.get(f"/my/orders/{order_id}{suffix}", "tracking page")

    @task(1)
    def guest_lookup(self):
        order = next(self.data["guests"])
        guest = ShopClient(self, self._new_session())
        if not self.data["addon"]:
            # Odoo: the guest opens the link of the order's email.
            url = f"/my/orders/{order['id']}?access_token={order['token']}"
            guest.get(url, "guest tracking page")
            return
        token = guest.csrf("/order-status", "/order-status")
        response = guest.post(
            "/order-status",
            "/order-status POST",
            data={
                "csrf_token": token,
                "reference": order["name"],
                "email": order["email"],
            },
            allow_redirects=False,
        )
        if response.status_code == 303:
            guest.get(response.headers["Location"], "guest tracking page")
        else:
            self.fail_request(f"{self.target} /order-status POST", "not found")

    @task(1)
    def ask_for_return(self):
        if not self.customer["delivered"]:
            return
        order = self.customer["delivered"].pop()
        if not self.data["addon"]:
            # Odoo: the customer reads the order page (and writes to the shop).
            self.browser.get(f"/my/orders/{order['id']}", "return form")
            return
        url = f"/my/orders/{order['id']}/return"
        token = self.browser.csrf(url, "return form")
        line = order["lines"][0]
        self.browser.post(
            url,
            "return form POST",
            data={
                "csrf_token": token,
                f"quantity_{line}": "1",
                f"reason_{line}": str(self.data["reason_id"]),
                "comment": "Load test",
            },
            expect="",
        )

    def _new_session(self):
        return HttpSession(
            base_url=self.host,
            request_event=self.environment.events.request,
            user=self,
        )

    def _buy(self, browser, guest):
        start = time.perf_counter()
        url, product_id = self.rng.choice(self.data["products"])
        browser.get(url, "/shop/<product>")
        browser.jsonrpc(
            "/shop/cart/update_json",
            "/shop/cart/update_json",
            {"product_id": product_id, "add_qty": self.rng.randint(1, 2)},
        )
        browser.get("/shop/cart", "/shop/cart")
        if guest:
            self._fill_address(browser)
        provider = self.rng.choice(["demo", "transfer"])
        if self._pay(browser, provider):
            self.record_flow("checkout", start)

    def _fill_address(self, browser):
        token = browser.csrf("/shop/address", "/shop/address")
        number = self.rng.randint(1, 10**6)
        browser.post(
            "/shop/address/submit",
            "/shop/address/submit",
            data={
                "csrf_token": token,
                "address_type": "billing",
                "use_delivery_as_billing": "true",
                "name": f"Load Guest {number}",
                "email": f"load_guest_{number}@example.com",
                "phone": "+32 2 555 12 12",
                "street": "Rue de la Loi 16",
                "city": "Brussels",
                "zip": "1000",
                "country_id": str(self.data["country_id"]),
            },
            expect="successUrl",
        )

    def _pay(self, browser, provider):
        """Delivery step, payment page, transaction, provider, status, landing."""
        provider_id, method_id = self.data["providers"][provider]
        browser.get("/shop/checkout", "/shop/checkout")
        browser.jsonrpc(
            "/shop/set_delivery_method",
            "/shop/set_delivery_method",
            {"dm_id": str(self.data["carrier_id"])},
        )
        page = browser.get("/shop/payment", "/shop/payment")
        form = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', page.text))
        if "transaction-route" not in form:
            self.fail_request(f"{self.target} /shop/payment", "no payment form")
            return False
        values = browser.jsonrpc(
            html.unescape(form["transaction-route"]),
            "/shop/payment/transaction",
            {
                "access_token": form["access-token"],
                "provider_id": provider_id,
                "payment_method_id": method_id,
                "token_id": None,
                "amount": float(form["amount"]),
                "flow": "direct" if provider == "demo" else "redirect",
                "tokenization_requested": False,
                "landing_route": form["landing-route"],
            },
        )
        if not values:
            return False
        if provider == "demo":  # the card form's "Pay" in test mode
            browser.jsonrpc(
                "/payment/demo/simulate_payment",
                "/payment/demo/simulate_payment",
                {
                    "reference": values["reference"],
                    "payment_details": "4242",
                    "simulated_state": "done",
                },
            )
        else:  # the browser posts the provider's redirect form
            redirect = values["redirect_form_html"]
            action = re.search(r'action="([^"]+)"', redirect).group(1)
            data = dict(re.findall(r'name="([^"]+)"\s+value="([^"]*)"', redirect))
            browser.post(action, "/payment/custom/process", data=data)
        browser.get("/payment/status", "/payment/status")
        status = self._poll(browser)
        if not status or not status.get("landing_route"):
            return False
        browser.get(status["landing_route"], "/shop/payment/validate")
        return True

    def _poll(self, browser):
        """The payment page's poll, again after its "retry" answer as Odoo's page
        does (the customer sees nothing of it)."""
        for __ in range(POLL_TRIES):
            status = browser.jsonrpc(
                "/payment/status/poll", "/payment/status/poll", {}, retry=True
            )
            if status is not RETRY:
                return status
            time.sleep(POLL_WAIT)
        self.fail_request(f"{self.target} /payment/status/poll", "still retry")
        return None


class Staff(LoadUser):
    """A Sales user who confirms the queue of orders paid by wire transfer, and an
    Inventory user who validates the deliveries, through Odoo's JSON-RPC."""

    abstract = True
    kind = "staff"
    fixed_count = 1
    wait_time = between(3, 6)

    def on_start(self):
        super().on_start()
        self.sales = ShopClient(self, self.client)
        self.sales.authenticate(
            self.data["sales_all"], self.data["password"], self.data["db"]
        )
        self.stock = ShopClient(self, self._session())
        self.stock.authenticate(
            self.data["stock_user"], self.data["password"], self.data["db"]
        )

    def _session(self):
        return HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )

    def call(self, client, model, method, *args, route=None, **kwargs):
        kwargs.setdefault("context", {"skip_sms": True})
        return client.jsonrpc(
            f"/web/dataset/call_kw/{model}/{method}",
            route or f"staff {model}.{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    @task
    def confirm_the_queue(self):
        if self.data["addon"]:
            domain = [
                ("tracking_stage", "=", "to_confirm"),
                ("website_id", "!=", False),
            ]
        else:
            domain = [("state", "=", "sent"), ("website_id", "!=", False)]
        orders = self.call(
            self.sales, "sale.order", "search", domain, limit=5, route="staff queue"
        )
        if not orders:
            return
        if self.data["addon"]:
            wizard = self.call(
                self.sales,
                "sale.order.confirm.wizard",
                "create",
                {"confirm_unpaid": True},
                context={"default_order_ids": orders},
                route="staff confirm",
            )
            if wizard:
                self.call(
                    self.sales,
                    "sale.order.confirm.wizard",
                    "action_confirm_orders",
                    [wizard],
                    route="staff confirm",
                )
        else:
            self.call(
                self.sales,
                "sale.order",
                "action_confirm",
                orders,
                route="staff confirm",
            )

    @task
    def validate_transfers(self):
        domain = [("state", "=", "assigned"), ("picking_type_code", "=", "outgoing")]
        pickings = self.call(
            self.stock,
            "stock.picking",
            "search",
            domain,
            limit=3,
            route="staff transfers",
        )
        for picking in pickings or []:
            self.call(
                self.stock,
                "stock.picking",
                "button_validate",
                [picking],
                route="staff validate",
            )


def _env_url(target):
    return os.environ.get(f"LOAD_{target.upper()}_URL", "http://127.0.0.1:8069")


class OdooShopper(Shopper):
    target, host = "odoo", _env_url("odoo")


class AddonShopper(Shopper):
    target, host = "addon", _env_url("addon")


class OdooStaff(Staff):
    target, host = "odoo", _env_url("odoo")


class AddonStaff(Staff):
    target, host = "addon", _env_url("addon")
