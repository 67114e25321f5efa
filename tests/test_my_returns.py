# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.portal.controllers.portal import CustomerPortal

from .common import ReturnCommon


@tagged("post_install", "-at_install")
class TestMyReturns(HttpCase, ReturnCommon):
    def setUp(self):
        super().setUp()
        order = self._delivered_order(products={self.product: 3})
        line = order.order_line.filtered(lambda sol: sol.product_id == self.product)
        self.requests = self.env["sale.return.request"]
        for _index in range(3):
            self.requests |= self._request(order, {line: 1})
        self.other_request = self._request(
            self._delivered_order(customer=self.customer_2)
        )

    def _names(self, response):
        return re.findall(
            r'class="o_wsot_my_return".*?>(RET[^<]*)<', response.text, re.S
        )

    def _listed(self, url):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        return response

    def test_customer_sees_only_own_returns(self):
        self.authenticate(self.customer.login, self.customer.login)
        text = self._listed("/my/returns").text
        for request in self.requests:
            self.assertIn(request.name, text)
            self.assertIn(request.get_portal_url(), text)
        self.assertNotIn(self.other_request.name, text)
        self.assertNotIn(self.other_request.order_id.name, text)
        self.assertIn('data-state="requested"', text)
        self.authenticate(self.customer_2.login, self.customer_2.login)
        text = self._listed("/my/returns").text
        self.assertIn(self.other_request.name, text)
        for request in self.requests:
            self.assertNotIn(request.name, text)

    def test_public_visitor_is_sent_to_login(self):
        response = self.url_open("/my/returns", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        self.assertNotIn(self.requests[0].name, response.text)

    def test_pager_sort_and_filter(self):
        self.authenticate(self.customer.login, self.customer.login)
        newest_first = self.requests.sorted("id", reverse=True)
        with patch.object(CustomerPortal, "_items_per_page", 2):
            first = self._listed("/my/returns").text
            second = self._listed("/my/returns/page/2").text
            beyond = self._listed("/my/returns/page/99").text
        for request in newest_first[:2]:
            self.assertIn(request.name, first)
        self.assertNotIn(newest_first[2].name, first)
        self.assertIn("/my/returns/page/2", first)
        self.assertIn(newest_first[2].name, second)
        self.assertNotIn(newest_first[0].name, second)
        self.assertIn(newest_first[2].name, beyond, "the last page, as Odoo's")
        # Filters and sortings as Odoo's lists; an unknown key falls back.
        self.requests[0].with_user(self.sales_all)._reject("Too late")
        closed = self._listed("/my/returns?filterby=closed").text
        self.assertIn(self.requests[0].name, closed)
        self.assertNotIn(self.requests[1].name, closed)
        opened = self._listed("/my/returns?filterby=open").text
        self.assertNotIn(self.requests[0].name, opened)
        self.assertIn(self.requests[1].name, opened)
        for url in (
            "/my/returns?sortby=name",
            "/my/returns?sortby=state",
            "/my/returns?sortby=%27;drop&filterby=*",
        ):
            text = self._listed(url).text
            for request in self.requests:
                self.assertIn(request.name, text)

    def test_portal_home_counts_the_returns(self):
        self.authenticate(self.customer.login, self.customer.login)
        home = self.url_open("/my")
        self.assertIn('data-placeholder_count="return_count"', home.text)
        self.assertIn('href="/my/returns"', home.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["return_count"]}
        )
        self.assertEqual(counters["return_count"], 3)
        self.authenticate(self.customer_2.login, self.customer_2.login)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["return_count"]}
        )
        self.assertEqual(counters["return_count"], 1)

    def test_request_page_links_back_to_the_list(self):
        self.authenticate(self.customer.login, self.customer.login)
        page = self._listed(self.requests[0].get_portal_url())
        self.assertIn('href="/my/returns"', page.text)
        self.authenticate(None, None)
        page = self._listed(self.requests[0].get_portal_url())
        self.assertIn(self.requests[0].name, page.text, "the link's token opens it")
        self.assertNotIn('href="/my/returns"', page.text)
