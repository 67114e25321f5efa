# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The invoicing job: out of the customer's way, once per order, in batches.

The order that cannot be invoiced is a real one: it holds a product whose
income account the accountant has deprecated since, which Odoo refuses on an
invoice line.
"""

import ast
import io
from contextlib import contextmanager
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import HttpCase, tagged
from odoo.tools import config, mute_logger
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models.ir_actions_report import IrActionsReport

from ..models.ir_actions_report import (
    ONE_DOCUMENT_KEY,
    wkhtmltopdf_takes_several_documents,
)
from ..models.website_sale_job_failure import MAX_JOB_ATTEMPTS
from .common import CronWorkersCase, InvoicingPolicyCommon

FAILURE_LOGGER = (
    "odoo.addons.website_sale_order_tracking.models.website_sale_job_failure"
)
JOB = "web_invoicing"


@tagged("post_install", "-at_install")
class TestInvoicingJob(InvoicingPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website.invoice_policy_consumer = "auto"
        cls.retired_account = cls.env["account.account"].create(
            {"name": "Retired Sales", "code": "709990", "account_type": "income"}
        )
        cls.retired_product = cls.env["product.product"].create(
            {
                "name": "Retired Teapot",
                "type": "consu",
                "is_storable": True,
                "list_price": 80.0,
                "website_published": True,
                "taxes_id": [Command.clear()],
                "property_account_income_id": cls.retired_account.id,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.retired_product, cls.warehouse.lot_stock_id, 10.0
        )
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Sales Manager",
                "login": "wsot_invoicing_manager",
                "groups_id": [
                    Command.set([cls.env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )

    def _unbillable_order(self):
        """A paid order the job cannot invoice: its product's income account was
        deprecated after it was sold."""
        order = self._make_cart(self.customer_2, products={self.retired_product: 1})
        self._pay_by_demo(order)
        self.retired_account.deprecated = True
        return order

    def _run_job(self):
        with mute_logger(FAILURE_LOGGER, "odoo.addons.website_sale_order_tracking"):
            return self._run_invoicing_job()

    def _orders_due(self, user):
        """The orders of the staff's list *Orders Due for Invoicing*."""
        action = self.env.ref(
            "website_sale_order_tracking.action_orders_web_invoice_due"
        )
        return (
            self.env["sale.order"]
            .with_user(user)
            .search(ast.literal_eval(action.domain))
        )

    def _failure(self, order):
        return self.env["website.sale.job.failure"].search(
            [
                ("job", "=", JOB),
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order.id),
            ]
        )

    def test_unbillable_order_is_skipped_recorded_retried_then_given_up(self):
        first = self._paid_order(self.customer)
        bad = self._unbillable_order()
        last = self._paid_order(self.business)
        self.assertEqual(self._run_job(), 3)
        for order in first | last:
            self.assertEqual(order.invoice_ids.state, "posted")
            self.assertEqual(len(self._invoice_emails(order.invoice_ids)), 1)
            self.assertFalse(order.web_invoice_due)
        self.assertFalse(bad.invoice_ids, "its invoice is undone")
        self.assertTrue(bad.web_invoice_due, "still due")
        failure = self._failure(bad)
        self.assertEqual((failure.attempts, failure.state), (1, "retrying"))
        self.assertIn("deprecated", failure.reason)
        self.assertEqual(failure.order_id, bad)
        event = bad.tracking_event_ids.filtered(lambda e: e.event_type == "job_failed")
        self.assertIn("Invoicing failed (try 1 of 3)", event.description)
        self.assertFalse(event.customer_visible)
        for attempt in range(2, MAX_JOB_ATTEMPTS + 1):
            self.assertEqual(self._run_job(), 1, "only the bad order again")
            self.assertEqual(failure.attempts, attempt)
        self.assertEqual(failure.state, "given_up")
        self.assertEqual(self._run_job(), 0, "left out once given up")
        self.assertEqual(failure.attempts, MAX_JOB_ATTEMPTS)
        # Staff see it among the orders due for invoicing and the failures.
        self.assertEqual(self._orders_due(self.manager), bad)
        failures = self.env["website.sale.job.failure"].with_user(self.manager)
        self.assertEqual(failures.search([("state", "=", "given_up")]), failure)
        # The accountant takes the account back in use; the manager retries.
        self.retired_account.deprecated = False
        failure.with_user(self.manager).action_retry()
        self.assertEqual(self._run_job(), 1)
        self.assertEqual(bad.invoice_ids.state, "posted")
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(len(self._invoice_emails((first | bad | last).invoice_ids)), 3)

    def test_post_processing_costs_a_few_queries_more_than_no_invoicing(self):
        def post_processing_queries(policy_enabled):
            # Switched on again, the policy starts from Odoo's switch: set it.
            self.website.write(
                {
                    "invoice_policy_enabled": policy_enabled,
                    "invoice_policy_consumer": "auto",
                }
            )
            order = self._make_cart(self.customer)
            tx = self._checkout(order, self.provider_demo, self.method_demo)
            tx._handle_notification_data(
                "demo", {"reference": tx.reference, "simulated_state": "done"}
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            tx._post_process()
            self.env.flush_all()
            self.assertEqual(order.web_invoice_due, policy_enabled)
            self.assertFalse(order.invoice_ids)
            return self.env.cr.sql_log_count - before

        post_processing_queries(True)  # Odoo's caches warmed up by a first one
        without = post_processing_queries(False)
        with_policy = post_processing_queries(True)
        self.assertLessEqual(with_policy, without + 8, f"{without} then {with_policy}")

    def test_a_run_out_of_time_leaves_the_rest_to_the_next_run(self):
        orders = self._paid_order(self.customer) | self._paid_order(self.customer_2)
        cron = self.env.ref("website_sale_order_tracking.ir_cron_invoice_web_orders")
        triggers = self._job_triggers()
        # The cron's run as Odoo makes it, its time budget spent by one batch.
        run = self.env["sale.order"].with_context(
            cron_id=cron.id, wsot_cron_time_budget=0
        )
        self.assertEqual(run._cron_invoice_web_orders(batch_size=1), 1)
        self.assertEqual(len(orders.invoice_ids), 1, "one batch, then stopped")
        self.assertEqual(len(self._job_triggers() - triggers), 1, "next run asked")
        self.assertEqual(run._cron_invoice_web_orders(batch_size=1), 1)
        self.assertEqual(len(orders.invoice_ids), 2)
        self.assertEqual(run._cron_invoice_web_orders(batch_size=1), 0)

    def test_the_time_budget_is_a_share_of_the_cron_workers_limit(self):
        orders = self.env["sale.order"]
        self.assertIsNone(orders._get_cron_time_budget(), "not a cron's run")
        cron_run = orders.with_context(cron_id=1)
        with patch.dict(config.options, limit_time_real_cron=-1, limit_time_real=120):
            self.assertEqual(cron_run._get_cron_time_budget(), 30)
        with patch.dict(config.options, limit_time_real_cron=600):
            self.assertEqual(cron_run._get_cron_time_budget(), 150)
        with patch.dict(config.options, limit_time_real_cron=0):
            self.assertIsNone(cron_run._get_cron_time_budget())

    def test_order_cancelled_or_invoiced_by_hand_meanwhile_gets_none(self):
        cancelled = self._paid_order(self.customer)
        by_hand = self._paid_order(self.business)
        self.assertTrue(cancelled.web_invoice_due and by_hand.web_invoice_due)
        cancelled._action_cancel()
        invoice = by_hand._create_invoices()
        invoice.action_post()
        self.assertEqual(self._run_invoicing_job(), 2)
        self.assertFalse(cancelled.invoice_ids)
        self.assertEqual(by_hand.invoice_ids, invoice, "no second invoice")
        self.assertFalse(self._invoice_emails(invoice), "the team sends its own")
        self.assertFalse((cancelled | by_hand).filtered("web_invoice_due"))

    def test_a_batch_renders_its_pdfs_in_one_call(self):
        third = self._create_customer("Customer Three", "wsot_invoicing_3")
        orders = self._paid_order(self.customer) | self._paid_order(self.customer_2)
        orders |= self._paid_order(third)
        with self._counted_pdf_calls() as calls:
            self.assertEqual(self._run_invoicing_job(force_report_rendering=True), 3)
        self.assertEqual(len(calls), 1, f"one rendering for the 3 invoices: {calls}")
        invoices = orders.invoice_ids
        self.assertEqual(len(invoices), 3)
        for invoice in invoices:
            pdf = invoice.invoice_pdf_report_id
            self.assertEqual(pdf.mimetype, "application/pdf")
            self.assertEqual(self._pages(pdf.raw), 1)
            email = self._invoice_emails(invoice)
            self.assertEqual(len(email), 1)
            self.assertEqual(email.attachment_ids.raw, pdf.raw)
            self.assertEqual(invoice.web_invoice_send_state, "sending")
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", invoices.web_invoice_message_id.ids)]
        )
        self.assertEqual(
            len(set(invoices.invoice_pdf_report_id.mapped("raw"))), 3, "each its own"
        )
        self.assertEqual(len(mails), 3)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued")

    def test_invoice_of_several_pages_keeps_them_all(self):
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.partner_id.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": f"Line {index}", "price_unit": 10, "quantity": 1}
                        )
                        for index in range(lines)
                    ],
                }
                for lines in (1, 80, 2)
            ]
        )
        invoices.action_post()
        report = self.env["ir.actions.report"].with_context(
            force_report_rendering=True, **{ONE_DOCUMENT_KEY: True}
        )
        with self._counted_pdf_calls() as calls:
            streams = report._render_qweb_pdf_prepare_streams(
                "account.report_invoice_with_payments", {}, invoices.ids
            )
        self.assertEqual(list(streams), invoices.ids, "a PDF each, nothing else")
        pages = [self._pages(streams[i]["stream"].getvalue()) for i in invoices.ids]
        self.assertEqual(pages[0], 1)
        self.assertGreater(pages[1], 1)
        self.assertEqual(pages[2], 1)
        if wkhtmltopdf_takes_several_documents():
            self.assertEqual(len(calls), 1, "Odoo's own split by outlines")
        else:
            # One document of the 3 records had more pages than records: in
            # halves, the first record alone, the last two together, then each
            # of them alone.
            self.assertEqual(len(calls), 5)

    @contextmanager
    def _counted_pdf_calls(self):
        """The calls of wkhtmltopdf (Odoo's own, counted on their way)."""
        calls = []
        run_wkhtmltopdf = IrActionsReport._run_wkhtmltopdf

        def counted(report, bodies, *args, **kwargs):
            calls.append(len(bodies))
            return run_wkhtmltopdf(report, bodies, *args, **kwargs)

        with patch.object(IrActionsReport, "_run_wkhtmltopdf", counted):
            yield calls

    @staticmethod
    def _pages(pdf):
        return PdfFileReader(io.BytesIO(pdf)).numPages

    def test_staff_list_and_filter_of_orders_due(self):
        order = self._paid_order(self.customer)
        self.assertEqual(self._orders_due(self.manager), order)
        arch = self.env["sale.order"].get_view(view_type="search")["arch"]
        self.assertIn('name="web_invoice_due"', arch)
        form = self.env["sale.order"].get_view(view_type="form")["arch"]
        self.assertIn('name="web_invoice_due"', form)
        menu = self.env.ref("website_sale_order_tracking.menu_orders_web_invoice_due")
        self.assertEqual(
            menu.action,
            self.env.ref("website_sale_order_tracking.action_orders_web_invoice_due"),
        )
        self._run_invoicing_job()
        self.assertFalse(self._orders_due(self.manager))


