# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import ast

from odoo.tests import HttpCase, tagged

from .common import WebOrderTrackingCommon


@tagged("post_install", "-at_install")
class TestTourCheckout(WebOrderTrackingCommon, HttpCase):
    def test_wire_transfer_checkout_lands_in_orders_to_confirm(self):
        self.provider_transfer._transfer_ensure_pending_msg_is_set()
        self.start_tour(
            "/shop",
            "website_sale_order_tracking_wire_transfer",
            login="wsot_customer_1",
        )
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.customer.partner_id.id)], order="id desc", limit=1
        )
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.tracking_stage, "to_confirm")
        self.assertTrue(order.checkout_date)
        action = self.env.ref("website_sale_order_tracking.action_orders_to_confirm")
        queue = self.env["sale.order"].search(ast.literal_eval(action.domain))
        self.assertIn(order, queue)
