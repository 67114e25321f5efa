# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Scheduled jobs never stall on one bad record.

The bad record is a real one: a customer whose name has one word, and an email
template of the shop that shows the customer's last name — its rendering raises
for that customer only.
"""

import threading
from datetime import timedelta

import odoo
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.website_sale_job_failure import MAX_JOB_ATTEMPTS
from .common import (
    SALES_MANAGER,
    CronWorkersCase,
    InvoicingPolicyCommon,
    WebOrderTrackingCommon,
    create_staff,
)

NOW = fields.Datetime.now
LAST_NAME_SUBJECT = "Dear {{ object.partner_id.name.split(' ', 1)[1] }}: "
FAILURE_LOGGER = (
    "odoo.addons.website_sale_order_tracking.models.website_sale_job_failure"
)
# Odoo's own logs of a template that fails to render.
RENDER_LOGGER = "odoo.addons.mail.models.mail_render_mixin"


def _last_name_template(template):
    """A copy of ``template`` whose subject starts with the customer's last name."""
    return template.copy(
        {
            "name": f"{template.name} (last name)",
            "subject": LAST_NAME_SUBJECT + (template.subject or ""),
        }
    )


class JobFailureCommon(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.one_name = cls._create_customer("Cher", "wsot_one_name")
        cls.manager = create_staff(cls.env, "wsot_failure_manager", SALES_MANAGER)

    def _failures(self, job, record=None):
        domain = [("job", "=", job)]
        if record is not None:
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        return self.env["website.sale.job.failure"].search(domain)

    def _failure_events(self, order):
        return order.tracking_event_ids.filtered(lambda e: e.event_type == "job_failed")

    def _assert_failed(self, job, record, attempts, state):
        failure = self._failures(job, record)
        self.assertEqual(len(failure), 1)
        self.assertEqual((failure.attempts, failure.state), (attempts, state))
        self.assertIn("Failed to render", failure.reason)
        self.assertIn("IndexError", failure.reason, "the cause is told")
        return failure


@tagged("post_install", "-at_install")
class TestCartReminderIsolation(JobFailureCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website.cart_abandoned_delay = 1.0
        cls.website.cart_reminder_enabled = True
        cls.website.cart_reminder_start_date = NOW() - timedelta(days=30)
        cls.template = _last_name_template(
            cls.env.ref("website_sale_order_tracking.mail_template_cart_reminder_1")
        )
        cls.website.cart_reminder_step_ids[0].mail_template_id = cls.template

    def _cart(self, customer):
        cart = self._make_cart(customer)
        cart.cart_update_date = NOW() - timedelta(hours=2)
        return cart

    def _mails(self, orders):
        return self.env["mail.mail"].search(
            [("model", "=", "sale.order"), ("res_id", "in", orders.ids)]
        )

    def _run_cron(self, batch_size=500):
        with mute_logger(FAILURE_LOGGER, RENDER_LOGGER):
            return self.env["sale.order"]._cron_send_cart_reminders(
                batch_size=batch_size
            )

    def test_bad_cart_is_skipped_recorded_retried_then_given_up(self):
        first = self._cart(self.customer)
        bad = self._cart(self.one_name)
        last = self._cart(self.customer_2)
        self._run_cron()
        good = first | last
        self.assertEqual(sorted(self._mails(good).mapped("res_id")), sorted(good.ids))
        self.assertIn("Dear One: ", self._mails(first).subject)
        self.assertEqual(good.mapped("cart_reminder_step"), [1, 1])
        self.assertFalse(self._mails(bad))
        self.assertEqual(bad.cart_reminder_step, 0, "its step is not counted")
        self._assert_failed("cart_reminder", bad, 1, "retrying")
        event = self._failure_events(bad)
        self.assertEqual(len(event), 1)
        self.assertIn("Cart Reminder failed (try 1 of 3)", event.description)
        self.assertFalse(event.customer_visible)
        # The next runs try it again, and only it; the third failure gives up.
        for attempt in range(2, MAX_JOB_ATTEMPTS + 1):
            self._run_cron()
            state = "given_up" if attempt == MAX_JOB_ATTEMPTS else "retrying"
            self._assert_failed("cart_reminder", bad, attempt, state)
        self.assertEqual(len(self._mails(good)), 2, "each good cart emailed once")
        self._run_cron()
        self._assert_failed("cart_reminder", bad, MAX_JOB_ATTEMPTS, "given_up")
        self.assertEqual(len(self._failure_events(bad)), MAX_JOB_ATTEMPTS)

    def test_whole_batch_failing_ends_the_run(self):
        bad = self._cart(self.one_name)
        self.assertEqual(self._run_cron(batch_size=1), 1)
        self._assert_failed("cart_reminder", bad, 1, "retrying")

    def test_fixed_record_resolves_its_failure(self):
        bad = self._cart(self.one_name)
        self._run_cron()
        failure = self._assert_failed("cart_reminder", bad, 1, "retrying")
        self.one_name.partner_id.name = "Cher Sarkisian"
        self._run_cron()
        self.assertEqual(bad.cart_reminder_step, 1)
        self.assertIn("Dear Sarkisian: ", self._mails(bad).subject)
        self.assertEqual(failure.state, "resolved")

    def test_cart_bought_since_resolves_its_failure(self):
        bad = self._cart(self.one_name)
        self._run_cron()
        failure = self._assert_failed("cart_reminder", bad, 1, "retrying")
        self._pay_by_demo(bad)
        self._run_cron()
        self.assertEqual(failure.state, "resolved", "nothing left to retry")
        self.assertEqual(failure.attempts, 1)

    def test_batches_still_make_their_emails_together(self):
        carts = self._cart(self.customer) | self._cart(self.customer_2)
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        self._run_cron()
        two = self.env.cr.sql_log_count - before
        more = self.env["sale.order"]
        for index in range(6):
            customer = self._create_customer(
                f"Batch {index} Buyer", f"wsot_iso_{index}"
            )
            more |= self._cart(customer)
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        self._run_cron()
        eight = self.env.cr.sql_log_count - before
        self.assertEqual(len(self._mails(carts | more)), 8)
        self.assertLessEqual(eight, two + 2, f"{two} then {eight} queries")


@tagged("post_install", "-at_install")
class TestUnpaidOrderIsolation(JobFailureCommon):
    def _run_cron(self, batch_size=100):
        with mute_logger(FAILURE_LOGGER, RENDER_LOGGER):
            return self.env["sale.order"]._cron_process_unpaid_orders(
                batch_size=batch_size
            )

    def test_bad_reminder_is_skipped_recorded_and_given_up(self):
        self.website.write(
            {
                "unpaid_reminder_days": 2,
                "unpaid_cancel_days": 10,
                "unpaid_reminder_template_id": _last_name_template(
                    self.env.ref(
                        "website_sale_order_tracking.mail_template_unpaid_order_reminder"
                    )
                ).id,
            }
        )
        bad = self._waiting_order(self.one_name, days_ago=3)
        good = self._waiting_order(self.customer, days_ago=3) | self._waiting_order(
            self.customer_2, days_ago=3
        )
        self._run_cron(batch_size=1)
        self.assertTrue(all(good.mapped("unpaid_reminder_date")))
        self.assertFalse(bad.unpaid_reminder_date, "its reminder is undone")
        self._assert_failed("unpaid_reminder", bad, 1, "retrying")
        self.assertTrue(self._failure_events(bad))
        self._run_cron()
        self._run_cron()
        self._assert_failed("unpaid_reminder", bad, 3, "given_up")
        self._run_cron()
        self._assert_failed("unpaid_reminder", bad, 3, "given_up")
        reminders = self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "in", (good | bad).ids),
                ("subject", "ilike", "waiting for the payment"),
            ]
        )
        self.assertEqual(sorted(reminders.mapped("res_id")), sorted(good.ids))

    def test_bad_cancellation_leaves_the_order_and_goes_on(self):
        self.website.write(
            {
                "unpaid_reminder_days": 2,
                "unpaid_cancel_days": 5,
                "unpaid_cancel_template_id": _last_name_template(
                    self.env.ref(
                        "website_sale_order_tracking.mail_template_unpaid_order_cancelled"
                    )
                ).id,
            }
        )
        bad = self._waiting_order(self.one_name, days_ago=6)
        good = self._waiting_order(self.customer, days_ago=6)
        self._run_cron(batch_size=1)
        self.assertEqual(good.state, "cancel")
        self.assertEqual(bad.state, "sent", "its cancellation is undone")
        self.assertEqual(bad.tracking_stage, "to_confirm")
        self._assert_failed("unpaid_cancel", bad, 1, "retrying")
        self.assertFalse(bad.unpaid_reminder_date, "not reminded in its stead")


