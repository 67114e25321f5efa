# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import email_normalize

# A client address, or an order reference, gets this many failed lookups in the
# window; then lookups are refused until the window has passed.
LOOKUP_MAX_FAILURES = 10
LOOKUP_WINDOW = timedelta(minutes=10)


class WebsiteOrderLookupAttempt(models.Model):
    """One try of a guest to find an order by its reference and email."""

    _name = "website.order.lookup.attempt"
    _description = "Order Status Lookup Attempt"
    _order = "id desc"
    _log_access = False

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    ip_address = fields.Char(string="Client Address", index=True)
    reference = fields.Char(index=True)
    website_id = fields.Many2one("website", ondelete="cascade")
    success = fields.Boolean()

    @api.model
    def _is_rate_limited(self, ip_address, reference):
        since = fields.Datetime.now() - LOOKUP_WINDOW
        failures = self.sudo().search_count(
            [
                ("date", ">=", since),
                ("success", "=", False),
                "|",
                ("ip_address", "=", ip_address),
                ("reference", "=", reference),
            ]
        )
        return failures >= LOOKUP_MAX_FAILURES

    @api.model
    def _lookup_order(self, website, reference, email, ip_address):
        """The web order of ``website`` with this reference and checkout email.

        Return ``(order, error)``: the order (in sudo) or an empty recordset, and
        an error message or ``None``. A wrong reference, a wrong email or an order
        of another website get the same answer.
        """
        reference = (reference or "").strip().upper()
        email = email_normalize(email or "", strict=False)
        if not reference or not email:
            return self.env["sale.order"], self.env._(
                "Enter the reference of your order and the email used to place it."
            )
        if self._is_rate_limited(ip_address, reference):
            return self.env["sale.order"], self.env._(
                "Too many attempts. Please try again in a few minutes."
            )
        order = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("name", "=ilike", reference),
                    ("website_id", "=", website.id),
                    ("tracking_stage", "not in", ("cart", "quotation")),
                    ("partner_id.email_normalized", "=", email),
                ],
                limit=1,
            )
        )
        self.sudo().create(
            {
                "ip_address": ip_address,
                "reference": reference,
                "website_id": website.id,
                "success": bool(order),
            }
        )
        if not order:
            return order, self.env._(
                "No order was found with this reference and email."
            )
        return order, None

    @api.autovacuum
    def _gc_lookup_attempts(self):
        self.sudo().search(
            [("date", "<", fields.Datetime.now() - timedelta(days=1))]
        ).unlink()
