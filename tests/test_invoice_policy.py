# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..models.account_move import MAX_INVOICE_SEND_ATTEMPTS
from ..models.sale_order_invoice_job import (
    WEB_INVOICING_DELAY,
    WEB_INVOICING_DELAY_PARAM,
)
from .common import CronWorkersCase, InvoicingPolicyCommon


@tagged("post_install", "-at_install")
class TestInvoicingPolicy(InvoicingPolicyCommon):
    def test_payment_only_records_the_order_due_and_wakes_the_job(self):
        triggers = self._job_triggers()
        order = self._paid_order(self.business)
        self.assertFalse(order.invoice_ids, "no invoice while the customer waits")
        self.assertTrue(order.web_invoice_due)
        self.assertTrue(order.transaction_ids.payment_id, "the payment is recorded")
        self.assertEqual(len(self._job_triggers() - triggers), 1, "the job woken up")
        self.assertTrue(order._get_invoice_request_blocker(), "nothing to ask for")
        self.assertEqual(self._run_invoicing_job(), 1)
        self.assertFalse(order.web_invoice_due)
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(self._run_invoicing_job(), 0, "nothing left to do")
        self.assertEqual(len(order.invoice_ids), 1)

    def test_payments_until_the_job_runs_share_its_run(self):
        before = fields.Datetime.now()
        orders = self._paid_order(self.business) | self._paid_order(self.business)
        trigger = self._job_triggers()
        self.assertEqual(len(trigger), 1, "one run asked for both payments")
        self.assertGreaterEqual(
            trigger.call_at, before + timedelta(seconds=WEB_INVOICING_DELAY)
        )
        self.assertEqual(self._run_invoicing_job(), 2, "both in the one run")
        self.assertEqual(len(orders.invoice_ids), 2)

    def test_the_delay_is_a_system_parameter(self):
        self.env["ir.config_parameter"].set_param(WEB_INVOICING_DELAY_PARAM, "0")
        before = fields.Datetime.now()
        self._paid_order(self.business)
        self.assertLessEqual(
            self._job_triggers().call_at, before + timedelta(seconds=1)
        )
        for bad in ("soon", "-5"):
            self.env["ir.config_parameter"].set_param(WEB_INVOICING_DELAY_PARAM, bad)
            self.assertIn(
                self.env["sale.order"]._get_web_invoicing_delay(),
                (WEB_INVOICING_DELAY, 0),
                f"{bad!r}: the default, or at once",
            )

    def test_automatic_for_businesses_invoices_sends_and_pays_once(self):
        order = self._invoiced_order(self.business)
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.journal_id, self.journal_web)
        self.assertEqual(invoice.website_id, self.website)
        self.assertFalse(invoice.invoice_requested)
        email = self._invoice_emails(invoice)
        self.assertEqual(len(email), 1)
        self.assertEqual(email.subject, f"Your web invoice {invoice.name}")
        self.assertEqual(invoice.web_invoice_message_id, email)
        self.assertEqual(invoice.web_invoice_send_state, "sending")
        self.assertTrue(email.attachment_ids, "the invoice PDF goes with the email")
        events = self._event_types(order)
        for event in ("invoice_created", "invoice_posted", "invoice_sent"):
            self.assertIn(event, events)
        self.assertIn("invoice_paid", events)

    def test_same_transaction_post_processed_twice_gives_one_invoice(self):
        order = self._paid_order(self.business)
        tx = order.transaction_ids
        tx.is_post_processed = False
        tx._post_process()
        self._run_invoicing_job()
        tx.is_post_processed = False
        tx._post_process()
        tx._post_process()
        self.assertFalse(order.web_invoice_due)
        self._run_invoicing_job()
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(len(self._invoice_emails(order.invoice_ids)), 1)

    def test_on_request_for_consumers_waits_for_the_customer(self):
        order = self._invoiced_order(self.customer)
        self.assertFalse(order.invoice_ids)
        self.assertTrue(order.transaction_ids.payment_id, "the payment is recorded")
        self.assertTrue(order.with_user(self.customer).sudo().action_request_invoice())
        self.assertFalse(order.invoice_ids, "made by the job, not in the request")
        self.assertTrue(order.web_invoice_due)
        with self.assertRaisesRegex(UserError, "being prepared"):
            order.action_request_invoice()
        self._run_invoicing_job()
        invoices = order.invoice_ids
        self.assertEqual(len(invoices), 1)
        self.assertEqual(invoices.state, "posted")
        self.assertTrue(invoices.invoice_requested)
        self.assertIn(invoices.payment_state, ("paid", "in_payment"))
        self.assertEqual(len(self._invoice_emails(invoices)), 1)
        self.assertIn("invoice_requested", self._event_types(order))
        with self.assertRaisesRegex(UserError, "already has its invoice"):
            order.action_request_invoice()
        self.assertEqual(len(order.invoice_ids), 1)

    def test_missing_pdf_tool_records_the_request_and_tells_the_team(self):
        order = self._paid_order(self.customer)
        order.user_id = self.salesman_1
        self.assertTrue(order.with_user(self.customer).sudo().action_request_invoice())
        with self._without_pdf_tool():
            # Odoo's tests render HTML instead of PDF unless asked for the PDF.
            self._run_invoicing_job(force_report_rendering=True)
        invoices = order.invoice_ids
        self.assertEqual(invoices.state, "posted")
        self.assertTrue(invoices.invoice_requested)
        self.assertIn(invoices.payment_state, ("paid", "in_payment"))
        # Left to the send cron, with the error shown to the team.
        self.assertEqual(invoices.web_invoice_send_state, "to_send")
        self.assertIn("Wkhtmltopdf", invoices.web_invoice_send_error)
        self.assertEqual(order.web_invoice_send_state, "to_send")
        self.assertIn("Wkhtmltopdf", order.web_invoice_send_error)
        self.assertIn("invoice_send_failed", self._event_types(order))
        self.assertFalse(self._invoice_emails(invoices))
        # The send cron fails as long as the tool is missing, then gives up.
        for _run in range(3):
            with (
                self._without_pdf_tool(),
                mute_logger(
                    "odoo.addons.website_sale_order_tracking.models.website_sale_job_failure"
                ),
            ):
                self.env["account.move"].with_context(
                    force_report_rendering=True
                )._cron_send_web_invoices()
        self.assertEqual(invoices.web_invoice_send_state, "failed")
        self.assertEqual(order.activity_ids.summary, "Invoice email failed")
        self.assertEqual(order.activity_ids.user_id, self.salesman_1)
        self.assertFalse(self._invoice_emails(invoices))
        # The tool installed, the team sends it again.
        invoices.with_user(self.billing_user).action_retry_web_invoice_email()
        self.assertEqual(invoices.web_invoice_send_state, "to_send")
        self.env["account.move"]._cron_send_web_invoices()
        self.assertEqual(invoices.web_invoice_send_state, "sending")
        self.assertEqual(len(self._invoice_emails(invoices)), 1)

    def test_manual_request_gives_the_salesperson_an_activity(self):
        self.website.invoice_policy_consumer = "manual"
        order = self._paid_order(self.customer)
        order.user_id = self.salesman_1
        self.assertFalse(order.invoice_ids)
        self.assertFalse(order.action_request_invoice())
        self.assertFalse(order.invoice_ids)
        self.assertTrue(order.invoice_request_date)
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.salesman_1)
        self.assertEqual(activity.summary, "Invoice requested by the customer")
        with self.assertRaisesRegex(UserError, "already asked"):
            order.action_request_invoice()
        self.assertEqual(len(order.activity_ids), 1)

    def test_each_policy_cell(self):
        cases = [
            ("business", "auto", True),
            ("business", "request", False),
            ("business", "manual", False),
            ("consumer", "auto", True),
            ("consumer", "request", False),
            ("consumer", "manual", False),
        ]
        buyers = {"business": self.business, "consumer": self.customer}
        for kind, policy, invoiced in cases:
            with self.subTest(kind=kind, policy=policy):
                self.website[f"invoice_policy_{kind}"] = policy
                order = self._invoiced_order(buyers[kind])
                self.assertEqual(bool(order.invoice_ids), invoiced)
                blocker = order._get_invoice_request_blocker()
                self.assertEqual(bool(blocker), invoiced)
                if policy == "request":
                    self.assertTrue(order.action_request_invoice())
                    self._run_invoicing_job()
                    self.assertTrue(order.invoice_ids.invoice_requested)
                if policy == "manual":
                    self.assertFalse(order.action_request_invoice())
                    self.assertTrue(order.activity_ids)

    def test_company_contact_is_a_business(self):
        self.website.invoice_policy_consumer = "manual"
        order = self._invoiced_order(self.company_contact)
        self.assertEqual(order._get_invoice_policy(), "auto")
        self.assertTrue(order.invoice_ids)

    def test_website_policy_overrides_odoo_switch_both_ways(self):
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)
        self.website.invoice_policy_business = "manual"
        order = self._invoiced_order(self.business)
        self.assertFalse(order.invoice_ids, "manual: Odoo's switch does not invoice")
        self.assertFalse(order.web_invoice_due)

    def test_policy_off_leaves_odoo_behaviour(self):
        self.website.invoice_policy_enabled = False
        order = self._paid_order(self.customer)
        self.assertFalse(order.invoice_ids)
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)
        order = self._paid_order(self.customer)
        self.assertTrue(order.invoice_ids)
        self.assertNotEqual(order.invoice_ids.journal_id, self.journal_web)
        self.assertFalse(order.invoice_ids.web_invoice_send_state)
        self.assertTrue(order.invoice_ids.is_move_sent)
        with self.assertRaisesRegex(UserError, "not made on request"):
            order.action_request_invoice()

    def test_other_website_keeps_its_own_policy(self):
        order = self._invoiced_order(self.business, website=self.website_2)
        self.assertFalse(order.invoice_ids)
        self.assertFalse(order.web_invoice_due)

    def test_credit_note_is_on_the_timeline(self):
        order = self._invoiced_order(self.business)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=order.invoice_ids.ids)
            .create({"journal_id": self.journal_web.id, "reason": "test"})
        )
        reversal.refund_moves()
        order.invoice_ids.filtered(lambda m: m.move_type == "out_refund").action_post()
        self.assertIn("credit_note", self._event_types(order))


