# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import tagged

from .common import WebOrderTrackingCommon


@tagged("post_install", "-at_install")
class TestTrackingStage(WebOrderTrackingCommon):
    def test_cart_until_checkout(self):
        cart = self._make_cart(self.customer)
        self.assertEqual(cart.tracking_stage, "cart")
        cart_2 = self._make_cart(self.customer_2, {self.product: 1, self.product_2: 2})
        self.assertEqual(cart_2.tracking_stage, "cart", "cart updates keep it a cart")

    def test_checkout_awaits_payment(self):
        order = self._make_cart(self.customer)
        self._checkout(order, self.provider_demo, self.method_demo)
        self.assertTrue(order.checkout_date)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.tracking_stage, "awaiting_payment")

    def test_wire_transfer_waits_for_manual_confirmation(self):
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.tracking_stage, "to_confirm")
        self.assertFalse(order.picking_ids, "no stock is reserved before confirmation")

    def test_demo_payment_confirms(self):
        order = self._make_cart(self.customer)
        self._pay_by_demo(order, state="pending")
        self.assertEqual(
            order.tracking_stage,
            "awaiting_payment",
            "an online pending payment is no offline one",
        )
        order = self._make_cart(self.customer_2)
        self._pay_by_demo(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.tracking_stage, "confirmed")

    def test_partial_then_full_shipping(self):
        order = self._make_cart(self.customer, {self.product: 2, self.product_2: 1})
        self._pay_by_demo(order)
        picking = order.picking_ids
        self._validate_picking(picking, {self.product: 1, self.product_2: 1})
        self.assertEqual(order.tracking_stage, "partially_shipped")
        backorder = order.picking_ids - picking
        self._validate_picking(backorder)
        self.assertEqual(order.tracking_stage, "shipped")

    def test_two_steps_delivery_in_preparation(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        pick = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.pick_type_id
        )
        self.assertEqual(order.tracking_stage, "confirmed")
        self._validate_picking(pick)
        self.assertEqual(order.tracking_stage, "in_preparation")
        ship = order.picking_ids - pick
        self._validate_picking(ship)
        self.assertEqual(order.tracking_stage, "shipped")

    def test_cancelled(self):
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        order._action_cancel()
        self.assertEqual(order.tracking_stage, "cancelled")

    def test_backend_quotation(self):
        quotation = self.env["sale.order"].create(
            {
                "partner_id": self.customer.partner_id.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        self.assertEqual(quotation.tracking_stage, "quotation")
        quotation.action_confirm()
        self.assertEqual(quotation.tracking_stage, "confirmed")

    def test_search_and_group_by_stage(self):
        paid = self._make_cart(self.customer)
        self._pay_by_demo(paid)
        waiting = self._make_cart(self.customer_2)
        self._pay_by_wire_transfer(waiting)
        orders = paid | waiting
        SaleOrder = self.env["sale.order"]
        self.assertEqual(
            SaleOrder.search(
                [("id", "in", orders.ids), ("tracking_stage", "=", "to_confirm")]
            ),
            waiting,
        )
        groups = SaleOrder.read_group(
            [("id", "in", orders.ids)], ["tracking_stage"], ["tracking_stage"]
        )
        counts = {g["tracking_stage"]: g["tracking_stage_count"] for g in groups}
        self.assertEqual(counts.get("to_confirm"), 1)
        self.assertEqual(counts.get("confirmed"), 1)
        self.assertIn("shipped", counts, "every stage is a column of the kanban view")

    def _count_stage_recompute_queries(self, count):
        orders = self.env["sale.order"]
        for _index in range(count):
            order = self._make_cart(self.customer)
            self._pay_by_wire_transfer(order)
            orders |= order
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        self.env.add_to_compute(orders._fields["tracking_stage"], orders)
        orders.flush_recordset(["tracking_stage"])
        self.assertEqual(set(orders.mapped("tracking_stage")), {"to_confirm"})
        return self.cr.sql_log_count - before

    def test_stage_recomputed_in_batch(self):
        """Recomputing the stage of many orders costs what it costs for a few."""
        few = self._count_stage_recompute_queries(2)
        many = self._count_stage_recompute_queries(8)
        self.assertEqual(many, few)
        self.assertLessEqual(many, 8)

    def test_views_filter_and_group_by_stage(self):
        SaleOrder = self.env["sale.order"]
        for xmlid in (
            "website_sale.view_sales_order_filter_ecommerce",
            "website_sale.view_sales_order_filter_ecommerce_unpaid",
            "website_sale.view_sales_order_filter_ecommerce_abondand",
            "sale.view_sales_order_filter",
        ):
            arch = SaleOrder.get_view(self.env.ref(xmlid).id, "search")["arch"]
            self.assertIn('name="group_tracking_stage"', arch, xmlid)
        form = SaleOrder.get_view(self.env.ref("sale.view_order_form").id, "form")[
            "arch"
        ]
        self.assertIn('name="tracking_stage"', form)
        self.assertIn('name="tracking_event_ids"', form)
        queue = self.env.ref("website_sale_order_tracking.view_order_tree_to_confirm")
        arch = SaleOrder.get_view(queue.id, "list")["arch"]
        self.assertIn('name="action_open_confirm_wizard"', arch)
        menus = self.env.ref("website_sale.menu_orders").child_id.mapped("name")
        for name in ("Orders", "Unpaid Orders", "Orders to Confirm", "Abandoned Carts"):
            self.assertEqual(menus.count(name), 1, name)
