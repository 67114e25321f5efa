# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The website's invoicing policy on the order: invoice made at payment, on the
customer's request (with business billing data) or by the team."""

import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .account_move import INVOICE_SEND_STATES

# The billing data a customer may ask a business invoice for: bounded, and a VAT
# number of the characters VAT numbers are written with.
MAX_INVOICE_REQUEST_COMPANY_NAME = 128

MAX_INVOICE_REQUEST_VAT = 32

INVOICE_REQUEST_VAT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")


class SaleOrder(models.Model):
    _inherit = "sale.order"

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

    def _get_invoice_request_blocker(self):
        """Why the customer may not ask for this order's invoice, or ``None``."""
        self.ensure_one()
        if not self._get_invoice_policy():
            return self.env._("Invoices of this shop are not made on request.")
        if self.state == "cancel":
            return self.env._("This order is cancelled: it has no invoice.")
        if self._get_customer_invoices():
            return self.env._("This order already has its invoice.")
        if self.web_invoice_due:
            return self.env._(
                "Your invoice is being prepared; it will be emailed to you shortly."
            )
        if self.invoice_request_date:
            return self.env._(
                "You already asked for this invoice; our team is preparing it."
            )
        if self.state != "sale" or not self._is_paid():
            return self.env._("The invoice can be asked for once the order is paid.")
        return None

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

        Per the website's policy, the order is recorded as due for its invoice,
        which the invoicing job makes and emails shortly, or the salesperson gets
        an activity to make it ("manual"). A business invoice for billing data
        the customer may not give their company goes to the salesperson too, with
        the data asked. Bad input raises a UserError before anything is written.
        Return whether the invoicing job makes the invoice.
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
        self.write(dict(billing_vals, invoice_request_date=fields.Datetime.now()))
        if for_staff or self._get_invoice_policy() == "manual":
            self._schedule_invoice_request_activity()
            return False
        # The invoice, its PDF and its email are the invoicing job's: the
        # customer waits for none of them, and never sees their errors.
        self._set_web_invoice_due()
        return True

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
            user_id=self._get_responsible_user().id,
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
                user_id=order._get_responsible_user().id,
            )


def _normalize_vat(vat):
    """A VAT number as compared: without its separators, in capitals."""
    return re.sub(r"[\s./-]", "", vat or "").upper()
