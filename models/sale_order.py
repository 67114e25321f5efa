# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import logging
import math
import re
import threading

from markupsafe import Markup
from psycopg2.errors import SerializationFailure

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html, split_every
from odoo.tools.sql import create_index

from .account_move import INVOICE_SEND_STATES
from .sale_return_request_line import MAX_RETURN_COMMENT

# The billing data a customer may ask a business invoice for: bounded, and a VAT
# number of the characters VAT numbers are written with.
MAX_INVOICE_REQUEST_COMPANY_NAME = 128
MAX_INVOICE_REQUEST_VAT = 32
INVOICE_REQUEST_VAT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")


def _is_amount(value):
    """Whether ``value`` is a finite number (not NaN, not infinite, not text)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


# The largest photo a customer may join to a return request.
MAX_RETURN_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_FILENAME = 255

_logger = logging.getLogger(__name__)

TRACKING_STAGES = [
    ("quotation", "Quotation"),
    ("cart", "Cart"),
    ("awaiting_payment", "Awaiting Payment"),
    ("to_confirm", "To Confirm Manually"),
    ("confirmed", "Confirmed"),
    ("in_preparation", "In Preparation"),
    ("partially_shipped", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("return_requested", "Return Requested"),
    ("returned", "Returned"),
    ("refunded", "Refunded"),
    ("cancelled", "Cancelled"),
]

# The steps of the customer's tracking page, and the stage each one stands for.
TRACKING_PAGE_STEPS = ("ordered", "confirmed", "in_preparation", "shipped")
TRACKING_PAGE_STEP_OF_STAGE = {
    "quotation": 0,
    "cart": 0,
    "awaiting_payment": 0,
    "to_confirm": 0,
    "confirmed": 1,
    "in_preparation": 2,
    "partially_shipped": 3,
    "shipped": 4,  # every step done
    "return_requested": 4,
    "returned": 4,
    "refunded": 4,
}

# Providers whose payments arrive outside Odoo (wire transfer, pay on site...):
# their orders wait in a queue until a person confirms them.
OFFLINE_PROVIDER_CODES = ("custom",)

UNPAID_BATCH_SIZE = 100
CART_REMINDER_BATCH_SIZE = 500
CART_REMINDER_LAYOUT = "website_sale_order_tracking.mail_layout_cart_reminder"
CART_REMINDER_MAIL_FIELDS = (
    "auto_delete",
    "body_html",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "model",
    "partner_to",
    "reply_to",
    "res_id",
    "scheduled_date",
    "subject",
)
MAX_CLAIM_CONFLICTS = 5
# The failure list's job of each action of the unpaid-orders cron.
UNPAID_JOBS = {"cancel": "unpaid_cancel", "remind": "unpaid_reminder"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    checkout_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the customer finished the checkout of this web order.",
    )
    tracking_stage = fields.Selection(
        TRACKING_STAGES,
        compute="_compute_tracking_stage",
        store=True,
        index=True,
        group_expand=True,
        help="Where the order stands in its whole life, from cart to delivery.",
    )
    tracking_event_ids = fields.One2many(
        "sale.order.tracking.event", "order_id", string="Timeline", readonly=True
    )
    unpaid_reminder_date = fields.Datetime(
        string="Payment Reminder Sent On", readonly=True, copy=False
    )
    cart_update_date = fields.Datetime(
        string="Last Cart Change",
        readonly=True,
        copy=False,
        help="When the customer last added, changed or removed a product of this "
        "web cart. Cart reminders count their delays from it.",
    )
    cart_reminder_step = fields.Integer(
        string="Cart Reminders Sent",
        readonly=True,
        copy=False,
        default=0,
        help="How many steps of the website's cart reminder sequence were sent.",
    )
    cart_reminder_date = fields.Datetime(
        string="Last Cart Reminder", readonly=True, copy=False
    )
    return_request_ids = fields.One2many(
        "sale.return.request", "order_id", string="Return Requests", readonly=True
    )
    return_request_count = fields.Integer(compute="_compute_return_request_count")
    refunded_amount = fields.Monetary(
        compute="_compute_refunded_amount",
        compute_sudo=True,
        help="Credited to the customer by the order's posted credit notes.",
    )
    invoice_request_date = fields.Datetime(
        string="Invoice Requested On",
        readonly=True,
        copy=False,
        help="When the customer asked for the invoice on the website.",
    )
    invoice_request_company_name = fields.Char(
        string="Invoice Asked For Company",
        readonly=True,
        copy=False,
        help="Company name the customer asked a business invoice for on the "
        "website, kept as asked: the customer's own billing data is only changed "
        "by the team.",
    )
    invoice_request_vat = fields.Char(
        string="Invoice Asked For VAT",
        readonly=True,
        copy=False,
        help="VAT number the customer asked a business invoice for on the website.",
    )
    web_invoice_send_state = fields.Selection(
        INVOICE_SEND_STATES,
        string="Invoice Email",
        compute="_compute_web_invoice_send_state",
        help="Delivery of the invoice email sent by the website's invoicing policy.",
    )
    web_invoice_send_error = fields.Char(
        string="Invoice Email Error", compute="_compute_web_invoice_send_state"
    )

    def init(self):
        result = super().init()
        # The unpaid-orders cron reads only the small queue of orders to confirm.
        create_index(
            self.env.cr,
            "sale_order_to_confirm_checkout_date_index",
            self._table,
            ["website_id", "checkout_date"],
            where="tracking_stage = 'to_confirm'",
        )
        # The cart reminder cron reads the recent carts of each website only.
        create_index(
            self.env.cr,
            "sale_order_cart_update_date_index",
            self._table,
            ["website_id", "cart_update_date"],
            where="tracking_stage = 'cart' AND cart_update_date IS NOT NULL",
        )
        return result

    @api.depends(
        "state",
        "website_id",
        "checkout_date",
        "transaction_ids.state",
        "transaction_ids.provider_code",
        "picking_ids.state",
        "picking_ids.move_ids.picked",
        "return_request_ids.state",
        "refunded_amount",
    )
    def _compute_tracking_stage(self):
        for order in self:
            order.tracking_stage = order._get_tracking_stage()

    def _get_tracking_stage(self):
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if self.state == "sale":
            return (
                self._get_return_tracking_stage() or self._get_delivery_tracking_stage()
            )
        if self._has_pending_offline_payment():
            return "to_confirm"
        if not self.website_id:
            return "quotation"
        if self.checkout_date or self.state == "sent":
            return "awaiting_payment"
        return "cart"

    def _get_delivery_tracking_stage(self):
        pickings = self.picking_ids.filtered(lambda p: p.state != "cancel")
        to_customer = pickings.filtered(
            lambda p: p.location_dest_id.usage == "customer"
            and p.picking_type_code == "outgoing"
        )
        shipped = to_customer.filtered(lambda p: p.state == "done")
        if shipped and shipped == to_customer:
            return "shipped"
        if shipped:
            return "partially_shipped"
        if any(p.state == "done" or any(p.move_ids.mapped("picked")) for p in pickings):
            return "in_preparation"
        return "confirmed"

    def _get_return_tracking_stage(self):
        if self.refunded_amount:
            return "refunded"
        states = set(self.return_request_ids.mapped("state")) - {"rejected"}
        for stage, state in (
            ("refunded", "refunded"),
            ("returned", "received"),
            ("return_requested", "approved"),
            ("return_requested", "requested"),
        ):
            if state in states:
                return stage
        return False

    def _has_pending_offline_payment(self):
        return any(
            tx.state == "pending" and tx.provider_code in OFFLINE_PROVIDER_CODES
            for tx in self.transaction_ids
        )

    # --- Timeline -------------------------------------------------------------

    def _add_tracking_event(self, event_type, **values):
        """Write one timeline event of ``event_type`` on each web order of self."""
        orders = self.filtered("website_id")
        if not orders:
            return self.env["sale.order.tracking.event"]
        return (
            self.env["sale.order.tracking.event"]
            .sudo()
            .create(
                [
                    {
                        "order_id": order.id,
                        "event_type": event_type,
                        "user_id": self.env.user.id,
                        **values,
                    }
                    for order in orders
                ]
            )
        )

    # --- The customer's tracking page ------------------------------------------

    def _get_tracking_page_url(self):
        """The tracking page, with the access token, for emails and the portal."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url(suffix="/tracking")

    def _get_tracking_page_values(self):
        """What the tracking page shows; ``self`` is the order the visitor may see."""
        self.ensure_one()
        return {
            "steps": self._get_tracking_page_steps(),
            "events": self.env["sale.order.tracking.event"]
            .sudo()
            .search(
                [("order_id", "=", self.id), ("customer_visible", "=", True)],
                order="date, id",
            ),
            "deliveries": self.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing"
                and p.location_dest_id.usage == "customer"
                and p.state != "cancel"
            ),
            "invoices": self.invoice_ids.filtered(lambda move: move.state == "posted"),
        }

    def _get_tracking_page_steps(self):
        """``[(label, state)]`` of the step bar, state in done / current / todo."""
        self.ensure_one()
        labels = {
            "ordered": self.env._("Ordered"),
            "confirmed": self.env._("Confirmed"),
            "in_preparation": self.env._("In Preparation"),
            "shipped": self.env._("Partially Shipped")
            if self.tracking_stage == "partially_shipped"
            else self.env._("Shipped"),
        }
        if self.tracking_stage == "cancelled":
            return []
        current = TRACKING_PAGE_STEP_OF_STAGE[self.tracking_stage]
        return [
            (
                labels[step],
                "done"
                if index < current
                else "current"
                if index == current
                else "todo",
            )
            for index, step in enumerate(TRACKING_PAGE_STEPS)
        ]

    # --- Checkout and assignment -----------------------------------------------

    def _action_checkout_done(self):
        """Turn the carts of self into checked-out orders, once, and assign them.

        Called when a payment transaction is created for a cart (or when a cart is
        confirmed without one). The rows are locked first so that two requests for
        the same cart never assign it twice.
        """
        carts = self.filtered(lambda o: o.website_id and not o.checkout_date)
        if not carts:
            return self.browse()
        carts.flush_recordset(["checkout_date"])
        self.env.cr.execute(
            "SELECT id FROM sale_order WHERE id IN %s AND checkout_date IS NULL "
            "FOR NO KEY UPDATE",
            [tuple(carts.ids)],
        )
        carts = self.browse(row[0] for row in self.env.cr.fetchall())
        # Untracked: the assignment below writes its own chatter note.
        carts.with_context(tracking_disable=True).checkout_date = fields.Datetime.now()
        carts._add_tracking_event("checkout")
        carts._assign_web_order()
        return carts

    def _assign_web_order(self):
        """Give each order the sales team and salesperson of its website's rules.

        The warehouse chosen when the cart was made stays: the customer saw the
        stock of that one, whoever the salesperson is.
        """
        warehouse_field = self._fields["warehouse_id"]
        for order in self:
            assignment = order.website_id._get_web_order_assignment(order)
            if assignment is None:
                continue
            team, user, reason = assignment
            with self.env.protecting([warehouse_field], order):
                order.with_context(tracking_disable=True).write(
                    {"team_id": team.id, "user_id": user.id}
                )
            body = self.env._(
                "Web order assigned to sales team %(team)s and salesperson "
                "%(user)s (%(reason)s).",
                team=team.name or self.env._("none"),
                user=user.name or self.env._("none"),
                reason=reason,
            )
            order._message_log(body=Markup("<p>%s</p>") % body)

    def action_confirm(self):
        self._action_checkout_done()
        result = super().action_confirm()
        by_customer = self.env.user._is_public() or self.env.user.share or self.env.su
        self._add_tracking_event(
            "confirmed",
            description=self.env._("Confirmed automatically after payment")
            if by_customer
            else self.env._("Confirmed by %s", self.env.user.name),
        )
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._add_tracking_event("cancelled")
        return result

    def _send_order_notification_mail(self, mail_template):
        result = super()._send_order_notification_mail(mail_template)
        if mail_template:
            self._add_tracking_event("email_sent", description=mail_template.name)
        return result

    # --- Returns ----------------------------------------------------------------

    @api.depends("return_request_ids")
    def _compute_return_request_count(self):
        for order in self:
            order.return_request_count = len(order.return_request_ids)

    def _get_returnable_lines(self):
        """Lines the customer may still ask to return, with what is left of each."""
        self.ensure_one()
        if not self.website_id.return_enabled or self.state != "sale":
            return {}
        lines = {}
        rules = {}  # one rule a product, however many lines have it
        for line in self.order_line.filtered(lambda sol: not sol.display_type):
            template = line.product_id.product_tmpl_id
            if template not in rules:
                rules[template] = template._get_return_rule(self.website_id)
            returnable = rules[template][0]
            quantity = line._get_returnable_quantity() if returnable else 0.0
            if quantity > 0:
                lines[line] = quantity
        return lines

    def _prepare_return_request_vals(self, form, photo=None):
        """The values of a return request from the portal form; UserError if bad.

        ``form`` maps ``quantity_<line id>``, ``reason_<line id>``,
        ``comment_<line id>`` and ``comment``; ``photo`` is an uploaded file.
        """
        self.ensure_one()
        website = self.website_id
        reasons = website._get_return_reasons()
        lines = {str(line.id): line for line in self.order_line}
        line_commands = []
        for key, raw_quantity in form.items():
            if not key.startswith("quantity_") or not str(raw_quantity).strip():
                continue
            line = lines.get(key.removeprefix("quantity_"))
            if not line:
                raise UserError(self.env._("This product is not part of the order."))
            line_commands.append(
                Command.create(
                    self._prepare_return_line_vals(line, form, raw_quantity, reasons)
                )
            )
        if not line_commands:
            raise UserError(self.env._("Choose at least one product to return."))
        comment = (form.get("comment") or "").strip()
        if website.return_comment_required and not comment:
            raise UserError(self.env._("Tell us what is wrong in the comment."))
        if len(comment) > MAX_RETURN_COMMENT:
            raise UserError(
                self.env._(
                    "A comment has at most %(count)s characters.",
                    count=MAX_RETURN_COMMENT,
                )
            )
        vals = {"order_id": self.id, "line_ids": line_commands, "comment": comment}
        if website.return_photo_required and not photo:
            raise UserError(self.env._("Add a photo of the products."))
        if photo:
            vals["photo"] = self._read_return_photo(photo)
            # The browser's name of the file, kept short: only a label.
            filename = (getattr(photo, "filename", None) or "").strip()
            vals["photo_filename"] = filename[-MAX_PHOTO_FILENAME:] or "photo"
        return vals

    def _prepare_return_line_vals(self, line, form, raw_quantity, reasons):
        product = line.product_id.display_name
        try:
            quantity = float(str(raw_quantity).replace(",", "."))
            if not math.isfinite(quantity):
                raise ValueError(raw_quantity)
        except ValueError:
            raise UserError(
                self.env._(
                    "The quantity of %(product)s is not a number.", product=product
                )
            ) from None
        reason = reasons.filtered(lambda r: str(r.id) == form.get(f"reason_{line.id}"))
        if quantity and not reason:
            raise UserError(
                self.env._("Choose why you return %(product)s.", product=product)
            )
        return {
            "sale_line_id": line.id,
            "quantity": quantity,
            "reason_id": reason.id,
            "comment": (form.get(f"comment_{line.id}") or "").strip(),
        }

    def _read_return_photo(self, photo):
        data = photo.read(MAX_RETURN_PHOTO_BYTES + 1)
        if len(data) > MAX_RETURN_PHOTO_BYTES:
            raise UserError(
                self.env._(
                    "The photo is larger than %(size)s MB.",
                    size=MAX_RETURN_PHOTO_BYTES // (1024 * 1024),
                )
            )
        error = self.env["sale.return.request"]._get_photo_error(data)
        if error:
            raise UserError(error)
        return base64.b64encode(data)

    def _create_return_request(self, vals):
        """Create the customer's return request and tell the customer and the team.

        The request's own create locks the order (see ``sale.return.request``).
        """
        self.ensure_one()
        request = self.env["sale.return.request"].create(vals)
        request._notify_new_request()
        return request

    # --- Refunds ----------------------------------------------------------------

    def action_open_refund_wizard(self, return_request=None):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refund"),
            "res_model": "sale.order.refund.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_order_id": self.id,
                "default_return_request_id": return_request.id
                if return_request
                else False,
            },
        }

    # The credit notes prove what was refunded: a refund through the provider or by
    # hand, by the addon's wizard or by Odoo's own Credit Note button, has one.
    @api.depends(
        "order_line.invoice_lines.move_id.state",
        "order_line.invoice_lines.move_id.move_type",
        "order_line.invoice_lines.move_id.amount_total",
    )
    def _compute_refunded_amount(self):
        for order in self:
            order.refunded_amount = sum(
                order.invoice_ids.filtered(
                    lambda m: m.move_type == "out_refund" and m.state == "posted"
                ).mapped("amount_total")
            )

    def write(self, vals):
        if "refunded_amount" in vals:
            # Computed from the credit notes: a client writing it must not believe
            # it moved the refund cap.
            raise UserError(
                self.env._(
                    "The refunded amount comes from the order's credit notes; "
                    "it cannot be changed."
                )
            )
        if "tracking_stage" in vals and not self.env.su:
            # Derived from the order's records only (its computation never calls
            # write): a stage written by a client would send the order to the
            # wrong job, e.g. the cancellation of unpaid orders.
            raise UserError(
                self.env._(
                    "The tracking stage follows the order's payments, transfers "
                    "and returns; it cannot be changed by hand."
                )
            )
        return super().write(vals)

    def _get_paid_amount(self):
        """What the customer paid for the order, however it was recorded.

        The order's done payment transactions (online payments, and offline ones
        recorded by staff), plus what was reconciled with its invoices by other
        means (Odoo's Register Payment, a bank statement, a payment of the invoice
        on the portal). The payments made by the order's own transactions are
        counted once, as transactions; credit notes are not payments.
        """
        self.ensure_one()
        order = self.sudo()
        transactions = order.transaction_ids.filtered(
            lambda tx: tx.state == "done"
            and tx.operation not in ("refund", "validation")
        )
        paid = sum(transactions.mapped("amount"))
        own_payments = transactions.payment_id
        own_moves = own_payments.move_id
        invoices = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        for invoice in invoices:
            received = 0.0
            for partial in invoice._get_all_reconciled_invoice_partials():
                move = partial["aml"].move_id
                if (
                    partial["is_exchange"]
                    or move in own_moves
                    or move.move_type in ("out_refund", "out_invoice")
                ):
                    continue
                received += partial["amount"]
            # Odoo 18's payments without a journal entry of their own.
            received += sum(
                invoice.matched_payment_ids.filtered(
                    lambda p: not p.move_id
                    and p.state in ("in_process", "paid")
                    and p not in own_payments
                    and p.payment_type == "inbound"
                ).mapped("amount")
            )
            paid += min(received, invoice.amount_total)
        return order.currency_id.round(paid)

    def _get_amount_due(self):
        """What is left for the customer to pay."""
        self.ensure_one()
        return max(
            self.currency_id.round(self.amount_total - self._get_paid_amount()), 0.0
        )

    def _is_paid(self):
        # Paid however the payment was recorded (see ``_get_paid_amount``).
        self.ensure_one()
        return (
            self.currency_id.compare_amounts(self._get_paid_amount(), self.amount_total)
            >= 0
        )

    def _get_refundable_amount(self):
        """Paid for the order, less what its credit notes credited back."""
        self.ensure_one()
        return max(
            self.currency_id.round(self._get_paid_amount() - self.refunded_amount), 0.0
        )

    def _check_refund_rights(self):
        """Refunds post credit notes and pay money back: Billing users' work."""
        if not self.env.su and not self.env.user.has_group(
            "account.group_account_invoice"
        ):
            raise AccessError(
                self.env._("Only invoicing users (Billing) may refund an order.")
            )
        self.check_access("write")

    def _get_refund_transaction(self, amount):
        """The payment whose provider can refund ``amount``, or an empty recordset.

        Read in sudo: the providers are the Settings administrators' records; the
        caller checked the user's rights.
        """
        self.ensure_one()
        payments = self.sudo().transaction_ids.filtered(
            lambda tx: tx.state == "done"
            and tx.operation != "refund"
            and tx.provider_id.support_refund in ("full_only", "partial")
        )
        for tx in payments.sorted("id", reverse=True):
            refunded = -sum(
                tx.child_transaction_ids.filtered(
                    lambda child: child.operation == "refund"
                    and child.state in ("pending", "authorized", "done")
                ).mapped("amount")
            )
            left = tx.amount - refunded
            if tx.provider_id.support_refund == "full_only":
                fits = (
                    not refunded
                    and tx.currency_id.compare_amounts(amount, tx.amount) == 0
                )
            else:
                fits = tx.currency_id.compare_amounts(amount, left) <= 0
            if fits:
                return tx
        return self.env["payment.transaction"]

    def _refund(self, amount, return_request=None):
        """Credit note of ``amount`` and its refund: through the provider or by hand.

        The order row is locked and its refunded amount written: of two users
        refunding at once, the second waits, then fails and is retried with the
        first one's refund counted.
        """
        self.ensure_one()
        self._check_refund_rights()
        if return_request and return_request.order_id != self:
            raise UserError(self.env._("This return request is of another order."))
        self._lock_orders()
        if self.state == "cancel":
            raise UserError(self.env._("A cancelled order cannot be refunded."))
        refundable = self._get_refundable_amount()
        self._check_refund_amount(amount, refundable)
        amount = self.currency_id.round(amount)
        credit_note = self._create_refund_credit_note(amount, return_request)
        amount = credit_note.amount_total
        self._check_refund_amount(amount, refundable)
        refund_tx = self.env["payment.transaction"]
        source_tx = self._get_refund_transaction(amount)
        if source_tx:
            refund_tx = source_tx._send_refund_request(amount_to_refund=amount)
            refund_tx.invoice_ids = credit_note
            if refund_tx.state == "done" and not refund_tx.is_post_processed:
                refund_tx._post_process()
        if return_request:
            # The refund is the only way to this state (see sale.return.request).
            return_request.sudo().write({"state": "refunded"})
        self._add_tracking_event(
            "refunded",
            invoice_id=credit_note.id,
            transaction_id=refund_tx.id,
            description=self.currency_id.format(amount)
            + ("" if refund_tx else " " + self.env._("(by hand)")),
        )
        return {"credit_note": credit_note, "transaction": refund_tx}

    def _check_refund_amount(self, amount, refundable):
        currency = self.currency_id
        if not _is_amount(amount):
            raise UserError(self.env._("The refund must be an amount of money."))
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("The refund must be more than 0."))
        if currency.compare_amounts(amount, refundable) > 0:
            raise UserError(
                self.env._(
                    "At most %(amount)s of order %(order)s can still be refunded.",
                    amount=currency.format(refundable),
                    order=self.name,
                )
            )

    def _create_refund_credit_note(self, amount, return_request=None):
        """Reverse the order's invoice: the returned lines, scaled to ``amount``."""
        invoice = self.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        ).sorted("id")[-1:]
        if not invoice:
            raise UserError(
                self.env._(
                    "Order %(order)s has no posted invoice to credit: invoice it "
                    "first.",
                    order=self.name,
                )
            )
        credit_note = invoice._reverse_moves(
            [{"ref": self.env._("Refund of %(order)s", order=self.name)}]
        )
        product_lines = credit_note.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        if return_request:
            returned = {
                sale_line: sum(lines.mapped("quantity"))
                for sale_line, lines in return_request.line_ids.grouped(
                    "sale_line_id"
                ).items()
            }
            for line in product_lines:
                sale_line = line.sale_line_ids[:1]
                if sale_line in returned:
                    line.quantity = min(line.quantity, returned[sale_line])
                else:
                    line.unlink()
        total = credit_note.amount_total
        if self.currency_id.compare_amounts(amount, total) > 0:
            raise UserError(
                self.env._(
                    "The refunded lines are worth %(total)s: refund at most that.",
                    total=self.currency_id.format(total),
                )
            )
        if self.currency_id.compare_amounts(amount, total) < 0:
            factor = amount / total
            for line in credit_note.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
            ):
                line.price_unit = line.price_unit * factor
        credit_note.action_post()
        return credit_note

    def action_view_return_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "website_sale_order_tracking.sale_return_request_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    # --- Invoicing policy of the website -----------------------------------------

    @api.depends("invoice_ids.web_invoice_send_state")
    def _compute_web_invoice_send_state(self):
        for order in self:
            invoices = order.invoice_ids.filtered("web_invoice_send_state")
            failed = invoices.filtered(lambda m: m.web_invoice_send_state == "failed")
            pending = invoices.filtered(
                lambda m: m.web_invoice_send_state in ("to_send", "sending")
            )
            shown = failed[:1] or pending[:1] or invoices[:1]
            order.web_invoice_send_state = shown.web_invoice_send_state
            order.web_invoice_send_error = shown.web_invoice_send_error

    def _get_invoice_policy(self):
        """The website's invoicing policy for this order's customer, or False."""
        self.ensure_one()
        if not self.website_id:
            return False
        return self.website_id._get_invoice_policy(self.partner_invoice_id)

    def _prepare_invoice(self):
        values = super()._prepare_invoice()
        if self._get_invoice_policy() and self.website_id.invoice_journal_id:
            values["journal_id"] = self.website_id.invoice_journal_id.id
        return values

    def _create_invoices(self, grouped=False, final=False, date=None):
        invoices = super()._create_invoices(grouped=grouped, final=final, date=date)
        for invoice in invoices.sudo():
            invoice.line_ids.sale_line_ids.order_id._add_tracking_event(
                "invoice_created", invoice_id=invoice.id, description=invoice.name
            )
        return invoices

    def _get_customer_invoices(self):
        return self.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state != "cancel"
        )

    def _lock_orders(self):
        """Lock the orders for an invoice, a return or a refund of them.

        The rows are updated, not only locked: a concurrent transaction waits
        here, then fails with a serialization error once this one commits (and is
        retried by Odoo with what this one wrote), whether or not the work below
        writes the order itself. A bare ``SELECT ... FOR UPDATE`` would let it go
        on with the quantities and amounts of its older snapshot.
        """
        if self.ids:
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE sale_order SET write_date = write_date WHERE id IN %s",
                [tuple(self.ids)],
            )

    def _get_invoice_request_blocker(self):
        """Why the customer may not ask for this order's invoice, or False."""
        self.ensure_one()
        if not self._get_invoice_policy():
            return self.env._("Invoices of this shop are not made on request.")
        if self.state == "cancel":
            return self.env._("This order is cancelled: it has no invoice.")
        if self._get_customer_invoices():
            return self.env._("This order already has its invoice.")
        if self.invoice_request_date:
            return self.env._(
                "You already asked for this invoice; our team is preparing it."
            )
        if self.state != "sale" or not self._is_paid():
            return self.env._("The invoice can be asked for once the order is paid.")
        return False

    def _prepare_business_billing_vals(self, company_name, vat):
        """The billing data the customer asks a business invoice for, checked.

        Return the order's ``invoice_request_*`` values; empty fields take what
        the customer's company already has. A UserError for bad ones.
        """
        self.ensure_one()
        billing = self.partner_invoice_id.commercial_partner_id
        company_name = (company_name or "").strip()
        vat = (vat or "").strip()
        if len(company_name) > MAX_INVOICE_REQUEST_COMPANY_NAME:
            raise UserError(
                self.env._(
                    "The company name is at most %(max)s characters long.",
                    max=MAX_INVOICE_REQUEST_COMPANY_NAME,
                )
            )
        if len(vat) > MAX_INVOICE_REQUEST_VAT:
            raise UserError(
                self.env._(
                    "The VAT number is at most %(max)s characters long.",
                    max=MAX_INVOICE_REQUEST_VAT,
                )
            )
        vat = vat or billing.vat or ""
        if not vat:
            raise UserError(self.env._("Enter the VAT number of the company."))
        known_vat = billing.vat and _normalize_vat(vat) == _normalize_vat(billing.vat)
        if not company_name and (billing.is_company or known_vat):
            company_name = billing.commercial_company_name or billing.name
        if not company_name:
            raise UserError(self.env._("Enter the company name of the invoice."))
        if not known_vat:
            self._check_invoice_request_vat(vat, billing)
        return {
            "invoice_request_company_name": company_name,
            "invoice_request_vat": vat,
        }

    def _check_invoice_request_vat(self, vat, billing):
        if not INVOICE_REQUEST_VAT_RE.match(vat):
            raise UserError(
                self.env._(
                    "A VAT number is written with letters and digits, and may have "
                    "spaces, dots, dashes and slashes."
                )
            )
        if not billing._is_valid_vat_number(vat):
            raise UserError(
                self.env._(
                    "%(vat)s is not a valid VAT number for %(country)s.",
                    vat=vat,
                    country=billing.country_id.name or self.env._("its country"),
                )
            )

    def _apply_business_billing_vals(self, values):
        """Whether the invoice may be made with the billing data the customer asked.

        Yes when the customer's company already has it, or when Odoo lets the
        customer change it (``can_edit_vat``, as /my/account does): it is written
        on the company then. Otherwise the company is left as it is: the request
        keeps the data, for the team to check.
        """
        self.ensure_one()
        billing = self.partner_invoice_id.commercial_partner_id
        company_name = values["invoice_request_company_name"]
        vat = values["invoice_request_vat"]
        known_names = {
            (name or "").strip().casefold()
            for name in (billing.commercial_company_name, billing.name)
        }
        if (
            billing.vat
            and _normalize_vat(vat) == _normalize_vat(billing.vat)
            and company_name.casefold() in known_names
        ):
            return True
        # The billing contact of the order, as /my/account asks its user's: a
        # contact of a company may not, nor anyone once an order was confirmed.
        if not self.partner_invoice_id.can_edit_vat():
            return False
        partner_vals = {"vat": vat}
        if not billing.is_company:
            partner_vals["company_name"] = company_name
        billing.sudo().write(partner_vals)
        return True

    def action_request_invoice(self, business=False, company_name=None, vat=None):
        """The customer asks for the invoice of this paid order on the website.

        Per the website's policy, the invoice is made and sent at once, or the
        salesperson gets an activity to make it ("manual"). A business invoice
        for billing data the customer may not give their company goes to the
        salesperson too, with the data asked. Bad input raises a UserError before
        anything is written.
        """
        self.ensure_one()
        self._lock_orders()
        blocker = self._get_invoice_request_blocker()
        if blocker:
            raise UserError(blocker)
        billing_vals, for_staff = {}, False
        if business:
            billing_vals = self._prepare_business_billing_vals(company_name, vat)
            for_staff = not self._apply_business_billing_vals(billing_vals)
        self._add_tracking_event("invoice_requested")
        if for_staff or self._get_invoice_policy() == "manual":
            self.write(dict(billing_vals, invoice_request_date=fields.Datetime.now()))
            self._schedule_invoice_request_activity()
            return self.env["account.move"]
        if billing_vals:
            self.write(billing_vals)
        invoices = self._invoice_paid_web_order(requested=True)
        # A failed PDF or email is the invoice's sending state, retried by the
        # send cron, never the customer's error.
        invoices._send_web_invoices()
        return invoices

    def _invoice_paid_web_order(self, requested=False):
        """Create, post and reconcile the invoice of this paid order, once."""
        self.ensure_one()
        transactions = self.transaction_ids.filtered(
            lambda tx: tx.state == "done" and tx.operation != "validation"
        ).sorted("id")
        transactions[-1:]._invoice_by_website_policy()
        invoices = self._get_customer_invoices().filtered(
            lambda m: m.state == "draft" and m.web_invoice_send_state == "to_send"
        )
        invoices.write({"invoice_requested": requested})
        invoices.action_post()
        payments = transactions.payment_id.filtered(lambda p: p.state != "canceled")
        # As Odoo links a payment made before its invoice (account_payment).
        payments.invoice_ids |= invoices
        for payment in payments.filtered("move_id"):
            (payment.move_id.line_ids + invoices.line_ids).filtered(
                lambda line, p=payment: line.account_id == p.destination_account_id
                and not line.reconciled
            ).reconcile()
        return invoices

    def _schedule_invoice_request_activity(self):
        self.ensure_one()
        note = self.env._(
            "The customer of %(order)s asked for the invoice on the website.",
            order=self.name,
        )
        if self.invoice_request_vat:
            note = self.env._(
                "The customer of %(order)s asked for an invoice to %(company)s, VAT "
                "%(vat)s. Check these billing data, set them on the customer if "
                "they are right, then make the invoice.",
                order=self.name,
                company=self.invoice_request_company_name,
                vat=self.invoice_request_vat,
            )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Invoice requested by the customer"),
            note=plaintext2html(note),
            user_id=(self.user_id or self.team_id.user_id or self.env.user).id,
        )

    def _schedule_invoice_email_activity(self, invoice):
        for order in self:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Invoice email failed"),
                note=self.env._(
                    "The email of invoice %(invoice)s could not be delivered: "
                    "%(reason)s",
                    invoice=invoice.name,
                    reason=invoice.web_invoice_send_error or "",
                ),
                user_id=(order.user_id or order.team_id.user_id or self.env.user).id,
            )

    # --- Manual confirmation queue ---------------------------------------------

    def _is_payment_recorded(self):
        """Whether enough was paid for Odoo to confirm the order by itself."""
        self.ensure_one()
        return (
            self.currency_id.compare_amounts(
                self._get_paid_amount(), self._get_prepayment_required_amount()
            )
            >= 0
        )

    def action_open_offline_payment_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Payment"),
            "res_model": "sale.order.offline.payment.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    def _check_offline_payment_rights(self):
        """Recording a payment posts accounting entries: Billing users' work, as
        Odoo's own Register Payment."""
        if not self.env.su and not self.env.user.has_group(
            "account.group_account_invoice"
        ):
            raise AccessError(
                self.env._("Only invoicing users (Billing) may record a payment.")
            )
        self.check_access("write")

    def _check_offline_payment(self, amount, journal):
        """A UserError if ``amount`` may not be recorded as paid into ``journal``."""
        self.ensure_one()
        currency = self.currency_id
        if self.state == "cancel":
            raise UserError(
                self.env._(
                    "Order %(order)s is cancelled: no payment can be recorded for it.",
                    order=self.name,
                )
            )
        if journal.type not in ("bank", "cash") or journal.company_id != (
            self.company_id
        ):
            raise UserError(
                self.env._(
                    "Record the payment of %(order)s in a bank or cash journal of "
                    "%(company)s.",
                    order=self.name,
                    company=self.company_id.name,
                )
            )
        if not _is_amount(amount) or currency.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("The amount received must be more than 0."))
        due = self._get_amount_due()
        if currency.compare_amounts(amount, due) > 0:
            raise UserError(
                self.env._(
                    "At most %(amount)s is left to pay on order %(order)s.",
                    amount=currency.format(due),
                    order=self.name,
                )
            )

    def _record_offline_payment(self, amount, payment_date, journal):
        """Record that ``amount`` of the customer's offline payment arrived.

        As the provider's own confirmation would: the customer's pending
        transaction is done when the whole of it arrived, else a done transaction
        of the same provider is added for the amount received. Both are then
        post-processed by Odoo (order confirmed once the amount to confirm is
        reached, payment in ``journal``, invoice per the website's policy, emails,
        timeline). The orders are locked first: of two people recording the same
        transfer, the second waits, fails and is retried with the first one's
        payment counted.
        """
        self.ensure_one()
        self._check_offline_payment_rights()
        journal.check_access("read")
        self._lock_orders()
        self._check_offline_payment(amount, journal)
        order = self.sudo()
        amount = order.currency_id.round(amount)
        pending = order._get_pending_offline_transactions()
        tx = pending.filtered(
            lambda t: t.sale_order_ids == order
            and order.currency_id.compare_amounts(t.amount, amount) == 0
        )[:1] or order._create_offline_transaction(amount, pending[:1])
        tx.write(
            {"offline_journal_id": journal.id, "offline_payment_date": payment_date}
        )
        tx._set_done(
            state_message=self.env._(
                "Payment recorded by %(user)s.", user=self.env.user.name
            )
        )
        tx._post_process()
        if order._is_paid():
            # The whole transfer arrived, in parts: the customer's own
            # transaction is settled by them.
            leftover = order._get_pending_offline_transactions()
            leftover._set_canceled(
                state_message=self.env._(
                    "Paid by the payments recorded by %(user)s.",
                    user=self.env.user.name,
                )
            )
            leftover._post_process()
        return tx

    def _get_pending_offline_transactions(self):
        return self.transaction_ids.filtered(
            lambda tx: tx.state == "pending"
            and tx.provider_code in OFFLINE_PROVIDER_CODES
            and tx.operation != "refund"
        ).sorted("id")

    def _create_offline_transaction(self, amount, pending_tx):
        """A transaction of the customer's offline provider for ``amount``."""
        self.ensure_one()
        provider = pending_tx.provider_id or self._get_offline_provider()
        return (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": (
                        pending_tx.payment_method_id or provider.payment_method_ids[:1]
                    ).id,
                    "amount": amount,
                    "currency_id": self.currency_id.id,
                    "partner_id": (pending_tx.partner_id or self.partner_id).id,
                    "operation": pending_tx.operation or "online_redirect",
                    "sale_order_ids": [Command.set(self.ids)],
                }
            )
        )

    def _get_offline_provider(self):
        """The offline provider of the order's last transactions, or the company's."""
        self.ensure_one()
        offline = self.sudo().transaction_ids.filtered(
            lambda tx: tx.provider_code in OFFLINE_PROVIDER_CODES
        )
        provider = offline.sorted("id")[-1:].provider_id
        if not provider:
            provider = (
                self.env["payment.provider"]
                .sudo()
                .search(
                    [
                        ("code", "in", OFFLINE_PROVIDER_CODES),
                        ("state", "!=", "disabled"),
                        ("company_id", "=", self.company_id.id),
                    ],
                    limit=1,
                )
            )
        if not provider:
            raise UserError(
                self.env._(
                    "No offline payment provider (wire transfer) is enabled for "
                    "%(company)s.",
                    company=self.company_id.name,
                )
            )
        return provider

    def action_open_confirm_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Confirm Orders"),
            "res_model": "sale.order.confirm.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    @api.model
    def _cron_process_unpaid_orders(self, batch_size=UNPAID_BATCH_SIZE):
        """Remind, then cancel, web orders still waiting for an offline payment.

        Cancellation runs first so an order due for both is only cancelled.
        """
        self.env["website.sale.job.failure"]._resolve_settled(*UNPAID_JOBS.values())
        # Orders that failed in this run are not claimed again in it; one whose
        # cancellation failed is not reminded in its stead either.
        failed_ids = set()
        done = self._run_cron_batches(
            lambda: self._process_unpaid_batch("cancel", batch_size, failed_ids)
        )
        return done + self._run_cron_batches(
            lambda: self._process_unpaid_batch("remind", batch_size, failed_ids),
            done=done,
        )

    @api.model
    def _run_cron_batches(self, process_batch, done=0, total=None):
        """Call ``process_batch`` until it processes nothing; one commit a batch.

        ``process_batch`` claims its records with ``FOR NO KEY UPDATE SKIP LOCKED``
        and returns how many it processed: a kill loses at most the batch under way,
        which the next run does again, and two workers never claim the same record.
        Return the number of records processed, ``done`` included.
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        conflicts = 0
        while True:
            try:
                count = process_batch()
                if count:
                    remaining = max((total or 0) - done - count, 0)
                    self.env["ir.cron"]._notify_progress(
                        done=done + count, remaining=remaining
                    )
                if auto_commit:
                    # One batch, its flags and its emails, stands or falls together.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            except SerializationFailure:
                # Another worker committed after our snapshot was taken (a batch,
                # or an email to the same customer): this batch is undone and a
                # new transaction claims what is left.
                conflicts += 1
                if not auto_commit or conflicts > MAX_CLAIM_CONFLICTS:
                    raise
                self.env.cr.rollback()
                continue
            if not count:
                return done
            done += count

    def _process_unpaid_batch(self, action, batch_size, failed_ids=None):
        """Claim and process one batch; ``failed_ids`` collects the failures."""
        failed_ids = set() if failed_ids is None else failed_ids
        orders = self._claim_unpaid_orders(action, batch_size, failed_ids)
        if action == "cancel":
            failed = orders._cancel_unpaid_web_orders()
        else:
            failed = orders._send_unpaid_reminders()
        failed_ids.update(failed.ids)
        return len(orders)

    def _claim_unpaid_orders(self, action, limit, exclude_ids=()):
        """Orders due for ``action``, locked for this worker.

        Orders given up for the action, and ``exclude_ids`` (those that failed
        in this run), are left out.
        """
        delay_column = (
            "unpaid_cancel_days" if action == "cancel" else "unpaid_reminder_days"
        )
        extra = "" if action == "cancel" else "AND so.unpaid_reminder_date IS NULL"
        given_up = self.env["website.sale.job.failure"]._get_given_up_sql(
            UNPAID_JOBS[action], "so"
        )
        self.env.flush_all()
        self.env.cr.execute(
            f"""
            SELECT so.id
              FROM sale_order so
              JOIN website w ON w.id = so.website_id
             WHERE so.tracking_stage = 'to_confirm'
               AND w.{delay_column} > 0
               AND so.checkout_date <= (NOW() AT TIME ZONE 'UTC')
                                        - make_interval(days => w.{delay_column})
               {extra}
               AND NOT {given_up}
               AND so.id <> ALL(%s)
          ORDER BY so.id
             LIMIT %s
               FOR NO KEY UPDATE OF so SKIP LOCKED
            """,  # noqa: S608 (column names and the job are constants above)
            [list(exclude_ids), limit],
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _send_unpaid_reminders(self):
        """Remind each order's customer; return the orders that failed."""
        return self.env["website.sale.job.failure"]._run_isolated(
            "unpaid_reminder", self, lambda order: order._send_unpaid_reminder()
        )

    def _send_unpaid_reminder(self):
        self.ensure_one()
        self.write({"unpaid_reminder_date": fields.Datetime.now()})
        template = self.website_id._get_unpaid_order_template("reminder")
        if self._send_tracking_email(template):
            self._add_tracking_event("payment_reminder", description=template.name)

    def _cancel_unpaid_web_orders(self):
        """Cancel each order and tell its customer; return the orders that failed."""
        return self.env["website.sale.job.failure"]._run_isolated(
            "unpaid_cancel", self, lambda order: order._cancel_unpaid_web_order()
        )

    def _cancel_unpaid_web_order(self):
        self.ensure_one()
        self._action_cancel()
        template = self.website_id._get_unpaid_order_template("cancel")
        if self._send_tracking_email(template):
            self._add_tracking_event("email_sent", description=template.name)

    def _send_tracking_email(self, template):
        """Queue ``template`` for the customer of the order, in the chatter.

        Return whether an email was queued.
        """
        self.ensure_one()
        if not template:
            return False
        self._portal_ensure_token()
        self.message_post_with_source(
            template,
            email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
            subtype_xmlid="mail.mt_comment",
        )
        return True

    # --- Abandoned-cart reminders ------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("website_id") and not vals.get("cart_update_date"):
                vals["cart_update_date"] = now
        return super().create(vals_list)

    def _cart_update_order_line(self, product_id, quantity, order_line, **kwargs):
        # Every change of a cart's lines goes through here: the reminders' clock
        # starts again from it.
        self.cart_update_date = fields.Datetime.now()
        return super()._cart_update_order_line(
            product_id, quantity, order_line, **kwargs
        )

    @api.model
    def _cron_send_cart_reminders(self, batch_size=CART_REMINDER_BATCH_SIZE):
        """Send each due step of the websites' cart reminder sequences, once.

        The due carts are found with one query; each batch of them is then locked
        (``SKIP LOCKED``) and checked again by id before its emails are made, so
        that two workers, or a run after a kill, never send a step twice.
        """
        self.env["website.sale.job.failure"]._resolve_settled("cart_reminder")
        due_ids = [order_id for order_id, _step_id in self._get_due_cart_reminders()]
        batches = list(split_every(batch_size, due_ids))
        position = 0

        def send_next_batch():
            nonlocal position
            if position == len(batches):
                return 0
            self._send_cart_reminder_batch(batches[position])
            # Moved on only once the batch went through: a conflict retries it.
            position += 1
            return len(batches[position - 1])

        return self._run_cron_batches(send_next_batch, total=len(due_ids))

    def _send_cart_reminder_batch(self, order_ids):
        """Send the due carts of ``order_ids`` their next step.

        The emails of a step are made together; when that fails, each cart is
        sent alone and the failing ones are skipped and recorded.
        """
        due = self._get_due_cart_reminders(order_ids, lock=True)
        steps = self.env["website.cart.reminder.step"]
        by_step = {}
        for order_id, step_id in due:
            by_step.setdefault(steps.browse(step_id), []).append(order_id)
        for step, step_order_ids in by_step.items():
            self.env["website.sale.job.failure"]._run_isolated(
                "cart_reminder",
                self.browse(step_order_ids),
                lambda order, step=step: order._send_cart_reminder(step),
                process_all=lambda orders, step=step: orders._send_cart_reminder(step),
            )
        return len(due)

    # Carts due for the next step of their website's sequence. The recent carts of
    # each website are read through the partial index on (website_id,
    # cart_update_date); every rule of who may get a reminder is in this WHERE.
    # A late step also waits its gap after the step before, so that a cron that
    # was down never sends two steps at once. An order by the same email on the
    # website since the cart's last change stops the sequence, whoever the
    # contact (a guest checkout makes a new one): read through the index on
    # res_partner.email_normalized, then sale_order.partner_id. Carts the job
    # gave up on are left out.
    _DUE_CART_REMINDERS_FROM = """
        WITH steps AS (
            SELECT s.id, s.website_id, s.delay_hours,
                   row_number() OVER w_steps AS number,
                   lag(s.delay_hours, 1, 0.0) OVER w_steps AS previous_delay
              FROM website_cart_reminder_step s
              JOIN website w ON w.id = s.website_id
             WHERE w.cart_reminder_enabled
            WINDOW w_steps AS (PARTITION BY s.website_id ORDER BY s.sequence, s.id)
        )
        SELECT so.id, st.id
          FROM steps st
          JOIN website w ON w.id = st.website_id
          JOIN res_users pu ON pu.id = w.user_id
          JOIN sale_order so
            ON so.website_id = st.website_id
           AND so.tracking_stage = 'cart'
           AND so.cart_update_date IS NOT NULL
           AND so.cart_update_date <= %(now)s - make_interval(
                   secs => st.delay_hours * 3600)
           AND so.cart_update_date >= GREATEST(
                   %(now)s - make_interval(days => w.cart_reminder_max_age_days),
                   w.cart_reminder_start_date)
          JOIN res_partner p ON p.id = so.partner_id
         WHERE so.cart_reminder_step = st.number - 1
           AND (so.cart_reminder_date IS NULL
                OR so.cart_reminder_date <= %(now)s - make_interval(
                       secs => (st.delay_hours - st.previous_delay) * 3600))
           AND so.partner_id <> pu.partner_id
           AND p.email_normalized IS NOT NULL
           AND NOT EXISTS (
                SELECT 1 FROM mail_blacklist bl
                 WHERE bl.email = p.email_normalized AND bl.active)
           AND EXISTS (
                SELECT 1
                  FROM sale_order_line l
                  JOIN product_product pp ON pp.id = l.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE l.order_id = so.id
                   AND l.price_unit > 0
                   AND pp.active AND pt.active AND pt.sale_ok AND pt.is_published
                   AND (pt.website_id IS NULL OR pt.website_id = so.website_id))
           AND NOT EXISTS (
                SELECT 1
                  FROM res_partner lp
                  JOIN sale_order later ON later.partner_id = lp.id
                 WHERE lp.email_normalized = p.email_normalized
                   AND later.website_id = so.website_id
                   AND later.id <> so.id
                   AND later.state <> 'cancel'
                   AND (later.state = 'sale' OR later.checkout_date IS NOT NULL)
                   AND COALESCE(later.checkout_date, later.date_order)
                       >= so.cart_update_date)
           AND NOT EXISTS (
                SELECT 1 FROM website_sale_job_failure f
                 WHERE f.res_id = so.id AND f.job = 'cart_reminder'
                   AND f.state = 'given_up')
    """

    def _get_due_cart_reminders(self, order_ids=None, lock=False):
        """``[(order_id, step_id)]`` of the carts due for their next step.

        Among ``order_ids`` when given; ``lock`` locks them, skipping those another
        worker holds.
        """
        self.env.flush_all()
        query = self._DUE_CART_REMINDERS_FROM
        params = {"now": fields.Datetime.now()}
        if order_ids is not None:
            query += " AND so.id IN %(ids)s"
            params["ids"] = tuple(order_ids) or (None,)
        if lock:
            query += " FOR NO KEY UPDATE OF so SKIP LOCKED"
        self.env.cr.execute(query, params)
        return self.env.cr.fetchall()

    def _send_cart_reminder(self, step):
        """Email ``step`` of the reminder sequence to the customers of these carts.

        The emails are queued with the step's number on the carts, in the same
        transaction.
        """
        self._ensure_access_tokens()
        template = step.mail_template_id
        if template.report_template_ids or template.attachment_ids:
            # Attachments and reports: Odoo's own batch sending attaches them.
            template.send_mail_batch(self.ids, email_layout_xmlid=CART_REMINDER_LAYOUT)
        else:
            self.env["mail.mail"].sudo().create(
                self._prepare_cart_reminder_mail_vals(template)
            )
        self.write(
            {
                "cart_reminder_step": step.step_number,
                "cart_reminder_date": fields.Datetime.now(),
            }
        )
        self._add_tracking_event(
            "cart_reminder",
            description=self.env._(
                "Step %(step)s: %(template)s",
                step=step.step_number,
                template=template.name,
            ),
        )

    def _ensure_access_tokens(self):
        """``_portal_ensure_token`` for a batch: one query, not a write a cart."""
        missing = self.filtered(lambda order: not order.access_token)
        if not missing:
            return
        self.env.cr.execute(
            "UPDATE sale_order SET access_token = gen_random_uuid()::text "
            "WHERE id IN %s AND access_token IS NULL",
            [tuple(missing.ids)],
        )
        missing.invalidate_recordset(["access_token"])

    def _prepare_cart_reminder_mail_vals(self, template):
        """The emails of ``template`` for these carts, rendered as one batch.

        As ``mail.template.send_mail_batch`` makes them, with two differences that
        make most of a batch's time: the body is compiled once for the batch (not
        for each cart), and the message behind each email only names the reminder
        (Odoo sanitizes a message's body three times when it creates it; the email
        itself is in ``body_html``).
        """
        template._send_check_access(self.ids)
        summary = Markup("<p>%s</p>") % self.env._(
            "Abandoned-cart reminder: %s", template.name
        )
        vals_list = []
        for lang, (lang_template, order_ids) in template._classify_per_lang(
            self.ids
        ).items():
            # The language is rendered once, here, for the body and the layout.
            rendered = lang_template.with_context(
                mail_render_compile_once=True, template_preview_lang=lang
            )._generate_template(order_ids, CART_REMINDER_MAIL_FIELDS)
            qweb = self.env["ir.qweb"].with_context(lang=lang or self.env.lang)
            for order in self.browse(order_ids):
                values = rendered[order.id]
                partner_ids = values.pop("partner_ids", None) or []
                if not values.get("email_from"):
                    values.pop("email_from", None)
                values.update(
                    body_html=qweb._render(
                        CART_REMINDER_LAYOUT,
                        {
                            "body_html": Markup(values["body_html"] or ""),
                            "record": order,
                        },
                        minimal_qcontext=True,
                    ),
                    body=summary,
                    recipient_ids=[Command.link(pid) for pid in partner_ids],
                )
                vals_list.append(values)
        return vals_list

    def action_send_cart_reminder(self):
        """Send each cart the next step of its website's sequence now."""
        for order in self:
            blocker = order._get_cart_reminder_blocker()
            if blocker:
                raise UserError(
                    self.env._(
                        "No reminder can be sent for %(order)s: %(reason)s",
                        order=order.name,
                        reason=blocker,
                    )
                )
        for order in self:
            steps = order.website_id.cart_reminder_step_ids
            order._send_cart_reminder(steps[order.cart_reminder_step])
        # Sent by hand: the cron takes the carts it had given up on again.
        self.env["website.sale.job.failure"]._resolve("cart_reminder", self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Cart reminder sent."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _get_cart_reminder_blocker(self):
        """Why no reminder may be sent for this cart now, or ``None``.

        The rules of the cron, but the delays: a salesperson sends it on purpose.
        """
        self.ensure_one()
        website = self.website_id
        partner = self.partner_id
        if self.tracking_stage != "cart":
            return self.env._("it is not a cart any more.")
        if not website.cart_reminder_step_ids:
            return self.env._("its website has no cart reminder sequence.")
        if self.cart_reminder_step >= len(website.cart_reminder_step_ids):
            return self.env._("every step of the sequence was sent.")
        if partner == website.user_id.partner_id or not partner.email_normalized:
            return self.env._("the customer's email is not known.")
        if partner.is_blacklisted:
            return self.env._("the customer unsubscribed from emails.")
        if not any(line._is_cart_reminder_worthy() for line in self.order_line):
            return self.env._("nothing in it is for sale at a price.")
        if self._has_later_web_order():
            return self.env._("the customer ordered on this website since.")
        return None

    def _has_later_web_order(self):
        """Whether the customer's email placed an order on this website since the
        cart's last change, whoever the contact (the cron's rule, in its SQL)."""
        self.ensure_one()
        email = self.partner_id.email_normalized
        if not email:
            return False
        since = self.cart_update_date or self.create_date
        # Whoever may see which orders: the rule is the cron's.
        return bool(
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [
                    ("partner_id.email_normalized", "=", email),
                    ("website_id", "=", self.website_id.id),
                    ("id", "!=", self.id),
                    ("state", "!=", "cancel"),
                    "|",
                    ("checkout_date", ">=", since),
                    "&",
                    ("checkout_date", "=", False),
                    "&",
                    ("state", "=", "sale"),
                    ("date_order", ">=", since),
                ],
                limit=1,
            )
        )

    def _get_cart_reminder_unsubscribe_url(self):
        self.ensure_one()
        return (
            f"{self.get_base_url()}/shop/cart/reminders/unsubscribe/{self.id}"
            f"?access_token={self._portal_ensure_token()}"
        )

    def _unsubscribe_from_cart_reminders(self):
        """Put the customer's email on the blacklist, as Odoo's mailing opt-out."""
        self.ensure_one()
        email = self.partner_id.email_normalized
        if email:
            self.env["mail.blacklist"].sudo()._add(
                email,
                message=self.env._("Unsubscribed from the reminders of %s", self.name),
            )
        return email


def _normalize_vat(vat):
    """A VAT number as compared: without its separators, in capitals."""
    return re.sub(r"[\s./-]", "", vat or "").upper()
