# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import ipaddress
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, email_normalize
from odoo.tools.sql import escape_psql

LOOKUP_WINDOW = timedelta(minutes=10)
# Guessing is limited per client: this many failed lookups in the window, then
# every lookup of the client is refused until the window has passed.
LOOKUP_MAX_FAILURES = 10
# ... and per client and reference: this many failures of one client for one
# reference, then that client may not look that reference up until the window
# has passed.
LOOKUP_MAX_REFERENCE_FAILURES = 5
# A reference that failed this many times in the window, from all clients, is
# being guessed from many addresses: each client then gets a single failed try
# of it. Other clients' failures never refuse a client: the customer who knows
# the email finds the order from any address that is not over its own limits.
LOOKUP_BUSY_REFERENCE_FAILURES = 20
# The longest reference and email a lookup reads (an email address has at most
# 254 characters, RFC 5321); longer ones are invalid input.
LOOKUP_REFERENCE_SIZE = 64
LOOKUP_EMAIL_SIZE = 254


class WebsiteOrderLookupAttempt(models.Model):
    """One try of a guest to find an order by its reference and email."""

    _name = "website.order.lookup.attempt"
    _description = "Order Status Lookup Attempt"
    _order = "id desc"
    _log_access = False

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    # The client: its address, or the /64 network of an IPv6 address (one client
    # usually holds the whole network, and could change address in it at will).
    ip_address = fields.Char(string="Client Address", index=True)
    # As it was compared: without surrounding spaces, in capitals.
    reference = fields.Char(index=True)
    website_id = fields.Many2one("website", ondelete="cascade")
    success = fields.Boolean()

    @api.model
    def _get_client_key(self, ip_address):
        """The client an address stands for: the address, or its IPv6 /64."""
        try:
            address = ipaddress.ip_address(ip_address or "")
        except ValueError:
            return ip_address or ""
        if address.version == 6:
            if address.ipv4_mapped:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)

    @api.model
    def _is_rate_limited(self, client, reference):
        """Whether ``client`` is over its limits for ``reference``."""
        failures = [
            ("date", ">=", fields.Datetime.now() - LOOKUP_WINDOW),
            ("success", "=", False),
        ]
        attempts = self.sudo()
        own = [*failures, ("ip_address", "=", client)]
        if attempts.search_count(own) >= LOOKUP_MAX_FAILURES:
            return True
        own_reference = attempts.search_count([*own, ("reference", "=", reference)])
        if own_reference >= LOOKUP_MAX_REFERENCE_FAILURES:
            return True
        return bool(own_reference) and (
            attempts.search_count([*failures, ("reference", "=", reference)])
            >= LOOKUP_BUSY_REFERENCE_FAILURES
        )

    @api.model
    def _find_order(self, website, reference, email):
        """The web order of ``website`` named ``reference`` with this email."""
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    # The wildcards escaped: only the name itself, letter case
                    # aside, matches (checked again below, accents included).
                    ("name", "=ilike", escape_psql(reference)),
                    ("website_id", "=", website.id),
                    ("tracking_stage", "not in", ("cart", "quotation")),
                    ("partner_id.email_normalized", "=", email),
                ]
            )
        )
        return orders.filtered(lambda order: order.name.upper() == reference)[:1]

    @api.model
    def _lookup_order(self, website, reference, email, ip_address):
        """The web order of ``website`` with this reference and checkout email.

        Return ``(order, error)``: the order (in sudo) or an empty recordset, and
        an error message or ``None``. A wrong reference, a wrong email or an order
        of another website get the same answer.
        """
        reference = (reference or "").strip().upper()
        email = email_normalize(email or "", strict=False)
        if (
            not reference
            or not email
            or len(reference) > LOOKUP_REFERENCE_SIZE
            or len(email) > LOOKUP_EMAIL_SIZE
        ):
            return self.env["sale.order"], self.env._(
                "Enter the reference of your order and the email used to place it."
            )
        client = self._get_client_key(ip_address)
        # Found before the lock below, which is then held only to count and
        # record; a refused client is told nothing of it.
        order = self._find_order(website, reference, email)
        if not self._count_lookup(website, client, reference, bool(order)):
            return self.env["sale.order"], self.env._(
                "Too many attempts. Please try again in a few minutes."
            )
        if not order:
            return order, self.env._(
                "No order was found with this reference and email."
            )
        return order, None

    @api.model
    def _count_lookup(self, website, client, reference, success):
        """Record the lookup, unless the client is over a limit: return whether
        it was recorded (``False``: refused).

        Counted and recorded one lookup at a time, in a transaction of its own
        that locks the table before its first query: its counts see every lookup
        committed before it (a transaction sees the database as of its first
        query, so a lock taken later in the request's own transaction would
        count with an older view), and a failure stays recorded whatever
        becomes of the request.
        """
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE",
                    SQL.identifier(self._table),
                )
            )
            attempts = self.with_env(self.env(cr=cr)).sudo()
            if attempts._is_rate_limited(client, reference):
                return False
            attempts.create(
                {
                    "ip_address": client,
                    "reference": reference,
                    "website_id": website.id,
                    "success": success,
                }
            )
        return True

    @api.autovacuum
    def _gc_lookup_attempts(self):
        self.sudo().search(
            [("date", "<", fields.Datetime.now() - timedelta(days=1))]
        ).unlink()
