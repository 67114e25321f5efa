# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ReturnCommon


@tagged("post_install", "-at_install")
class TestReturnWorkflow(ReturnCommon):
    def test_request_approve_receive(self):
        order = self._delivered_order(products={self.product: 2})
        request = self._request(order)
        self.assertTrue(request.name.startswith("RET/"))
        self.assertEqual(request.state, "requested")
        self.assertEqual(order.tracking_stage, "return_requested")
        self.assertEqual(request.amount_total, 200.0)
        request.action_approve()
        self.assertEqual(request.state, "approved")
        picking = request.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(
            picking.return_id,
            order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing"),
        )
        self.assertEqual(picking.move_ids.product_uom_qty, 2)
        self._validate_picking(picking)
        self.assertEqual(request.state, "received")
        self.assertEqual(order.tracking_stage, "returned")
        events = order.tracking_event_ids.mapped("event_type")
        for event in ("return_requested", "return_approved", "returned"):
            self.assertIn(event, events)

    def test_partial_return_takes_the_asked_quantity(self):
        order = self._delivered_order(products={self.product: 3, self.product_2: 1})
        line = order.order_line.filtered(lambda sol: sol.product_id == self.product)
        request = self._request(order, {line: 1})
        request.action_approve()
        moves = request.picking_ids.move_ids
        self.assertEqual(moves.product_id, self.product)
        self.assertEqual(moves.product_uom_qty, 1)

    def test_reject_needs_a_reason_and_emails_the_customer(self):
        order = self._delivered_order()
        request = self._request(order)
        wizard_action = request.action_open_reject_wizard()
        wizard = self.env[wizard_action["res_model"]].with_context(
            **wizard_action["context"]
        )
        with self.assertRaises(UserError):
            wizard.create({"reason": "   "}).action_reject()
        self.assertEqual(request.state, "requested")
        wizard.create({"reason": "The box was opened."}).action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.reject_reason, "The box was opened.")
        email = request.message_ids.filtered(
            lambda m: "was not accepted" in (m.subject or "")
        )
        self.assertIn("The box was opened.", email.body)
        self.assertIn(order.partner_id, email.partner_ids)
        self.assertNotEqual(order.tracking_stage, "return_requested")
        self.assertIn("return_rejected", order.tracking_event_ids.mapped("event_type"))

    def test_reject_after_approval_cancels_the_return_transfer(self):
        order = self._delivered_order()
        request = self._request(order)
        request.action_approve()
        request._reject("Never sent back.")
        self.assertEqual(request.picking_ids.state, "cancel")

    def test_partly_received_return_waits_for_its_backorder(self):
        order = self._delivered_order(products={self.product: 2})
        request = self._request(order)
        request.action_approve()
        self._validate_picking(request.picking_ids, {self.product: 1})
        self.assertEqual(len(request.picking_ids), 2, "the backorder is linked")
        self.assertEqual(request.state, "approved")
        self._validate_picking(
            request.picking_ids.filtered(lambda p: p.state != "done")
        )
        self.assertEqual(request.state, "received")

    def test_two_lines_of_one_order_line_are_both_returned(self):
        order = self._delivered_order(products={self.product: 3})
        line = order.order_line.filtered("product_id.is_storable")
        line_vals = {"sale_line_id": line.id, "reason_id": self.reason.id}
        request = self.env["sale.return.request"].create(
            {
                "order_id": order.id,
                "line_ids": [
                    Command.create({**line_vals, "quantity": 1}),
                    Command.create({**line_vals, "quantity": 2}),
                ],
            }
        )
        request.action_approve()
        self.assertEqual(request.picking_ids.move_ids.product_uom_qty, 3)

    def test_each_delivery_is_returned_at_most_what_it_brought(self):
        order = self._delivered_order(
            products={self.product: 2}, quantities={self.product: 1}
        )
        self._validate_picking(order.picking_ids.filtered(lambda p: p.state != "done"))
        line = order.order_line.filtered("product_id.is_storable")
        first = self._request(order, {line: 1})
        first.action_approve()
        second = self._request(order, {line: 1})
        second.action_approve()
        returned = (first | second).picking_ids.move_ids
        self.assertEqual(
            sorted(returned.origin_returned_move_id.ids),
            sorted(line._get_delivered_moves().ids),
            "one unit back from each delivery",
        )

    def test_returns_made_in_the_warehouse_count(self):
        order = self._delivered_order(products={self.product: 2})
        delivery = order.picking_ids
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        wizard.product_return_moves.quantity = 1
        wizard._create_return()
        line = order.order_line.filtered("product_id.is_storable")
        self.assertEqual(line._get_returnable_quantity(), 1)
        with self.assertRaisesRegex(ValidationError, "At most 1"):
            self._request(order, {line: 2})

    def test_steps_out_of_order_are_refused(self):
        order = self._delivered_order()
        request = self._request(order)
        request.action_approve()
        with self.assertRaises(UserError):
            request.action_approve()

    def test_rejected_quantity_may_be_asked_again(self):
        order = self._delivered_order(products={self.product: 2})
        self._request(order)._reject("No.")
        self.assertTrue(self._request(order))