@tagged("post_install", "-at_install")
class TestInvoiceRequestBadInput(InvoicingPolicyCommon):
    def test_unpaid_order_is_refused(self):
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        with self.assertRaisesRegex(UserError, "once the order is paid"):
            order.action_request_invoice()
        self.assertFalse(order.invoice_ids)
        self.assertNotIn("invoice_requested", self._event_types(order))

    def test_cancelled_order_is_refused(self):
        order = self._paid_order(self.customer)
        order._action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            order.action_request_invoice()
        self.assertFalse(order.invoice_ids)

    def test_invalid_vat_is_refused_and_nothing_written(self):
        self.customer.partner_id.country_id = self.env.ref("base.de")
        order = self._paid_order(self.customer)
        with self.assertRaisesRegex(UserError, "not a valid VAT number"):
            order.action_request_invoice(
                business=True, company_name="Tea GmbH", vat="DE123"
            )
        self.assertFalse(order.invoice_ids)
        self.assertFalse(self.customer.partner_id.vat)
        self.assertFalse(self.customer.partner_id.company_name)

    def test_business_invoice_asks_missing_billing_data(self):
        order = self._paid_order(self.customer)
        with self.assertRaisesRegex(UserError, "company name"):
            order.action_request_invoice(business=True, vat="DE136695976")
        with self.assertRaisesRegex(UserError, "VAT number"):
            order.action_request_invoice(business=True, company_name="Tea GmbH")
        self.assertFalse(order.invoice_ids)

    def test_business_invoice_with_billing_data_on_file_is_automatic(self):
        self.website.invoice_policy_business = "request"
        order = self._paid_order(self.business)
        self.assertTrue(
            order.action_request_invoice(business=True),
            "the VAT number on file: the invoice is made",
        )
        self._run_invoicing_job()
        invoices = order.invoice_ids
        self.assertTrue(invoices.invoice_requested)
        self.assertEqual(order.invoice_request_vat, "DE136695976")
        self.assertEqual(order.invoice_request_company_name, "Business Buyer")
        self.assertEqual(invoices.partner_id.vat, "DE136695976")

    def test_request_leaves_the_company_billing_data_to_the_team(self):
        self.company_customer.write({"vat": "US-1234-5678"})
        self.website.invoice_policy_business = "request"
        order = self._paid_order(self.company_contact)
        order.user_id = self.salesman_1
        self.assertFalse(self.company_contact.partner_id.can_edit_vat())
        made = (
            order.with_user(self.company_contact)
            .sudo()
            .action_request_invoice(
                business=True, company_name="Other Company", vat="XX 999/1"
            )
        )
        self.assertFalse(made, "new billing data: no invoice made with it")
        self.assertFalse(order.web_invoice_due)
        self.assertEqual(self.company_customer.vat, "US-1234-5678")
        self.assertEqual(self.company_customer.name, "Customer Company")
        self.assertFalse(self.company_contact.partner_id.company_name)
        self.assertEqual(order.invoice_request_company_name, "Other Company")
        self.assertEqual(order.invoice_request_vat, "XX 999/1")
        self.assertTrue(order.invoice_request_date)
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.salesman_1)
        self.assertIn("Other Company", activity.note)
        self.assertIn("XX 999/1", activity.note)
        with self.assertRaisesRegex(UserError, "already asked"):
            order.action_request_invoice(business=True)

    def test_new_business_data_of_a_consumer_goes_to_the_team(self):
        self.customer.partner_id.country_id = self.env.ref("base.de")
        order = self._paid_order(self.customer)
        made = order.action_request_invoice(
            business=True, company_name="Tea GmbH", vat="DE136695976"
        )
        self.assertFalse(made)
        self._run_invoicing_job()
        self.assertFalse(order.invoice_ids)
        self.assertFalse(self.customer.partner_id.vat)
        self.assertFalse(self.customer.partner_id.company_name)
        self.assertEqual(order.invoice_request_vat, "DE136695976")
        self.assertTrue(order.activity_ids)

    def test_over_long_or_malformed_billing_data_is_refused(self):
        self.website.invoice_policy_business = "request"
        order = self._paid_order(self.company_contact)
        cases = [
            ({"company_name": "Tea", "vat": "1" * 3017}, "at most 32 characters"),
            ({"company_name": "T" * 129, "vat": "123"}, "at most 128 characters"),
            (
                {"company_name": "Tea", "vat": "<script>x</script>"},
                "letters and digits",
            ),
            ({"company_name": "Tea", "vat": "12%"}, "letters and digits"),
            ({"company_name": "Tea", "vat": "-12"}, "letters and digits"),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(UserError, message),
            ):
                order.action_request_invoice(business=True, **values)
        self.assertFalse(order.invoice_ids)
        self.assertFalse(order.invoice_request_vat)
        self.assertFalse(order.invoice_request_date)
        self.assertFalse(self.company_customer.vat)
        self.assertNotIn("invoice_requested", self._event_types(order))


