# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""JSON-RPC on every model of the addon, as each kind of user calls it."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import BILLING, SALES, STOCK, WebOrderTrackingCommon, create_staff

MODULE = "website_sale_order_tracking"


@tagged("post_install", "-at_install")
class TestRpcOnEveryModel(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            SALES: create_staff(cls.env, "wsot_rpc_sales", SALES),
            STOCK: cls.stock_user,
            BILLING: cls.billing_user,
        }
        cls.portal = cls.customer
        cls.public = cls.env.ref("base.public_user")

    def _addon_models(self):
        """The models the addon defines (not those it extends), wizards aside."""
        models = [
            name
            for name, model in self.env.registry.items()
            if model._original_module == MODULE and not model._transient
        ]
        self.assertGreaterEqual(len(models), 8)
        return models

    def _may(self, user, model, operation):
        try:
            self.env[model].with_user(user).check_access(operation)
        except AccessError:
            return False
        return True

    def test_public_user_reaches_no_model_of_the_addon(self):
        for model in self._addon_models():
            for operation in ("create", "write", "unlink"):
                self.assertFalse(
                    self._may(self.public, model, operation), f"{model} {operation}"
                )
            if model != "sale.return.reason":
                self.assertFalse(self._may(self.public, model, "read"), model)

    def test_portal_user_only_reads_reasons_and_own_returns(self):
        readable = {
            "sale.return.reason",
            "sale.return.request",
            "sale.return.request.line",
        }
        for model in self._addon_models():
            for operation in ("create", "write", "unlink"):
                self.assertFalse(
                    self._may(self.portal, model, operation), f"{model} {operation}"
                )
            self.assertEqual(
                self._may(self.portal, model, "read"), model in readable, model
            )

    def test_staff_never_write_the_timeline_lookups_or_failures(self):
        for user in self.users.values():
            for model in ("sale.order.tracking.event", "website.order.lookup.attempt"):
                for operation in ("create", "write", "unlink"):
                    self.assertFalse(
                        self._may(user, model, operation), f"{user.name} {model}"
                    )
            self.assertFalse(self._may(user, "website.order.lookup.attempt", "read"))
            self.assertFalse(self._may(user, "website.sale.job.failure", "read"))

    def test_staff_cannot_write_the_tracking_stage(self):
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        confirmed = self._make_cart(self.customer_2)
        self._pay_by_demo(confirmed)
        self.assertEqual(confirmed.tracking_stage, "confirmed")
        sales = self.users[SALES]
        confirmed.user_id = sales
        with self.assertRaisesRegex(UserError, "tracking stage"):
            confirmed.with_user(sales).write({"tracking_stage": "to_confirm"})
        self.assertEqual(confirmed.tracking_stage, "confirmed")
        # The unpaid-order cron never sees it: it stays confirmed.
        self.website.write({"unpaid_reminder_days": 1, "unpaid_cancel_days": 2})
        self.env["sale.order"]._cron_process_unpaid_orders()
        self.assertEqual(confirmed.state, "sale")
