#!/usr/bin/env python3
"""Benchmark: carrier status events posted to the carrier's webhook over HTTP.

    .venv/bin/python bench/bench_carrier_events.py [--parcels 2500] [--batch 100]

Makes a database with the addon and ``--parcels`` shipped web orders of a carrier
whose webhook is on (one delivery and tracking number each), starts Odoo on it,
then posts 4 events a parcel (in transit twice, out for delivery, delivered:
10,000 events by default) in signed requests of ``--batch`` events, each phase
after the one before, from ``--clients`` client threads, and prints the events
per second (target: at least 200). The websites email their defaults (out for
delivery and delivered: one email a parcel for each, queued). Not a test: times
depend on the machine.
"""

import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness
from harness import wsot

DB = "wsot_bench_carrier"
PORT = "8571"
PHASES = (
    ("in_transit", "2026-01-05T08:00:00Z"),
    ("in_transit", "2026-01-05T20:00:00Z"),
    ("out_for_delivery", "2026-01-06T07:00:00Z"),
    ("delivered", "2026-01-06T11:00:00Z"),
)
ROWS = [
    ("recorded", "recorded", "d"),
    ("seconds", "seconds", ".1f"),
    ("events per second (target >= 200)", "events_per_second", ".0f"),
    ("orders delivered", "delivered", "d"),
    ("deliveries due a status email", "email_due", "d"),
    ("status email job (s)", "email_seconds", ".1f"),
    ("status emails queued", "emails", "d"),
]


def parse_args():
    parser = harness.argument_parser(__doc__)
    parser.add_argument("--parcels", type=int, default=2500)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    return parser.parse_args()


def main(args):
    with (
        harness.databases("bench_carrier", PORT) as (settings, config),
        harness.addon_db(settings, config, DB),
    ):
        keys = harness.run_child(__file__, config, DB, True, parcels=args.parcels)
        with harness.odoo_server(config, DB, PORT):
            seconds, answers = post_all(keys, args)
            # What the run did (--parcels=0), once the status email job has run.
            checks = harness.run_child(__file__, config, DB, True, parcels=0)
    events = args.parcels * len(PHASES)
    harness.print_figures(
        f"{events} carrier events of {args.parcels} parcels, {args.batch} a request",
        {
            "recorded": sum(answer["recorded"] for answer in answers),
            "seconds": seconds,
            "events_per_second": events / seconds,
            **checks,
        },
        ROWS,
    )


def post(keys, events):
    body = json.dumps({"events": events}).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(
        keys["secret"].encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/order-tracking/carrier/{keys['token']}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Timestamp": timestamp,
            "X-Signature": f"sha256={digest}",
        },
    )
    with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310
        return json.loads(reply.read())


def post_all(keys, args):
    """Post every phase's events, batch by batch, from ``args.clients`` threads;
    return the seconds taken and the answers."""
    answers, errors = [], []
    meter = harness.Meter()
    for phase, (status, when) in enumerate(PHASES):
        events = [
            {
                "tracking_number": f"BENCH{index:06d}",
                "status": status,
                "time": when,
                "event_id": f"bench-{phase}-{index}",
                "place": "Tehran sorting centre",
                "message": "Scanned",
            }
            for index in range(args.parcels)
        ]
        batches = [
            events[i : i + args.batch] for i in range(0, len(events), args.batch)
        ]

        def work(batches=batches):
            while batches:
                try:
                    batch = batches.pop()
                except IndexError:
                    return
                try:
                    answers.append(post(keys, batch))
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(repr(error))

        clients = [threading.Thread(target=work) for _i in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    seconds = meter.seconds()
    if errors:
        wsot.fail(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return seconds, answers


def run_child(args):
    env = harness.open_env(args)
    with env.cr as cr:
        if not args.parcels:  # after the run: what it did
            harness.child_output(counts(env))
            return
        website = env["website"].search([], limit=1)
        carrier = env["delivery.carrier"].create(
            {
                "name": "Bench Post",
                "product_id": env["product.product"]
                .create({"name": "Bench Shipping", "type": "service"})
                .id,
                "carrier_webhook_enabled": True,
            }
        )
        product = env["product.product"].create(
            {"name": "Bench Parcel", "type": "consu"}
        )
        for start in range(0, args.parcels, 250):
            numbers = range(start, min(start + 250, args.parcels))
            partners = env["res.partner"].create(
                [
                    {"name": f"Bench {n}", "email": f"bench{n}@example.com"}
                    for n in numbers
                ]
            )
            orders = harness.confirmed_orders(env, partners, website, product, carrier)
            for number, order in zip(numbers, orders, strict=True):
                order.picking_ids.carrier_tracking_ref = f"BENCH{number:06d}"
            pickings = orders.picking_ids
            pickings.carrier_id = carrier
            pickings.move_ids.write({"quantity": 1, "picked": True})
            pickings.with_context(skip_sms=True).button_validate()
            cr.commit()
        harness.child_output(
            {
                "token": carrier.carrier_webhook_token,
                "secret": carrier.carrier_webhook_secret,
            }
        )


def counts(env):
    """What the run did, once the status email job has run (the server ran no
    cron: the job the events triggered runs here, timed)."""
    due = env["stock.picking"].search_count([("carrier_status_email_due", "=", True)])
    meter = harness.Meter()
    env["stock.picking"]._cron_send_carrier_status_emails()
    return {
        "delivered": env["sale.order"].search_count(
            [("tracking_stage", "=", "delivered")]
        ),
        "email_due": due,
        "email_seconds": meter.seconds(),
        "emails": env["mail.mail"].search_count([("model", "=", "stock.picking")]),
    }


if __name__ == "__main__":
    harness.main(parse_args, main, run_child)