@tagged("post_install", "-at_install")
class TestInvoiceEmailIsolation(InvoicingPolicyCommon, JobFailureCommon):
    def _queued_invoice(self, customer):
        """A paid order's invoice, made by the policy, waiting for its email."""
        order = self._paid_order(customer)
        return order._invoice_paid_web_order()

    def _run_cron(self):
        with mute_logger(FAILURE_LOGGER, RENDER_LOGGER):
            return self.env["account.move"]._cron_send_web_invoices()

    def test_invoice_whose_sending_raises_is_skipped(self):
        self.website.invoice_mail_template_id = _last_name_template(self.web_template)
        good = self._queued_invoice(self.customer) | self._queued_invoice(
            self.customer_2
        )
        bad = self._queued_invoice(self.one_name)
        self.assertEqual(
            set((good | bad).mapped("web_invoice_send_state")), {"to_send"}
        )
        self._run_cron()
        self.assertEqual(set(good.mapped("web_invoice_send_state")), {"sending"})
        self.assertEqual(len(self._invoice_emails(good)), 2)
        self.assertEqual(bad.web_invoice_send_state, "to_send")
        self.assertFalse(self._invoice_emails(bad))
        failure = self._assert_failed("invoice_email", bad, 1, "retrying")
        order = bad.line_ids.sale_line_ids.order_id
        self.assertEqual((failure.invoice_id, failure.order_id), (bad, order))
        self.assertEqual(self._failure_events(order).invoice_id, bad)
        self._run_cron()
        self._run_cron()
        self._assert_failed("invoice_email", bad, 3, "given_up")
        # Given up: failed on the invoice, the salesperson told.
        self.assertEqual(bad.web_invoice_send_state, "failed")
        self.assertIn("Invoice email failed", order.activity_ids.mapped("summary"))
        self._run_cron()
        self._assert_failed("invoice_email", bad, 3, "given_up")
        self.assertEqual(len(self._invoice_emails(good)), 2, "each sent once")


