#!/usr/bin/env python3
"""Benchmark: the after-sale reports and dashboard on 100,000 web orders.

    .venv/bin/python bench/bench_after_sale_reports.py [--orders 100000]

Makes a scratch database with the addon and, by SQL copies of ORM-made rows,
``--orders`` web orders on two websites over a year (95% confirmed and
delivered with one line, 5% waiting for a wire transfer), ten timeline events
an order (1,000,000 for 100,000 orders), a return request on 2% of the orders
(half of them refunded). Then, in one process, as the administrator (record
rules on): the fill of the milestones from the timeline, a VACUUM ANALYZE (as
autovacuum leaves a database at rest), each report's read as its default pivot
and graph views read it, the dashboard (90 days and all time), and, for
comparison, Odoo's own ``sale.report`` pivot on the same
orders and a grouping of the whole timeline by order (what a report reading
the events directly would do at every read). Prints the median of 5 reads in
ms. Not a test: times depend on the machine.
"""

import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness

DB = "wsot_bench_after_sale"
EVENTS = [
    # (event type, hours after the checkout: a base and a spread by order)
    ("checkout", 0, 0),
    ("payment_pending", 0, 0),
    ("payment_received", 0.1, 30),
    ("confirmed", 0.2, 40),
    ("email_sent", 0.2, 40),
    ("invoice_created", 1, 40),
    ("invoice_posted", 1, 40),
    ("delivery_step", 4, 50),
    ("delivery_step", 8, 60),
    ("shipped", 24, 120),
]


def parse_args():
    parser = harness.argument_parser(__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database, and read the one a run kept (no new orders)",
    )
    parser.add_argument("--only", help="the reads whose label contains this")
    return parser.parse_args()


def main(args):
    with harness.databases("bench_after_sale", "8669") as (settings, config):
        with harness.addon_db(
            settings, config, DB, keep=args.keep, reuse=args.keep
        ) as reused:
            timings = harness.run_child(
                __file__,
                config,
                DB,
                True,
                orders=args.orders,
                keep=reused,
                only=args.only,
            )
    harness.print_figures(
        f"{args.orders} web orders, {timings.pop('events')} timeline events\n",
        timings,
        [(label, label, ".0f") for label in timings],
        width=52,
        header="median (ms)",
    )


def run_child(args):
    env = harness.open_env(args)
    timings = {}
    if not args.keep:  # --keep here: the kept database's orders
        generate(env, args.orders)
        env.cr.commit()
        meter = harness.Meter()
        env["sale.order.tracking.milestone"]._rebuild()
        timings["fill of the milestones (once, at install)"] = meter.ms()
        # The bench's orders have no transfers: each is delivered on its shipment.
        env.cr.execute(
            "UPDATE sale_order_tracking_milestone SET delivery_date = ship_date"
        )
    env.cr.commit()  # no open transaction of ours holds the vacuum back
    vacuum_analyze(args.db)
    env.cr.execute("SELECT count(*) FROM sale_order_tracking_event")
    events = env.cr.fetchone()[0]
    admin = env(user=env.ref("base.user_admin").id)
    for label, read in reads(admin).items():
        if not args.only or args.only in label:
            timings[label] = median_ms(admin, read)
    harness.child_done(env, {"events": events, **timings}, commit=False)


def vacuum_analyze(db):
    """VACUUM ANALYZE the database, as autovacuum leaves a database at rest (and
    a kept one between runs): its statistics, and the visibility map by which
    the reports read orders from their indexes alone. Outside a transaction."""
    import psycopg2

    from odoo.sql_db import connection_info_for

    __, info = connection_info_for(db)
    connection = psycopg2.connect(**info)
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute("VACUUM ANALYZE")
    finally:
        connection.close()


