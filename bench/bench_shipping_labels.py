#!/usr/bin/env python3
"""Benchmark: printing the shipping labels of many deliveries at once.

    .venv/bin/python bench/bench_shipping_labels.py [--labels 500]

Makes, once, a database with the addon and ``--labels`` confirmed web orders of one
carrier, each with its delivery ready to ship (one parcel each), then prints all
their labels as the deliveries list's Print > Shipping Labels does: one call of
Odoo's report (``_render_qweb_pdf``) for all the deliveries, rendered to a PDF by
wkhtmltopdf. Prints the time, the report calls, the wkhtmltopdf runs, the SQL
queries and the pages of the PDF. Not a test: times depend on the machine.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import wsot  # noqa: E402

DB = "wsot_bench_labels"
REPORT = "website_sale_order_tracking.action_report_shipping_label"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--config")
    return parser.parse_args()


def main(args):
    wsot.ensure_odoo_src()
    with wsot.postgres() as settings:
        config = wsot.write_config(settings, "bench_labels", "8669")
        wsot.install_addon(settings, config, DB, demo=False)
        try:
            command = [
                sys.executable,
                os.path.abspath(__file__),
                "--child",
                f"--config={config}",
                f"--labels={args.labels}",
            ]
            result = subprocess.run(command, check=True, capture_output=True, text=True)
        finally:
            wsot.drop_db(settings, DB)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\nShipping labels of {figures['deliveries']} ready deliveries, one print")
    for label, key, unit in (
        ("wall time, PDF (s)", "pdf_seconds", ".1f"),
        ("wall time, HTML only (s)", "html_seconds", ".1f"),
        ("ms a label, PDF", "ms_per_label", ".1f"),
        ("report calls", "report_calls", "d"),
        ("wkhtmltopdf runs", "wkhtmltopdf_runs", "d"),
        ("SQL queries", "queries", "d"),
        ("PDF pages", "pages", "d"),
        ("PDF size (kB)", "kilobytes", "d"),
    ):
        print(f"{label:34}{figures[key]:>12{unit}}")


def make_deliveries(env, count):
    """``count`` confirmed web orders of one carrier, their deliveries ready."""
    from odoo import Command

    website = env["website"].search([], limit=1)
    warehouse = env["stock.warehouse"].search([], limit=1)
    product = env["product.product"].create(
        {"name": "Bench Parcel", "is_storable": True, "weight": 0.8}
    )
    env["stock.quant"]._update_available_quantity(
        product, warehouse.lot_stock_id, count
    )
    carrier = env["delivery.carrier"].create(
        {
            "name": "Bench Post",
            "delivery_type": "fixed",
            "product_id": env["product.product"]
            .create({"name": "Bench Post Shipping", "type": "service"})
            .id,
            "shipping_label_service": "Parcel 48h",
        }
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Bench Customer {index}",
                "street": f"Bench Street {index}",
                "city": "Tehran",
                "zip": f"{1000000000 + index}",
                "country_id": env.ref("base.ir").id,
                "phone": f"+98 21 5555 {index:04d}",
            }
            for index in range(count)
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
    deliveries = orders.picking_ids
    assert set(deliveries.mapped("state")) == {"assigned"}, "ready deliveries"
    return deliveries


def run_child(args):
    sys.path.insert(0, wsot.ODOO_SRC)
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", args.config, "-d", DB])
    registry = odoo.modules.registry.Registry(DB)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        deliveries = make_deliveries(env, args.labels)
        # The labels carry their own style: wkhtmltopdf needs no Odoo server.
        env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        cr.commit()
        env.invalidate_all()
        figures = measure(env, deliveries)
        cr.rollback()
    print(json.dumps(figures))


def measure(env, deliveries):
    """Print the labels of ``deliveries`` once, counting what it takes."""
    from odoo.tools.pdf import PdfFileReader

    report_model = type(env["ir.actions.report"])
    calls = {"report": 0, "wkhtmltopdf": 0}
    render_pdf = report_model._render_qweb_pdf
    run_wkhtmltopdf = report_model._run_wkhtmltopdf

    def count_report(report, *call_args, **kwargs):
        calls["report"] += 1
        return render_pdf(report, *call_args, **kwargs)

    def count_wkhtmltopdf(report, *call_args, **kwargs):
        calls["wkhtmltopdf"] += 1
        return run_wkhtmltopdf(report, *call_args, **kwargs)

    report_model._render_qweb_pdf = count_report
    report_model._run_wkhtmltopdf = count_wkhtmltopdf
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    content, kind = env["ir.actions.report"]._render_qweb_pdf(REPORT, deliveries.ids)
    pdf_seconds = time.perf_counter() - start
    queries = env.cr.sql_log_count - queries
    assert kind == "pdf"
    env.invalidate_all()
    start = time.perf_counter()
    env["ir.actions.report"]._render_qweb_html(REPORT, deliveries.ids)
    html_seconds = time.perf_counter() - start
    pages = len(PdfFileReader(io.BytesIO(content)).pages)
    return {
        "deliveries": len(deliveries),
        "pdf_seconds": pdf_seconds,
        "html_seconds": html_seconds,
        "ms_per_label": pdf_seconds * 1000 / pages,
        "report_calls": calls["report"],
        "wkhtmltopdf_runs": calls["wkhtmltopdf"],
        "queries": queries,
        "pages": pages,
        "kilobytes": len(content) // 1024,
    }


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.child:
        run_child(ARGS)
    else:
        main(ARGS)
