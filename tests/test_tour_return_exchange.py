# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An exchange in the browser: the customer asks for another size on the return
form, a Sales user approves, the customer follows the replacement's delivery
(desktop, phone, and a Persian shop on a phone)."""

from odoo.tests import HttpCase, tagged

from .test_return_exchange import ExchangeCommon


@tagged("post_install", "-at_install")
class TestTourReturnExchange(HttpCase, ExchangeCommon):
    lang_prefix = ""

    def _tour_order(self):
        return self._shirt_order()

    def test_exchange_from_the_form_to_the_replacement_delivery(self):
        order = self._tour_order()
        order.name = "WSOT-EXCH-1"
        url = self.lang_prefix + order.get_portal_url(suffix="/tracking")
        self.start_tour(
            url, "website_sale_order_tracking_exchange_form", login="wsot_customer_1"
        )
        request = self._requests(order)
        self.assertEqual(request.line_ids.exchange_product_id, self.size["XL"])
        replacement = self._approve(request)
        self.assertEqual(replacement.picking_ids.state, "assigned")
        self.start_tour(
            url,
            "website_sale_order_tracking_exchange_replacement",
            login="wsot_customer_1",
        )


@tagged("post_install", "-at_install")
class TestTourReturnExchangePhone(TestTourReturnExchange):
    browser_size = "375x667"
    touch_enabled = True