@tagged("post_install", "-at_install")
class TestReturnRules(ReturnCommon):
    def test_quantity_must_be_positive(self):
        order = self._delivered_order()
        line = order.order_line.filtered("product_id.is_storable")
        for quantity in (0, -1):
            with self.assertRaisesRegex(ValidationError, "more than 0"):
                self._request(order, {line: quantity})
        self.assertFalse(order.return_request_ids)

    def test_at_most_what_was_delivered_less_what_was_asked(self):
        order = self._delivered_order(
            products={self.product: 3}, quantities={self.product: 2}
        )
        line = order.order_line.filtered("product_id.is_storable")
        with self.assertRaisesRegex(ValidationError, "At most 2"):
            self._request(order, {line: 3})
        self._request(order, {line: 1})
        with self.assertRaisesRegex(ValidationError, "At most 1"):
            self._request(order, {line: 2})

    def test_line_of_another_order_is_refused(self):
        order = self._delivered_order()
        other = self._delivered_order(self.customer_2)
        with self.assertRaisesRegex(ValidationError, "is not a line of order"):
            self._request(
                order, {other.order_line.filtered("product_id.is_storable"): 1}
            )

    def test_not_delivered_is_refused(self):
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        with self.assertRaisesRegex(ValidationError, "not delivered yet"):
            self._request(order)

    def test_returns_off_are_refused(self):
        order = self._delivered_order()
        self.website.return_enabled = False
        with self.assertRaisesRegex(ValidationError, "takes no returns"):
            self._request(order)

    def test_non_returnable_product_and_category(self):
        order = self._delivered_order()
        self.product.return_policy = "not_returnable"
        with self.assertRaisesRegex(ValidationError, "cannot be returned"):
            self._request(order)
        self.product.return_policy = "default"
        parent = self.env["product.category"].create(
            {"name": "Fragile", "return_policy": "not_returnable"}
        )
        self.product.categ_id = self.env["product.category"].create(
            {"name": "Glass", "parent_id": parent.id}
        )
        with self.assertRaisesRegex(ValidationError, "cannot be returned"):
            self._request(order)
        self.product.return_policy = "returnable"
        self.assertTrue(self._request(order), "the product's own choice wins")

    def test_return_window(self):
        order = self._delivered_order()
        done = order.picking_ids.move_ids.date
        late = fields.Datetime.to_datetime(done) + timedelta(days=31)
        with self.assertRaisesRegex(ValidationError, "return window"):
            self._request(order, request_date=late)
        self.product.return_window_days = 60
        self.assertTrue(
            self._request(order, request_date=late), "the product's own window"
        )

    def test_category_window_over_the_website(self):
        order = self._delivered_order()
        self.product.categ_id = self.env["product.category"].create(
            {"name": "Slow", "return_window_days": 5}
        )
        late = fields.Datetime.to_datetime(order.picking_ids.move_ids.date) + timedelta(
            days=6
        )
        with self.assertRaisesRegex(ValidationError, "5 days"):
            self._request(order, request_date=late)

    def test_comment_length_is_bounded(self):
        order = self._delivered_order()
        line = order.order_line.filtered("product_id.is_storable")
        with self.assertRaisesRegex(ValidationError, "at most 2000"):
            self.env["sale.return.request"].create(
                {
                    "order_id": order.id,
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": line.id,
                                "quantity": 1,
                                "reason_id": self.reason.id,
                                "comment": "x" * 2001,
                            }
                        )
                    ],
                }
            )

    def test_lines_added_later_are_checked(self):
        order = self._delivered_order(products={self.product: 2})
        line = order.order_line.filtered("product_id.is_storable")
        request = self._request(order, {line: 1})
        with self.assertRaisesRegex(ValidationError, "At most 1"):
            self.env["sale.return.request.line"].create(
                {
                    "request_id": request.id,
                    "sale_line_id": line.id,
                    "quantity": 2,
                    "reason_id": self.reason.id,
                }
            )

    def test_lines_changed_later_are_checked(self):
        order = self._delivered_order(products={self.product: 2})
        line = order.order_line.filtered("product_id.is_storable")
        request = self._request(order, {line: 1})
        with self.assertRaisesRegex(ValidationError, "At most 2"):
            request.line_ids.quantity = 3

    def test_two_lines_for_one_order_line_are_counted_together(self):
        order = self._delivered_order()
        line = order.order_line.filtered("product_id.is_storable")
        line_vals = {
            "sale_line_id": line.id,
            "quantity": 1,
            "reason_id": self.reason.id,
        }
        with self.assertRaisesRegex(ValidationError, "At most 1"):
            self.env["sale.return.request"].create(
                {
                    "order_id": order.id,
                    "line_ids": [Command.create(line_vals), Command.create(line_vals)],
                }
            )
        self.assertFalse(order.return_request_ids)
        request = self._request(order, {line: 1})
        with (
            self.assertRaisesRegex(ValidationError, "At most 0"),
            self.env.cr.savepoint(),
        ):
            request.write({"line_ids": [Command.create(line_vals)]})
        self.env.invalidate_all()
        self.assertEqual(len(request.line_ids), 1)

    def test_quantity_is_whole_units_or_the_unit_rounding(self):
        order = self._delivered_order(products={self.product: 2})
        line = order.order_line.filtered("product_id.is_storable")
        for quantity in (0.01, 1.5):
            with self.assertRaisesRegex(ValidationError, "whole number"):
                self._request(order, {line: quantity})
        kilo = self.env.ref("uom.product_uom_kgm")
        flour = self.env["product.product"].create(
            {
                "name": "Flour",
                "type": "consu",
                "is_storable": True,
                "uom_id": kilo.id,
                "uom_po_id": kilo.id,
                "list_price": 2.0,
                "website_published": True,
            }
        )
        self.env["stock.quant"]._update_available_quantity(
            flour, self.warehouse.lot_stock_id, 10.0
        )
        kilo.rounding = 0.1
        order = self._delivered_order(products={flour: 2})
        line = order.order_line.filtered("product_id.is_storable")
        with self.assertRaisesRegex(ValidationError, r"multiple of 0.1 kg"):
            self._request(order, {line: 0.25})
        self.assertEqual(self._request(order, {line: 0.5}).line_ids.quantity, 0.5)

    def test_not_a_number_or_infinite_quantity_is_refused(self):
        order = self._delivered_order()
        line = order.order_line.filtered("product_id.is_storable")
        for quantity in (float("nan"), float("inf"), float("-inf")):
            with self.assertRaisesRegex(ValidationError, "is not a number"):
                self._request(order, {line: quantity})
        for quantity in (1e300, -1e300):
            with self.assertRaisesRegex(ValidationError, "too large"):
                self._request(order, {line: quantity})
        self.assertFalse(order.return_request_ids)

    def test_cancelled_order_is_refused(self):
        order = self._delivered_order()
        order._action_cancel()
        with self.assertRaisesRegex(ValidationError, "is cancelled"):
            self._request(order)
        self.assertFalse(order.return_request_ids)

    def test_reason_of_another_website_is_not_offered(self):
        order = self._delivered_order()
        line = order.order_line.filtered("product_id.is_storable")
        elsewhere = self.env["sale.return.reason"].create(
            {"name": "Only elsewhere", "website_ids": [Command.set(self.website_2.ids)]}
        )
        self.assertNotIn(elsewhere, self.website._get_return_reasons())
        self.assertIn(elsewhere, self.website_2._get_return_reasons())
        with self.assertRaisesRegex(UserError, "Choose why you return"):
            self.env["sale.return.request"]._prepare_from_portal_form(
                order,
                {f"quantity_{line.id}": "1", f"reason_{line.id}": str(elsewhere.id)},
            )

    def test_website_return_window_is_at_least_a_day(self):
        with self.assertRaises(ValidationError):
            self.website.return_window_days = 0


