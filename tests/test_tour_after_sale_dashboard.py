# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The after-sale dashboard in a browser, as a Sales manager, in English and in
Persian (right to left): its figures, its bars and a card opening its report."""

from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .common import SALES_MANAGER, WebOrderTrackingCommon, create_staff

ACTION = "website_sale_order_tracking.website_sale_after_sale_dashboard_action"


@tagged("post_install", "-at_install")
class TestTourAfterSaleDashboard(WebOrderTrackingCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = create_staff(cls.env, "wsot_dashboard_manager", SALES_MANAGER)
        cls.manager.write({"password": cls.manager.login})
        # A manager reading Persian, from the start.
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(
            ["website_sale_order_tracking"], ["fa_IR"], overwrite=True
        )
        cls.manager_fa = create_staff(cls.env, "wsot_dashboard_fa", SALES_MANAGER)
        cls.manager_fa.write({"password": cls.manager_fa.login, "lang": "fa_IR"})

    def setUp(self):
        super().setUp()
        # A shipped order paid 2 hours after its checkout, delivered before its
        # commitment date; an order waiting 5 days for its wire transfer.
        order = self._paid_order()
        order.commitment_date = order.checkout_date + timedelta(days=5)
        self._validate_picking(order.picking_ids)
        checkout = order.checkout_date - timedelta(days=1)
        order.checkout_date = checkout
        order.tracking_event_ids.filtered(
            lambda e: e.event_type == "payment_received"
        ).sudo().date = checkout + timedelta(hours=2)
        self._waiting_order(days_ago=5)

    def _open(self, tour, login="wsot_dashboard_manager"):
        action = self.env.ref(ACTION)
        self.start_tour(f"/odoo/action-{action.id}", tour, login=login)

    def test_dashboard_in_english(self):
        self._open("website_sale_order_tracking_after_sale_dashboard")

    def test_dashboard_in_persian_right_to_left(self):
        self._open(
            "website_sale_order_tracking_after_sale_dashboard_fa",
            login="wsot_dashboard_fa",
        )
