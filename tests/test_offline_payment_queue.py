# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import ast
import threading
import time
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import tagged

from .common import SALES_ALL, CronWorkersCase, WebOrderTrackingCommon, create_staff


@tagged("post_install", "-at_install")
class TestManualConfirmation(WebOrderTrackingCommon):
    def _confirm_wizard(self, orders, confirm_unpaid=False):
        action = orders.with_user(self.sales_all).action_open_confirm_wizard()
        values = {"confirm_unpaid": True} if confirm_unpaid else {}
        return self._wizard_form(action, self.sales_all, **values).save()

    def test_queue_lists_orders_paid_offline(self):
        waiting = self._waiting_order()
        paid = self._make_cart(self.customer_2)
        self._pay_by_demo(paid)
        action = self.env.ref("website_sale_order_tracking.action_orders_to_confirm")
        queue = self.env["sale.order"].search(ast.literal_eval(action.domain))
        self.assertIn(waiting, queue)
        self.assertNotIn(paid, queue)

    def test_queue_waits_until_odoo_has_recorded_the_transfer(self):
        """Between the provider's answer and the post-processing of the payment
        page (or of Odoo's cron), the order is not yet in the queue: a salesperson
        confirming it then made the customer's request start again."""
        order = self._make_cart(self.customer)
        tx = self._checkout(order, self.provider_transfer)
        tx._handle_notification_data("custom", {"reference": tx.reference})
        self.assertEqual(tx.state, "pending")
        action = self.env.ref("website_sale_order_tracking.action_orders_to_confirm")
        domain = ast.literal_eval(action.domain)
        queue = self.env["sale.order"].with_user(self.sales_all)
        self.assertEqual(order.tracking_stage, "awaiting_payment")
        self.assertNotIn(order, queue.search(domain))
        tx._post_process()
        self.assertEqual(order.tracking_stage, "to_confirm")
        self.assertIn(order, queue.search(domain))

    def test_unpaid_order_refused_unless_confirmed_anyway(self):
        order = self._waiting_order()
        wizard = self._confirm_wizard(order)
        self.assertEqual(wizard.unpaid_order_ids, order)
        with self.assertRaisesRegex(UserError, "No payment is recorded"):
            wizard.action_confirm_orders()
        self.assertEqual(order.state, "sent")
        self._confirm_wizard(order, confirm_unpaid=True).action_confirm_orders()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.tracking_stage, "confirmed")
        self.assertEqual(
            order.picking_ids.state, "assigned", "confirming reserves stock"
        )

    def test_recorded_payment_confirms_without_question(self):
        order = self._waiting_order()
        # The accountant records the transfer that arrived, from the queue.
        action = order.with_user(self.billing_user).action_open_offline_payment_wizard()
        self._wizard_form(action, self.billing_user).save().action_record_payment()
        self.assertFalse(self._confirm_wizard(order).unpaid_order_ids)
        self.assertEqual(order.state, "sale", "confirmed as a paid web order is")
        action = self.env.ref("website_sale_order_tracking.action_orders_to_confirm")
        queue = self.env["sale.order"].search(ast.literal_eval(action.domain))
        self.assertNotIn(order, queue)

    def test_cancelled_order_cannot_be_confirmed(self):
        order = self._waiting_order()
        order._action_cancel()
        wizard = self._confirm_wizard(order, confirm_unpaid=True)
        with self.assertRaisesRegex(UserError, "cancelled or already confirmed"):
            wizard.action_confirm_orders()
        self.assertEqual(order.state, "cancel")

    def test_reminder_then_cancellation_each_once(self):
        self.website.write({"unpaid_reminder_days": 2, "unpaid_cancel_days": 5})
        fresh = self._waiting_order(days_ago=1)
        due = self._waiting_order(self.customer_2, days_ago=3)
        late = self._waiting_order(days_ago=6)
        SaleOrder = self.env["sale.order"]
        SaleOrder._cron_process_unpaid_orders()
        self.assertFalse(fresh.unpaid_reminder_date)
        self.assertTrue(due.unpaid_reminder_date)
        self.assertEqual(due.state, "sent")
        self.assertEqual(late.state, "cancel")
        self.assertFalse(late.unpaid_reminder_date, "cancelled, not reminded")
        reminder = self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_reminder"
        )
        cancelled = self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_cancelled"
        )
        due_mails = self._messages(due, "waiting for the payment")
        self.assertEqual(len(due_mails), 1)
        self.assertIn(self.customer_2.partner_id, due_mails.partner_ids)
        self.assertTrue(self._messages(late, "was cancelled"))
        self.assertTrue(reminder and cancelled)
        # A second run (a retried cron, a second worker) does nothing again.
        self.assertEqual(SaleOrder._cron_process_unpaid_orders(), 0)
        self.assertEqual(len(self._messages(due, "waiting for the payment")), 1)
        due.checkout_date = fields.Datetime.now() - timedelta(days=6)
        SaleOrder._cron_process_unpaid_orders()
        self.assertEqual(due.state, "cancel")

    def test_no_template_no_reminder_event(self):
        self.website.write(
            {"unpaid_reminder_days": 1, "unpaid_reminder_template_id": False}
        )
        self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_reminder"
        ).unlink()
        order = self._waiting_order(days_ago=2)
        self.env["sale.order"]._cron_process_unpaid_orders()
        self.assertTrue(order.unpaid_reminder_date, "handled once, even without email")
        self.assertFalse(
            order.tracking_event_ids.filtered(
                lambda e: e.event_type == "payment_reminder"
            )
        )

    def test_reminder_per_website(self):
        self.website_2.write({"unpaid_reminder_days": 1})
        order = self._waiting_order(days_ago=3)
        self.env["sale.order"]._cron_process_unpaid_orders()
        self.assertFalse(order.unpaid_reminder_date, "the order's website sends none")

    def test_cron_works_in_batches(self):
        self.website.write({"unpaid_reminder_days": 1})
        orders = self._waiting_order(days_ago=2) | self._waiting_order(
            self.customer_2, days_ago=2
        )
        orders |= self._waiting_order(days_ago=2)
        self.assertEqual(
            self.env["sale.order"]._cron_process_unpaid_orders(batch_size=2), 3
        )
        self.assertTrue(all(orders.mapped("unpaid_reminder_date")))

    def test_bad_delays_are_refused(self):
        bad_values = [
            {"unpaid_reminder_days": -1},
            {"unpaid_cancel_days": -2},
            {"unpaid_reminder_days": 5, "unpaid_cancel_days": 3},
            {"unpaid_reminder_days": 3, "unpaid_cancel_days": 3},
        ]
        for values in bad_values:
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.website.write(values)
        self.env.invalidate_all()
        self.assertEqual(
            (self.website.unpaid_reminder_days, self.website.unpaid_cancel_days), (0, 0)
        )


