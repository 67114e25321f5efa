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

import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import wsot  # noqa: E402

DB = "wsot_bench_carrier"
PORT = "8571"
PHASES = (
    ("in_transit", "2026-01-05T08:00:00Z"),
    ("in_transit", "2026-01-05T20:00:00Z"),
    ("out_for_delivery", "2026-01-06T07:00:00Z"),
    ("delivered", "2026-01-06T11:00:00Z"),
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parcels", type=int, default=2500)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--config")
    return parser.parse_args()


def main(args):
    wsot.ensure_odoo_src()
    with wsot.postgres() as settings:
        config = wsot.write_config(settings, "bench_carrier", PORT)
        wsot.install_addon(settings, config, DB, demo=False)
        keys = json.loads(child(config, args))
        server = subprocess.Popen(
            [
                sys.executable,
                os.path.join(wsot.ODOO_SRC, "odoo-bin"),
                "-c",
                config,
                "-d",
                DB,
                "--log-level=warn",
                "--max-cron-threads=0",
            ]
        )
        try:
            wait_for_server()
            seconds, answers = post_all(keys, args)
            checks = check_data(config)
        finally:
            server.terminate()
            server.wait(timeout=30)
            wsot.drop_db(settings, DB)
    events = args.parcels * len(PHASES)
    recorded = sum(answer["recorded"] for answer in answers)
    print(
        f"\n{events} carrier events of {args.parcels} parcels, {args.batch} a request"
    )
    print(f"{'recorded':34}{recorded:>12}")
    print(f"{'seconds':34}{seconds:>12.1f}")
    print(f"{'events per second (target >= 200)':34}{events / seconds:>12.0f}")
    print(f"{'orders delivered':34}{checks['delivered']:>12}")
    print(f"{'deliveries due a status email':34}{checks['email_due']:>12}")
    print(f"{'status email job (s)':34}{checks['email_seconds']:>12.1f}")
    print(f"{'status emails queued':34}{checks['emails']:>12}")


def child(config, args):
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        f"--config={config}",
        f"--parcels={args.parcels}",
    ]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


def wait_for_server():
    for _attempt in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/web/login", timeout=5)
            return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.5)
    wsot.fail("the server did not start")


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
    start = time.perf_counter()
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
    seconds = time.perf_counter() - start
    if errors:
        wsot.fail(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return seconds, answers


def check_data(config):
    return json.loads(
        subprocess.run(
            [
                sys.executable,
                os.path.abspath(__file__),
                "--child",
                "--config",
                config,
                "--parcels=0",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def run_child(args):
    sys.path.insert(0, wsot.ODOO_SRC)
    import odoo
    from odoo import SUPERUSER_ID, Command, api

    odoo.tools.config.parse_config(["-c", args.config, "-d", DB])
    registry = odoo.modules.registry.Registry(DB)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not args.parcels:  # after the run: what it did
            print(json.dumps(counts(env)))
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
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "website_id": website.id,
                        "carrier_id": carrier.id,
                        "order_line": [Command.create({"product_id": product.id})],
                    }
                    for partner in partners
                ]
            )
            orders.action_confirm()
            for number, order in zip(numbers, orders, strict=True):
                order.picking_ids.carrier_tracking_ref = f"BENCH{number:06d}"
            pickings = orders.picking_ids
            pickings.carrier_id = carrier
            pickings.move_ids.write({"quantity": 1, "picked": True})
            pickings.with_context(skip_sms=True).button_validate()
            cr.commit()
        print(
            json.dumps(
                {
                    "token": carrier.carrier_webhook_token,
                    "secret": carrier.carrier_webhook_secret,
                }
            )
        )


def counts(env):
    """What the run did, once the status email job has run (the server ran no
    cron: the job the events triggered runs here, timed)."""
    due = env["stock.picking"].search_count([("carrier_status_email_due", "=", True)])
    started = time.perf_counter()
    env["stock.picking"]._cron_send_carrier_status_emails()
    return {
        "delivered": env["sale.order"].search_count(
            [("tracking_stage", "=", "delivered")]
        ),
        "email_due": due,
        "email_seconds": time.perf_counter() - started,
        "emails": env["mail.mail"].search_count([("model", "=", "stock.picking")]),
    }


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.child:
        run_child(ARGS)
    else:
        main(ARGS)
