# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A test client playing a carrier that posts status events to its webhook, and
shipped web orders for it to report on."""

import hashlib
import hmac
import json
import time

from odoo.tests import HttpCase

from .common import WebOrderTrackingCommon


def sign(secret, timestamp, body):
    """The carrier's signature header of ``body`` sent at ``timestamp``."""
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def carrier_event(number, status, event_id, when="2026-01-05T10:00:00+03:30", **extra):
    """One event of the webhook's JSON format."""
    return {
        "tracking_number": number,
        "status": status,
        "time": when,
        "event_id": event_id,
        **extra,
    }


class CarrierClient:
    """A carrier posting events to its webhook through the test's HTTP server."""

    def __init__(self, case, carrier):
        self.case = case
        self.carrier = carrier.sudo()

    def post(
        self, events, body=None, timestamp=None, secret=None, token=None, signed=True
    ):
        """Post ``{"events": events}`` (or the raw ``body``), signed with the
        carrier's secret (or ``secret``) at ``timestamp`` (default now)."""
        if body is None:
            body = json.dumps({"events": events}).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-Timestamp"] = str(timestamp)
            headers["X-Signature"] = sign(
                secret or self.carrier.carrier_webhook_secret, timestamp, body
            )
        token = token or self.carrier.carrier_webhook_token
        return self.case.url_open(
            f"/order-tracking/carrier/{token}", data=body, headers=headers
        )


class CarrierEventsCommon(WebOrderTrackingCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier.carrier_webhook_enabled = True
        cls.client = None

    def setUp(self):
        super().setUp()
        self.client = CarrierClient(self, self.carrier)

    def _shipped_order(self, refs=("WSOT-TRK-1",), products=None):
        """A paid web order shipped in ``len(refs)`` deliveries, one tracking
        number each (the first ones partial, each leaving a backorder)."""
        products = products or {self.product: len(refs)}
        order = self._paid_order(products=products)
        for ref in refs:
            picking = order.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            )
            picking.carrier_tracking_ref = ref
            self._validate_picking(
                picking.with_user(self.stock_user), {self.product: 1}
            )
        self.assertEqual(order.tracking_stage, "shipped")
        return order

    def _run_status_email_job(self):
        """The status email job's run that the events triggered."""
        return self.env["stock.picking"]._cron_send_carrier_status_emails()

    def _counts(self):
        """How many carrier events, timeline events and messages there are."""
        # The chatter's tracking of the changes before, written at commit.
        self.env.flush_all()
        self.env.cr.precommit.run()
        return [
            self.env[model].sudo().search_count([])
            for model in (
                "delivery.carrier.event",
                "sale.order.tracking.event",
                "mail.message",
            )
        ]
