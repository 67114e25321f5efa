#!/usr/bin/env python3
"""Benchmark: invoicing paid web orders through the website's policy and through Odoo's.

    .venv/bin/python bench/bench_web_invoicing.py [--orders 1000] [--passes ...]

Generates, once, a scratch database with ``--orders`` web orders (default 1,000)
on two websites, half of them of business customers (a VAT number, an address),
each with a confirmed payment
of the demo provider that is not post-processed yet. Then each pass runs in a
process of its own on a fresh copy of that database and post-processes the
payments one by one as the customer's browser has them post-processed (and as
Odoo's ``payment.transaction._cron_post_process`` does): ``_post_process()`` and
a commit each, timed each:

- ``none``: no invoicing at all (Odoo's *Automatic Invoice* off, no policy);
- ``odoo``: Odoo's *Automatic Invoice* (``sale.automatic_invoice``) on, the
  website's policy off: Odoo invoices, posts, pays, renders and emails each order
  in the post-processing;
- ``addon``: *Automatic Invoice* off, the website's policy automatic for businesses
  and consumers: the post-processing records the orders due, then the invoicing
  job (``sale.order._cron_invoice_web_orders``) invoices, posts, pays, renders and
  emails them in batches, and Odoo's mail queue sends the emails;
- ``customer``: the policy on the first of two websites only, whose orders
  alternate with the second's: the customer's post-processing with the policy and
  without invoicing, measured in the same pass, under the same load.

Needs wkhtmltopdf (Debian's package) for the invoice PDFs; the order's own emails
go without their PDF in every pass. No mail server listens: each pass tries to
deliver its emails as Odoo does (Odoo's sends them after the commit of the
post-processing, the addon's mail queue after the job) and fails at once.
Printed: the customer's side (median and 90th percentile of a payment's
post-processing, in ms) and the bulk side (the time to invoice all the orders:
Odoo's post-processing less the ``none`` one, against the addon's job and mail
queue), with the SQL queries, invoices posted and paid, invoice emails, PDF
rendering calls and peak resident memory. Targets: the customer's
post-processing at most 1.1 times that without invoicing; bulk invoicing at least
2 times faster than Odoo's. Not a test: times depend on the machine.
"""

import json
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness
from harness import open_env, rss_mb, wsot

DATA_DB = "wsot_bench_invoice_data"
RUN_DB = "wsot_bench_invoice_run"
PASSES = ("none", "odoo", "addon", "customer")
LABELS = {"none": "no invoicing", "odoo": "Odoo 18", "addon": "addon"}


def parse_args():
    parser = harness.argument_parser(__doc__, children=["generate", *PASSES])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--passes", default=",".join(PASSES), help="which passes to run, in order"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated database"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the database kept by --keep (same --orders) instead of a new one",
    )
    return parser.parse_args()


def main(args):
    if not shutil.which("wkhtmltopdf"):
        # Without it Odoo cannot make the order and invoice PDFs: the payments'
        # post-processing fails in both passes.
        wsot.fail("wkhtmltopdf is needed: apt-get install -y wkhtmltopdf")
    with harness.databases("bench_invoice", "8669") as (settings, config):
        with harness.addon_db(
            settings, config, DATA_DB, keep=args.keep, reuse=args.reuse
        ) as reused:
            if not reused:
                wsot.log(f"Generating {args.orders} paid web orders in {DATA_DB}")
                child(config, DATA_DB, "generate", args)
            results = {}
            for name in args.passes.split(","):
                with harness.fresh_copy(settings, DATA_DB, RUN_DB):
                    wsot.log(f"Pass {name!r} on a fresh copy of {DATA_DB}")
                    results[name] = child(config, RUN_DB, name, args)
    report(args, results)


def child(config, db, what, args):
    return harness.run_child(__file__, config, db, what, orders=args.orders)