@tagged("post_install", "-at_install")
class TestInvoicingJobTrackingPage(HttpCase, InvoicingPolicyCommon):
    def test_customer_sees_the_invoice_prepared_then_made(self):
        order = self._paid_order(self.business)
        self.authenticate(self.business.login, self.business.login)
        url = f"/my/orders/{order.id}/tracking"
        page = self.url_open(url).text
        self.assertIn("o_wsot_invoice_pending", page)
        self.assertIn("Your invoice is being prepared", page)
        self.assertNotIn("No invoice yet.", page)
        self.assertNotIn("o_wsot_request_invoice_btn", page)
        self._run_invoicing_job()
        invoice = order.invoice_ids
        page = self.url_open(url).text
        self.assertNotIn("o_wsot_invoice_pending", page)
        self.assertIn(invoice.name, page)
        self.assertIn(f"/my/invoices/{invoice.id}", page)

    def test_request_shows_the_invoice_prepared(self):
        order = self._paid_order(self.customer)
        self.authenticate(self.customer.login, self.customer.login)
        url = f"/my/orders/{order.id}/tracking"
        page = self.url_open(url).text
        self.assertIn("No invoice yet.", page)
        self.assertIn("o_wsot_request_invoice_btn", page)
        self.assertTrue(order.action_request_invoice())
        page = self.url_open(url).text
        self.assertIn("Your invoice is being prepared", page)
        self.assertNotIn("o_wsot_request_invoice_btn", page)
        self._run_invoicing_job()
        self.assertIn(order.invoice_ids.name, self.url_open(url).text)


