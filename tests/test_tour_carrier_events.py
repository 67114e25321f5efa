# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A carrier's events, posted to its webhook, move the customer's tracking page
to Out for Delivery, then Delivered (desktop and phone)."""

from odoo.tests import tagged

from .carrier_common import CarrierEventsCommon, carrier_event

REF = "WSOT-TOUR-TRK"


@tagged("post_install", "-at_install")
class TestTourCarrierEvents(CarrierEventsCommon):
    def test_carrier_events_move_the_page_to_delivered(self):
        order = self._shipped_order(refs=(REF,))
        url = order.get_portal_url(suffix="/tracking")
        answer = self.client.post(
            [
                carrier_event(REF, "in_transit", "t1", place="Karaj hub"),
                carrier_event(
                    REF,
                    "out_for_delivery",
                    "t2",
                    "2026-01-06T08:00:00+03:30",
                    place="Tehran",
                    message="With the courier",
                ),
            ]
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        self.start_tour(
            url,
            "website_sale_order_tracking_carrier_out_for_delivery",
            login="wsot_customer_1",
        )
        answer = self.client.post(
            [carrier_event(REF, "delivered", "t3", "2026-01-06T12:00:00Z")]
        )
        self.assertEqual(answer.json()["recorded"], 1)
        self.assertEqual(order.tracking_stage, "delivered")
        self.start_tour(
            url,
            "website_sale_order_tracking_carrier_delivered",
            login="wsot_customer_1",
        )


@tagged("post_install", "-at_install")
class TestTourCarrierEventsPhone(TestTourCarrierEvents):
    browser_size = "375x667"
    touch_enabled = True
