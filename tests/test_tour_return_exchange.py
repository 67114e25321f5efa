# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An exchange in the browser: the customer asks for another size on the return
form, a Sales user approves, the customer follows the replacement's delivery
(desktop, phone, and a Persian shop on a phone)."""

from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests import common as odoo_test_common

from .test_return_exchange import ExchangeCommon
from .test_tour_tracking_fa import PhoneBrowser


@tagged("post_install", "-at_install")
class TestTourReturnExchange(HttpCase, ExchangeCommon):
    lang_prefix = ""

    def _tour_order(self):
        return self._shirt_order()

    def _start_tour(self, url, tour):
        return self.start_tour(url, tour, login="wsot_customer_1")

    def test_exchange_from_the_form_to_the_replacement_delivery(self):
        order = self._tour_order()
        order.name = "WSOT-EXCH-1"
        url = self.lang_prefix + order.get_portal_url(suffix="/tracking")
        self._start_tour(url, "website_sale_order_tracking_exchange_form")
        request = self._requests(order)
        self.assertEqual(request.line_ids.exchange_product_id, self.size["XL"])
        replacement = self._approve(request)
        self.assertEqual(replacement.picking_ids.state, "assigned")
        self._start_tour(url, "website_sale_order_tracking_exchange_replacement")


@tagged("post_install", "-at_install")
class TestTourReturnExchangePhone(TestTourReturnExchange):
    browser_size = "375x667"
    touch_enabled = True


@tagged("post_install", "-at_install")
class TestTourReturnExchangePersian(TestTourReturnExchange):
    """The same exchange in a Persian shop, on a phone (375 px)."""

    browser_size = "375x667"
    touch_enabled = True
    lang_prefix = "/fa"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        persian = cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(
            ["website_sale_order_tracking"], ["fa_IR"], overwrite=True
        )
        cls.shirt.with_context(lang="fa_IR").name = "پیراهن تعویضی"
        cls.customer.partner_id.lang = "fa_IR"
        cls.persian_website = cls.env["website"].create(
            {
                "name": "بازارچه پارسی",
                "company_id": cls.company.id,
                "default_lang_id": persian.id,
                "language_ids": [
                    Command.set((persian | cls.env.ref("base.lang_en")).ids)
                ],
                "return_enabled": True,
            }
        )

    def setUp(self):
        super().setUp()
        # The shop answers on the test server's address.
        self.persian_website.domain = self.base_url()

    def _tour_order(self):
        order = self._paid_order(
            products={self.size["M"]: 1}, website=self.persian_website
        )
        self._validate_picking(order.picking_ids)
        order.user_id = self.salesman_1
        self.authenticate(self.customer.login, self.customer.login)
        form = self.url_open(f"/fa/my/orders/{order.id}/return").text
        # The form's own words (the exchange's, once the lead's template of
        # messages holds them: Odoo loads only the terms of the template).
        self.assertIn("فرستادن درخواست مرجوعی", form)
        self.assertIn("پیراهن تعویضی (XL)", form)
        return order

    def _start_tour(self, url, tour):
        with patch.object(odoo_test_common, "ChromeBrowser", PhoneBrowser):
            return super()._start_tour(url, tour)