@tagged("post_install", "-at_install")
class TestJobFailureList(JobFailureCommon):
    def setUp(self):
        super().setUp()
        self.website.cart_abandoned_delay = 1.0
        self.website.cart_reminder_enabled = True
        self.website.cart_reminder_start_date = NOW() - timedelta(days=30)
        self.website.cart_reminder_step_ids[0].mail_template_id = _last_name_template(
            self.env.ref("website_sale_order_tracking.mail_template_cart_reminder_1")
        )
        self.bad = self._make_cart(self.one_name)
        self.bad.cart_update_date = NOW() - timedelta(hours=2)

    def _run_cron(self):
        with mute_logger(FAILURE_LOGGER, RENDER_LOGGER):
            self.env["sale.order"]._cron_send_cart_reminders()

    def test_managers_see_the_failures_with_their_reason(self):
        self._run_cron()
        action = self.env.ref(
            "website_sale_order_tracking.website_sale_job_failure_action"
        )
        menu = self.env.ref("website_sale_order_tracking.menu_job_failures")
        self.assertIn(self.env.ref("sales_team.group_sale_manager"), menu.groups_id)
        self.assertEqual(action.res_model, "website.sale.job.failure")
        rows = (
            self.env["website.sale.job.failure"]
            .with_user(self.manager)
            .search_read(
                [("state", "!=", "resolved")],
                ["job", "record_name", "order_id", "reason", "attempts", "state"],
            )
        )
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(row["job"], "cart_reminder")
        self.assertEqual(row["record_name"], self.bad.name)
        self.assertEqual(row["order_id"][0], self.bad.id)
        self.assertEqual((row["attempts"], row["state"]), (1, "retrying"))
        self.assertIn("IndexError", row["reason"])
        for view_type in ("list", "form", "search"):
            self.env["website.sale.job.failure"].with_user(self.manager).get_view(
                view_type=view_type
            )

    def test_salespeople_and_customers_see_none(self):
        self._run_cron()
        for user in (self.salesman_1, self.one_name):
            with self.assertRaises(AccessError):
                self.env["website.sale.job.failure"].with_user(user).search([])

    def test_manager_retries_a_given_up_record(self):
        for _run in range(MAX_JOB_ATTEMPTS):
            self._run_cron()
        failure = self._assert_failed("cart_reminder", self.bad, 3, "given_up")
        self._run_cron()
        self.assertEqual(failure.attempts, 3, "left out")
        # The manager fixes the customer's name, then asks for a retry.
        self.one_name.partner_id.name = "Cher Sarkisian"
        failure.with_user(self.manager).action_retry()
        self.assertEqual((failure.state, failure.attempts), ("retrying", 0))
        self._run_cron()
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(self.bad.cart_reminder_step, 1)

    def test_sending_by_hand_takes_the_cart_back(self):
        for _run in range(MAX_JOB_ATTEMPTS):
            self._run_cron()
        failure = self._assert_failed("cart_reminder", self.bad, 3, "given_up")
        self.website.cart_reminder_step_ids[0].mail_template_id = self.env.ref(
            "website_sale_order_tracking.mail_template_cart_reminder_1"
        )
        self.bad.with_user(self.salesman_1).action_send_cart_reminder()
        self.assertEqual(failure.state, "resolved")


