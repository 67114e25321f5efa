# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may do what with return requests, as JSON-RPC and the buttons do it."""

import base64
import threading

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import PNG, SALES_MANAGER, CronWorkersCase, ReturnCommon, create_staff


def _view_nodes(model, tag):
    """The ``tag`` nodes of ``model``'s form view, as its user gets it."""
    arch = model.get_view(view_type="form")["arch"]
    return etree.fromstring(arch).iter(tag)  # noqa: S320 - Odoo's own view


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@tagged("post_install", "-at_install")
class TestReturnRoles(ReturnCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_user = cls.salesman_1

    def setUp(self):
        super().setUp()
        self.order = self._delivered_order(products={self.product: 2})
        self.order.user_id = self.sales_user
        self.line = self.order.order_line.filtered("product_id.is_storable")
        self.request = self._request(self.order, {self.line: 1})

    def _staff(self):
        return self.sales_user | self.stock_user | self.billing_user

    def _reject_as(self, user, reason="Used."):
        action = self.request.with_user(user).action_open_reject_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"reason": reason})
        )
        return wizard.action_reject()

    # --- Workflow fields move only through the addon's methods ------------------

    def test_state_is_not_written_by_rpc(self):
        other_order = self._delivered_order(self.customer_2)
        for user in self._staff():
            for values in (
                {"state": "received"},
                {"state": "refunded"},
                {"reject_reason": "Spoofed"},
                {"order_id": other_order.id},
                {"request_date": "2020-01-01 00:00:00"},
            ):
                with (
                    self.subTest(user=user.login, values=values),
                    self.assertRaises(UserError),
                ):
                    self.request.with_user(user).write(values)
        self.assertEqual(self.request.state, "requested")
        self.assertFalse(self.request.reject_reason)
        self.assertEqual(self.request.order_id, self.order)

    def test_state_is_not_set_at_creation_by_rpc(self):
        self.order.user_id = self.sales_user
        with self.assertRaises(UserError):
            self.env["sale.return.request"].with_user(self.sales_user).create(
                {
                    "order_id": self.order.id,
                    "state": "received",
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": self.line.id,
                                "quantity": 1,
                                "reason_id": self.reason.id,
                            }
                        )
                    ],
                }
            )
        self.assertEqual(self.order.return_request_ids, self.request)

    def test_picking_links_are_not_written_by_rpc(self):
        delivery = self.order.picking_ids
        with self.assertRaises(UserError):
            self.request.with_user(self.stock_user).write(
                {"picking_ids": [Command.link(delivery.id)]}
            )
        with self.assertRaises(UserError):
            delivery.with_user(self.stock_user).write(
                {"return_request_id": self.request.id}
            )
        self.assertFalse(self.request.picking_ids)
        self.assertFalse(delivery.return_request_id)

    def test_lines_are_frozen_once_approved(self):
        self.request.with_user(self.sales_user).action_approve()
        Line = self.env["sale.return.request.line"].with_user(self.sales_user)
        changes = [
            lambda: self.request.line_ids.with_user(self.sales_user).write(
                {"quantity": 2}
            ),
            lambda: self.request.line_ids.with_user(self.sales_user).unlink(),
            lambda: Line.create(
                {
                    "request_id": self.request.id,
                    "sale_line_id": self.line.id,
                    "quantity": 1,
                    "reason_id": self.reason.id,
                }
            ),
        ]
        for change in changes:
            with self.assertRaises(UserError):
                change()
        self.assertEqual(self.request.line_ids.quantity, 1)

    def test_requested_lines_may_still_be_corrected(self):
        self.request.line_ids.with_user(self.sales_user).quantity = 2
        self.assertEqual(self.request.line_ids.quantity, 2)

    def test_a_request_on_its_way_is_not_deleted(self):
        manager = create_staff(self.env, "wsot_ret_manager", SALES_MANAGER)
        self.request.action_approve()
        with self.assertRaises(UserError):
            self.request.with_user(manager).unlink()
        self.assertTrue(self.request.exists())

    # --- The buttons, each pressed by the role it is shown to ----------------------

    def test_sales_user_approves(self):
        self.request.with_user(self.sales_user).action_approve()
        self.assertEqual(self.request.state, "approved")
        self.assertEqual(self.request.picking_ids.move_ids.product_uom_qty, 1)

    def test_inventory_user_approves(self):
        self.request.with_user(self.stock_user).action_approve()
        self.assertEqual(self.request.state, "approved")
        self.assertTrue(self.request.picking_ids)

    def test_sales_user_rejects(self):
        self._reject_as(self.sales_user)
        self.assertEqual(self.request.state, "rejected")
        self.assertEqual(self.request.reject_reason, "Used.")

    def test_inventory_user_rejects_an_approved_return(self):
        self.request.with_user(self.stock_user).action_approve()
        self._reject_as(self.stock_user, "Never sent.")
        self.assertEqual(self.request.state, "rejected")
        self.assertEqual(self.request.picking_ids.state, "cancel")

    def test_others_cannot_press_the_buttons(self):
        other_salesman = self.salesman_2
        for user in (self.billing_user, self.customer, other_salesman):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.request.with_user(user).action_approve()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._reject_as(user)
        self.assertEqual(self.request.state, "requested")
        self.assertFalse(self.request.picking_ids)

    def test_buttons_are_shown_to_those_who_can_use_them(self):
        def buttons(user):
            return {
                node.get("name")
                for node in _view_nodes(
                    self.env["sale.return.request"].with_user(user), "button"
                )
                if node.get("type") == "object"
            }

        approve_reject = {"action_approve", "action_open_reject_wizard"}
        for user in (self.sales_user, self.stock_user):
            shown = buttons(user)
            self.assertLessEqual(approve_reject, shown, user.login)
            self.assertNotIn("action_open_refund_wizard", shown, user.login)
        self.sales_user.groups_id += self.env.ref("account.group_account_invoice")
        self.assertIn("action_open_refund_wizard", buttons(self.sales_user))
        # The arch itself says who sees each button, whoever may read the form.
        arch = self.env.ref(
            "website_sale_order_tracking.sale_return_request_view_form"
        ).arch
        groups = {
            node.get("name"): set((node.get("groups") or "").split(","))
            for node in etree.fromstring(arch).iter("button")  # noqa: S320
        }
        for button in approve_reject:
            self.assertEqual(
                groups[button],
                {"sales_team.group_sale_salesman", "stock.group_stock_user"},
            )
        self.assertEqual(
            groups["action_open_refund_wizard"], {"account.group_account_invoice"}
        )

    def test_form_shows_the_photo(self):
        photo = [
            node
            for node in _view_nodes(self.env["sale.return.request"], "field")
            if node.get("name") == "photo"
        ]
        self.assertEqual(len(photo), 1)
        self.assertEqual(photo[0].get("widget"), "image")

    # --- Portal users and bad values by RPC ---------------------------------------

    def test_portal_user_cannot_create_or_change_by_rpc(self):
        Request = self.env["sale.return.request"].with_user(self.customer)
        Line = self.env["sale.return.request.line"].with_user(self.customer)
        attempts = [
            lambda: Request.create(
                {
                    "order_id": self.order.id,
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": self.line.id,
                                "quantity": 1,
                                "reason_id": self.reason.id,
                            }
                        )
                    ],
                }
            ),
            lambda: Line.create(
                {
                    "request_id": self.request.id,
                    "sale_line_id": self.line.id,
                    "quantity": 1,
                    "reason_id": self.reason.id,
                }
            ),
            lambda: self.request.with_user(self.customer).write({"comment": "x"}),
            lambda: self.request.line_ids.with_user(self.customer).write(
                {"quantity": 2}
            ),
        ]
        for attempt in attempts:
            with self.assertRaises(AccessError):
                attempt()
        self.assertEqual(self.order.return_request_ids, self.request)
        self.assertEqual(self.request.line_ids.quantity, 1)

    def test_context_key_does_not_switch_the_line_check_off(self):
        Line = (
            self.env["sale.return.request.line"]
            .with_user(self.sales_user)
            .with_context(return_lines_checked=True)
        )
        with (
            self.assertRaisesRegex(ValidationError, "At most 1"),
            self.env.cr.savepoint(),
        ):
            Line.create(
                {
                    "request_id": self.request.id,
                    "sale_line_id": self.line.id,
                    "quantity": 1000,
                    "reason_id": self.reason.id,
                }
            )
        self.env.invalidate_all()
        self.assertEqual(len(self.request.line_ids), 1)

    def test_photo_by_rpc_is_checked(self):
        for data in (SVG, b"GIF89a but not an image"):
            with self.assertRaises(ValidationError):
                self.request.with_user(self.sales_user).write(
                    {"photo": base64.b64encode(data)}
                )
        with self.assertRaisesRegex(ValidationError, "at most 2000"):
            self.request.with_user(self.sales_user).write({"comment": "x" * 2001})
        self.request.with_user(self.sales_user).write({"photo": base64.b64encode(PNG)})
        self.assertEqual(base64.b64decode(self.request.photo), PNG)