def reads(env):
    lead = env["website.sale.lead.time.report"]
    returns = env["website.sale.return.report"]
    unpaid = env["website.sale.unpaid.report"]
    dashboard = env["website.sale.after.sale.dashboard"]
    measures = [
        "order_count:sum",
        "payment_hours:avg",
        "confirmation_hours:avg",
        "ship_hours:avg",
        "delivery_hours:avg",
        "on_time_rate:avg",
    ]
    return {
        "lead times: pivot website x week": lambda: lead.read_group(
            [], measures, ["website_id", "checkout_date:week"], lazy=False
        ),
        "lead times: graph by week": lambda: lead.read_group(
            [], ["delivery_hours:avg"], ["checkout_date:week"], lazy=False
        ),
        "lead times: list (80 rows)": lambda: lead.search_read(
            [], ["order_id", "checkout_date", "ship_hours", "delivery_hours"], limit=80
        ),
        "returns: pivot by category": lambda: returns.read_group(
            [],
            [
                "delivered_qty:sum",
                "returned_qty:sum",
                "refunded_amount:sum",
                "refund_hours:avg",
            ],
            ["categ_id"],
            lazy=False,
        ),
        "returns: pivot by product": lambda: returns.read_group(
            [], ["delivered_qty:sum", "returned_qty:sum"], ["product_id"], lazy=False
        ),
        "unpaid offline: pivot website x age": lambda: unpaid.read_group(
            [],
            ["order_count:sum", "amount_total:sum"],
            ["website_id", "age_bucket"],
            lazy=False,
        ),
        "dashboard, last 90 days": lambda: dashboard.get_dashboard_data(),
        "dashboard, all time": lambda: dashboard.get_dashboard_data(period_days=3660),
        "Odoo's sale.report: pivot website x week": lambda: env[
            "sale.report"
        ].read_group(
            [("website_id", "!=", False)],
            ["price_total:sum"],
            ["website_id", "date:week"],
            lazy=False,
        ),
        "the timeline grouped by order (no milestones)": lambda: env.cr.execute(
            "SELECT order_id, MIN(date) FILTER (WHERE event_type = 'payment_received'),"
            " MIN(date) FILTER (WHERE event_type = 'shipped')"
            " FROM sale_order_tracking_event GROUP BY order_id"
        )
        or env.cr.fetchall(),
    }


def median_ms(env, read):
    times = []
    for __ in range(6):
        env.invalidate_all()
        meter = harness.Meter()
        read()
        times.append(meter.ms())
    return statistics.median(times[1:])  # the first one warms the caches


def generate(env, count):
    from odoo import Command

    cr = env.cr
    website_1 = env["website"].search([], limit=1)
    website_2 = env["website"].create({"name": "Bench Shop 2"})
    categories = env["product.category"].create(
        [{"name": f"Bench Category {i}"} for i in range(4)]
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench Product {i}",
                "type": "consu",
                "list_price": 10.0 + i,
                "categ_id": categories[i % 4].id,
                "taxes_id": [Command.clear()],
            }
            for i in range(40)
        ]
    )
    users = env["res.users"].create(
        [{"name": f"Bench Seller {i}", "login": f"bench_seller_{i}"} for i in range(3)]
    )
    carrier = env["delivery.carrier"].search([], limit=1)
    partner = env["res.partner"].create({"name": "Bench Customer"})
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "website_id": website_1.id,
            "order_line": [Command.create({"product_id": products[0].id})],
        }
    )
    env.flush_all()
    year_ago = "(NOW() AT TIME ZONE 'UTC') - interval '365 days'"
    checkout = f"{year_ago} + (g * 311 % 525600) * interval '1 minute'"
    waiting = "g % 20 = 0"
    harness.clone(
        cr,
        "sale_order",
        order.id,
        count,
        {
            "name": "'AS-' || g",
            "website_id": f"CASE WHEN g % 2 = 0 THEN {website_1.id} "
            f"ELSE {website_2.id} END",
            "user_id": f"(ARRAY{users.ids})[1 + g % 3]",
            "carrier_id": str(carrier.id) if carrier else "NULL",
            "checkout_date": checkout,
            "date_order": checkout,
            "commitment_date": f"CASE WHEN g % 3 = 0 "
            f"THEN {checkout} + interval '3 days' END",
            "state": f"CASE WHEN {waiting} THEN 'draft' ELSE 'sale' END",
            "tracking_stage": f"CASE WHEN {waiting} THEN 'to_confirm' "
            "ELSE 'shipped' END",
            "amount_total": "10 + g % 40",
            "amount_untaxed": "10 + g % 40",
            "access_token": "NULL",
        },
    )
    harness.clone(
        cr,
        "sale_order_line",
        order.order_line.id,
        None,
        {
            "order_id": "so.id",
            "product_id": f"(ARRAY{products.ids})[1 + so.id % 40]",
            "product_template_id": f"(ARRAY{products.product_tmpl_id.ids})"
            "[1 + so.id % 40]",
            "qty_delivered": "CASE WHEN so.state = 'sale' THEN 1 ELSE 0 END",
            "price_reduce_taxinc": "so.amount_total",
            "price_total": "so.amount_total",
        },
        source="(SELECT * FROM sale_order WHERE name LIKE 'AS-%%') so",
    )
    generate_events(cr, website_1)
    generate_returns(cr, env.ref("website_sale_order_tracking.return_reason_damaged"))
    order.order_line.unlink()
    order.unlink()
    cr.execute("ANALYZE")


