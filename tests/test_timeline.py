# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import Form, tagged

from .common import SALES, WebOrderTrackingCommon, create_staff


@tagged("post_install", "-at_install")
class TestTimeline(WebOrderTrackingCommon):
    def _events(self, order, event_type):
        return order.tracking_event_ids.filtered(lambda e: e.event_type == event_type)

    def test_online_payment_to_shipping(self):
        order = self._make_cart(self.customer, {self.product: 2})
        tx = self._pay_by_demo(order)
        self.assertEqual(len(self._events(order, "checkout")), 1)
        payment = self._events(order, "payment_received")
        self.assertEqual(payment.transaction_id, tx)
        confirmed = self._events(order, "confirmed")
        self.assertEqual(len(confirmed), 1)
        self.assertIn("automatically", confirmed.description)
        self.assertTrue(self._events(order, "email_sent"), "the confirmation email")
        picking = order.picking_ids
        picking.carrier_tracking_ref = "TRK-42"
        self._validate_picking(picking)
        shipped = self._events(order, "shipped")
        self.assertEqual(shipped.picking_id, picking)
        self.assertEqual(shipped.carrier_id, self.carrier)
        self.assertEqual(shipped.carrier_tracking_ref, "TRK-42")
        self.assertTrue(shipped.customer_visible)

    def test_internal_steps_are_not_shipments(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        for picking_type in (self.warehouse.pick_type_id, self.warehouse.pack_type_id):
            picking = order.picking_ids.filtered(
                lambda p, t=picking_type: p.picking_type_id == t
            )
            self._validate_picking(picking)
        steps = self._events(order, "delivery_step")
        self.assertEqual(len(steps), 2)
        self.assertFalse(any(steps.mapped("customer_visible")))
        self.assertFalse(self._events(order, "shipped"))

    def test_manual_confirmation_names_the_user(self):
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        self.assertTrue(self._events(order, "payment_pending"))
        self.assertFalse(self._events(order, "payment_received"))
        order.with_user(self.salesman_1).sudo(False).with_context(
            mail_notrack=True
        ).action_confirm()
        confirmed = self._events(order, "confirmed")
        self.assertEqual(confirmed.user_id, self.salesman_1)
        self.assertIn(self.salesman_1.name, confirmed.description)

    def test_invoice_posted_and_cancel(self):
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        self._validate_picking(order.picking_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(self._events(order, "invoice_posted").invoice_id, invoice)
        self.env["account.move.send"]._generate_and_send_invoices(
            invoice, sending_methods=["email"]
        )
        sent = self._events(order, "invoice_sent")
        self.assertEqual(sent.invoice_id, invoice)
        self.assertTrue(sent.customer_visible)
        other = self._make_cart(self.customer_2)
        self._pay_by_wire_transfer(other)
        other._action_cancel()
        self.assertTrue(self._events(other, "cancelled").customer_visible)

    def test_backend_orders_have_no_timeline(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.partner_id.id,
                "order_line": [(0, 0, {"product_id": self.product.id})],
            }
        )
        order.action_confirm()
        self.assertFalse(order.tracking_event_ids)

    def test_payment_event_once_per_state(self):
        """Repeated notifications and post-processing write one event per state."""
        order = self._make_cart(self.customer)
        tx = self._pay_by_wire_transfer(order)
        tx._handle_notification_data("custom", {"reference": tx.reference})
        tx._post_process()
        self.assertEqual(len(self._events(order, "payment_pending")), 1)
        paid = self._make_cart(self.customer_2)
        tx = self._pay_by_demo(paid)
        tx._post_process()
        self.assertEqual(len(self._events(paid, "payment_received")), 1)

    def test_salesperson_sees_the_timeline_of_own_orders_only(self):
        self.website.write(
            {"order_assignment_mode": "fixed", "salesperson_id": self.salesman_2.id}
        )
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        Event = self.env["sale.order.tracking.event"]
        domain = [("order_id", "=", order.id)]
        self.assertTrue(Event.with_user(self.salesman_2).search(domain))
        self.assertFalse(Event.with_user(self.salesman_1).search(domain))

    def test_staff_without_sales_rights_record_events(self):
        """Warehouse and accounting users validate transfers and post invoices of
        orders they cannot read (salespeople limited to their own orders), as in
        sale_stock's own test_inventory_admin_no_backorder_not_own_sale_order."""
        self.website.write(
            {"order_assignment_mode": "fixed", "salesperson_id": self.salesman_2.id}
        )
        web_order = self._make_cart(self.customer, {self.product: 2})
        self._pay_by_demo(web_order)
        backend_order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_2.partner_id.id,
                "user_id": self.salesman_2.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 2}
                    )
                ],
            }
        )
        backend_order.action_confirm()
        warehouse_user = create_staff(
            self.env,
            "wsot_warehouse",
            "stock.group_stock_manager",
            SALES,
        )
        for order in web_order | backend_order:
            self.assertFalse(order.with_user(warehouse_user).has_access("read"))
            picking = order.picking_ids
            picking.with_user(warehouse_user).move_ids.write(
                {"quantity": 1, "picked": True}
            )
            Form.from_action(
                self.env(user=warehouse_user), picking.button_validate()
            ).save().process_cancel_backorder()
            self.assertEqual(picking.state, "done")
        shipped = self._events(web_order, "shipped")
        self.assertEqual(shipped.user_id, warehouse_user)
        invoice = web_order._create_invoices()
        self.env.invalidate_all()
        invoice.with_user(self.billing_user).action_post()
        self.assertEqual(
            self._events(web_order, "invoice_posted").user_id, self.billing_user
        )
