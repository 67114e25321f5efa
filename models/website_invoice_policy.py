# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The website's invoicing policy, for business and consumer customers."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import str2bool

INVOICE_POLICIES = [
    ("auto", "Automatic on Confirmed Payment"),
    ("request", "On Customer Request"),
    ("manual", "Manual"),
]


class Website(models.Model):
    _inherit = "website"

    invoice_policy_enabled = fields.Boolean(
        string="Invoicing Policy per Customer Kind",
        help="Decide for this website's orders when their invoice is made, for "
        "business customers and for consumers separately, instead of Odoo's "
        "Automatic Invoice switch.",
    )

    invoice_policy_business = fields.Selection(
        INVOICE_POLICIES,
        string="Invoice for Businesses",
        required=True,
        default="auto",
        help="Business customers are companies and partners with a VAT number.",
    )

    invoice_policy_consumer = fields.Selection(
        INVOICE_POLICIES,
        string="Invoice for Consumers",
        required=True,
        default="request",
        help="Consumers are customers without a company nor a VAT number.",
    )

    invoice_mail_template_id = fields.Many2one(
        "mail.template",
        string="Invoice Email",
        domain="[('model', '=', 'account.move')]",
        help="Email that sends the invoice of a web order, with its PDF. Empty: "
        "Odoo's invoice email.",
    )

    invoice_journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        help="Sales journal of this website's invoices. Empty: Odoo's default.",
    )

    @api.constrains("invoice_journal_id", "invoice_mail_template_id")
    def _check_invoicing_records(self):
        for website in self:
            # Read whatever company it is of, to refuse it with a message.
            journal = website.invoice_journal_id.sudo()
            if journal and (
                journal.type != "sale" or journal.company_id != website.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Website %(website)s: its invoices need a sales journal of "
                        "its company.",
                        website=website.name,
                    )
                )
        self._check_email_template_models({"invoice_mail_template_id": "account.move"})

    def write(self, vals):
        if vals.get("invoice_policy_enabled"):
            vals = self._prepare_invoice_policy_start_vals(vals)
        return super().write(vals)

    def _prepare_invoice_policy_start_vals(self, vals):
        """Switching the policy on keeps what Odoo's own switch did until then."""
        if any(
            key in vals
            for key in ("invoice_policy_business", "invoice_policy_consumer")
        ) or all(self.mapped("invoice_policy_enabled")):
            return vals
        return dict(
            vals, **self._get_invoice_policy_start(self._get_odoo_automatic_invoice())
        )

    @api.model
    def _get_invoice_policy_start(self, automatic):
        """Both cells as Odoo's Automatic Invoice switch (on or off) invoices."""
        policy = "auto" if automatic else "manual"
        return {"invoice_policy_business": policy, "invoice_policy_consumer": policy}

    @api.model
    def _get_odoo_automatic_invoice(self):
        """Odoo's own Automatic Invoice switch (``sale.automatic_invoice``)."""
        return str2bool(
            self.env["ir.config_parameter"].sudo().get_param("sale.automatic_invoice")
            or "False"
        )

    @api.model
    def _get_invoice_policy_followed(self, automatic, policy):
        """The cells of ``policy`` once Odoo's Automatic Invoice is switched.

        Switched on: both automatic, as Odoo then invoices everyone; switched off:
        the automatic cells become manual, the others stay.
        """
        if automatic:
            return self._get_invoice_policy_start(True)
        return {
            field: "manual" if value == "auto" else value
            for field, value in policy.items()
        }

    @api.model
    def _follow_automatic_invoice(self, automatic, keep=None):
        """Odoo's Automatic Invoice switched: the websites' policies follow it.

        ``keep``: the website of the settings form, saved as the form shows it.
        """
        websites = self.search([("invoice_policy_enabled", "=", True)]) - (
            keep or self.browse()
        )
        for website in websites:
            policy = {
                field: website[field]
                for field in ("invoice_policy_business", "invoice_policy_consumer")
            }
            followed = self._get_invoice_policy_followed(automatic, policy)
            if followed != policy:
                website.write(followed)

    def _get_invoice_policy(self, partner):
        """The policy of this website for ``partner``'s orders; False when Odoo's."""
        self.ensure_one()
        if not self.invoice_policy_enabled:
            return False
        commercial = partner.commercial_partner_id
        if commercial.is_company or commercial.vat:
            return self.invoice_policy_business
        return self.invoice_policy_consumer