@tagged("post_install", "-at_install")
class TestInvoicingPolicySettings(InvoicingPolicyCommon):
    def test_switching_on_starts_from_odoo_switch(self):
        website = self.env["website"].create({"name": "Fresh Shop"})
        website.invoice_policy_enabled = True
        self.assertEqual(website.invoice_policy_business, "manual")
        self.assertEqual(website.invoice_policy_consumer, "manual")
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)
        website_2 = self.env["website"].create({"name": "Fresh Shop 2"})
        website_2.invoice_policy_enabled = True
        self.assertEqual(website_2.invoice_policy_consumer, "auto")

    def test_odoo_switch_changed_in_settings_moves_the_policies(self):
        settings = Form(self.env["res.config.settings"])
        settings.default_invoice_policy = "order"
        settings.automatic_invoice = True
        settings.save().execute()
        self.assertEqual(self.website.invoice_policy_consumer, "auto")
        self.assertEqual(self.website.invoice_policy_business, "auto")
        settings = Form(self.env["res.config.settings"])
        settings.automatic_invoice = False
        settings.save().execute()
        self.assertEqual(self.website.invoice_policy_consumer, "manual")
        self.assertEqual(self.website.invoice_policy_business, "manual")

    def test_saving_settings_without_change_keeps_the_policies(self):
        settings = Form(self.env["res.config.settings"])
        settings.save().execute()
        self.assertEqual(self.website.invoice_policy_consumer, "request")
        self.assertEqual(self.website.invoice_policy_business, "auto")

    def test_invoice_search_filters(self):
        arch = self.env["account.move"].get_view(view_type="search")["arch"]
        for name in ("invoice_requested", "web_invoices", "group_by_website"):
            self.assertIn(f'name="{name}"', arch)
        order = self._paid_order(self.customer)
        order.action_request_invoice()
        self._run_invoicing_job()
        requested = self.env["account.move"].search(
            [("invoice_requested", "=", True), ("website_id", "=", self.website.id)]
        )
        self.assertEqual(requested, order.invoice_ids)

    def test_order_form_shows_invoice_email(self):
        order = self._invoiced_order(self.business)
        self.assertEqual(order.web_invoice_send_state, "sending")
        arch = self.env["sale.order"].get_view(view_type="form")["arch"]
        self.assertIn('name="web_invoice_send_state"', arch)