def generate_events(cr, website):
    types = "ARRAY[%s]" % ", ".join(f"'{t}'" for t, __, __ in EVENTS)
    bases = "ARRAY[%s]" % ", ".join(str(b) for __, b, __ in EVENTS)
    spreads = "ARRAY[%s]" % ", ".join(str(s) for __, __, s in EVENTS)
    cr.execute(f"""
        INSERT INTO sale_order_tracking_event (
            order_id, company_id, website_id, date, event_type, user_id,
            customer_visible, create_uid, create_date, write_uid, write_date)
        SELECT so.id, so.company_id, so.website_id,
               so.checkout_date + make_interval(
                   secs => 3600 * ({bases})[n]
                           + 36 * (so.id * n % 100) * ({spreads})[n]),
               ({types})[n], 1, TRUE, 1, so.checkout_date, 1, so.checkout_date
          FROM sale_order so, generate_series(1, {len(EVENTS)}) n
         WHERE so.name LIKE 'AS-%%'
           AND (so.state = 'sale' OR n <= 2)
    """)
    # The orders waiting for their money have their two first events only: make
    # up the count with email events of the others.
    cr.execute("""
        INSERT INTO sale_order_tracking_event (
            order_id, company_id, website_id, date, event_type, user_id,
            customer_visible, create_uid, create_date, write_uid, write_date)
        SELECT so.id, so.company_id, so.website_id, so.checkout_date, 'email_sent',
               1, FALSE, 1, so.checkout_date, 1, so.checkout_date
          FROM sale_order so, generate_series(1, 8) n
         WHERE so.name LIKE 'AS-%%' AND so.state = 'draft'
    """)


def generate_returns(cr, reason):
    cr.execute("""
        INSERT INTO sale_return_request (
            name, order_id, partner_id, website_id, company_id, user_id, team_id,
            state, request_date, create_uid, create_date, write_uid, write_date)
        SELECT 'RET-' || so.id, so.id, so.partner_id, so.website_id, so.company_id,
               so.user_id, so.team_id,
               CASE WHEN so.id % 100 = 0 THEN 'refunded' ELSE 'received' END,
               so.checkout_date + interval '7 days', 1, NOW(), 1, NOW()
          FROM sale_order so
         WHERE so.name LIKE 'AS-%%' AND so.state = 'sale' AND so.id % 50 = 0
    """)
    cr.execute(
        """
        INSERT INTO sale_return_request_line (
            request_id, sale_line_id, product_id, quantity, reason_id,
            create_uid, create_date, write_uid, write_date)
        SELECT r.id, sol.id, sol.product_id, 1, %s, 1, NOW(), 1, NOW()
          FROM sale_return_request r
          JOIN sale_order_line sol ON sol.order_id = r.order_id
    """,
        [reason.id],
    )
    cr.execute("""
        INSERT INTO sale_order_tracking_event (
            order_id, company_id, website_id, date, event_type, user_id,
            customer_visible, create_uid, create_date, write_uid, write_date)
        SELECT r.order_id, r.company_id, r.website_id,
               r.request_date + interval '50 hours', 'refunded', 1, TRUE,
               1, NOW(), 1, NOW()
          FROM sale_return_request r WHERE r.state = 'refunded'
    """)


if __name__ == "__main__":
    harness.main(parse_args, main, run_child)
