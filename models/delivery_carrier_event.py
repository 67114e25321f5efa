# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The carrier's status events of a delivery: in transit, out for delivery,
delivered, delivery attempt failed, exception, returned to sender.

They come from the carrier's webhook, from a CSV file of the carrier's, or from the
warehouse's "Mark as Delivered"; all go through ``_record_carrier_events``, which
checks every event before writing any (a bad one refuses the whole batch) and
records an event of the carrier once, whatever how often it is sent."""

from datetime import UTC, datetime, timedelta

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger
from odoo.tools.sql import create_index

CARRIER_STATUSES = [
    ("in_transit", "In Transit"),
    ("out_for_delivery", "Out for Delivery"),
    ("delivered", "Delivered"),
    ("failed_attempt", "Delivery Attempt Failed"),
    ("exception", "Delivery Problem"),
    ("returned", "Returned to Sender"),
]
# The longest texts of an event, and the most events of one request or file.
MAX_LENGTHS = {"tracking_number": 64, "event_id": 128, "place": 128, "message": 512}
MAX_EVENTS = 500
# An event time beyond now plus this is a carrier's clock gone wrong.
MAX_CLOCK_SKEW = timedelta(hours=1)
# The delivery's tracking numbers as a list (a delivery may carry several,
# separated by commas): the expression of the index that finds them.
TRACKING_REFS_SQL = "string_to_array(replace(carrier_tracking_ref, ' ', ''), ',')"


class CarrierEventError(UserError):
    """Events refused: ``status`` is the HTTP status of the webhook's answer
    (400 malformed, 404 unknown tracking number)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class DeliveryCarrierEvent(models.Model):
    _name = "delivery.carrier.event"
    _description = "Carrier Status Event"
    _order = "event_date desc, id desc"
    _rec_name = "status"

    carrier_id = fields.Many2one(
        "delivery.carrier", readonly=True, index=True, ondelete="restrict"
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    order_id = fields.Many2one(
        related="picking_id.sale_id", store=True, index="btree_not_null"
    )
    company_id = fields.Many2one(related="picking_id.company_id", store=True)
    tracking_number = fields.Char(readonly=True)
    status = fields.Selection(CARRIER_STATUSES, required=True, readonly=True)
    event_date = fields.Datetime(string="Time", required=True, readonly=True)
    place = fields.Char(readonly=True)
    message = fields.Char(readonly=True)
    external_id = fields.Char(
        string="Carrier's Event ID",
        readonly=True,
        help="The carrier's own id of the event: an event sent twice is kept once.",
    )
    source = fields.Selection(
        [("webhook", "Webhook"), ("import", "CSV Import"), ("manual", "Manual")],
        required=True,
        readonly=True,
    )

    _sql_constraints = [
        (
            "carrier_external_id_uniq",
            "UNIQUE(carrier_id, external_id)",
            "A carrier's event is recorded once.",
        )
    ]

    def init(self):
        # Finds a delivery by one of its tracking numbers without a scan of every
        # transfer (the webhook looks up each number of each request).
        create_index(
            self.env.cr,
            "stock_picking_carrier_tracking_refs_index",
            "stock_picking",
            [TRACKING_REFS_SQL],
            method="gin",
            where="carrier_tracking_ref IS NOT NULL",
        )

    # --- Checking what the carrier sent ----------------------------------------------

    @api.model
    def _parse_carrier_events(self, payloads, max_events=MAX_EVENTS):
        """The events of ``payloads`` (dicts as the carrier sent them), checked:
        a list of dicts of the record's fields. Raise CarrierEventError (400) on
        the first wrong one."""
        if not isinstance(payloads, list) or not payloads:
            raise CarrierEventError(self.env._("No events were sent."))
        if len(payloads) > max_events:
            raise CarrierEventError(
                self.env._("At most %(max)s events at once.", max=max_events)
            )
        return [
            self._parse_carrier_event(payload, index)
            for index, payload in enumerate(payloads, start=1)
        ]

    @api.model
    def _parse_carrier_event(self, payload, index):
        if not isinstance(payload, dict):
            raise CarrierEventError(
                self.env._("Event %(index)s is not an object.", index=index)
            )
        texts = {}
        for key, max_length in MAX_LENGTHS.items():
            value = payload.get(key) or ""
            value = " ".join(value.split()) if isinstance(value, str) else None
            if value is None or len(value) > max_length or not value.isprintable():
                raise CarrierEventError(
                    self.env._(
                        "Event %(index)s: %(field)s is a text of at most %(max)s "
                        "printable characters.",
                        index=index,
                        field=key,
                        max=max_length,
                    )
                )
            texts[key] = value
        number, event_id = texts["tracking_number"], texts["event_id"]
        if not number or " " in number or "," in number or not event_id:
            raise CarrierEventError(
                self.env._(
                    "Event %(index)s: tracking_number (without spaces or commas) "
                    "and event_id are required.",
                    index=index,
                )
            )
        status = payload.get("status")
        if status not in dict(CARRIER_STATUSES):
            raise CarrierEventError(
                self.env._(
                    "Event %(index)s: status is one of %(statuses)s.",
                    index=index,
                    statuses=", ".join(dict(CARRIER_STATUSES)),
                )
            )
        return {
            "tracking_number": number,
            "external_id": event_id,
            "status": status,
            "event_date": self._parse_event_time(payload.get("time"), index),
            "place": texts["place"] or False,
            "message": texts["message"] or False,
        }

    @api.model
    def _parse_event_time(self, value, index):
        """An ISO 8601 time with its UTC offset (``2026-03-01T10:15:00+03:30``
        or ``...Z``), as a naive UTC datetime."""
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            moment = None
        if (
            moment is None
            or moment.tzinfo is None
            or moment.year < 2000
            or moment > datetime.now(UTC) + MAX_CLOCK_SKEW
        ):
            raise CarrierEventError(
                self.env._(
                    "Event %(index)s: time is an ISO 8601 time with its UTC offset, "
                    "not in the future, e.g. 2026-03-01T10:15:00+03:30.",
                    index=index,
                )
            )
        return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)

    # --- Recording -------------------------------------------------------------------

    @api.model
    def _record_carrier_events(
        self, carrier, payloads, source="webhook", max_events=MAX_EVENTS
    ):
        """Check and record the events ``payloads`` of ``carrier``, all or none.

        Raise CarrierEventError before writing anything if one is malformed
        (400) or names a tracking number of none of the carrier's deliveries
        (404). An event already recorded (same carrier and event id) is skipped.
        Return ``{"received", "recorded", "duplicates"}``.
        """
        events = self._parse_carrier_events(payloads, max_events)
        deliveries = carrier._find_tracked_deliveries(
            {event["tracking_number"] for event in events}
        )
        unknown = sorted({e["tracking_number"] for e in events} - set(deliveries))
        if unknown:
            raise CarrierEventError(
                self.env._(
                    "Unknown tracking numbers: %(numbers)s.",
                    numbers=", ".join(unknown[:10]),
                ),
                status=404,
            )
        known = self._get_recorded_external_ids(
            carrier, [event["external_id"] for event in events]
        )
        vals_list = []
        for event in events:
            if event["external_id"] in known:
                continue
            known.add(event["external_id"])
            picking = deliveries[event["tracking_number"]]
            vals_list.append(
                dict(event, carrier_id=carrier.id, picking_id=picking.id, source=source)
            )
        recorded = self._create_carrier_events(vals_list)
        return {
            "received": len(events),
            "recorded": len(recorded),
            "duplicates": len(events) - len(recorded),
        }

    @api.model
    def _get_recorded_external_ids(self, carrier, external_ids):
        self.env.cr.execute(
            "SELECT external_id FROM delivery_carrier_event "
            "WHERE carrier_id = %s AND external_id = ANY(%s)",
            [carrier.id, external_ids],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _create_carrier_events(self, vals_list):
        """Create the events ``vals_list``, put them on their orders' timelines and
        have the customers whose delivery changed status emailed; return the
        events.

        An event that another transaction is recording at the same moment (the
        carrier sent it twice at once) is left to it: the unique index makes this
        transaction wait for the other, then refuse the row.
        """
        if not vals_list:
            return self.browse()
        # The carrier's own events are by no user; an import or a click by its user.
        user = self.env.user
        user = user.browse() if self.env.su or user._is_public() else user
        pickings = self.env["stock.picking"].browse(v["picking_id"] for v in vals_list)
        before = {p.id: p.carrier_delivery_status for p in pickings.sudo()}
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                events = self.sudo().create(vals_list)
        except errors.UniqueViolation:
            events = self.sudo().browse()
            for vals in vals_list:
                try:
                    with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                        events |= self.sudo().create(vals)
                except errors.UniqueViolation:
                    continue
        events._add_order_timeline_events(user)
        events.flush_model()
        pickings = events.picking_id
        pickings.flush_recordset(["carrier_delivery_status"])
        pickings.filtered(
            lambda p: p.carrier_delivery_status != before[p.id]
        )._set_carrier_status_email_due()
        return events

    def _add_order_timeline_events(self, user):
        """One timeline event of the order a carrier's event (web orders only),
        at the carrier's time, shown to the customer, by ``user``."""
        self.env["sale.order.tracking.event"].sudo().create(
            [
                {
                    "order_id": event.order_id.id,
                    "event_type": f"carrier_{event.status}",
                    "date": event.event_date,
                    "description": event._get_timeline_description(),
                    "picking_id": event.picking_id.id,
                    "carrier_id": event.carrier_id.id,
                    "carrier_tracking_ref": event.tracking_number,
                    "user_id": user.id,
                }
                for event in self
                if event.order_id.website_id
            ]
        )

    def _get_timeline_description(self):
        self.ensure_one()
        return " — ".join(text for text in (self.place, self.message) if text)
