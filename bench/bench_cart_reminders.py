#!/usr/bin/env python3
"""Benchmark: the addon's cart reminder cron against Odoo 18's own abandoned-cart pass.

    make bench            (or: .venv/bin/python bench/bench_cart_reminders.py)

Generates, once, a scratch database with ``--carts`` website carts (default
100,000) on two websites, ``--due`` of them (default 20,000) due for a reminder:

- due: a customer with an email, 1 to 3 priced lines, last changed 2 to 6 hours ago;
- not due: the same number of carts changed 10 minutes ago, as many already
  reminded (Odoo's flag set, every step of the addon's sequence sent), and the
  rest carts of anonymous visitors (the website's public partner).

Then each pass runs in a process of its own on a fresh copy of that database:

- ``odoo``: Odoo 18's ``website._send_abandoned_cart_email()`` (the code of its
  cron), every website with Odoo's own abandoned-cart email after 1 hour;
- ``addon``: the addon's ``sale.order._cron_send_cart_reminders()``, every website
  with the addon's sequence (step 1 after 1 hour).

Emails are queued (``mail.mail``), not sent. Printed for each pass: wall time, SQL
queries, emails queued, peak resident memory of the process and its growth during
the pass; then the ratios. Not a test: times depend on the machine.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness
from harness import open_env, rss_mb, wsot

DATA_DB = "wsot_bench_data"  # also in data_ready()
RUN_DB = "wsot_bench_run"
PRODUCTS = 40


def parse_args():
    parser = harness.argument_parser(__doc__, children=["generate", "odoo", "addon"])
    parser.add_argument("--carts", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=20_000)
    parser.add_argument(
        "--regenerate", action="store_true", help="make the data database again"
    )
    parser.add_argument(
        "--passes", default="odoo,addon", help="which passes to run (odoo,addon)"
    )
    return parser.parse_args()


# --- Parent: databases and report ------------------------------------------------


def main(args):
    with harness.databases("bench", "8469") as (settings, config):
        key = f"{args.carts}-{args.due}"
        ready = not args.regenerate and data_ready(settings, key)
        # A new data database, or the kept one with the addon as it is now.
        with harness.addon_db(settings, config, DATA_DB, keep=True, reuse=ready):
            if not ready:
                wsot.log(f"Generating {args.carts} carts ({args.due} due) in {DATA_DB}")
                child(config, DATA_DB, "generate", args)
                wsot.sql(
                    settings, f"COMMENT ON DATABASE {DATA_DB} IS 'wsot-bench {key}'"
                )
        results = {}
        for name in args.passes.split(","):
            with harness.fresh_copy(settings, DATA_DB, RUN_DB):
                wsot.log(f"Pass {name!r} on a fresh copy of {DATA_DB}")
                results[name] = child(config, RUN_DB, name, args)
    report(args, results)


def data_ready(settings, key):
    if not wsot.db_exists(settings, DATA_DB):
        return False
    rows = wsot.sql(
        settings,
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE datname = 'wsot_bench_data'",
    )
    return rows and rows[0][0] == f"wsot-bench {key}"


def child(config, db, what, args):
    return harness.run_child(__file__, config, db, what, carts=args.carts, due=args.due)


def report(args, results):
    if len(results) < 2:
        print(json.dumps(results, indent=2))
        return
    addon = results["addon"]
    print(f"\n{args.carts} carts on 2 websites, {args.due} due\n")
    harness.print_comparison(
        [("odoo", "Odoo 18"), ("addon", "addon")],
        results,
        [
            ("wall time (s)", "seconds", ".1f"),
            ("SQL queries", "queries", "d"),
            ("emails queued", "emails", "d"),
            ("peak RSS (MB)", "peak_rss_mb", ".0f"),
            ("RSS growth in pass (MB)", "rss_growth_mb", ".0f"),
        ],
        ratio=("odoo", "addon"),
    )
    print(f"\naddon: {addon['batches']} batches of {addon['batch_size']} carts")


# --- Children: one Odoo process each --------------------------------------------------


def run_child(args):
    env = open_env(args)
    if args.child == "generate":
        generate(env, args.carts, args.due)
        harness.child_done(env, {})
        return
    prepare_pass(env, args.child)
    env.cr.commit()
    env.invalidate_all()
    for table in ("sale_order", "sale_order_line", "res_partner", "product_product"):
        env.cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 warm the cache
    meter = harness.Meter(env.cr)
    batch_size = 0
    if args.child == "odoo":
        env["website"]._send_abandoned_cart_email()
    else:
        from odoo.addons.website_sale_order_tracking.models import (
            sale_order_cart_reminder,
        )

        batch_size = sale_order_cart_reminder.CART_REMINDER_BATCH_SIZE

        env["sale.order"]._cron_send_cart_reminders()
    env.flush_all()
    env.cr.commit()
    seconds = meter.seconds()
    queries = meter.queries()
    env.cr.execute("SELECT count(*) FROM mail_mail")
    emails = env.cr.fetchone()[0]
    result = {
        "seconds": seconds,
        "queries": queries,
        "emails": emails,
        "peak_rss_mb": rss_mb(),
        "rss_growth_mb": max(meter.rss_growth_mb(), 0.1),
        "batch_size": batch_size,
        "batches": -(-emails // batch_size) if batch_size else 0,
    }
    harness.child_done(env, result)


def prepare_pass(env, name):
    from odoo import fields

    websites = env["website"].search([])
    if name == "odoo":
        websites.write({"send_abandoned_cart_email": True, "cart_abandoned_delay": 1.0})
        return
    websites.write({"cart_abandoned_delay": 1.0, "cart_reminder_enabled": True})
    websites.cart_reminder_start_date = fields.Datetime.subtract(
        fields.Datetime.now(), days=30
    )


def generate(env, carts, due):
    """The carts, with SQL copies of ORM-made model rows (an ORM create of
    100,000 orders would take longer than the benchmark)."""
    from odoo import Command

    cr = env.cr
    website_1 = env["website"].search([], limit=1)
    website_2 = env["website"].create({"name": "Bench Shop 2"})
    products = env["product.product"].create(
        [
            {
                "name": f"Bench Product {index}",
                "list_price": 5.0 + index,
                "is_published": True,
                "taxes_id": [Command.clear()],
            }
            for index in range(PRODUCTS)
        ]
    )
    partner = env["res.partner"].create(
        {"name": "Bench Customer", "email": "bench@example.com"}
    )
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "website_id": website_1.id,
            "order_line": [Command.create({"product_id": products[0].id})],
        }
    )
    env.flush_all()
    public = website_1.user_id.partner_id.id
    customers = due
    harness.clone(
        cr,
        "res_partner",
        partner.id,
        customers,
        {
            "name": "'Bench Customer ' || g",
            "email": "'bench' || g || '@example.com'",
            "email_normalized": "'bench' || g || '@example.com'",
            "complete_name": "'Bench Customer ' || g",
        },
    )
    cr.execute(
        "SELECT id FROM res_partner WHERE email LIKE 'bench%%@example.com' "
        "AND id <> %s ORDER BY id",
        [partner.id],
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    first_partner = partner_ids[0]
    assert partner_ids[-1] - first_partner + 1 == customers, "ids in one sequence"
    # Three carts a customer: due, too recent, already reminded; then the
    # anonymous visitors' carts.
    kinds = [
        ("due", customers, "interval '2 hours' + (g % 240) * interval '1 minute'"),
        ("recent", customers, "interval '10 minutes'"),
        ("reminded", customers, "interval '3 hours'"),
        ("public", carts - 3 * customers, "interval '3 hours'"),
    ]
    for kind, count, age in kinds:
        partner_sql = str(public) if kind == "public" else f"{first_partner} + g - 1"
        reminded = kind == "reminded"
        harness.clone(
            cr,
            "sale_order",
            order.id,
            count,
            {
                "name": f"'B-{kind}-' || g",
                "partner_id": partner_sql,
                "partner_invoice_id": partner_sql,
                "partner_shipping_id": partner_sql,
                "website_id": f"CASE WHEN g % 2 = 0 THEN {website_1.id} "
                f"ELSE {website_2.id} END",
                "date_order": f"(NOW() AT TIME ZONE 'UTC') - ({age})",
                "create_date": f"(NOW() AT TIME ZONE 'UTC') - ({age})",
                "cart_update_date": f"(NOW() AT TIME ZONE 'UTC') - ({age})",
                "cart_recovery_email_sent": "true" if reminded else "false",
                "cart_reminder_step": "3" if reminded else "0",
                "access_token": "NULL",
            },
        )
    # 1 to 3 lines a cart, of different products.
    line = order.order_line
    cr.execute(
        """
        CREATE TEMP TABLE bench_line AS
        SELECT so.id AS order_id, n,
               (SELECT array_agg(id ORDER BY id) FROM product_product
                 WHERE id IN %s) AS products
          FROM sale_order so, generate_series(0, 2) n
         WHERE so.name LIKE 'B-%%' AND n <= so.id %% 3
        """,
        [tuple(products.ids)],
    )
    harness.clone(
        cr,
        "sale_order_line",
        line.id,
        None,
        {
            "order_id": "b.order_id",
            "product_id": f"b.products[1 + (b.order_id + b.n * 7) % {PRODUCTS}]",
            "price_unit": f"5 + (b.order_id + b.n * 7) % {PRODUCTS}",
            "price_subtotal": f"5 + (b.order_id + b.n * 7) % {PRODUCTS}",
            "price_total": f"5 + (b.order_id + b.n * 7) % {PRODUCTS}",
            "price_reduce_taxexcl": f"5 + (b.order_id + b.n * 7) % {PRODUCTS}",
            "price_reduce_taxinc": f"5 + (b.order_id + b.n * 7) % {PRODUCTS}",
            "name": "'Bench Product'",
            "product_template_id": "(SELECT product_tmpl_id FROM product_product pp "  # noqa: S608
            f"WHERE pp.id = b.products[1 + (b.order_id + b.n * 7) % {PRODUCTS}])",
        },
        source="bench_line b",
    )
    cr.execute(
        """
        UPDATE sale_order so
           SET amount_untaxed = t.total, amount_total = t.total
          FROM (SELECT order_id, sum(price_total) AS total
                  FROM sale_order_line GROUP BY order_id) t
         WHERE t.order_id = so.id AND so.name LIKE 'B-%%'
        """
    )
    # The model rows the copies were made from are no carts of the benchmark.
    order.order_line.unlink()
    order.unlink()
    cr.execute("ANALYZE")


if __name__ == "__main__":
    harness.main(parse_args, main, run_child)
