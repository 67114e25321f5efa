# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's webhook of status events: its address (a random token), its
signing secret, the window of its signatures' timestamps; and the deliveries of
the carrier found by tracking number.

The token and the secret are readable by the system administrator only: a Sales
or Inventory user, a portal user or a visitor cannot read them by RPC."""

import hashlib
import hmac
import secrets
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .delivery_carrier_event import TRACKING_REFS_SQL

SIGNATURE_PREFIX = "sha256="
# The webhook's settings, the administrator's only.
WEBHOOK_FIELDS = {
    "carrier_webhook_enabled",
    "carrier_webhook_token",
    "carrier_webhook_secret",
    "carrier_webhook_window",
}


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    # Not copied: Odoo's copy reads every copied field, which the fields' group
    # would refuse to the managers who may duplicate a carrier.
    carrier_webhook_enabled = fields.Boolean(
        string="Status Webhook",
        groups="base.group_system",
        copy=False,
        help="Receive the carrier's status events (in transit, out for delivery, "
        "delivered...) at the webhook address below, signed with the secret.",
    )
    carrier_webhook_token = fields.Char(
        string="Webhook Token",
        groups="base.group_system",
        copy=False,
        index="btree_not_null",
        readonly=True,
    )
    carrier_webhook_secret = fields.Char(
        string="Webhook Secret",
        groups="base.group_system",
        copy=False,
        readonly=True,
        help="The carrier signs each request with it (HMAC-SHA256).",
    )
    carrier_webhook_url = fields.Char(
        string="Webhook Address",
        compute="_compute_carrier_webhook_url",
        groups="base.group_system",
    )
    carrier_webhook_window = fields.Integer(
        string="Replay Window (Seconds)",
        default=300,
        groups="base.group_system",
        copy=False,
        help="A request whose signed timestamp is further than this from now is "
        "refused, so that a recorded request cannot be sent again later.",
    )

    _sql_constraints = [
        (
            "carrier_webhook_token_uniq",
            "UNIQUE(carrier_webhook_token)",
            "Each carrier has its own webhook token.",
        )
    ]

    @api.depends("carrier_webhook_token")
    def _compute_carrier_webhook_url(self):
        for carrier in self:
            carrier.carrier_webhook_url = (
                f"{carrier.get_base_url()}/order-tracking/carrier/"
                f"{carrier.carrier_webhook_token}"
                if carrier.carrier_webhook_token
                else False
            )

    @api.constrains("carrier_webhook_window")
    def _check_carrier_webhook_window(self):
        for carrier in self:
            if not 10 <= carrier.carrier_webhook_window <= 86400:
                raise ValidationError(
                    self.env._(
                        "%(carrier)s: the replay window is 10 to 86,400 seconds.",
                        carrier=carrier.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Odoo checks the fields' group on read and write, not on create.
        if any(WEBHOOK_FIELDS.intersection(vals) for vals in vals_list):
            self._check_carrier_webhook_admin()
        carriers = super().create(vals_list)
        carriers.filtered("carrier_webhook_enabled")._ensure_carrier_webhook_keys()
        return carriers

    def write(self, vals):
        result = super().write(vals)
        if vals.get("carrier_webhook_enabled"):
            self._ensure_carrier_webhook_keys()
        return result

    def _ensure_carrier_webhook_keys(self):
        """A token and a secret for the carriers of self that have none yet."""
        for carrier in self.sudo():
            if not carrier.carrier_webhook_token:
                carrier.carrier_webhook_token = secrets.token_urlsafe(32)
            if not carrier.carrier_webhook_secret:
                carrier.carrier_webhook_secret = secrets.token_hex(32)

    def _check_carrier_webhook_admin(self):
        if not self.env.is_system():
            raise AccessError(
                self.env._(
                    "Only the administrator may change a carrier's webhook keys."
                )
            )

    def action_regenerate_carrier_webhook_token(self):
        """A new webhook address: the old one answers 404 from now on."""
        self._check_carrier_webhook_admin()
        for carrier in self.sudo():
            carrier.carrier_webhook_token = secrets.token_urlsafe(32)
        return True

    def action_regenerate_carrier_webhook_secret(self):
        """A new secret: requests signed with the old one are refused from now on."""
        self._check_carrier_webhook_admin()
        for carrier in self.sudo():
            carrier.carrier_webhook_secret = secrets.token_hex(32)
        return True

    @api.model
    def _get_carrier_by_webhook_token(self, token):
        """The carrier whose enabled webhook has ``token``, or an empty record."""
        if not token or len(token) > 128:
            return self.browse()
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("carrier_webhook_token", "=", token),
                    ("carrier_webhook_enabled", "=", True),
                ],
                limit=1,
            )
        )

    def _check_carrier_webhook_signature(self, body, timestamp, signature):
        """Whether ``signature`` (``sha256=<hex>``) is the carrier's HMAC-SHA256 of
        ``timestamp + "." + body`` and ``timestamp`` (Unix seconds) is within the
        carrier's replay window."""
        self.ensure_one()
        carrier = self.sudo()
        # The timestamp as sent is what was signed: Unix seconds in ASCII digits
        # only (int() would also take "+1_700...", spaces or other scripts' digits).
        if not (timestamp and timestamp.isascii() and timestamp.isdigit()):
            return False
        if len(timestamp) > 12 or (
            abs(time.time() - int(timestamp)) > carrier.carrier_webhook_window
        ):
            return False
        if not signature or not signature.startswith(SIGNATURE_PREFIX):
            return False
        provided = signature[len(SIGNATURE_PREFIX) :].strip().lower()
        if not provided.isascii():
            # compare_digest refuses (TypeError) a str of other characters.
            return False
        expected = hmac.new(
            carrier.carrier_webhook_secret.encode(),
            timestamp.encode() + b"." + body,
            hashlib.sha256,
        ).hexdigest()
        return hmac.compare_digest(expected, provided)

    def _find_tracked_deliveries(self, numbers):
        """``{tracking number: delivery}`` of the shipped deliveries to the customer
        of this carrier that carry one of ``numbers`` (the latest delivery if
        several do). For a user (an import), only those they may change: those
        of their companies, as for Mark as Delivered."""
        self.ensure_one()
        numbers = sorted(numbers)
        self.env["stock.picking"].flush_model(["carrier_tracking_ref", "carrier_id"])
        refs = SQL(TRACKING_REFS_SQL)
        self.env.cr.execute(
            SQL(
                """SELECT id, ref FROM stock_picking, unnest(%s) AS ref
                    WHERE carrier_tracking_ref IS NOT NULL
                      AND %s && %s::text[]
                      AND carrier_id = %s
                      AND ref = ANY(%s)
                 ORDER BY id""",
                refs,
                refs,
                numbers,
                self.id,
                numbers,
            )
        )
        rows = self.env.cr.fetchall()
        pickings = (
            self.env["stock.picking"]
            .sudo()
            .browse({row[0] for row in rows})
            ._filter_carrier_deliverable()
        )
        if not self.env.su:
            pickings = pickings.with_env(self.env)._filtered_access("write")
        return {ref: pickings.browse(pid) for pid, ref in rows if pid in pickings.ids}