# --- With the cron workers of Odoo ------------------------------------------------


class JobWorkersCase(CronWorkersCase):
    CRON = None

    def setUp(self):
        super().setUp()
        self.cron_state = self._in_own_cursor(self._save_cron)
        self.addCleanup(self._in_own_cursor, self._restore_cron)

    def _save_cron(self, env):
        cron = env.ref(self.CRON)
        state = {
            "id": cron.id,
            "nextcall": cron.nextcall,
            "lastcall": cron.lastcall or None,
        }
        env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM ir_cron_progress")
        return {**state, "progress": env.cr.fetchone()[0]}

    def _restore_cron(self, env):
        env.cr.execute(
            "UPDATE ir_cron SET nextcall = %s, lastcall = %s, failure_count = 0, "
            "first_failure_date = NULL, active = TRUE WHERE id = %s",
            [
                self.cron_state["nextcall"],
                self.cron_state["lastcall"],
                self.cron_state["id"],
            ],
        )
        env.cr.execute(
            "DELETE FROM ir_cron_progress WHERE cron_id = %s AND id > %s",
            [self.cron_state["id"], self.cron_state["progress"]],
        )

    def _run_cron_job(self):
        """One run of the cron as Odoo's cron worker does it, in a thread of its
        own; return the cron's ``(active, failure_count)`` after it."""
        cron_id = self.cron_state["id"]

        def make_due(env):
            env.cr.execute(
                "UPDATE ir_cron SET nextcall = (NOW() AT TIME ZONE 'UTC') "
                "- INTERVAL '1 minute' WHERE id = %s",
                [cron_id],
            )

        def work():
            ir_cron = self.env.registry["ir.cron"]
            db = odoo.sql_db.db_connect(self.env.cr.dbname)
            with db.cursor() as cron_cr:
                job = ir_cron._acquire_one_job(cron_cr, cron_id)
                ir_cron._process_job(db, cron_cr, job)

        self._in_own_cursor(make_due)
        with mute_logger(
            FAILURE_LOGGER, RENDER_LOGGER, "odoo.addons.base.models.ir_cron"
        ):
            worker = threading.Thread(target=work)
            worker.start()
            worker.join(timeout=120)
        return self._in_own_cursor(
            lambda env: tuple(
                env["ir.cron"]
                .browse(cron_id)
                .read(["active", "failure_count"])[0][name]
                for name in ("active", "failure_count")
            )
        )

    def _failure(self, job, order_id):
        return self._in_own_cursor(
            lambda env: env["website.sale.job.failure"].search_read(
                [("job", "=", job), ("res_id", "=", order_id)],
                ["attempts", "state", "reason"],
            )
        )


