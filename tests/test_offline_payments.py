# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import (
    BILLING,
    SALES_ALL,
    CronWorkersCase,
    WebOrderTrackingCommon,
    create_staff,
)


class OfflinePaymentCommon(WebOrderTrackingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The queue's users in a small shop: sales and billing.
        cls.sales_billing = create_staff(
            cls.env,
            "wsot_sales_billing",
            SALES_ALL,
            BILLING,
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.cash_journal = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.sale_journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.company.id)], limit=1
        )

    def _payment_wizard(self, orders, user=None, **values):
        """The wizard as the Record Payment button opens it, filled as ``user``."""
        user = user or self.billing_user
        action = orders.with_user(user).action_open_offline_payment_wizard()
        return self._wizard_form(action, user, **values).save()

    def _payments(self, orders):
        return self.env["account.payment"].search(
            [("payment_transaction_id.sale_order_ids", "in", orders.ids)]
        )


@tagged("post_install", "-at_install")
class TestOfflinePayments(OfflinePaymentCommon):
    def test_whole_transfer_confirms_pays_and_invoices_the_order(self):
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)
        order = self._waiting_order()
        tx = order.transaction_ids
        self.assertFalse(order._is_paid())
        wizard = self._payment_wizard(
            order, journal_id=self.cash_journal, payment_date=date(2026, 1, 5)
        )
        self.assertEqual(wizard.amount, order.amount_total, "what is left to pay")
        wizard.action_record_payment()
        self.assertEqual(tx.state, "done", "the customer's own transaction")
        self.assertEqual(order.transaction_ids, tx, "no second transaction")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.tracking_stage, "confirmed")
        payment = tx.payment_id
        self.assertEqual(payment.journal_id, self.cash_journal)
        self.assertEqual(payment.date, date(2026, 1, 5))
        self.assertEqual(payment.amount, order.amount_total)
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(order._is_paid())
        self.assertEqual(order._get_paid_amount(), order.amount_total)
        events = order.tracking_event_ids.mapped("event_type")
        self.assertIn("payment_received", events)
        self.assertIn("confirmed", events)

    def test_partial_transfers_confirm_once_the_whole_arrived(self):
        order = self._waiting_order()
        pending = order.transaction_ids
        total = order.amount_total
        self._payment_wizard(order, amount=40.0).action_record_payment()
        self.assertEqual(pending.state, "pending", "the customer's transfer")
        part = order.transaction_ids - pending
        self.assertEqual((part.state, part.amount), ("done", 40.0))
        self.assertEqual(part.provider_id, self.provider_transfer)
        self.assertTrue(part.payment_id)
        self.assertIn(order.state, ("draft", "sent"), "not confirmed on a part")
        self.assertEqual(order.tracking_stage, "to_confirm")
        wizard = self._payment_wizard(order)
        self.assertEqual(wizard.amount, total - 40.0)
        wizard.action_record_payment()
        self.assertEqual(order.state, "sale")
        self.assertEqual(pending.state, "cancel", "settled by the two payments")
        self.assertEqual(order._get_paid_amount(), total)
        self.assertEqual(sum(self._payments(order).mapped("amount")), total)
        with self.assertRaisesRegex(UserError, "left to pay"):
            self._payment_wizard(order, amount=1.0).action_record_payment()

    def test_transfer_of_an_order_without_transaction(self):
        # A quotation the customer paid by transfer without using the shop's
        # payment form: the company's wire-transfer provider takes the payment.
        order = self._make_cart(self.customer, {self.product_2: 1})
        order.action_quotation_sent()
        self.assertFalse(order.transaction_ids)
        self._payment_wizard(order).action_record_payment()
        tx = order.transaction_ids
        self.assertEqual(
            (tx.provider_id, tx.state, tx.amount),
            (self.provider_transfer, "done", order.amount_total),
        )
        self.assertEqual(order.state, "sale")
        self.assertTrue(order._is_paid())

    def test_bad_amounts_are_refused_and_record_nothing(self):
        order = self._waiting_order()
        for amount in (0.0, -5.0, 0.004):
            with self.subTest(amount=amount), self.assertRaises(UserError):
                wizard = self._payment_wizard(order)
                # As a JSON-RPC write sends it, past the form's parsing.
                wizard.write({"amount": amount})
                wizard.action_record_payment()
        for amount in (float("nan"), float("inf"), "12"):
            # The wizard's amount refuses them (the ORM cannot round them); the
            # order's method checks them too.
            with self.subTest(amount=amount), self.assertRaises(UserError):
                order.with_user(self.billing_user)._record_offline_payment(
                    amount, date.today(), self.bank_journal
                )
        with self.assertRaisesRegex(UserError, "left to pay"):
            self._payment_wizard(
                order, amount=order.amount_total + 0.01
            ).action_record_payment()
        with self.assertRaisesRegex(UserError, "bank or cash journal"):
            wizard = self._payment_wizard(order)
            wizard.write({"journal_id": self.sale_journal.id})
            wizard.action_record_payment()
        self.assertEqual(order.transaction_ids.state, "pending")
        self.assertEqual(len(order.transaction_ids), 1)
        self.assertFalse(self._payments(order))
        self.assertIn(order.state, ("draft", "sent"))

    def test_cancelled_order_takes_no_payment(self):
        order = self._waiting_order()
        order._action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            self._payment_wizard(order).action_record_payment()
        self.assertFalse(self._payments(order))

    def test_bulk_from_the_queue_and_the_actions_menu(self):
        orders = self._waiting_order() | self._waiting_order(self.customer_2)
        action = self.env.ref(
            "website_sale_order_tracking.sale_order_action_record_offline_payment"
        )
        self.assertEqual(action.binding_model_id.model, "sale.order")
        opened = (
            action.with_user(self.sales_billing)
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .run()
        )
        self.assertEqual(opened["res_model"], "sale.order.offline.payment.wizard")
        form = self._wizard_form(opened, self.sales_billing)
        self.assertEqual(form.amount_due, sum(orders.mapped("amount_total")))
        form.save().action_record_payment()
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        self.assertTrue(all(order._is_paid() for order in orders))
        self.assertEqual(len(self._payments(orders)), 2)

    def test_sales_user_may_not_record_a_payment(self):
        order = self._waiting_order()
        with self.assertRaises(AccessError):
            self._payment_wizard(order, user=self.sales_all)
        wizard = (
            self.env["sale.order.offline.payment.wizard"]
            .create(
                {
                    "order_ids": [Command.set(order.ids)],
                    "journal_id": self.bank_journal.id,
                }
            )
            .with_user(self.sales_all)
        )
        with self.assertRaises(AccessError):
            wizard.action_record_payment()
        with self.assertRaises(AccessError):
            order.with_user(self.sales_all)._record_offline_payment(
                order.amount_total, date.today(), self.bank_journal
            )
        self.assertEqual(order.transaction_ids.state, "pending")
        self.assertFalse(self._payments(order))

    def test_order_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Shop Company"})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.partner_id.id,
                "company_id": other.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        wizard = self.env["sale.order.offline.payment.wizard"].create(
            {
                "order_ids": [Command.set(order.ids)],
                "journal_id": self.bank_journal.id,
                "amount": order.amount_total,
            }
        )
        self.assertEqual(order.company_id, other)
        self.assertNotIn(other, self.billing_user.company_ids)
        with self.assertRaises(AccessError):
            wizard.with_user(self.billing_user).action_record_payment()
        self.assertFalse(order.transaction_ids)

    def test_payment_registered_on_the_invoice_counts_once(self):
        order = self._waiting_order()
        confirm = self.env["sale.order.confirm.wizard"].create(
            {"order_ids": [Command.set(order.ids)], "confirm_unpaid": True}
        )
        confirm.with_user(self.sales_all).action_confirm_orders()
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertFalse(order._is_paid())
        self.assertEqual(order._get_refundable_amount(), 0.0)
        # Odoo's own Register Payment button on the invoice.
        register = Form(
            self.env["account.payment.register"]
            .with_user(self.billing_user)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        ).save()
        register._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(order._is_paid())
        self.assertEqual(order._get_paid_amount(), order.amount_total)
        self.assertEqual(order._get_amount_due(), 0.0)
        self.assertEqual(order._get_refundable_amount(), order.amount_total)
        with self.assertRaisesRegex(UserError, "left to pay"):
            self._payment_wizard(order, amount=1.0).action_record_payment()

    def test_payment_recorded_after_the_invoice_pays_it(self):
        order = self._waiting_order()
        self.env["sale.order.confirm.wizard"].create(
            {"order_ids": [Command.set(order.ids)], "confirm_unpaid": True}
        ).with_user(self.sales_all).action_confirm_orders()
        invoice = order._create_invoices()
        invoice.action_post()
        self._payment_wizard(order).action_record_payment()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order._get_paid_amount(), order.amount_total, "not twice")
        self.assertEqual(order._get_refundable_amount(), order.amount_total)

    def test_customer_may_ask_for_the_invoice_of_a_recorded_transfer(self):
        self.website.write(
            {
                "invoice_policy_enabled": True,
                "invoice_policy_business": "request",
                "invoice_policy_consumer": "request",
            }
        )
        order = self._waiting_order()
        self.assertTrue(order._get_invoice_request_blocker())
        self._payment_wizard(order).action_record_payment()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.invoice_ids, "invoiced on request only")
        self.assertIsNone(order._get_invoice_request_blocker())
        # As the portal's Request invoice does, once it checked the customer; the
        # invoicing job it wakes up makes the invoice.
        self.assertTrue(order.sudo().action_request_invoice())
        self.env["sale.order"]._cron_invoice_web_orders()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order._get_paid_amount(), order.amount_total, "not twice")

    def test_queue_confirmation_sees_the_recorded_payment(self):
        order = self._waiting_order()
        self._payment_wizard(order, amount=order.amount_total).action_record_payment()
        action = order.with_user(self.sales_all).action_open_confirm_wizard()
        wizard = self._wizard_form(action, self.sales_all).save()
        self.assertFalse(wizard.unpaid_order_ids)


