# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import WebOrderTrackingCommon

SHIPPED = "is on its way"


@tagged("post_install", "-at_install")
class TestShippingEmail(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.stock_move_email_validation = True
        cls.company_template = cls.company.stock_mail_confirmation_template_id

    def _outgoing(self, order):
        return order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "done"
        )

    def _ship(self, picking, quantities=None, ref="REF123"):
        picking.carrier_tracking_ref = ref
        return self._validate_picking(picking.with_user(self.stock_user), quantities)

    def test_company_setting_keeps_odoo_email(self):
        order = self._paid_order()
        picking = self._outgoing(order)
        self._ship(picking)
        self.assertTrue(self._messages(picking, "Delivery Order"))
        self.assertFalse(self._messages(picking, SHIPPED))
        self.assertFalse(picking.shipping_email_date)

    def test_website_email_replaces_the_company_email(self):
        self.website.shipping_email_mode = "website"
        order = self._paid_order()
        picking = self._outgoing(order)
        self.assertEqual(picking.website_id, self.website)
        self.assertEqual(picking.order_tracking_stage, "confirmed")
        self._ship(picking)
        self.assertFalse(self._messages(picking, "Delivery Order"))
        message = self._messages(picking, SHIPPED)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.customer.partner_id)
        self.assertIn("Tracked Post", message.body)
        self.assertIn("REF123", message.body)
        self.assertIn("https://post.example.com/track?ref=REF123", message.body)
        self.assertIn("Tracked Teapot", message.body)
        self.assertNotIn("Still to come", message.body)
        self.assertTrue(picking.shipping_email_date)
        self.assertEqual(picking.order_tracking_stage, "shipped")
        self.assertIn(
            "email_sent", order.tracking_event_ids.mapped("event_type"), "timeline"
        )

    def test_partial_shipment_then_backorder(self):
        self.website.shipping_email_mode = "website"
        order = self._paid_order(products={self.product: 2, self.product_2: 1})
        picking = self._outgoing(order)
        self._ship(picking, {self.product: 1, self.product_2: 0})
        first = self._messages(picking, SHIPPED)
        self.assertEqual(len(first), 1)
        self.assertIn("Still to come", first.body)
        self.assertIn("Tracked Cup", first.body)
        backorder = picking.backorder_ids
        self.assertTrue(backorder)
        self._ship(backorder, ref="REF456")
        self.assertEqual(len(self._messages(backorder, SHIPPED)), 1)
        self.assertEqual(
            len(self._messages(picking, SHIPPED)), 1, "the first transfer once"
        )
        self.assertEqual(order.tracking_stage, "shipped")
        # Odoo's confirmation step running again on a shipped transfer sends nothing.
        (picking | backorder).with_user(self.stock_user)._send_confirmation_email()
        self.assertEqual(len(self._messages(picking, SHIPPED)), 1)
        self.assertEqual(len(self._messages(backorder, SHIPPED)), 1)

    def test_internal_steps_and_returns_send_nothing(self):
        self.website.shipping_email_mode = "website"
        for steps in ("pick_ship", "pick_pack_ship"):
            with self.subTest(steps=steps):
                ship = self._ship_in_steps(steps)
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=ship.id, active_ids=ship.ids, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 1
        returned = self.env["stock.picking"].browse(
            wizard.action_create_returns()["res_id"]
        )
        self._validate_picking(returned)
        self.assertEqual(returned.state, "done")
        self.assertFalse(self._messages(returned, SHIPPED))
        self.assertFalse(self._messages(returned, "Delivery Order"))

    def _ship_in_steps(self, steps):
        self.warehouse.delivery_steps = steps
        order = self._paid_order()
        internal = [self.warehouse.pick_type_id]
        if steps == "pick_pack_ship":
            internal.append(self.warehouse.pack_type_id)
        for picking_type in internal:
            picking = order.picking_ids.filtered(
                lambda p, t=picking_type: p.picking_type_id == t
            )
            self._ship(picking)
            self.assertFalse(self._messages(picking, SHIPPED))
            self.assertFalse(picking.shipping_email_date)
        ship = order.picking_ids.filtered(
            lambda p: p.picking_type_id == self.warehouse.out_type_id
        )
        self._ship(ship)
        self.assertEqual(len(self._messages(ship, SHIPPED)), 1)
        return ship

    def test_carrier_without_tracking_url(self):
        self.website.shipping_email_mode = "website"
        self.carrier.tracking_url = False
        picking = self._outgoing(self._paid_order())
        self._ship(picking)
        message = self._messages(picking, SHIPPED)
        self.assertIn("REF123", message.body)
        self.assertNotIn("Track your parcel", message.body)

    def test_each_website_its_own_template(self):
        own = self.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped"
        ).copy({"subject": "Second shop: parcel sent"})
        self.website.shipping_email_mode = "website"
        self.website_2.write(
            {"shipping_email_mode": "website", "shipping_email_template_id": own.id}
        )
        first = self._outgoing(self._paid_order())
        second = self._outgoing(self._paid_order(website=self.website_2))
        self._ship(first)
        self._ship(second)
        self.assertTrue(self._messages(first, SHIPPED))
        self.assertFalse(self._messages(first, "Second shop"))
        self.assertTrue(self._messages(second, "Second shop: parcel sent"))
        self.assertFalse(self._messages(second, SHIPPED))

    def test_no_email_mode(self):
        self.website.shipping_email_mode = "none"
        picking = self._outgoing(self._paid_order())
        self._ship(picking)
        self.assertFalse(self._messages(picking, SHIPPED))
        self.assertFalse(self._messages(picking, "Delivery Order"))

    def test_warehouse_resends_it(self):
        self.website.shipping_email_mode = "website"
        picking = self._outgoing(self._paid_order())
        self._ship(picking)
        picking.with_user(self.stock_user).action_send_shipping_email()
        self.assertEqual(len(self._messages(picking, SHIPPED)), 2)

    def test_own_email_needs_a_template(self):
        self.website.shipping_email_template_id = False
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_web_order_shipped"
        )
        template.unlink()
        with self.assertRaisesRegex(ValidationError, "needs a template"):
            self.website.shipping_email_mode = "website"

    def test_settings_per_website(self):
        settings = Form(
            self.env["res.config.settings"].with_context(website_id=self.website_2.id)
        )
        settings.website_id = self.website_2
        settings.shipping_email_mode = "website"
        settings.save().execute()
        self.assertEqual(self.website_2.shipping_email_mode, "website")
        self.assertEqual(self.website.shipping_email_mode, "company")
        action = self.env.ref(
            "website_sale_order_tracking.website_shipping_email_action"
        )
        self.env["website"].get_view(action.view_id.id, "list")