def report(args, results):
    print(json.dumps(results, indent=2), file=sys.stderr)
    names = [name for name in LABELS if name in results]
    print(f"\n{args.orders} paid web orders, half of business customers\n")
    print("The customer's side: one payment's post-processing (ms), a pass each\n")
    harness.print_comparison(
        [(name, LABELS[name]) for name in names],
        results,
        [
            ("median", "post_median_ms", ".1f"),
            ("90th percentile", "post_p90_ms", ".1f"),
        ],
    )
    if "none" in results:
        base = results["none"]["post_median_ms"]
        print(
            f"{'median / no invoicing':28}"
            + "".join(
                f"{results[name]['post_median_ms'] / base:>14.2f}" for name in names
            )
        )
    customer = report_customer_pass(results)
    if not {"none", "odoo", "addon"} <= set(results):
        return
    none, odoo, addon = results["none"], results["odoo"], results["addon"]
    bulk = {
        "odoo": {
            key: odoo[f"post_{key}"] - none[f"post_{key}"]
            for key in ("seconds", "queries", "pdf_calls")
        },
        "addon": {
            key: addon[f"job_{key}"] for key in ("seconds", "queries", "pdf_calls")
        },
    }
    for name, figures in (("odoo", odoo), ("addon", addon)):
        for key in ("invoices", "paid", "emails", "peak_rss_mb"):
            bulk[name][key] = figures[key]
    print("\nThe bulk side: invoicing all the orders, PDFs and emails included\n")
    harness.print_comparison(
        [("odoo", "Odoo 18"), ("addon", "addon")],
        bulk,
        [
            ("wall time (s)", "seconds", ".1f"),
            ("SQL queries", "queries", "d"),
            ("PDF rendering calls", "pdf_calls", "d"),
            ("invoices posted", "invoices", "d"),
            ("invoices paid", "paid", "d"),
            ("invoice emails", "emails", "d"),
            ("peak RSS (MB)", "peak_rss_mb", ".0f"),
        ],
    )
    print(
        "\nOdoo: its post-processing less the one without invoicing; addon: its "
        f"invoicing job ({addon['job_batches']} batches) and mail queue."
    )
    customer = customer or addon["post_median_ms"] / none["post_median_ms"]
    speed_up = bulk["odoo"]["seconds"] / bulk["addon"]["seconds"]
    print(
        f"customer's post-processing, addon / no invoicing: {customer:.2f} "
        "(target <= 1.1)"
    )
    print(f"bulk invoicing, Odoo time / addon time: {speed_up:.2f} (target >= 2.0)")


def report_customer_pass(results):
    """The customer's side measured in one pass, the orders of a website with the
    policy and of one without alternating: both under the same load."""
    if "customer" not in results:
        return None
    policy = results["customer"]["post_first_website_median_ms"]
    without = results["customer"]["post_second_website_median_ms"]
    print("\nThe same, orders with the policy and without it alternating in one pass\n")
    print(f"{'':28}{'no invoicing':>14}{'addon':>14}")
    print(f"{'median':28}{without:>14.1f}{policy:>14.1f}")
    print(f"{'median / no invoicing':28}{1:>14.2f}{policy / without:>14.2f}")
    return policy / without


# --- Children: one Odoo process each --------------------------------------------------


def count_pdf_calls():
    """Count the calls of Odoo's PDF tool (one wkhtmltopdf process each)."""
    from odoo.addons.base.models.ir_actions_report import IrActionsReport

    calls = []
    run = IrActionsReport._run_wkhtmltopdf

    def counted(self, bodies, *args, **kwargs):
        calls.append(len(bodies))
        return run(self, bodies, *args, **kwargs)

    IrActionsReport._run_wkhtmltopdf = counted
    return calls


def run_child(args):
    env = open_env(args)
    if args.child == "generate":
        generate(env, args.orders)
        harness.child_done(env, {})
        return
    prepare_pass(env, args.child)
    env.cr.commit()
    pdf_calls = count_pdf_calls()
    result = post_process(env, pdf_calls)
    if args.child == "addon":
        result.update(run_invoicing_job(env, pdf_calls))
    result.update(count_invoicing(env), peak_rss_mb=rss_mb())
    harness.child_done(env, result)


