# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The tracking page of a Persian shop on a phone (375 px): right to left, its step
bar, timeline and two parcels (their items and dates) in Persian, and a screenshot
of it kept with the test's artifacts (Odoo's screenshots folder)."""

import base64
import pathlib
import struct
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests import common as odoo_test_common
from odoo.tests.common import ChromeBrowser, get_db_name
from odoo.tools import config

from .common import WebOrderTrackingCommon

SCREENSHOT = "website_sale_order_tracking_fa_375px.png"
PHONE = {"width": 375, "height": 667, "deviceScaleFactor": 1, "mobile": True}


class PhoneBrowser(ChromeBrowser):
    """Odoo's test browser showing pages as a phone does: headless Chromium keeps
    its window at least 500 px wide, whatever ``browser_size`` asks."""

    def navigate_to(self, url, wait_stop=False):
        self._websocket_request("Emulation.setDeviceMetricsOverride", params=PHONE)
        return super().navigate_to(url, wait_stop=wait_stop)


@tagged("post_install", "-at_install")
class TestTourTrackingPersian(WebOrderTrackingCommon, HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.persian = cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(
            ["website_sale_order_tracking"], ["fa_IR"], overwrite=True
        )
        cls.product.with_context(lang="fa_IR").name = "قوری فیروزه‌ای"
        cls.product_2.with_context(lang="fa_IR").name = "فنجان سفالی"
        cls.carrier.transit_days = 2

    def _persian_website(self):
        """A shop of its own whose default language is Persian, answering on the
        test server's address."""
        return self.env["website"].create(
            {
                "name": "بازارچه پارسی",
                "company_id": self.company.id,
                "domain": self.base_url(),
                "default_lang_id": self.persian.id,
                "language_ids": [
                    Command.set((self.persian | self.env.ref("base.lang_en")).ids)
                ],
            }
        )

    def _shipped_order(self, website):
        """Shipped in two parcels: the teapot first, then the cup."""
        order = self._make_cart(
            self.customer,
            products={self.product: 1, self.product_2: 2},
            website=website,
        )
        self._pay_by_demo(order)
        first = order.picking_ids
        first.carrier_tracking_ref = "IR-TOUR-2468"
        self._validate_picking(first, {self.product: 1, self.product_2: 0})
        second = first.backorder_ids
        second.carrier_tracking_ref = "IR-TOUR-1357"
        self._validate_picking(second)
        order.name = "FA-TOUR-1"
        self.assertEqual(order.tracking_stage, "shipped")
        return order

    def test_persian_tracking_page_on_a_phone(self):
        website = self._persian_website()
        order = self._shipped_order(website)
        url = f"/fa{order.get_portal_url(suffix='/tracking')}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'data-website-id="{website.id}"', page.text)
        with patch.object(odoo_test_common, "ChromeBrowser", PhoneBrowser):
            self.start_tour(url, "website_sale_order_tracking_fa_phone")
        png = self._screenshot(url)
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", png[16:24])
        self.assertEqual(width, 375, "the phone's width")
        self.assertGreater(height, 667, "the whole page, below the fold too")

    def _screenshot(self, url):
        """The whole page at the browser's width, saved as SCREENSHOT in Odoo's
        screenshots folder (``--screenshots``, default /tmp/odoo_tests) under the
        database's name; return the PNG."""
        self.env.flush_all()
        browser = PhoneBrowser(self)
        try:
            browser.navigate_to(self.base_url() + url, wait_stop=True)
            self.assertTrue(browser._wait_ready())
            size = browser._websocket_request("Page.getLayoutMetrics")["cssContentSize"]
            shot = browser._websocket_request(
                "Page.captureScreenshot",
                params={
                    "captureBeyondViewport": True,
                    "clip": {
                        "x": 0,
                        "y": 0,
                        "width": size["width"],
                        "height": size["height"],
                        "scale": 1,
                    },
                },
                timeout=30,
            )
        finally:
            browser.stop()
        png = base64.b64decode(shot["data"])
        folder = pathlib.Path(config["screenshots"]) / get_db_name() / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / SCREENSHOT).write_bytes(png)
        self._logger.info(
            "Screenshot of the Persian tracking page: %s", folder / SCREENSHOT
        )
        return png
