#!/usr/bin/env python3
"""Benchmark: invoicing paid web orders through the website's policy and through Odoo's.

    .venv/bin/python bench/bench_web_invoicing.py [--orders 1000]

Generates, once, a scratch database with ``--orders`` web orders (default 1,000),
half of them of business customers (a VAT number), each with a confirmed payment
of the demo provider that is not post-processed yet. Then each pass runs in a
process of its own on a fresh copy of that database and post-processes all the
payments with Odoo's own cron code (``payment.transaction._cron_post_process``):

- ``odoo``: Odoo's *Automatic Invoice* (``sale.automatic_invoice``) on, the
  website's policy off: Odoo invoices, posts, pays and emails each order;
- ``addon``: *Automatic Invoice* off, the website's policy automatic for businesses
  and consumers: the addon does the same.

Needs wkhtmltopdf (Debian's package) for the invoice PDFs; the order's own emails
go without their PDF in both passes. Emails are queued, not sent. Printed for each
pass: wall time, SQL queries, invoices posted and paid, invoice emails, peak
resident memory; then the ratio of the times (target: at least 1.0, no slower than
Odoo). Not a test: times depend on the machine.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wsot  # noqa: E402
from bench_cart_reminders import open_env, rss_mb  # noqa: E402

DATA_DB = "wsot_bench_invoice_data"
RUN_DB = "wsot_bench_invoice_run"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--passes", default="odoo,addon", help="which passes to run (odoo,addon)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated database"
    )
    # Internal: what one child process does.
    parser.add_argument("--child", choices=["generate", "odoo", "addon"])
    parser.add_argument("--config")
    parser.add_argument("--db")
    return parser.parse_args()


def main(args):
    wsot.ensure_odoo_src()
    if not shutil.which("wkhtmltopdf"):
        # Without it Odoo cannot make the order and invoice PDFs: the payments'
        # post-processing fails in both passes.
        wsot.fail("wkhtmltopdf is needed: apt-get install -y wkhtmltopdf")
    with wsot.postgres() as settings:
        config = wsot.write_config(settings, "bench_invoice", "8669")
        if wsot.db_exists(settings, DATA_DB):
            wsot.drop_db(settings, DATA_DB)
        wsot.install_addon(settings, config, DATA_DB, demo=False)
        wsot.log(f"Generating {args.orders} paid web orders in {DATA_DB}")
        child(config, DATA_DB, "generate", args)
        results = {}
        for name in args.passes.split(","):
            wsot.copy_db(settings, DATA_DB, RUN_DB)
            wsot.log(f"Pass {name!r} on a fresh copy of {DATA_DB}")
            results[name] = child(config, RUN_DB, name, args)
            wsot.drop_db(settings, RUN_DB)
        if not args.keep:
            wsot.drop_db(settings, DATA_DB)
    report(args, results)


def child(config, db, what, args):
    command = [
        sys.executable,
        os.path.abspath(__file__),
        f"--child={what}",
        f"--config={config}",
        f"--db={db}",
        f"--orders={args.orders}",
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        wsot.fail(f"bench child {what} exited with {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(args, results):
    if len(results) < 2:
        print(json.dumps(results, indent=2))
        return
    odoo, addon = results["odoo"], results["addon"]
    print(f"\n{args.orders} paid web orders, half of business customers\n")
    print(f"{'':28}{'Odoo 18':>14}{'addon':>14}")
    rows = [
        ("wall time (s)", "seconds", "{:.1f}"),
        ("SQL queries", "queries", "{:d}"),
        ("invoices posted", "invoices", "{:d}"),
        ("invoices paid", "paid", "{:d}"),
        ("invoice emails", "emails", "{:d}"),
        ("peak RSS (MB)", "peak_rss_mb", "{:.0f}"),
    ]
    for label, key, fmt in rows:
        print(f"{label:28}{fmt.format(odoo[key]):>14}{fmt.format(addon[key]):>14}")
    ratio = odoo["seconds"] / addon["seconds"]
    print(f"\nspeed ratio Odoo time / addon time: {ratio:.2f} (target >= 1.0)")


# --- Children: one Odoo process each --------------------------------------------------


def run_child(args):
    env = open_env(args)
    if args.child == "generate":
        generate(env, args.orders)
        env.cr.commit()
        env.cr.close()
        print(json.dumps({}))
        return
    prepare_pass(env, args.child)
    env.cr.commit()
    env.invalidate_all()
    queries_before = env.cr.sql_log_count
    start = time.perf_counter()
    # Odoo's own cron code: a commit after each transaction.
    env["payment.transaction"]._cron_post_process()
    env.flush_all()
    env.cr.commit()
    seconds = time.perf_counter() - start
    queries = env.cr.sql_log_count - queries_before
    env.cr.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE payment_state IN ('paid', 'in_payment'))
          FROM account_move
         WHERE move_type = 'out_invoice' AND state = 'posted'
        """
    )
    invoices, paid = env.cr.fetchone()
    env.cr.execute(
        "SELECT count(*) FROM mail_message "
        "WHERE model = 'account.move' AND message_type = 'comment'"
    )
    emails = env.cr.fetchone()[0]
    result = {
        "seconds": seconds,
        "queries": queries,
        "invoices": invoices,
        "paid": paid,
        "emails": emails,
        "peak_rss_mb": rss_mb(),
    }
    env.cr.close()
    print(json.dumps(result))


def prepare_pass(env, name):
    # The order's own emails (confirmation, payment) go without their PDF in both
    # passes, so the passes time the invoicing, whose PDF both make.
    env["mail.template"].search([("model", "=", "sale.order")]).write(
        {"report_template_ids": [(5,)]}
    )
    website = env["website"].search([], limit=1)
    automatic = name == "odoo"
    env["ir.config_parameter"].set_param("sale.automatic_invoice", automatic)
    website.write(
        {
            "invoice_policy_enabled": not automatic,
            "invoice_policy_business": "auto",
            "invoice_policy_consumer": "auto",
        }
    )


def generate(env, orders):
    from odoo import Command

    website = env["website"].search([], limit=1)
    provider = env.ref("payment.payment_provider_demo")
    provider.state = "test"
    method = env.ref("payment_demo.payment_method_demo")
    products = env["product.product"].create(
        [
            {
                "name": f"Bench Service {index}",
                "type": "service",
                "list_price": 10 + index,
            }
            for index in range(10)
        ]
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench Buyer {index}",
                "email": f"bench_buyer_{index}@example.com",
                "vat": f"BE0477472{index:03d}" if index % 2 else False,
                "is_company": bool(index % 2),
            }
            for index in range(orders)
        ]
    )
    sale_orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "website_id": website.id,
                "order_line": [
                    Command.create({"product_id": product.id})
                    for product in products[: 1 + index % 3]
                ],
            }
            for index, partner in enumerate(partners)
        ]
    )
    transactions = env["payment.transaction"].create(
        [
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "reference": f"BENCH-INV-{order.id}",
                "sale_order_ids": [Command.set(order.ids)],
            }
            for order in sale_orders
        ]
    )
    transactions._set_done()


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.child:
        run_child(ARGS)
    else:
        main(ARGS)