@tagged("post_install", "-at_install")
class TestOfflinePaymentWorkers(CronWorkersCase):
    def _create_data(self, env):
        order = self._web_orders(env, ["Offline Worker"], self.SERVICE)
        self._transaction(
            env, order, "WSOT-OFFLINE-1", state="pending", is_post_processed=True
        )
        billing = create_staff(env, "wsot_offline_worker_billing", BILLING)
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", order.company_id.id)], limit=1
        )
        return self._ids(order, billing=billing, journal=journal)

    def _record(self, env):
        order = (
            env["sale.order"].browse(self.ids["orders"]).with_user(self.ids["billing"])
        )
        wizard = (
            env["sale.order.offline.payment.wizard"]
            .with_user(self.ids["billing"])
            .create(
                {
                    "order_ids": [Command.set(order.ids)],
                    "journal_id": self.ids["journal"],
                    "amount": 100.0,
                }
            )
        )
        wizard.action_record_payment()

    def test_two_people_recording_the_same_transfer_pay_it_once(self):
        errors = self._run_workers(self._record)
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("serialize", errors[0])

        def recorded(env):
            order = env["sale.order"].browse(self.ids["orders"])
            return (
                order.state,
                len(order.transaction_ids.filtered(lambda tx: tx.state == "done")),
                len(order.transaction_ids.payment_id),
            )

        self.assertEqual(self._in_own_cursor(recorded), ("sale", 1, 1))
        # Odoo retries the second click: it now sees the first payment.
        with self.assertRaisesRegex(UserError, "left to pay"):
            self._in_own_cursor(self._record)
