#!/usr/bin/env python3
"""Benchmark: the order exceptions pass over all the web orders of a shop.

    .venv/bin/python bench/bench_order_exceptions.py [--orders 100000]

Makes a scratch database with ``--orders`` web orders (default 100,000) on one
website whose nine exception rules are all on (default delays). A few real
records are made through Odoo (a cart, a confirmed order and its delivery, a
return request and its return, a card transaction, a job failure), then copied
by SQL into the mix of a shop's orders:

- 20% carts; 8% waiting for a wire transfer (a third reminded long ago);
- 1% quotations paid by card, not confirmed (a payment up to 4 hours old);
- 71% confirmed, one delivery each: 5% waiting for stock (0 to 6 days),
  10% ready (scheduled from 2 days ago to tomorrow), the rest delivered;
- on the confirmed ones: 1.5% return requests (0 to 4 days old), 0.5% returns
  received (0 to 4 days ago), 0.5% invoices asked 0 to 47 hours ago, 0.5% job
  failures given up.

Then the cron's pass runs twice in a process of its own (``_cron_detect_order_
exceptions``: the first opens the exceptions and their activities, the second
finds nothing new and checks the open ones). Printed: wall time, SQL queries,
exceptions opened, peak resident memory of the process and its growth during
the pass. Not a test: times depend on the machine.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness
from harness import rss_mb, wsot

DATA_DB = "wsot_bench_exceptions"


def parse_args():
    parser = harness.argument_parser(__doc__, children=["generate", "pass"])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    return parser.parse_args()


def main(args):
    with (
        harness.databases("bench_exceptions", "8769") as (settings, config),
        harness.addon_db(settings, config, DATA_DB, keep=args.keep),
    ):
        wsot.log(f"Generating {args.orders} web orders in {DATA_DB}")
        generated = child(config, "generate", args)
        results = [child(config, "pass", args) for _run in range(2)]
    print(json.dumps({"generated": generated, "passes": results}, indent=2))
    print(f"\n{generated['web_orders']} web orders, every exception rule on\n")
    harness.print_comparison(
        [(0, "first pass"), (1, "second pass")],
        results,
        [
            ("wall time (s)", "seconds", ".1f"),
            ("SQL queries", "queries", "d"),
            ("exceptions opened", "opened", "d"),
            ("peak RSS of the process (MB)", "peak_rss_mb", ".0f"),
            ("RSS growth in the pass (MB)", "rss_growth_mb", ".0f"),
        ],
        width=30,
    )
    print("\nTargets: <= 30 s and <= 300 MB for the pass over 100,000 web orders.")


def child(config, what, args):
    return harness.run_child(__file__, config, DATA_DB, what, orders=args.orders)


def run_child(args):
    env = harness.open_env(args)
    if args.child == "generate":
        result = generate(env, args.orders)
    else:
        result = run_pass(env)
    harness.child_done(env, result)


def run_pass(env):
    env.invalidate_all()
    for table in ("sale_order", "stock_picking", "sale_return_request"):
        env.cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 warm the cache
    env.cr.execute("SELECT count(*) FROM website_sale_order_exception")
    before = env.cr.fetchone()[0]
    meter = harness.Meter(env.cr)
    env["website.sale.order.exception"]._cron_detect_order_exceptions()
    env.cr.commit()
    seconds = meter.seconds()
    env.cr.execute("SELECT count(*) FROM website_sale_order_exception")
    return {
        "seconds": seconds,
        "queries": meter.queries(),
        "opened": env.cr.fetchone()[0] - before,
        "peak_rss_mb": rss_mb(),
        "rss_growth_mb": meter.rss_growth_mb(),
    }


# --- The data: a few real records, copied by SQL --------------------------------------


def clone(env, table, template_id, refs, overrides):
    """Copy row ``template_id`` of ``table`` once per item of ``refs``; in the
    ``overrides`` (column: SQL), ``o.ref`` is the item and ``o.g`` its rank."""
    columns = harness.table_columns(env.cr, table)
    values = [overrides.get(column, f't."{column}"') for column in columns]
    names = ", ".join(f'"{column}"' for column in columns)
    env.cr.execute(
        f"""
        INSERT INTO {table} ({names})
        SELECT {", ".join(values)}
          FROM {table} t, unnest(%s::int[]) WITH ORDINALITY AS o(ref, g)
         WHERE t.id = %s
     RETURNING id
        """,  # noqa: S608 (names of the schema, constants of this file)
        [list(refs), template_id],
    )
    return [row[0] for row in env.cr.fetchall()]


def templates(env):
    """The real records the copies are made of, made by Odoo."""
    from odoo import Command

    website = env["website"].search([], limit=1)
    website.return_enabled = True
    website._ensure_order_exception_rules()
    website.order_exception_rule_ids.write({"enabled": True})
    product = env["product.product"].create(
        {"name": "Bench Teapot", "is_storable": True, "list_price": 30.0}
    )
    env["stock.quant"]._update_available_quantity(
        product, env["stock.warehouse"].search([], limit=1).lot_stock_id, 10.0
    )
    partner = env["res.partner"].create({"name": "Bench Customer"})

    def order():
        return env["sale.order"].create(
            {
                "partner_id": partner.id,
                "website_id": website.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )

    cart, confirmed = order(), order()
    confirmed.action_confirm()
    delivery = confirmed.picking_ids
    for move in delivery.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    delivery.button_validate()
    request = env["sale.return.request"].create(
        {
            "order_id": confirmed.id,
            "line_ids": [
                Command.create(
                    {
                        "sale_line_id": confirmed.order_line.id,
                        "quantity": 1,
                        "reason_id": env.ref(
                            "website_sale_order_tracking.return_reason_damaged"
                        ).id,
                    }
                )
            ],
        }
    )
    request.action_approve()
    provider = env.ref("payment.payment_provider_demo")
    provider.state = "test"
    tx = env["payment.transaction"].create(
        {
            "provider_id": provider.id,
            "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
            "amount": cart.amount_total,
            "currency_id": cart.currency_id.id,
            "partner_id": partner.id,
            "reference": "BENCH-TEMPLATE",
        }
    )
    failure = env["website.sale.job.failure"].create(
        {
            "job": "web_invoicing",
            "res_model": "sale.order",
            "res_id": confirmed.id,
            "order_id": confirmed.id,
            "website_id": website.id,
            "state": "given_up",
        }
    )
    env.flush_all()
    return cart, confirmed, delivery, request, tx, failure


def generate(env, count):
    cart, confirmed, delivery, request, tx, failure = templates(env)
    ago = "(now() at time zone 'utc') - make_interval({unit} => mod(o.g, {mod})::int)"
    carts = count * 20 // 100
    waiting = count * 8 // 100
    paid = count // 100
    sold = count - carts - waiting - paid
    clone(env, "sale_order", cart.id, range(carts), {"name": "'BC' || o.g"})
    clone(
        env,
        "sale_order",
        cart.id,
        range(waiting),
        {
            "name": "'BW' || o.g",
            "state": "'sent'",
            "tracking_stage": "'to_confirm'",
            "checkout_date": ago.format(unit="days", mod=6),
            "unpaid_reminder_date": "CASE WHEN mod(o.g, 3) = 0 THEN "
            + ago.format(unit="days", mod=5)
            + " END",
        },
    )
    paid_ids = clone(env, "sale_order", cart.id, range(paid), {"name": "'BP' || o.g"})
    tx_ids = clone(
        env,
        "payment_transaction",
        tx.id,
        paid_ids,
        {
            "reference": "'BENCH-' || o.ref",
            "state": "'done'",
            "last_state_change": ago.format(unit="hours", mod=5),
        },
    )
    env.cr.execute(
        "INSERT INTO sale_order_transaction_rel (sale_order_id, transaction_id) "
        "SELECT * FROM unnest(%s::int[], %s::int[])",
        [paid_ids, tx_ids],
    )
    sold_ids = clone(
        env, "sale_order", confirmed.id, range(sold), {"name": "'BS' || o.g"}
    )
    picking_state = (
        "CASE WHEN mod(o.g, 20) = 0 THEN 'confirmed' "
        "WHEN mod(o.g, 20) < 3 THEN 'assigned' ELSE 'done' END"
    )
    clone(
        env,
        "stock_picking",
        delivery.id,
        sold_ids,
        {
            "name": "t.name || '-' || o.g",
            "sale_id": "o.ref",
            "state": picking_state,
            "create_date": ago.format(unit="days", mod=7),
            "scheduled_date": "(now() at time zone 'utc') + make_interval("
            "days => 1 - mod(o.g, 4)::int)",
        },
    )
    requested = sold_ids[: sold * 15 // 1000]
    received = sold_ids[len(requested) : len(requested) + sold * 5 // 1000]
    clone(
        env,
        "sale_return_request",
        request.id,
        requested,
        {
            "name": "'BR' || o.g",
            "order_id": "o.ref",
            "state": "'requested'",
            "request_date": ago.format(unit="days", mod=5),
        },
    )
    received_ids = clone(
        env,
        "sale_return_request",
        request.id,
        received,
        {"name": "'BV' || o.g", "order_id": "o.ref", "state": "'received'"},
    )
    clone(
        env,
        "stock_picking",
        request.picking_ids.id,
        received_ids,
        {
            "name": "t.name || '-' || o.g",
            "return_request_id": "o.ref",
            "state": "'done'",
            "date_done": ago.format(unit="days", mod=5),
        },
    )
    asked = sold_ids[-sold * 5 // 1000 :]
    env.cr.execute(
        "UPDATE sale_order SET invoice_request_date = (now() at time zone 'utc') "
        "- make_interval(hours => mod(id, 48)::int) WHERE id = ANY(%s)",
        [asked],
    )
    failed = sold_ids[-sold * 10 // 1000 : -sold * 5 // 1000]
    clone(
        env,
        "website_sale_job_failure",
        failure.id,
        failed,
        {"res_id": "o.ref", "order_id": "o.ref"},
    )
    env.cr.execute("ANALYZE")
    env.cr.execute("SELECT count(*) FROM sale_order WHERE website_id IS NOT NULL")
    return {"web_orders": env.cr.fetchone()[0]}


if __name__ == "__main__":
    harness.main(parse_args, main, run_child)