@tagged("post_install", "-at_install")
class TestInvoicingJobWorkers(CronWorkersCase):
    ORDERS = 4

    def _create_data(self, env):
        website = env["website"].create(
            {
                "name": "Invoicing Job Shop",
                "invoice_policy_enabled": True,
                "invoice_policy_consumer": "auto",
            }
        )
        names = [f"Job Buyer {index}" for index in range(self.ORDERS)]
        orders = self._web_orders(env, names, self.SERVICE, website)
        provider = env.ref("payment.payment_provider_demo")
        provider_state = provider.state
        provider.state = "test"
        for order in orders:
            transaction = self._transaction(
                env, order, f"WSOT-JOB-{order.id}", provider="demo"
            )
            transaction._set_done()
            transaction._post_process()
        self.assertEqual(orders.mapped("web_invoice_due"), [True] * self.ORDERS)
        self.assertFalse(orders.invoice_ids)
        return {**self._ids(orders, website=website), "provider_state": provider_state}

    def _remove_data(self, env):
        env.ref("payment.payment_provider_demo").state = self.ids["provider_state"]
        return super()._remove_data(env)

    def _invoiced(self):
        """``{order id: (invoices, invoice emails)}`` as committed."""

        def read(env):
            result = {}
            for order in env["sale.order"].browse(self.ids["orders"]):
                emails = env["mail.message"].search_count(
                    [
                        ("model", "=", "account.move"),
                        ("res_id", "in", order.invoice_ids.ids),
                        ("message_type", "=", "comment"),
                    ]
                )
                result[order.id] = (len(order.invoice_ids), emails)
            return result

        return self._in_own_cursor(read)

    @staticmethod
    def _cron(env, batch_size=1):
        env["sale.order"]._cron_invoice_web_orders(batch_size=batch_size)

    def test_two_workers_invoice_and_email_each_order_once(self):
        self.assertFalse(self._run_workers(self._cron))
        self.assertEqual(
            self._invoiced(), {order_id: (1, 1) for order_id in self.ids["orders"]}
        )

    def test_killed_batch_is_invoiced_again_once(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            SaleOrder = env["sale.order"]
            self.assertEqual(SaleOrder._process_web_invoicing_batch(2), 2)
            cr.commit()  # pylint: disable=invalid-commit
            self.assertEqual(SaleOrder._process_web_invoicing_batch(2), 2)
            cr.rollback()  # the worker dies before committing its second batch
        first, second, *rest = self.ids["orders"]
        invoiced = self._invoiced()
        self.assertEqual((invoiced[first], invoiced[second]), ((1, 1), (1, 1)))
        self.assertEqual([invoiced[order_id] for order_id in rest], [(0, 0), (0, 0)])
        self.assertFalse(self._run_workers(lambda env: self._cron(env, 3), count=1))
        self.assertEqual(
            self._invoiced(), {order_id: (1, 1) for order_id in self.ids["orders"]}
        )