@tagged("post_install", "-at_install")
class TestReturnAccess(ReturnCommon):
    def test_portal_users_see_only_their_own(self):
        mine = self._request(self._delivered_order(self.customer))
        theirs = self._request(self._delivered_order(self.customer_2))
        Request = self.env["sale.return.request"].with_user(self.customer)
        self.assertEqual(Request.search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.customer).read(["name"])
        with self.assertRaises(AccessError):
            Request.create({"order_id": mine.order_id.id})

    def test_salesperson_sees_own_orders_returns(self):
        order = self._delivered_order()
        order.user_id = self.salesman_1
        request = self._request(order)
        self.assertEqual(
            self.env["sale.return.request"].with_user(self.salesman_1).search([]),
            request,
        )
        self.assertFalse(
            self.env["sale.return.request"].with_user(self.salesman_2).search([])
        )

    def test_settings_and_views(self):
        settings = Form(self.env["res.config.settings"])
        settings.return_enabled = True
        settings.return_window_days = 14
        settings.save().execute()
        self.assertEqual(self.website.return_window_days, 14)
        for view_type in ("form", "list", "search"):
            self.env["sale.return.request"].get_view(view_type=view_type)
        self.assertIn(
            "action_view_return_requests",
            self.env["sale.order"].get_view(view_type="form")["arch"],
        )


@tagged("post_install", "-at_install")
class TestReturnSlip(ReturnCommon):
    def test_slip_shows_reference_lines_address_and_barcode(self):
        order = self._delivered_order()
        request = self._request(order)
        request.action_approve()
        report = self.env.ref("website_sale_order_tracking.action_report_return_slip")
        # Odoo renders HTML under tests (and PDF through wkhtmltopdf otherwise).
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(self.stock_user)
            ._render_qweb_html(report, request.ids)
        )
        html = html.decode()
        self.assertIn(request.name, html)
        self.assertIn("Tracked Teapot", html)
        self.assertIn(self.reason.name, html)
        self.assertIn(self.warehouse.partner_id.name, html)
        self.assertIn(f'alt="Barcode {request.name}"', html)
        self.assertIn('src="data:image/png;base64,', html)
        self.assertIn(request, request.picking_ids.return_request_id)
