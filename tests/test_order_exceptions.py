# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Order exceptions through real flows: each kind appears (once, with its
activity for the responsible) and clears by itself when its cause goes."""

from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.website.tools import MockRequest

from ..models.account_move import MAX_INVOICE_SEND_ATTEMPTS
from .common import (
    InvoicingPolicyCommon,
    ReturnCommon,
    WebOrderTrackingCommon,
)

NOW = fields.Datetime.now
ACTIVITY_TYPE = "website_sale_order_tracking.mail_activity_type_order_exception"


class ExceptionCommon(WebOrderTrackingCommon):
    def _enable(self, kind, delay=0, website=None):
        website = website or self.website
        website._ensure_order_exception_rules()
        rule = website.order_exception_rule_ids.filtered(lambda r: r.kind == kind)
        rule.write({"enabled": True, "delay": delay})
        return rule

    def _run(self):
        return self.env["website.sale.order.exception"]._cron_detect_order_exceptions()

    def _exceptions(self, order, kind, **domain):
        return self.env["website.sale.order.exception"].search(
            [("order_id", "=", order.id), ("kind", "=", kind)]
            + [(name, "=", value) for name, value in domain.items()]
        )

    def _activities(self, order):
        return order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(ACTIVITY_TYPE)
        )

    def _assert_open(self, order, kind, user=None):
        """One open exception of ``kind`` (whatever ran twice), its activity."""
        self._run()
        self._run()
        exception = self._exceptions(order, kind)
        self.assertEqual(len(exception), 1, f"one {kind} exception")
        self.assertEqual(exception.state, "open")
        self.assertTrue(exception.since)
        self.assertTrue(exception.next_action)
        activity = self._activities(order)
        self.assertEqual(len(activity), 1)
        self.assertEqual(exception.activity_id, activity)
        user = user or order._get_responsible_user()
        self.assertEqual((exception.user_id, activity.user_id), (user, user))
        return exception

    def _assert_cleared(self, exception):
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(exception.resolution, "cleared")
        self.assertFalse(self._activities(exception.order_id), "activity done")
        self._run()
        self.assertEqual(
            self._exceptions(exception.order_id, exception.kind), exception, "not again"
        )


@tagged("post_install", "-at_install")
class TestOrderExceptions(ExceptionCommon):
    def test_nothing_until_a_rule_is_on(self):
        order = self._paid_order()
        order.commitment_date = NOW() - timedelta(days=2)
        self._run()
        self.assertFalse(self.env["website.sale.order.exception"].search([]))
        self.website._ensure_order_exception_rules()
        rules = self.website.order_exception_rule_ids
        self.assertEqual(len(rules), 9)
        self.assertFalse(any(rules.mapped("enabled")), "every kind off")
        self._run()
        self.assertFalse(self.env["website.sale.order.exception"].search([]))
        with self.assertRaises(ValidationError):
            rules[:1].delay = -1

    def test_paid_online_not_confirmed(self):
        self._enable("paid_unconfirmed", delay=0)
        order = self._make_cart(self.customer)
        order.user_id = self.salesman_1
        tx = self._checkout(order, self.provider_demo, self.method_demo)
        # The customer adds a cup in another tab before the card payment ends:
        # the amount paid no longer confirms the order.
        customer = order.partner_id.user_ids[:1]
        website = self.website.with_user(customer)
        with MockRequest(website.env, website=website):
            order.with_user(customer).sudo()._cart_update(
                product_id=self.product_2.id, add_qty=1
            )
        tx._handle_notification_data(
            "demo",
            {
                "reference": tx.reference,
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        tx._post_process()
        self.assertEqual(order.state, "draft")
        # Opened by the payment's event already, then by no run again.
        self.assertEqual(len(self._exceptions(order, "paid_unconfirmed")), 1)
        exception = self._assert_open(order, "paid_unconfirmed", self.salesman_1)
        order.with_user(self.sales_all).action_confirm()
        self._assert_cleared(exception)

    def test_offline_payment_unpaid_after_the_reminder(self):
        self.website.write({"unpaid_reminder_days": 1, "unpaid_cancel_days": 10})
        self._enable("offline_unpaid", delay=2)
        order = self._waiting_order(days_ago=2)
        self.env["sale.order"]._cron_process_unpaid_orders()
        self.assertTrue(order.unpaid_reminder_date)
        self._run()
        self.assertFalse(self._exceptions(order, "offline_unpaid"), "reminded today")
        order.unpaid_reminder_date = NOW() - timedelta(days=3)
        exception = self._assert_open(order, "offline_unpaid")
        self.assertEqual(exception.since, order.unpaid_reminder_date)
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )
        order._record_offline_payment(order.amount_total, fields.Date.today(), journal)
        self.assertEqual(order.state, "sale")
        self._assert_cleared(exception)

    def test_late_shipment_from_the_commitment_date(self):
        self._enable("late_shipment", delay=0)
        order = self._paid_order()
        order.commitment_date = NOW() + timedelta(days=1)
        self._run()
        self.assertFalse(self._exceptions(order, "late_shipment"), "not late yet")
        order.commitment_date = NOW() - timedelta(hours=1)
        exception = self._assert_open(order, "late_shipment")
        self.assertEqual(exception.since, order.commitment_date)
        self._validate_picking(order.picking_ids.with_user(self.stock_user))
        self._assert_cleared(exception)

    def test_late_shipment_from_the_scheduled_date(self):
        self._enable("late_shipment", delay=24)
        order = self._paid_order()
        order.picking_ids.scheduled_date = NOW() - timedelta(hours=2)
        self._run()
        self.assertFalse(self._exceptions(order, "late_shipment"), "within the delay")
        order.picking_ids.scheduled_date = NOW() - timedelta(hours=30)
        exception = self._assert_open(order, "late_shipment")
        order.with_context(disable_cancel_warning=True)._action_cancel()
        self._assert_cleared(exception)

    def test_delivery_waiting_for_stock(self):
        self._enable("waiting_stock", delay=2)
        kettle = self.env["product.product"].create(
            {
                "name": "Rare Kettle",
                "is_storable": True,
                "list_price": 50.0,
                "website_published": True,
            }
        )
        order = self._paid_order(products={kettle: 1})
        picking = order.picking_ids
        self.assertEqual(picking.state, "confirmed", "no kettle in stock")
        self._run()
        self.assertFalse(self._exceptions(order, "waiting_stock"), "waiting 0 days")
        # Three days go by.
        self.env.cr.execute(
            "UPDATE stock_picking SET create_date = %s WHERE id = %s",
            [NOW() - timedelta(days=3), picking.id],
        )
        picking.invalidate_recordset(["create_date"])
        exception = self._assert_open(order, "waiting_stock")
        self.env["stock.quant"]._update_available_quantity(
            kettle, self.warehouse.lot_stock_id, 5.0
        )
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        self._run()
        self._assert_cleared(exception)

    def test_two_kinds_of_one_order_in_one_pass(self):
        self._enable("late_shipment")
        self._enable("waiting_stock")
        kettle = self.env["product.product"].create(
            {
                "name": "Rare Kettle",
                "is_storable": True,
                "list_price": 50.0,
                "website_published": True,
            }
        )
        order = self._paid_order(products={kettle: 1})
        # No salesperson: the team's leader, not a follower of the order yet.
        self.team.user_id = self.salesman_3
        late = NOW() - timedelta(days=1)
        order.write(
            {"user_id": False, "team_id": self.team.id, "commitment_date": late}
        )
        self.assertNotIn(self.salesman_3.partner_id, order.message_partner_ids)
        self._run()
        exceptions = self.env["website.sale.order.exception"].search(
            [("order_id", "=", order.id)]
        )
        self.assertEqual(
            sorted(exceptions.mapped("kind")), ["late_shipment", "waiting_stock"]
        )
        self.assertEqual(self._activities(order), exceptions.activity_id)
        self.assertEqual(self._activities(order).user_id, self.salesman_3)

    def test_job_failure_given_up(self):
        self._enable("job_failure")
        template = self.env.ref(
            "website_sale_order_tracking.mail_template_unpaid_order_reminder"
        ).copy({"subject": "Dear {{ object.partner_id.name.split(' ', 1)[1] }}"})
        self.website.write(
            {
                "unpaid_reminder_days": 1,
                "unpaid_cancel_days": 10,
                "unpaid_reminder_template_id": template.id,
            }
        )
        one_name = self._create_customer("Cher", "wsot_exc_one_name")
        order = self._waiting_order(one_name, days_ago=2)
        failure_logger = (
            "odoo.addons.website_sale_order_tracking.models.website_sale_job_failure"
        )
        with mute_logger(failure_logger, "odoo.addons.mail.models.mail_render_mixin"):
            for _run in range(3):
                self.env["sale.order"]._cron_process_unpaid_orders()
        failure = self.env["website.sale.job.failure"].search(
            [("order_id", "=", order.id), ("state", "=", "given_up")]
        )
        self.assertTrue(failure)
        self.assertEqual(len(self._exceptions(order, "job_failure")), 1, "at once")
        exception = self._assert_open(order, "job_failure")
        self.assertEqual(exception.cause_ref, failure)
        failure.action_retry()
        self._assert_cleared(exception)


@tagged("post_install", "-at_install")
class TestReturnExceptions(ReturnCommon, ExceptionCommon):
    def test_return_unanswered_then_unrefunded(self):
        self._enable("return_unanswered", delay=2)
        self._enable("return_unrefunded", delay=0)
        order = self._delivered_order()
        request = self._request(order)
        self._run()
        self.assertFalse(self._exceptions(order, "return_unanswered"), "asked today")
        request.sudo().request_date = NOW() - timedelta(days=3)
        exception = self._assert_open(order, "return_unanswered")
        self.assertEqual(exception.cause_ref, request)
        request.with_user(self.sales_all).action_approve()
        self._assert_cleared(exception)
        self._validate_picking(request.picking_ids)
        self.assertEqual(request.state, "received")
        unrefunded = self._assert_open(order, "return_unrefunded")
        self.assertEqual(unrefunded.cause_ref, request)
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)
        order._create_invoices().action_post()
        action = request.action_open_refund_wizard()
        self._wizard_form(action, self.env.user).save().action_refund()
        self.assertEqual(request.state, "refunded")
        self._assert_cleared(unrefunded)


@tagged("post_install", "-at_install")
class TestInvoiceExceptions(InvoicingPolicyCommon, ExceptionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A mail server nobody listens on: deliveries fail as with a server down.
        cls.env["ir.mail_server"].create(
            {"name": "Down", "smtp_host": "127.0.0.1", "smtp_port": 9, "sequence": 1}
        )

    def _deliver(self, invoice, server_up):
        """Odoo's mail queue delivers the invoice email (test mode never opens
        an SMTP connection: left for this delivery, to the closed port)."""
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "=", invoice.web_invoice_message_id.id)]
        )
        with patch.object(
            odoo.modules.module, "current_test", None if not server_up else True
        ):
            mails.send()
        return mails

    def test_invoice_email_given_up(self):
        self._enable("invoice_email_failed")
        order = self._invoiced_order(self.business)
        order.user_id = self.salesman_1
        invoice = order.invoice_ids
        for _attempt in range(MAX_INVOICE_SEND_ATTEMPTS):
            self._run()
            self.assertFalse(self._exceptions(order, "invoice_email_failed"))
            self._deliver(invoice, server_up=False)
            self.env["account.move"]._cron_send_web_invoices()
        self.assertEqual(invoice.web_invoice_send_state, "failed")
        self.assertEqual(len(self._exceptions(order, "invoice_email_failed")), 1)
        exception = self._assert_open(order, "invoice_email_failed", self.salesman_1)
        self.assertEqual(exception.cause_ref, invoice)
        invoice.with_user(self.billing_user).action_retry_web_invoice_email()
        self._assert_cleared(exception)

    def test_requested_invoice_not_sent(self):
        self._enable("invoice_request_unsent", delay=1)
        order = self._paid_order()
        self.assertTrue(order.action_request_invoice())
        self._run()
        self.assertFalse(self._exceptions(order, "invoice_request_unsent"), "just now")
        order.invoice_request_date = NOW() - timedelta(hours=2)
        exception = self._assert_open(order, "invoice_request_unsent")
        self._run_invoicing_job()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self._deliver(invoice, server_up=True)
        self.env["account.move"]._cron_send_web_invoices()
        self.assertEqual(invoice.web_invoice_send_state, "sent")
        self._assert_cleared(exception)