@tagged("post_install", "-at_install")
class TestCartReminderIsolationWorkers(JobWorkersCase):
    CRON = "website_sale_order_tracking.ir_cron_cart_reminders"

    def _create_data(self, env):
        names = ["Worker Zero", "Worker One", "Cher", "Worker Three", "Worker Four"]
        orders = self._abandoned_carts(env, names)
        template = _last_name_template(
            env.ref("website_sale_order_tracking.mail_template_cart_reminder_1")
        )
        orders.website_id.cart_reminder_step_ids[0].mail_template_id = template
        return self._ids(
            orders, website=orders.website_id, template=template, bad=orders[2]
        )

    def test_two_workers_then_the_cron_go_past_the_bad_cart(self):
        good = sorted(set(self.ids["orders"]) - {self.ids["bad"]})

        def cron(env):
            with mute_logger(FAILURE_LOGGER, RENDER_LOGGER):
                env["sale.order"]._cron_send_cart_reminders(batch_size=2)

        self.assertFalse(self._run_workers(cron))
        self.assertEqual(self._orders_mailed(), good, "every other cart once")
        [failure] = self._failure("cart_reminder", self.ids["bad"])
        self.assertIn(failure["attempts"], (1, 2), "at most once per worker")
        self.assertIn("IndexError", failure["reason"])
        # Odoo's cron worker: the job succeeds, run after run, and stays active.
        self.assertEqual(self._run_cron_job(), (True, 0))
        self.assertEqual(self._run_cron_job(), (True, 0))
        [failure] = self._failure("cart_reminder", self.ids["bad"])
        self.assertEqual(
            (failure["attempts"], failure["state"]), (MAX_JOB_ATTEMPTS, "given_up")
        )
        self.assertEqual(self._run_cron_job(), (True, 0))
        self.assertEqual(self._orders_mailed(), good)


@tagged("post_install", "-at_install")
class TestUnpaidIsolationWorkers(JobWorkersCase):
    CRON = "website_sale_order_tracking.ir_cron_unpaid_web_orders"

    def _create_data(self, env):
        template = _last_name_template(
            env.ref("website_sale_order_tracking.mail_template_unpaid_order_reminder")
        )
        orders = self._waiting_orders(
            env,
            ["Payer Zero", "Cher", "Payer Two", "Payer Three"],
            unpaid_reminder_template_id=template.id,
        )
        return self._ids(
            orders, website=orders.website_id, template=template, bad=orders[1]
        )

    def test_two_workers_then_the_cron_go_past_the_bad_order(self):
        good = sorted(set(self.ids["orders"]) - {self.ids["bad"]})

        def cron(env):
            with mute_logger(FAILURE_LOGGER, RENDER_LOGGER):
                env["sale.order"]._cron_process_unpaid_orders(batch_size=1)

        self.assertFalse(self._run_workers(cron))
        self.assertEqual(
            self._orders_mailed("mail.message", "waiting for the payment"),
            good,
            "every other order once",
        )
        [failure] = self._failure("unpaid_reminder", self.ids["bad"])
        self.assertIn(failure["attempts"], (1, 2), "at most once per worker")
        self.assertEqual(self._run_cron_job(), (True, 0))
        self.assertEqual(self._run_cron_job(), (True, 0))
        [failure] = self._failure("unpaid_reminder", self.ids["bad"])
        self.assertEqual(
            (failure["attempts"], failure["state"]), (MAX_JOB_ATTEMPTS, "given_up")
        )
        self.assertEqual(self._run_cron_job(), (True, 0))
        self.assertEqual(
            self._orders_mailed("mail.message", "waiting for the payment"), good
        )