@tagged("post_install", "-at_install")
class TestUnpaidCronWorkers(CronWorkersCase):
    ORDERS = 4

    def _create_data(self, env):
        orders = self._waiting_orders(
            env, [f"Worker {index}" for index in range(self.ORDERS)]
        )
        return self._ids(orders, website=orders.website_id)

    def _reminders(self):
        return self._orders_mailed("mail.message", "waiting for the payment")

    @staticmethod
    def _cron(env, batch_size=1):
        env["sale.order"]._cron_process_unpaid_orders(batch_size=batch_size)

    def test_two_workers_remind_each_order_once(self):
        self.assertFalse(self._run_workers(self._cron))
        self.assertEqual(self._reminders(), sorted(self.ids["orders"]))

    def test_killed_batch_is_done_again_once(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            SaleOrder = env["sale.order"]
            SaleOrder._claim_unpaid_orders("remind", 1)._send_unpaid_reminders()
            # The first batch is done.
            cr.commit()  # pylint: disable=invalid-commit
            SaleOrder._claim_unpaid_orders("remind", 1)._send_unpaid_reminders()
            cr.rollback()  # the worker dies before committing its second batch
        self.assertEqual(len(self._reminders()), 1)
        self.assertFalse(
            self._run_workers(lambda env: self._cron(env, batch_size=2), count=1)
        )
        self.assertEqual(self._reminders(), sorted(self.ids["orders"]))


@tagged("post_install", "-at_install")
class TestQueueConfirmationWorkers(CronWorkersCase):
    """A salesperson confirms an order of the queue while its customer's payment
    page still post-processes the wire transfer (seen in the load test)."""

    REMOVED = {"seller": "res.users", **CronWorkersCase.REMOVED}

    def _create_data(self, env):
        order = self._web_orders(env, ["Queue Racer"], self.SERVICE)
        tx = self._transaction(env, order, "WSOT-QUEUE-RACE-1")
        tx._handle_notification_data("custom", {"reference": tx.reference})
        seller = create_staff(env, "wsot_queue_race_seller", SALES_ALL)
        return self._ids(order, tx=tx, seller=seller)

    def _confirm(self, env, snapshot_taken=None):
        seller = self.ids["seller"]
        order = env["sale.order"].browse(self.ids["orders"]).with_user(seller)
        order.mapped("state")  # the transaction's snapshot
        if snapshot_taken:
            snapshot_taken.set()
        wizard = (
            env["sale.order.confirm.wizard"]
            .with_user(seller)
            .create({"order_ids": [Command.set(order.ids)], "confirm_unpaid": True})
        )
        wizard.action_confirm_orders()

    def _post_process(self, env):
        env["payment.transaction"].browse(self.ids["tx"])._post_process()

    def _confirmed_order(self, env):
        order = env["sale.order"].browse(self.ids["orders"])
        followers = order.message_follower_ids.filtered(
            lambda f: f.partner_id == order.partner_id
        )
        return order.state, len(followers), order.transaction_ids.is_post_processed

    def test_confirming_while_the_payment_page_post_processes(self):
        errors = {}

        def confirm(snapshot_taken):
            try:
                self._in_own_cursor(lambda env: self._confirm(env, snapshot_taken))
            except Exception as error:  # noqa: BLE001 - checked below
                errors["confirm"] = error

        snapshot_taken = threading.Event()
        seller = threading.Thread(target=confirm, args=(snapshot_taken,))
        try:
            with self.env.registry.cursor() as cr:
                # The poll's transaction: the customer now follows the order.
                self._post_process(api.Environment(cr, SUPERUSER_ID, {}))
                seller.start()
                snapshot_taken.wait(30)
                time.sleep(1)  # the salesperson's confirmation meets it
                cr.commit()  # pylint: disable=invalid-commit
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
            errors["poll"] = error
        seller.join(60)
        self.assertTrue(errors, "the two transactions met")
        for side, error in errors.items():
            self.assertIsInstance(
                error,
                PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
                f"{side}: an error Odoo retries, not {error!r}",
            )
        # Odoo retries what failed: the poll, or the salesperson's click.
        if "poll" in errors:
            self._in_own_cursor(self._post_process)
        if "confirm" in errors:
            self._in_own_cursor(self._confirm)
        self.assertEqual(self._in_own_cursor(self._confirmed_order), ("sale", 1, True))
