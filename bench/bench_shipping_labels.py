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

import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness
from harness import wsot

DB = "wsot_bench_labels"
REPORT = "website_sale_order_tracking.action_report_shipping_label"
ROWS = [
    ("wall time, PDF (s)", "pdf_seconds", ".1f"),
    ("wall time, HTML only (s)", "html_seconds", ".1f"),
    ("ms a label, PDF", "ms_per_label", ".1f"),
    ("report calls", "report_calls", "d"),
    ("wkhtmltopdf runs", "wkhtmltopdf_runs", "d"),
    ("SQL queries", "queries", "d"),
    ("PDF pages", "pages", "d"),
    ("PDF size (kB)", "kilobytes", "d"),
]


def parse_args():
    parser = harness.argument_parser(__doc__)
    parser.add_argument("--labels", type=int, default=500)
    return parser.parse_args()


def main(args):
    with harness.databases("bench_labels", "8669") as (settings, config):
        wsot.install_addon(settings, config, DB, demo=False)
        try:
            figures = harness.run_child(__file__, config, DB, True, labels=args.labels)
        finally:
            wsot.drop_db(settings, DB)
    harness.print_figures(
        f"Shipping labels of {figures['deliveries']} ready deliveries, one print",
        figures,
        ROWS,
    )


def make_deliveries(env, count):
    """``count`` confirmed web orders of one carrier, their deliveries ready."""
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
    orders = harness.confirmed_orders(env, partners, website, product, carrier)
    deliveries = orders.picking_ids
    assert set(deliveries.mapped("state")) == {"assigned"}, "ready deliveries"
    return deliveries


def run_child(args):
    env = harness.open_env(args)
    deliveries = make_deliveries(env, args.labels)
    # The labels carry their own style: wkhtmltopdf needs no Odoo server.
    env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
    env.cr.commit()
    env.invalidate_all()
    harness.child_done(env, measure(env, deliveries), commit=False)


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
    meter = harness.Meter(env.cr)
    content, kind = env["ir.actions.report"]._render_qweb_pdf(REPORT, deliveries.ids)
    pdf_seconds = meter.seconds()
    queries = meter.queries()
    assert kind == "pdf"
    env.invalidate_all()
    meter = harness.Meter()
    env["ir.actions.report"]._render_qweb_html(REPORT, deliveries.ids)
    html_seconds = meter.seconds()
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
    harness.main(parse_args, main, run_child)
