#!/usr/bin/env python3
"""Benchmark: the order tracking page against Odoo's own portal order page.

    .venv/bin/python bench/bench_tracking_page.py [--lines 20] [--requests 60]

Makes, once, a database with the addon and a shipped and invoiced web order of
``--lines`` lines with its timeline, starts Odoo on it, logs in as the order's
customer, then requests ``/my/orders/<id>`` (Odoo's page) and
``/my/orders/<id>/tracking`` (the addon's) in turns, after a warm-up, and prints the
median server time of each and their ratio (target: at most 1.0). Not a test: times
depend on the machine.
"""

import json
import os
import statistics
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness
from harness import wsot

DB = "wsot_bench_page"
PORT = "8569"
LOGIN = "bench_page_customer"


def parse_args():
    parser = harness.argument_parser(__doc__)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--requests", type=int, default=60)
    return parser.parse_args()


def main(args):
    with (
        harness.databases("bench_page", PORT) as (settings, config),
        harness.addon_db(settings, config, DB),
    ):
        order_id = harness.run_child(__file__, config, DB, True, lines=args.lines)[
            "order_id"
        ]
        with harness.odoo_server(config, DB, PORT):
            session = login()
            timings = measure(session, order_id, args.requests)
    odoo, addon = (statistics.median(timings[key]) for key in ("odoo", "addon"))
    harness.print_figures(
        f"A shipped and invoiced web order of {args.lines} lines",
        {"odoo": odoo * 1000, "addon": addon * 1000, "ratio": addon / odoo},
        [
            ("Odoo  /my/orders/<id>", "odoo", ".1f"),
            ("addon /my/orders/<id>/tracking", "addon", ".1f"),
            ("ratio (target <= 1.0)", "ratio", ".2f"),
        ],
        header="median (ms)",
    )


class Session:
    def __init__(self):
        import http.cookiejar

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        meter = harness.Meter()
        with self.opener.open(f"http://127.0.0.1:{PORT}{path}", timeout=60) as reply:
            reply.read()
            status = reply.status
        return status, meter.seconds()

    def post_json(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "params": params}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{path}",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=60) as reply:
            return json.loads(reply.read())


def login():
    session = Session()
    session.get("/web/login")
    answer = session.post_json(
        "/web/session/authenticate", {"db": DB, "login": LOGIN, "password": LOGIN}
    )
    if answer.get("error"):
        wsot.fail(f"login failed: {answer['error']}")
    return session


def measure(session, order_id, requests):
    pages = {
        "odoo": f"/my/orders/{order_id}",
        "addon": f"/my/orders/{order_id}/tracking",
    }
    for path in pages.values():
        for _warm in range(5):
            status, _seconds = session.get(path)
            if status != 200:
                wsot.fail(f"{path} answered {status}")
    timings = {key: [] for key in pages}
    for _index in range(requests):
        for key, path in pages.items():
            timings[key].append(session.get(path)[1])
    return timings


def run_child(args):
    env = harness.open_env(args)
    from odoo import Command

    with env.cr as cr:
        website = env["website"].search([], limit=1)
        user = env["res.users"].create(
            {
                "name": "Bench Customer",
                "login": LOGIN,
                "password": LOGIN,
                "email": "bench_page@example.com",
                "groups_id": [Command.set([env.ref("base.group_portal").id])],
            }
        )
        products = env["product.product"].create(
            [
                {"name": f"Bench Item {index}", "list_price": 10 + index}
                for index in range(args.lines)
            ]
        )
        order = env["sale.order"].create(
            {
                "partner_id": user.partner_id.id,
                "website_id": website.id,
                "order_line": [
                    Command.create({"product_id": product.id}) for product in products
                ],
            }
        )
        order.action_confirm()
        for picking in order.picking_ids:
            picking.move_ids.quantity = 1
            picking.move_ids.picked = True
            picking.carrier_tracking_ref = "BENCH-1"
            picking.with_context(skip_sms=True).button_validate()
        invoice = order._create_invoices()
        invoice.action_post()
        cr.commit()
        harness.child_output({"order_id": order.id})


if __name__ == "__main__":
    harness.main(parse_args, main, run_child)