@tagged("post_install", "-at_install")
class TestInvoiceEmailRetry(InvoicingPolicyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A mail server nobody listens on: deliveries fail as with a server down.
        cls.env["ir.mail_server"].create(
            {"name": "Down", "smtp_host": "127.0.0.1", "smtp_port": 9, "sequence": 1}
        )

    def _deliver(self, invoice, server_up):
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "=", invoice.web_invoice_message_id.id)]
        )
        # Odoo's test mode never opens an SMTP connection: leave it for this
        # delivery so a real connection to the closed port fails.
        with patch.object(
            odoo.modules.module, "current_test", None if not server_up else True
        ):
            mails.send()
        return mails

    def test_failed_email_is_retried_and_visible_on_the_order(self):
        order = self._invoiced_order(self.business)
        invoice = order.invoice_ids
        mails = self._deliver(invoice, server_up=False)
        self.assertEqual(mails.state, "exception")
        self.env["account.move"]._cron_send_web_invoices()
        self.assertIn("invoice_send_failed", self._event_types(order))
        self.assertEqual(invoice.web_invoice_send_attempts, 2)
        self.assertTrue(order.web_invoice_send_error, "the failure shows on the order")
        self.assertEqual(mails.state, "outgoing", "back in the mail queue")
        self.env["account.move"]._cron_send_web_invoices()
        self.assertEqual(invoice.web_invoice_send_attempts, 2, "one retry a failure")
        self._deliver(invoice, server_up=True)
        self.env["account.move"]._cron_send_web_invoices()
        self.assertEqual(invoice.web_invoice_send_state, "sent")
        self.assertEqual(order.web_invoice_send_state, "sent")
        self.assertEqual(len(self._invoice_emails(invoice)), 1, "the same email")

    def test_email_given_up_after_the_last_attempt(self):
        order = self._invoiced_order(self.business)
        order.user_id = self.salesman_1
        invoice = order.invoice_ids
        for _attempt in range(MAX_INVOICE_SEND_ATTEMPTS):
            self._deliver(invoice, server_up=False)
            self.env["account.move"]._cron_send_web_invoices()
        self.assertEqual(invoice.web_invoice_send_state, "failed")
        self.assertEqual(order.web_invoice_send_state, "failed")
        self.assertEqual(order.activity_ids.summary, "Invoice email failed")
        self.assertEqual(order.activity_ids.user_id, self.salesman_1)


