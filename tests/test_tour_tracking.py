# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import HttpCase, tagged

from .common import WebOrderTrackingCommon


@tagged("post_install", "-at_install")
class TestTourTracking(WebOrderTrackingCommon, HttpCase):
    def _shipped_order(self):
        order = self._paid_order()
        order.picking_ids.carrier_tracking_ref = "TOUR-REF"
        self._validate_picking(order.picking_ids)
        self.assertEqual(order.tracking_stage, "shipped")
        return order

    def test_customer_follows_an_order_from_the_portal(self):
        order = self._shipped_order()
        self.start_tour(
            f"/my/orders/{order.id}",
            "website_sale_order_tracking_portal",
            login="wsot_customer_1",
        )

    def test_guest_finds_an_order(self):
        order = self._shipped_order()
        order.name = "WSOT-TOUR-1"
        self.start_tour("/order-status", "website_sale_order_tracking_guest_lookup")
        attempt = self.env["website.order.lookup.attempt"].search([], limit=1)
        self.assertTrue(attempt.success)


@tagged("post_install", "-at_install")
class TestTourTrackingPhone(TestTourTracking):
    """The same tours at a phone's width."""

    browser_size = "375x667"
    touch_enabled = True
