# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The invoices of a batch of the invoicing job, sent together.

Odoo's own batch sending (``account.move.send._generate_and_send_invoices``) for
the whole batch: the PDFs in one rendering call (``ir_actions_report.py`` when
wkhtmltopdf takes one document a call), then an email each, queued together for
Odoo's mail queue instead of each sent at the end of the job's transaction.
"""

import logging

import psycopg2

from odoo import SUPERUSER_ID, models

from .ir_actions_report import ONE_DOCUMENT_KEY

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    def _send_web_invoices_together(self, raise_errors=False):
        """Send these invoices in one go; return whether they went.

        When they fail together nothing of it is kept, and the caller sends them
        one by one (``raise_errors``: the error is raised for the caller).
        """
        try:
            with self.env.cr.savepoint():
                self._generate_and_send_web_invoices()
        except psycopg2.Error:
            raise
        except Exception as error:  # pylint: disable=broad-exception-caught
            if raise_errors:
                raise
            _logger.info(
                "%s invoices not sent together (%s): one by one.", len(self), error
            )
            return False
        self._mark_web_invoices_sent()
        return True

    def _generate_and_send_web_invoices(self):
        """Odoo's sending of invoices, by company and website template: one PDF
        rendering call for up to ``account.pdf_generation_batch`` invoices, then
        an email each, queued."""
        sender = (
            self.env["account.move.send"]
            .with_user(SUPERUSER_ID)
            .with_context(**{ONE_DOCUMENT_KEY: True})
        )
        groups = self.grouped(
            lambda m: (m.company_id, m.website_id.invoice_mail_template_id)
        )
        for (company, template), invoices in groups.items():
            settings = {"sending_methods": {"email"}}
            if template:
                settings["mail_template"] = template
            sender.with_company(company)._generate_and_send_invoices(
                invoices.with_company(company).with_context(
                    mail_notify_force_send=False
                ),
                allow_raising=False,
                allow_fallback_pdf=True,
                **settings,
            )

    def _mark_web_invoices_sent(self):
        """Odoo sent these invoices: their email is on its way, or there is none."""
        emailed = self.filtered(lambda m: m.sudo().web_invoice_message_id)
        emailed.write(
            {
                "web_invoice_send_state": "sending",
                "web_invoice_send_attempts": 1,
                "web_invoice_send_error": False,
            }
        )
        (self - emailed).write(
            {
                "web_invoice_send_state": "failed",
                "web_invoice_send_attempts": 1,
                "web_invoice_send_error": self.env._(
                    "The customer has no email address."
                ),
            }
        )
        if emailed:
            # Odoo's mail queue sends them now rather than at its next hourly run.
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