@tagged("post_install", "-at_install")
class TestAutomaticInvoiceWorkers(CronWorkersCase):
    def _create_data(self, env):
        website = env["website"].create(
            {
                "name": "Invoice Worker Shop",
                "invoice_policy_enabled": True,
                "invoice_policy_consumer": "auto",
            }
        )
        order = self._web_orders(env, ["Invoice Worker"], self.SERVICE, website)
        provider = env.ref("payment.payment_provider_demo")
        provider_state = provider.state
        provider.state = "test"
        self._transaction(env, order, "WSOT-WORKER-1", provider="demo")._set_done()
        return {**self._ids(order, website=website), "provider_state": provider_state}

    def _remove_data(self, env):
        env.ref("payment.payment_provider_demo").state = self.ids["provider_state"]
        return super()._remove_data(env)

    def _invoicing(self, env):
        order = env["sale.order"].browse(self.ids["orders"])
        invoices = order.invoice_ids
        emails = env["mail.message"].search_count(
            [
                ("model", "=", "account.move"),
                ("res_id", "in", invoices.ids),
                ("message_type", "=", "comment"),
            ]
        )
        return len(invoices), emails

    def test_two_post_processing_crons_make_one_invoice_and_email(self):
        errors = self._run_workers(
            lambda env: env["payment.transaction"]._cron_post_process()
        )
        self.assertFalse(errors)
        self.assertEqual(
            self._in_own_cursor(self._invoicing), (0, 0), "left to the invoicing job"
        )
        errors = self._run_workers(
            lambda env: env["sale.order"]._cron_invoice_web_orders()
        )
        self.assertFalse(errors)
        self.assertEqual(self._in_own_cursor(self._invoicing), (1, 1))

    def test_two_send_crons_send_once(self):
        def post_invoice_waiting_for_its_email(env):
            order = env["sale.order"].browse(self.ids["orders"])
            order.action_confirm()
            invoice = order._create_invoices()
            invoice.action_post()
            invoice.web_invoice_send_state = "to_send"

        self._in_own_cursor(post_invoice_waiting_for_its_email)
        errors = self._run_workers(
            lambda env: env["account.move"]._cron_send_web_invoices(batch_size=1)
        )
        self.assertFalse(errors)
        self.assertEqual(self._in_own_cursor(self._invoicing), (1, 1))