def post_process(env, pdf_calls):
    """Each payment's post-processing as the customer's request (and Odoo's
    post-processing cron) runs it: alone, then committed; timed one by one."""
    transactions = env["payment.transaction"].search(
        [("state", "=", "done"), ("is_post_processed", "=", False)], order="id"
    )
    env.invalidate_all()
    meter = harness.Meter(env.cr)
    times, times_by_website = [], {}
    for tx in transactions:
        tx_meter = harness.Meter()
        tx._post_process()
        env.cr.commit()
        times.append(tx_meter.seconds())
        times_by_website.setdefault(tx.sale_order_ids.website_id.id, []).append(
            times[-1]
        )
    times.sort()
    first, second = (times_by_website[w.id] for w in bench_websites(env))
    return {
        # The "customer" pass: the policy on the first website only.
        "post_first_website_median_ms": statistics.median(first) * 1000,
        "post_second_website_median_ms": statistics.median(second) * 1000,
        "post_seconds": sum(times),
        "post_queries": meter.queries(),
        "post_median_ms": statistics.median(times) * 1000,
        "post_p90_ms": times[int(len(times) * 0.9)] * 1000,
        "post_pdf_calls": len(pdf_calls),
    }


def run_invoicing_job(env, pdf_calls):
    """The addon's invoicing job, as its cron runs it, then Odoo's mail queue."""
    calls_before = len(pdf_calls)
    env.invalidate_all()
    meter = harness.Meter(env.cr)
    env["sale.order"]._cron_invoice_web_orders()
    env.cr.commit()
    env["mail.mail"].process_email_queue()
    env.cr.commit()
    seconds = meter.seconds()
    from odoo.addons.website_sale_order_tracking.models.sale_order_invoice_job import (
        WEB_INVOICING_BATCH_SIZE,
    )

    invoiced = env["sale.order"].search_count([("invoice_ids", "!=", False)])
    return {
        "job_seconds": seconds,
        "job_queries": meter.queries(),
        "job_pdf_calls": len(pdf_calls) - calls_before,
        "job_batches": -(-invoiced // WEB_INVOICING_BATCH_SIZE),
    }


def count_invoicing(env):
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
    return {"invoices": invoices, "paid": paid, "emails": env.cr.fetchone()[0]}


def prepare_pass(env, name):
    # The order's own emails (confirmation, payment) go without their PDF in every
    # pass, so the passes time the invoicing, whose PDF both Odoo and the addon
    # make.
    env["mail.template"].search([("model", "=", "sale.order")]).write(
        {"report_template_ids": [(5,)]}
    )
    env["ir.config_parameter"].set_param("sale.automatic_invoice", name == "odoo")
    first, second = bench_websites(env)
    for website, enabled in (
        (first, name in ("addon", "customer")),
        (second, name == "addon"),
    ):
        website.write(
            {
                "invoice_policy_enabled": enabled,
                "invoice_policy_business": "auto",
                "invoice_policy_consumer": "auto",
            }
        )


def bench_websites(env):
    return env["website"].search([], order="id", limit=2)


def generate(env, orders):
    from odoo import Command

    if env["website"].search_count([]) < 2:
        env["website"].create({"name": "Bench Shop 2"})
    websites = bench_websites(env)
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
    # The shop's bank account and the business customers' addresses, which
    # Odoo's e-invoice (UBL, the default for a Belgian VAT number) needs: without
    # them each business invoice goes with a pro forma PDF and an error instead.
    env["res.partner.bank"].create(
        {"acc_number": "BE71096123456769", "partner_id": env.company.partner_id.id}
    )
    belgium = env.ref("base.be")
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench Buyer {index}",
                "email": f"bench_buyer_{index}@example.com",
                "is_company": bool(index % 2),
                **(
                    {
                        "vat": f"BE0477472{index:03d}",
                        "country_id": belgium.id,
                        "street": "Rue de la Loi 16",
                        "city": "Bruxelles",
                        "zip": "1000",
                    }
                    if index % 2
                    else {}
                ),
            }
            for index in range(orders)
        ]
    )
    sale_orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                # Both kinds of customers on both websites, orders alternating.
                "website_id": websites[index // 2 % 2].id,
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
    harness.main(parse_args, main, run_child)
