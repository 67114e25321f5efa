# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Handling order exceptions: bulk actions, who may see and act on them, the
dashboard's counter, and two detections at once."""

import io
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import file_open
from odoo.tools.translate import TranslationImporter

from .common import SALES_MANAGER, CronWorkersCase, create_staff
from .test_order_exceptions import ExceptionCommon

NOW = fields.Datetime.now


@tagged("post_install", "-at_install")
class TestExceptionActions(ExceptionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = create_staff(cls.env, "wsot_exc_manager", SALES_MANAGER)

    def _late_order(self, salesman):
        order = self._paid_order()
        order.write(
            {"user_id": salesman.id, "commitment_date": NOW() - timedelta(days=1)}
        )
        return order

    def _wizard(self, exceptions, user, action, **values):
        action_dict = (
            exceptions.with_user(user)
            .with_context(exception_action=action)
            .action_open_wizard()
        )
        return self._wizard_form(action_dict, user, **values).save()

    def test_bulk_assign_postpone_resolve(self):
        self._enable("late_shipment")
        orders = self._late_order(self.salesman_1) | self._late_order(self.salesman_1)
        self._run()
        exceptions = self.env["website.sale.order.exception"].search(
            [("order_id", "in", orders.ids)]
        )
        self.assertEqual(len(exceptions), 2)
        self._wizard(
            exceptions, self.manager, "assign", user_id=self.salesman_2
        ).action_apply()
        self.assertEqual(exceptions.user_id, self.salesman_2)
        self.assertEqual(exceptions.activity_id.user_id, self.salesman_2)
        until = fields.Date.today() + timedelta(days=3)
        self._wizard(
            exceptions, self.manager, "snooze", snoozed_until=until
        ).action_apply()
        self.assertEqual(set(exceptions.mapped("state")), {"snoozed"})
        self.assertEqual(set(exceptions.activity_id.mapped("date_deadline")), {until})
        self._run()
        self.assertEqual(set(exceptions.mapped("state")), {"snoozed"}, "still late")
        with self.assertRaises(UserError):
            exceptions.with_user(self.manager).action_snooze(fields.Date.today())
        with self.assertRaises(UserError):
            exceptions.with_user(self.manager).action_resolve("   ")
        with self.assertRaises(UserError):
            exceptions.with_user(self.manager).action_resolve("x" * 2001)
        self._wizard(
            exceptions, self.manager, "resolve", note="Customer called, ships Monday"
        ).action_apply()
        self.assertEqual(set(exceptions.mapped("resolution")), {"manual"})
        self.assertEqual(exceptions[0].resolution_note, "Customer called, ships Monday")
        self.assertFalse(self._activities(orders))
        self._run()
        self.assertEqual(
            self.env["website.sale.order.exception"].search_count(
                [("order_id", "in", orders.ids)]
            ),
            2,
            "resolved by hand: not opened again while the same delay lasts",
        )
        # A day later, a new promise is broken: a new exception.
        exceptions[0].sudo().resolved_date = NOW() - timedelta(days=1)
        orders[0].commitment_date = NOW() - timedelta(minutes=1)
        self._run()
        self.assertEqual(
            len(self._exceptions(orders[0], "late_shipment", state="open")), 1
        )

    def test_snoozed_wakes_up_and_activity_done_resolves(self):
        self._enable("late_shipment")
        order = self._late_order(self.salesman_1)
        self._run()
        exception = self._exceptions(order, "late_shipment")
        exception.with_user(self.salesman_1).action_snooze(
            fields.Date.today() + timedelta(days=1)
        )
        exception.sudo().snoozed_until = fields.Date.today()
        self._run()
        self.assertEqual(exception.state, "open")
        exception.activity_id.with_user(self.salesman_1).action_feedback(
            "Shipped by hand"
        )
        self.assertEqual(
            (exception.state, exception.resolution, exception.resolution_note),
            ("resolved", "manual", "Shipped by hand"),
        )

    def test_rights(self):
        self._enable("late_shipment")
        mine = self._late_order(self.salesman_1)
        theirs = self._late_order(self.salesman_2)
        self._run()
        Exception_ = self.env["website.sale.order.exception"]
        their_exception = self._exceptions(theirs, "late_shipment")
        as_salesman = Exception_.with_user(self.salesman_1)
        self.assertEqual(as_salesman.search([]).order_id, mine, "own orders only")
        with self.assertRaises(AccessError):
            their_exception.with_user(self.salesman_1).read(["kind"])
        with self.assertRaises(AccessError):
            their_exception.with_user(self.salesman_1).action_resolve("done")
        with self.assertRaises(AccessError):
            their_exception.with_user(self.salesman_1).action_assign(self.salesman_1)
        # The wizard reads only the exceptions its user may read: nothing to do.
        with self.assertRaises(UserError):
            self._wizard(
                their_exception, self.salesman_1, "resolve", note="x"
            ).action_apply()
        wizard = (
            self.env["website.sale.order.exception.wizard"]
            .with_user(self.salesman_1)
            .create(
                {
                    "exception_ids": [Command.set(their_exception.ids)],
                    "action": "assign",
                    "user_id": self.salesman_1.id,
                }
            )
        )
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertEqual(their_exception.user_id, self.salesman_2)
        self.assertEqual(their_exception.state, "open")
        with self.assertRaises(AccessError):
            as_salesman.create({"order_id": mine.id, "kind": "late_shipment"})
        my_exception = self._exceptions(mine, "late_shipment")
        with self.assertRaises(AccessError):
            my_exception.with_user(self.salesman_1).unlink()
        with self.assertRaises(UserError):
            my_exception.with_user(self.salesman_1).write({"state": "resolved"})
        self.assertEqual(my_exception.state, "open")
        my_exception.with_user(self.salesman_1).action_resolve("Shipped")
        self.assertEqual(my_exception.state, "resolved")
        self.assertEqual(len(Exception_.with_user(self.sales_all).search([])), 2)
        for user in (self.customer, self.env.ref("base.public_user")):
            with self.assertRaises(AccessError):
                Exception_.with_user(user).search([])
        with self.assertRaises(AccessError):
            self.env["website.sale.order.exception.rule"].with_user(
                self.salesman_1
            ).search([])[:1].write({"enabled": True})

    def test_dashboard_counter(self):
        self._enable("late_shipment")
        order = self._late_order(self.salesman_1)
        order.team_id = self.team
        self._run()
        self.assertEqual(self.team.order_exception_count, 1)
        action = self.team.action_open_order_exceptions()
        self.assertEqual(
            self.env["website.sale.order.exception"].search(action["domain"]).order_id,
            order,
        )
        view = self.env.ref(
            "website_sale_order_tracking.crm_team_view_kanban_dashboard"
        )
        self.assertIn("order_exception_count", view.arch)


@tagged("post_install", "-at_install")
class TestExceptionWorkers(CronWorkersCase):
    ORDERS = 5

    def _create_data(self, env):
        orders = self._waiting_orders(
            env, [f"Exception Worker {index}" for index in range(self.ORDERS)]
        )
        website = orders.website_id
        website._ensure_order_exception_rules()
        website.order_exception_rule_ids.filtered(
            lambda r: r.kind == "offline_unpaid"
        ).write({"enabled": True, "delay": 1})
        return self._ids(orders, website=website)

    @staticmethod
    def _cron(env):
        # Windows of two orders: several commits in each run.
        env["website.sale.order.exception"]._cron_detect_order_exceptions(window=2)

    def _counts(self, env):
        env.cr.execute(
            """
            SELECT e.order_id, COUNT(DISTINCT e.id), COUNT(DISTINCT a.id)
              FROM website_sale_order_exception e
              LEFT JOIN mail_activity a
                ON a.res_model = 'sale.order' AND a.res_id = e.order_id
             WHERE e.order_id = ANY(%s)
          GROUP BY e.order_id
            """,
            [self.ids["orders"]],
        )
        return sorted(env.cr.fetchall())

    def test_two_workers_open_each_exception_once(self):
        self.assertFalse(self._run_workers(self._cron))
        expected = [(order_id, 1, 1) for order_id in sorted(self.ids["orders"])]
        self.assertEqual(self._in_own_cursor(self._counts), expected)
        self.assertFalse(self._run_workers(self._cron))
        self.assertEqual(self._in_own_cursor(self._counts), expected, "never twice")


@tagged("post_install", "-at_install")
class TestExceptionsInPersian(ExceptionCommon):
    def test_list_reads_in_persian(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        # fa.po as such: Odoo's loading of a module's file merges it with the
        # module's .pot first, which gets the new messages when regenerated.
        importer = TranslationImporter(self.env.cr, verbose=False)
        with file_open("website_sale_order_tracking/i18n/fa.po", "rb") as po:
            content = io.BytesIO(po.read())
        content.name = "fa.po"  # no .pot beside it
        importer.load(content, "po", "fa_IR")
        importer.save(overwrite=True)
        self._enable("late_shipment")
        order = self._paid_order()
        order.commitment_date = NOW() - timedelta(days=1)
        self._run()
        exception = self._exceptions(order, "late_shipment").with_context(lang="fa_IR")
        env = exception.env
        kinds = dict(exception._fields["kind"]._description_selection(env))
        self.assertEqual(kinds["late_shipment"], "ارسال با تأخیر")
        arch = env["website.sale.order.exception"].get_view(view_type="list")["arch"]
        self.assertIn('string="استثناهای سفارش"', arch)
        self.assertIn('string="واگذاری"', arch)
        fields_ = env["website.sale.order.exception"].fields_get(["next_action"])
        self.assertEqual(fields_["next_action"]["string"], "اقدام بعدی")
