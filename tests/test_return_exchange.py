# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Self-service exchanges: the customer asks on the return form for another
variant, a Sales user approves, the replacement order and its delivery follow."""

import json
import threading
import time
from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import SALES_ALL, STOCK, CronWorkersCase, create_staff
from .test_refunds import RefundCommon

SIZES = ("S", "M", "L", "XL", "XXL")


class ExchangeCommon(RefundCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        size = cls.env["product.attribute"].create(
            {
                "name": "Exchange Size",
                "create_variant": "always",
                "value_ids": [Command.create({"name": name}) for name in SIZES],
            }
        )
        cls.shirt = cls.env["product.template"].create(
            {
                "name": "Exchange Shirt",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
                "website_published": True,
                "taxes_id": [Command.clear()],
                "attribute_line_ids": [
                    Command.create(
                        {
                            "attribute_id": size.id,
                            "value_ids": [Command.set(size.value_ids.ids)],
                        }
                    )
                ],
            }
        )
        values = cls.shirt.attribute_line_ids.product_template_value_ids
        extras = {"S": -5.0, "L": 10.0}
        for value in values:
            value.price_extra = extras.get(value.name, 0.0)
        cls.size = {
            variant.product_template_attribute_value_ids.name: variant
            for variant in cls.shirt.product_variant_ids
        }
        # XXL: the same price as M, none in stock.
        for name in ("S", "M", "L", "XL"):
            cls.env["stock.quant"]._update_available_quantity(
                cls.size[name], cls.warehouse.lot_stock_id, 10.0
            )

    def _shirt_order(self, customer=None, quantity=1):
        order = self._delivered_order(customer, products={self.size["M"]: quantity})
        order.user_id = self.salesman_1
        return order

    def _line(self, order):
        return order.order_line.filtered(lambda line: line.product_id == self.size["M"])

    def _fields(self, order, exchange, quantity="1"):
        line = self._line(order)
        return {
            f"quantity_{line.id}": quantity,
            f"reason_{line.id}": str(self.reason.id),
            f"exchange_{line.id}": str(exchange),
        }

    def _post(self, order, **fields):
        return self._post_form(f"/my/orders/{order.id}/return", **fields)

    def _requests(self, order):
        return self.env["sale.return.request"].search([("order_id", "=", order.id)])

    def _ask_exchange(self, order, variant):
        """The customer's exchange of ``order``'s shirt, posted on the form."""
        self.authenticate(self.customer.login, self.customer.login)
        response = self._post(order, **self._fields(order, variant.id))
        self.assertEqual(response.status_code, 303, response.text[:2000])
        return self._requests(order)

    def _approve(self, request, user=None):
        request.with_user(user or self.salesman_1).action_approve()
        return request.replacement_order_id

    def _pay_on_portal(self, order):
        """The customer pays ``order`` on its portal page with the demo provider
        (the page's payment form posts to Odoo's transaction route)."""
        self.authenticate(self.customer.login, self.customer.login)
        params = {
            "access_token": order._portal_ensure_token(),
            "provider_id": self.provider_demo.id,
            "payment_method_id": self.method_demo.id,
            "token_id": None,
            "amount": order.amount_total,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": order.get_portal_url(),
        }
        response = self.url_open(
            f"/my/orders/{order.id}/transaction",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("error", response.json(), response.text[:2000])
        tx = order.transaction_ids.filtered(lambda t: t.state == "draft")
        tx._handle_notification_data(
            "demo",
            {
                "reference": tx.reference,
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        tx._post_process()
        return tx


@tagged("post_install", "-at_install")
class TestReturnExchange(HttpCase, ExchangeCommon):
    def test_same_price_exchange_from_the_form_to_the_replacement_delivery(self):
        order = self._shirt_order()
        self.authenticate(self.customer.login, self.customer.login)
        form = self.url_open(f"/my/orders/{order.id}/return").text
        for name in ("S", "L", "XL"):
            self.assertIn(f'value="{self.size[name].id}"', form, name)
        self.assertNotIn(f'value="{self.size["XXL"].id}"', form, "out of stock")
        self.assertNotIn(f'value="{self.size["M"].id}"', form, "the same variant")
        request = self._ask_exchange(order, self.size["XL"])
        self.assertEqual(request.line_ids.exchange_product_id, self.size["XL"])
        self.assertTrue(request.is_exchange)
        self.assertEqual(request.state, "requested")
        replacement = self._approve(request)
        self.assertEqual(request.state, "exchange")
        self.assertTrue(request.picking_ids, "the goods still come back")
        self.assertEqual(replacement.exchange_request_id, request)
        self.assertEqual(replacement.state, "sale")
        self.assertEqual(replacement.amount_total, 0.0)
        self.assertEqual(replacement.partner_shipping_id, order.partner_shipping_id)
        self.assertEqual(replacement.website_id, order.website_id)
        self.assertEqual(replacement.order_line.product_id, self.size["XL"])
        self.assertEqual(replacement.order_line.product_uom_qty, 1.0)
        delivery = replacement.picking_ids
        self.assertEqual(delivery.state, "assigned", "reserved at once")
        self.assertEqual(delivery.move_ids.product_id, self.size["XL"])
        self.assertEqual(order.tracking_stage, "exchange")
        self.assertEqual(replacement.tracking_stage, "exchange")
        for record in (order, replacement):
            self.assertIn("exchange", self._event_types(record))
        page = self.url_open(order.get_portal_url(suffix="/tracking")).text
        self.assertIn("o_wsot_replacement_order", page)
        self.assertIn(replacement.name, page)
        page = self.url_open(replacement.get_portal_url(suffix="/tracking")).text
        self.assertIn("o_wsot_exchanged_order", page)
        self.assertIn(order.name, page)
        self.assertIn(self.size["XL"].display_name, page)
        self.assertIn(replacement.name, self.url_open(request.get_portal_url()).text)
        in_progress = self.url_open("/my/returns?filterby=open").text
        self.assertIn(request.name, in_progress)
        # The goods come back, the replacement ships.
        self._validate_picking(request.picking_ids)
        self.assertEqual(request.state, "received")
        self.assertEqual(order.tracking_stage, "returned")
        self._validate_picking(delivery)
        self.assertEqual(replacement.tracking_stage, "shipped")

    def test_bad_exchanges_are_refused_and_nothing_is_written(self):
        order = self._shirt_order()
        other = self.env["product.product"].create(
            {"name": "Unpublished Hat", "type": "consu", "website_published": False}
        )
        self.size["S"].active = False
        self.authenticate(self.customer.login, self.customer.login)
        refused = "cannot be sent in exchange"
        cases = [
            (self.product.id, refused),  # another product
            (other.id, refused),  # unpublished, another product
            (self.size["M"].id, refused),  # the same variant
            (self.size["S"].id, refused),  # archived
            (self.size["XXL"].id, "are available now"),  # out of stock
            (999999999, refused),  # no such product
            ("abc", refused),
            ("-3", refused),
            ("1e3", refused),
            ("12345678901234567890", refused),
            ("٣", refused),
        ]
        for exchange, message in cases:
            with self.subTest(exchange=exchange):
                response = self._post(order, **self._fields(order, exchange))
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        # The return's own rules hold for an exchange.
        response = self._post(order, **self._fields(order, self.size["XL"].id, "2"))
        self.assertIn("At most 1", response.text)
        self.shirt.website_published = False
        response = self._post(order, **self._fields(order, self.size["XL"].id))
        self.assertIn(refused, response.text)
        self.assertFalse(self._requests(order))
        self.authenticate(self.customer_2.login, self.customer_2.login)
        response = self._post(order, **self._fields(order, self.size["XL"].id))
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._requests(order))

    def test_return_window_applies_to_an_exchange(self):
        order = self._shirt_order()
        order.picking_ids.move_ids.date -= timedelta(days=31)
        self.authenticate(self.customer.login, self.customer.login)
        response = self._post(order, **self._fields(order, self.size["XL"].id))
        self.assertIn("return window", response.text)
        self.assertFalse(self._requests(order))

    def test_stock_gone_before_approval_refuses_it(self):
        order = self._shirt_order()
        request = self._ask_exchange(order, self.size["XL"])
        # Another customer buys every XL left.
        self._paid_order(self.customer_2, {self.size["XL"]: 10})
        with self.assertRaisesRegex(UserError, "Only 0.0 Units of .*XL.* available"):
            request.with_user(self.salesman_1).action_approve()
        self.assertEqual(request.state, "requested")
        self.assertFalse(request.replacement_order_id)
        self.assertFalse(request.picking_ids)
        self.assertFalse(
            self.env["sale.order"].search([("exchange_request_id", "=", request.id)])
        )

    def test_goods_not_reservable_at_approval_refuse_it(self):
        """In the warehouse but not where its deliveries take from (received,
        not put away): the replacement's delivery cannot hold it, the approval
        is refused and rolled back."""
        self.warehouse.reception_steps = "two_steps"
        quants = self.env["stock.quant"]
        quants._update_available_quantity(
            self.size["XL"], self.warehouse.lot_stock_id, -10.0
        )
        quants._update_available_quantity(
            self.size["XL"], self.warehouse.wh_input_stock_loc_id, 5.0
        )
        order = self._shirt_order()
        request = self._ask_exchange(order, self.size["XL"])
        # The button's transaction is rolled back on the error: a savepoint here.
        with (
            self.assertRaisesRegex(UserError, "XL.* no longer in stock"),
            self.env.cr.savepoint(),
        ):
            request.with_user(self.salesman_1).action_approve()
        self.env.invalidate_all()
        self.assertEqual(request.state, "requested")
        self.assertFalse(request.picking_ids)
        self.assertFalse(
            self.env["sale.order"].search([("exchange_request_id", "=", request.id)])
        )

    def test_guest_with_the_order_link_asks_and_inventory_approves(self):
        order = self._shirt_order()
        token = order._portal_ensure_token()
        fields = dict(self._fields(order, self.size["XL"].id), access_token=token)
        response = self._post(order, **fields)
        self.assertEqual(response.status_code, 303)
        request = self._requests(order)
        self.assertEqual(request.line_ids.exchange_product_id, self.size["XL"])
        replacement = self._approve(request, self.stock_user)
        self.assertEqual(replacement.picking_ids.state, "assigned")
        self.assertEqual(replacement.partner_id, order.partner_id)

    def test_dearer_variant_is_paid_on_the_portal_then_delivered(self):
        order = self._shirt_order()
        request = self._ask_exchange(order, self.size["L"])
        replacement = self._approve(request)
        self.assertEqual(request.line_ids.exchange_price_difference, 10.0)
        self.assertEqual(request.amount_total, 0.0, "nothing to refund")
        self.assertEqual(replacement.state, "sent")
        self.assertEqual(replacement.amount_total, 10.0)
        self.assertTrue(replacement._has_to_be_paid())
        self.assertFalse(replacement.picking_ids)
        self.assertEqual(replacement.tracking_stage, "awaiting_payment")
        self.assertEqual(order.tracking_stage, "exchange")
        page = self.url_open(replacement.get_portal_url(suffix="/tracking")).text
        self.assertIn("o_wsot_exchange_pay", page)
        self._pay_on_portal(replacement)
        self.assertEqual(replacement.state, "sale")
        self.assertEqual(replacement.picking_ids.state, "assigned")
        self.assertEqual(replacement.tracking_stage, "exchange")

    def test_cheaper_variant_difference_is_refunded(self):
        order = self._shirt_order()
        request = self._ask_exchange(order, self.size["S"])
        replacement = self._approve(request)
        self.assertEqual(request.line_ids.exchange_price_difference, -5.0)
        self.assertEqual(replacement.state, "sale")
        self.assertEqual(replacement.amount_total, 0.0)
        self.assertEqual(replacement.picking_ids.state, "assigned")
        self.assertEqual(request.amount_total, 5.0)
        self._validate_picking(request.picking_ids.with_user(self.stock_user))
        self.assertEqual(request.state, "received")
        wizard = self._wizard(order, return_request=request)
        self.assertEqual(wizard.amount, 5.0)
        wizard.action_refund()
        self.assertEqual(self._credit_notes(order).amount_total, 5.0)
        self.assertEqual(request.state, "refunded")
        self.assertEqual(order.tracking_stage, "partially_refunded")

    def test_exchange_links_move_only_by_the_approval(self):
        order = self._shirt_order()
        request = self._ask_exchange(order, self.size["XL"])
        mine = self._shirt_order()
        with self.assertRaisesRegex(UserError, "only through its buttons"):
            request.with_user(self.salesman_1).write({"replacement_order_id": mine.id})
        with self.assertRaisesRegex(UserError, "made by the approval"):
            mine.with_user(self.salesman_1).write({"exchange_request_id": request.id})
        with self.assertRaisesRegex(UserError, "set at its approval"):
            request.line_ids.with_user(self.salesman_1).write(
                {"exchange_price_difference": -40.0}
            )
        # Staff correcting the ask are held to the customer's rules.
        with (
            self.assertRaisesRegex(UserError, "cannot be sent in exchange"),
            self.env.cr.savepoint(),
        ):
            request.line_ids.with_user(self.salesman_1).write(
                {"exchange_product_id": self.product.id}
            )
        request.line_ids.invalidate_recordset()
        self._approve(request)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            request.unlink()
        self.assertEqual(request.line_ids.exchange_product_id, self.size["XL"])


@tagged("post_install", "-at_install")
class TestExchangeApprovalRace(CronWorkersCase):
    """Two exchanges asking the last unit of a variant, approved at once by two
    staff users, each in a transaction of their own (committed data, removed
    afterwards)."""

    def _create_data(self, env):
        website = env["website"].search([], limit=1)
        returns_were_enabled = website.return_enabled
        website.return_enabled = True
        size = env["product.attribute"].create(
            {
                "name": "Race Size",
                "create_variant": "always",
                "value_ids": [Command.create({"name": name}) for name in ("M", "XL")],
            }
        )
        shirt = env["product.template"].create(
            {
                "name": "Race Shirt",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
                "is_published": True,
                "taxes_id": [Command.clear()],
                "attribute_line_ids": [
                    Command.create(
                        {
                            "attribute_id": size.id,
                            "value_ids": [Command.set(size.value_ids.ids)],
                        }
                    )
                ],
            }
        )
        variant = {
            v.product_template_attribute_value_ids.name: v
            for v in shirt.product_variant_ids
        }
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        quants = env["stock.quant"]
        quants._update_available_quantity(variant["M"], warehouse.lot_stock_id, 2.0)
        # The last unit of XL, asked by both exchanges.
        quants._update_available_quantity(variant["XL"], warehouse.lot_stock_id, 1.0)
        partners = env["res.partner"].create(
            [{"name": f"Race Customer {index}"} for index in (1, 2)]
        )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "website_id": website.id,
                    "warehouse_id": warehouse.id,
                    "order_line": [Command.create({"product_id": variant["M"].id})],
                }
                for partner in partners
            ]
        )
        orders.action_confirm()
        for delivery in orders.picking_ids:
            delivery.move_ids.quantity = 1.0
            delivery.move_ids.picked = True
            delivery.button_validate()
        reason = env.ref("website_sale_order_tracking.return_reason_damaged")
        requests = env["sale.return.request"].create(
            [
                {
                    "order_id": order.id,
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": order.order_line.id,
                                "quantity": 1,
                                "reason_id": reason.id,
                                "exchange_product_id": variant["XL"].id,
                            }
                        )
                    ],
                }
                for order in orders
            ]
        )
        self.assertEqual(requests.mapped("is_exchange"), [True, True])
        # The two groups that approve returns: Sales (all documents), Inventory;
        # the Inventory user reads Persian.
        persian_was_active = bool(env["res.lang"]._lang_get("fa_IR"))
        env["res.lang"]._activate_lang("fa_IR")
        approvers = create_staff(env, "wsot_race_sales", SALES_ALL) | create_staff(
            env, "wsot_race_stock", STOCK
        )
        approvers[1].lang = "fa_IR"
        return {
            "orders": orders.ids,
            "requests": requests.ids,
            "approvers": approvers.ids,
            "xl": variant["XL"].id,
            "template": shirt.id,
            "attribute": size.id,
            "partners": (partners | approvers.partner_id).ids,
            "returns_were_enabled": returns_were_enabled,
            "persian_was_active": persian_was_active,
        }

    def _remove_data(self, env):
        ids = self.ids
        originals = env["sale.order"].browse(ids["orders"])
        requests = env["sale.return.request"].browse(ids["requests"])
        orders = originals | env["sale.order"].search(
            [("exchange_request_id", "in", requests.ids)]
        )
        products = env["product.template"].browse(ids["template"]).product_variant_ids
        pickings = orders.picking_ids | requests.picking_ids
        groups = orders.procurement_group_id
        # Done transfers and exchanged requests cannot be deleted by the ORM: this
        # test's own go by SQL.
        for model, records in (
            ("sale.return.request", requests),
            ("stock.picking", pickings),
        ):
            params = [model, tuple(records.ids)]
            env.cr.execute(
                "DELETE FROM mail_message WHERE model = %s AND res_id IN %s", params
            )
            env.cr.execute(
                "DELETE FROM mail_followers WHERE res_model = %s AND res_id IN %s",
                params,
            )
        for query in (
            "DELETE FROM stock_move_line WHERE picking_id IN %s",
            "DELETE FROM stock_move WHERE picking_id IN %s",
            "DELETE FROM stock_picking WHERE id IN %s",
        ):
            env.cr.execute(query, [tuple(pickings.ids)])
        for query in (
            "DELETE FROM stock_valuation_layer WHERE product_id IN %s",
            "DELETE FROM stock_quant WHERE product_id IN %s",
        ):
            env.cr.execute(query, [tuple(products.ids)])
        env.cr.execute(
            "DELETE FROM sale_return_request WHERE id IN %s", [tuple(requests.ids)]
        )
        env.invalidate_all()
        self._remove_orders(orders)
        groups.unlink()
        # The variants first: the template's deletion would leave their messages.
        products.unlink()
        env["product.template"].browse(ids["template"]).exists().unlink()
        env["product.attribute"].browse(ids["attribute"]).unlink()
        env["res.users"].browse(ids["approvers"]).unlink()
        env["res.partner"].browse(ids["partners"]).unlink()
        website = env["website"].search([], limit=1)
        website.return_enabled = ids["returns_were_enabled"]
        if not ids["persian_was_active"]:
            env["res.lang"]._lang_get("fa_IR").active = False

    @staticmethod
    def _approve(env, request_id, user_id):
        """Approve as ``user_id`` does in the web client: with their context."""
        env = env(user=user_id)
        env = env(context=env.user.context_get())
        env["sale.return.request"].browse(request_id).action_approve()

    def _wait_until_blocked_or_done(self, pid, done, timeout=60):
        """Until the transaction of backend ``pid`` waits on a lock, or ``done``."""
        deadline = time.monotonic() + timeout
        with self.env.registry.cursor() as cr:
            while not done.wait(0.05) and time.monotonic() < deadline:
                cr.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
                if cr.fetchone()[0]:
                    return

    def _committed_state(self, env):
        """What is committed: the requests' states, the replacement orders (their
        request, state and delivery's state), the XL on hand and reserved."""
        requests = env["sale.return.request"].browse(self.ids["requests"])
        replacements = env["sale.order"].search(
            [("exchange_request_id", "in", requests.ids)]
        )
        quants = env["stock.quant"].search([("product_id", "=", self.ids["xl"])])
        return {
            "states": requests.mapped("state"),
            "replacements": [
                (order.exchange_request_id.id, order.state, order.picking_ids.state)
                for order in replacements
            ],
            "return transfers": [len(request.picking_ids) for request in requests],
            "on hand": sum(quants.mapped("quantity")),
            "reserved": sum(quants.mapped("reserved_quantity")),
        }

    def test_two_approvals_at_once_send_the_last_unit_once(self):
        """The second approval waits for the first on the variant's stock, then
        fails to serialize, before it writes anything; Odoo's retry of it is
        refused by the stock check. (The replacement's reservation check is not
        reached here: ``test_goods_not_reservable_at_approval_refuse_it``.)"""
        (first, second), (sales_user, stock_user) = (
            self.ids["requests"],
            self.ids["approvers"],
        )
        started = threading.Barrier(2, timeout=60)
        first_approved, second_done = threading.Event(), threading.Event()
        second_pid = []

        def approve_first(env):
            started.wait()
            try:
                self._approve(env, first, sales_user)
            finally:
                first_approved.set()
            # Committed only once the second approval has run or waits on a
            # lock: both transactions are open at once, as two workers' are.
            self._wait_until_blocked_or_done(second_pid[0], second_done)

        def approve_second(env):
            env.cr.execute("SELECT pg_backend_pid()")
            second_pid.append(env.cr.fetchone()[0])
            started.wait()
            try:
                first_approved.wait(timeout=60)
                self._approve(env, second, stock_user)
            finally:
                second_done.set()

        errors = self._run_at_once([approve_first, approve_second])
        state = self._in_own_cursor(self._committed_state)
        self.assertEqual(len(errors), 1, f"{errors}: {state}")
        self.assertIn("could not serialize", errors[0])
        # Odoo retries the second approval in a new transaction: it now sees the
        # unit taken, is refused by the stock check (in the user's language:
        # "Only 0.0 Units of Race Shirt (XL) are available now") and writes nothing.
        with self.assertRaisesRegex(
            UserError, r"^اکنون تنها 0\.0 .+ از Race Shirt \(XL\) موجود است"
        ):
            self._in_own_cursor(lambda env: self._approve(env, second, stock_user))
        self.assertEqual(
            self._in_own_cursor(self._committed_state),
            {
                "states": ["exchange", "requested"],
                "replacements": [(first, "sale", "assigned")],
                "return transfers": [1, 0],
                "on hand": 1.0,
                "reserved": 1.0,
            },
        )