@tagged("post_install", "-at_install")
class TestReturnWorkers(CronWorkersCase):
    """Two requests at once, by two workers with their own transactions."""

    def _create_data(self, env):
        website = env["website"].search([], limit=1)
        returns_were_enabled = website.return_enabled
        website.return_enabled = True
        desk = {
            "name": "Return Worker Desk",
            "type": "consu",
            "list_price": 50.0,
            "taxes_id": [Command.clear()],
        }
        order = self._web_orders(env, ["Return Worker"], desk, quantity=2)
        order.action_confirm()
        delivery = order.picking_ids
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        delivery.button_validate()
        reason = env.ref("website_sale_order_tracking.return_reason_damaged")
        # A first request: the order is already in "Return requested".
        self._ask(env, order.order_line.id, reason.id)
        ids = self._ids(order, line=order.order_line, reason=reason)
        return {**ids, "returns_were_enabled": returns_were_enabled}

    def _ask(self, env, line_id, reason_id):
        line = env["sale.order.line"].browse(line_id)
        return env["sale.return.request"].create(
            {
                "order_id": line.order_id.id,
                "line_ids": [
                    Command.create(
                        {"sale_line_id": line.id, "quantity": 1, "reason_id": reason_id}
                    )
                ],
            }
        )

    def _remove_data(self, env):
        order = env["sale.order"].browse(self.ids["orders"])
        website, requests, pickings = (
            order.website_id,
            order.return_request_ids,
            order.picking_ids,
        )
        env.cr.execute(
            "DELETE FROM mail_message WHERE model = 'sale.return.request' "
            "AND res_id IN %s",
            [tuple(requests.ids) or (0,)],
        )
        env.cr.execute(
            "DELETE FROM sale_return_request WHERE id IN %s",
            [tuple(requests.ids) or (0,)],
        )
        # Done transfers cannot be deleted by the ORM: this test's own go by SQL.
        env.cr.execute(
            "DELETE FROM stock_valuation_layer WHERE product_id = %s",
            [self.ids["product"]],
        )
        env.cr.execute(
            "DELETE FROM stock_move_line WHERE picking_id IN %s", [tuple(pickings.ids)]
        )
        env.cr.execute(
            "DELETE FROM stock_move WHERE picking_id IN %s", [tuple(pickings.ids)]
        )
        env.cr.execute(
            "DELETE FROM stock_picking WHERE id IN %s", [tuple(pickings.ids)]
        )
        env.invalidate_all()
        website.return_enabled = self.ids["returns_were_enabled"]
        return super()._remove_data(env)

    def test_two_requests_at_once_never_return_more_than_delivered(self):
        barrier = threading.Barrier(2, timeout=60)

        def ask_for_the_last_unit(env):
            line = env["sale.order.line"].browse(self.ids["line"])
            # Both transactions see the same unit left before either writes.
            self.assertEqual(line._get_returnable_quantity(), 1)
            barrier.wait()
            self._ask(env, self.ids["line"], self.ids["reason"])

        errors = self._run_workers(ask_for_the_last_unit)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("serialize", errors[0])

        def asked(env):
            line = env["sale.order.line"].browse(self.ids["line"])
            return sum(line.return_line_ids.mapped("quantity"))

        self.assertEqual(self._in_own_cursor(asked), 2)
        # Odoo retries the second request: it now sees the first one's unit.
        with self.assertRaisesRegex(ValidationError, "At most 0"):
            self._in_own_cursor(
                lambda env: self._ask(env, self.ids["line"], self.ids["reason"])
            )
