# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import BILLING, CronWorkersCase, ReturnCommon, create_staff


class RefundCommon(ReturnCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)

    def _wizard(self, order, return_request=None, amount=None, user=None):
        """The refund wizard exactly as its button opens it, for ``user``."""
        user = user or self.billing_user
        action = (return_request or order).with_user(user).action_open_refund_wizard()
        values = {} if amount is None else {"amount": amount}
        return self._wizard_form(action, user, **values).save()

    def _credit_notes(self, order):
        return self.env["account.move"].search(
            [
                ("move_type", "=", "out_refund"),
                ("reversed_entry_id", "in", order.invoice_ids.ids),
            ]
        )


@tagged("post_install", "-at_install")
class TestRefunds(RefundCommon):
    def test_full_refund_through_the_demo_provider(self):
        order = self._delivered_order()
        self.assertTrue(order.invoice_ids)
        wizard = self._wizard(order)
        self.assertEqual(wizard.amount, order.amount_total)
        self.assertEqual(wizard.transaction_id, order.transaction_ids)
        result = wizard.action_refund()
        self.assertEqual(result["params"]["type"], "success")
        credit_note = self._credit_notes(order)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, order.amount_total)
        refund_tx = order.transaction_ids.child_transaction_ids
        self.assertEqual(refund_tx.operation, "refund")
        self.assertEqual(refund_tx.state, "done")
        self.assertEqual(refund_tx.amount, -order.amount_total)
        self.assertTrue(refund_tx.payment_id, "the refund is paid out")
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.refunded_amount, order.amount_total)
        self.assertEqual(order.tracking_stage, "refunded")
        self.assertIn("refunded", order.tracking_event_ids.mapped("event_type"))

    def test_partial_refunds_never_exceed_what_was_paid(self):
        order = self._delivered_order()
        paid = order.amount_total
        self._wizard(order, amount=30.0).action_refund()
        self.assertEqual(self._credit_notes(order).amount_total, 30.0)
        self.assertEqual(order.transaction_ids.child_transaction_ids.amount, -30.0)
        wizard = self._wizard(order)
        self.assertEqual(wizard.refundable_amount, paid - 30.0)
        wizard.amount = paid
        with self.assertRaisesRegex(UserError, "can still be refunded"):
            wizard.action_refund()
        self.assertEqual(len(self._credit_notes(order)), 1)
        self.assertEqual(order.refunded_amount, 30.0)

    def test_partially_refunded_until_all_that_was_paid_came_back(self):
        order = self._delivered_order()
        paid = order.amount_total
        self.assertEqual(order.tracking_stage, "shipped")
        self._wizard(order, amount=10.0).action_refund()
        self.assertEqual(order.tracking_stage, "partially_refunded")
        # The rest, as the wizard proposes it.
        self._wizard(order).action_refund()
        self.assertAlmostEqual(order.refunded_amount, paid, delta=0.01)
        self.assertEqual(order.tracking_stage, "refunded")

    def test_partial_refund_of_a_transfer_paid_on_the_invoice(self):
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        self._record_transfer(order)
        self._wizard(order, amount=5.0).action_refund()
        self.assertEqual(order.tracking_stage, "partially_refunded")
        # The page shows it as a finished order.
        steps = order._get_tracking_page_steps()
        self.assertEqual({state for _label, state in steps}, {"done"})

    def test_refund_of_a_received_return_takes_its_lines(self):
        order = self._delivered_order(products={self.product: 1, self.product_2: 2})
        line = order.order_line.filtered(lambda sol: sol.product_id == self.product_2)
        request = self._request(order, {line: 1})
        request.action_approve()
        self._validate_picking(request.picking_ids)
        wizard = self._wizard(order, return_request=request)
        self.assertEqual(wizard.amount, 20.0, "the returned line's value")
        wizard.action_refund()
        credit_note = self._credit_notes(order)
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.product_2)
        self.assertEqual(credit_note.invoice_line_ids.quantity, 1)
        self.assertEqual(credit_note.amount_total, 20.0)
        self.assertEqual(request.state, "refunded")

    def test_refund_from_a_request_not_received_is_refused(self):
        order = self._delivered_order()
        request = self._request(order)
        with self.assertRaises(UserError):
            request.action_open_refund_wizard()

    def test_manual_refund_when_the_provider_cannot(self):
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        self._record_transfer(order)
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.invoice_ids)
        wizard = self._wizard(order)
        self.assertFalse(wizard.transaction_id)
        result = wizard.action_refund()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("by hand", result["params"]["message"])
        self.assertEqual(self._credit_notes(order).state, "posted")
        self.assertFalse(order.transaction_ids.child_transaction_ids)
        self.assertEqual(order.refunded_amount, order.amount_total)

    def test_bad_refunds_are_refused_and_make_nothing(self):
        order = self._delivered_order()
        for amount, message in (
            (0.0, "more than 0"),
            (-5.0, "more than 0"),
            (order.amount_total + 1, "can still be refunded"),
        ):
            with (
                self.subTest(amount=amount),
                self.assertRaisesRegex(UserError, message),
            ):
                self._wizard(order, amount=amount).action_refund()
        self.assertFalse(self._credit_notes(order))
        self.assertFalse(order.transaction_ids.child_transaction_ids)

    def test_nan_and_another_orders_return_are_refused(self):
        order = self._delivered_order()
        other = self._delivered_order(self.customer_2)
        request = self._request(other)
        request.action_approve()
        self._validate_picking(request.picking_ids)
        billing_order = order.with_user(self.billing_user)
        for amount in (float("nan"), float("inf"), "10"):
            with self.subTest(amount=amount), self.assertRaises(UserError):
                billing_order._refund(amount)
        with self.assertRaisesRegex(UserError, "another order"):
            billing_order._refund(10.0, request.with_user(self.billing_user))
        self.assertFalse(self._credit_notes(order))
        self.assertEqual(request.state, "received")

    def test_cancelled_order_is_not_refunded(self):
        order = self._make_cart(self.customer)
        self._pay_by_demo(order)
        order.invoice_ids.button_draft()
        order.invoice_ids.button_cancel()
        order._action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled order"):
            order.with_user(self.billing_user)._refund(10.0)

    def test_order_without_invoice_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "sale.automatic_invoice", False
        )
        order = self._delivered_order()
        with self.assertRaisesRegex(UserError, "invoice it first"):
            self._wizard(order).action_refund()
        self.assertEqual(order.refunded_amount, 0.0)

    def _record_transfer(self, order):
        action = order.with_user(self.billing_user).action_open_offline_payment_wizard()
        self._wizard_form(action, self.billing_user).save().action_record_payment()

    def test_staff_cannot_write_the_refunded_amount(self):
        order = self._delivered_order()
        self._wizard(order, amount=30.0).action_refund()
        for user in (self.sales_all, self.stock_user, self.billing_user):
            for value in (0.0, -500.0):
                with (
                    self.subTest(user=user.login, value=value),
                    self.assertRaises(UserError),
                ):
                    order.with_user(user).write({"refunded_amount": value})
        self.env.invalidate_all()
        self.assertEqual(order.refunded_amount, 30.0)
        with self.assertRaisesRegex(UserError, "can still be refunded"):
            self._wizard(order, amount=order.amount_total).action_refund()
        self.assertEqual(len(self._credit_notes(order)), 1)

    def test_refund_needs_the_billing_group(self):
        order = self._delivered_order()
        with self.assertRaises(AccessError):
            order.with_user(self.sales_all)._refund(10.0)
        with self.assertRaises(AccessError):
            self._wizard(order, amount=10.0, user=self.sales_all)
        self.assertFalse(self._credit_notes(order))

    def test_refund_of_a_transfer_paid_on_the_invoice_with_odoo_buttons(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "sale.automatic_invoice", False
        )
        order = self._make_cart(self.customer)
        self._pay_by_wire_transfer(order)
        self.env["sale.order.confirm.wizard"].create(
            {"order_ids": [Command.set(order.ids)], "confirm_unpaid": True}
        ).with_user(self.sales_all).action_confirm_orders()
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(self._wizard(order).refundable_amount, 0.0)
        Form(
            self.env["account.payment.register"]
            .with_user(self.billing_user)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        ).save()._create_payments()
        wizard = self._wizard(order)
        self.assertEqual(wizard.refundable_amount, order.amount_total)
        self.assertEqual(wizard.amount, order.amount_total)
        self.assertFalse(wizard.transaction_id, "a transfer is paid back by hand")
        wizard.action_refund()
        self.assertEqual(order.refunded_amount, order.amount_total)
        self.assertEqual(order.tracking_stage, "refunded")

    def test_odoo_credit_note_refunds_the_order_and_its_return(self):
        order = self._delivered_order()
        request = self._request(order)
        request.action_approve()
        self._validate_picking(request.picking_ids)
        self.assertEqual(order.tracking_stage, "returned")
        invoice = order.invoice_ids
        # Odoo's own Credit Note button on the invoice, then Confirm.
        reversal = Form(
            self.env["account.move.reversal"]
            .with_user(self.billing_user)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        reversal.reason = "Returned"
        reversal.journal_id = invoice.journal_id
        action = reversal.save().refund_moves()
        credit_note = self.env["account.move"].browse(action["res_id"])
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(order.refunded_amount, credit_note.amount_total)
        self.assertEqual(order.tracking_stage, "refunded")
        self.assertEqual(request.state, "refunded")
        self.assertEqual(
            self._wizard(order).refundable_amount,
            order.amount_total - credit_note.amount_total,
        )


@tagged("post_install", "-at_install")
class TestRefundWorkers(CronWorkersCase):
    def _create_data(self, env):
        order = self._web_orders(env, ["Refund Worker"], self.SERVICE)
        order.action_confirm()
        order._create_invoices().action_post()
        tx = self._transaction(env, order, "WSOT-REFUND-1", is_post_processed=True)
        tx._set_done()
        billing = create_staff(env, "wsot_refund_worker_billing", BILLING)
        return self._ids(order, billing=billing)

    def _refund(self, env, amount):
        """The refund wizard of a Billing user, as its button opens it."""
        user = self.ids["billing"]
        order = env["sale.order"].browse(self.ids["orders"]).with_user(user)
        action = order.action_open_refund_wizard()
        wizard = (
            env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"amount": amount})
        )
        return wizard.action_refund()

    def test_two_users_refunding_at_once_never_exceed_what_was_paid(self):
        errors = self._run_workers(lambda env: self._refund(env, 60.0))
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("serialize", errors[0])

        def refunded(env):
            order = env["sale.order"].browse(self.ids["orders"])
            notes = env["account.move"].search(
                [("reversed_entry_id", "in", order.invoice_ids.ids)]
            )
            return order.refunded_amount, len(notes)

        self.assertEqual(self._in_own_cursor(refunded), (60.0, 1))
        # Odoo retries the second click; it now sees the first refund.
        with self.assertRaisesRegex(UserError, "can still be refunded"):
            self._in_own_cursor(lambda env: self._refund(env, 60.0))
