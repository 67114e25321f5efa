"""The report of bench/load/run_load.py: per route, totals, ratios and targets."""

import csv

TARGETS = ("odoo", "addon")


def read_rows(prefix):
    """{(type, route): {target: row}} from locust's statistics file."""
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            target, _, route = row["Name"].partition(" ")
            if target in TARGETS:
                rows.setdefault((row["Type"], route), {})[target] = row
    return rows


def read_failures(prefix):
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures:
        return list(csv.DictReader(failures))


def _cell(row):
    if not row:
        return f"{'-':>7}{'-':>6}{'-':>7}{'-':>7}"
    return (
        f"{row['Request Count']:>7}{row['Failure Count']:>6}"
        f"{float(row['50%']):>7.0f}{float(row['95%']):>7.0f}"
    )


def _percentile(values, share):
    """The ``share`` percentile of sorted ``values`` (nearest rank)."""
    return values[min(len(values) - 1, int(share * len(values)))]


def _p95(row):
    return float(row["95%"]) if row else 0.0


def print_routes(rows):
    print(f"\n{'':38}{'Odoo':^27}{'addon':^27}")
    head = f"{'reqs':>7}{'fail':>6}{'p50':>7}{'p95':>7}"
    print(f"{'route (ms)':38}{head}{head}{'p95 ratio':>11}")
    for (kind, route), cells in sorted(
        rows.items(), key=lambda i: (i[0][0] == "FLOW", i[0][1])
    ):
        odoo, addon = cells.get("odoo"), cells.get("addon")
        ratio = (
            f"{_p95(addon) / _p95(odoo):>11.2f}"
            if odoo and addon and _p95(odoo)
            else ""
        )
        label = f"{route} (whole flow)" if kind == "FLOW" else f"{kind} {route}"
        print(f"{label[:37]:38}{_cell(odoo)}{_cell(addon)}{ratio}")


def totals(rows):
    """Requests and failures of each shop; throughput on the routes both shops
    serve (the addon's own routes do more per visit than Odoo's stand-ins)."""
    result = {}
    for target in TARGETS:
        requests = [
            c[target] for (k, _r), c in rows.items() if k != "FLOW" and target in c
        ]
        common = [
            c[target] for (k, _r), c in rows.items() if k != "FLOW" and len(c) == 2
        ]
        result[target] = {
            "requests": sum(int(r["Request Count"]) for r in requests),
            "failures": sum(int(r["Failure Count"]) for r in requests),
            "common_rps": sum(float(r["Requests/s"]) for r in common),
        }
    return result


def server_errors(failures):
    """Server errors (5xx, JSON-RPC errors) of the customers' requests and of the
    staff's, apart."""
    counts = {t: {"server": 0, "staff": 0, "serialization": 0} for t in TARGETS}
    for failure in failures:
        target, _, route = failure["Name"].partition(" ")
        if target not in counts:
            continue
        error, occurrences = failure["Error"], int(failure["Occurrences"])
        if "HTTP 5" in error or "JSON-RPC error" in error:
            kind = "staff" if route.startswith("staff ") else "server"
            counts[target][kind] += occurrences
        if "serializ" in error.lower():  # a JSON-RPC error's message
            counts[target]["serialization"] += occurrences
    return counts


def report(args, prefix, checks, logs):
    """Print everything; return the failed correctness targets (and, with
    ``--strict``, the speed ones)."""
    rows = read_rows(prefix)
    failures = read_failures(prefix)
    print(f"\nLoad test: {args.users} users, {args.duration}, shop {args.size}")
    if args.odoo_automatic_invoice:
        print("Odoo's shop with its Automatic Invoice")
    print_routes(rows)
    total = totals(rows)
    errors = server_errors(failures)
    for target in TARGETS:
        errors[target]["serialization"] += logs[target]["serialization_failures"]
    print(f"\n{'':38}{'Odoo':>12}{'addon':>12}{'ratio':>10}")
    lines = [
        ("requests", "requests", "{:d}"),
        ("failures", "failures", "{:d}"),
        ("req/s on the routes of both", "common_rps", "{:.2f}"),
    ]
    for label, key, fmt in lines:
        odoo, addon = total["odoo"][key], total["addon"][key]
        ratio = f"{addon / odoo:>10.2f}" if odoo else ""
        print(f"{label:38}{fmt.format(odoo):>12}{fmt.format(addon):>12}{ratio}")
    for label, value in (
        ("server errors to customers", lambda t: errors[t]["server"]),
        ("server errors to staff", lambda t: errors[t]["staff"]),
        ("serialization failures to a customer", lambda t: errors[t]["serialization"]),
        ("ERROR lines in the server's log", lambda t: logs[t]["errors"]),
        (
            "serialization retries (absorbed)",
            lambda t: logs[t]["serialization_retries"],
        ),
        ("invoices posted in the run", lambda t: checks[t]["invoices"]),
        ("orders invoiced twice", lambda t: checks[t]["invoiced_twice"]),
        ("emails sent twice", lambda t: checks[t]["emails_twice"]),
    ):
        print(f"{label:38}{value('odoo'):>12}{value('addon'):>12}")
    pages = {t: sorted(logs[t]["order_pages"]) for t in TARGETS}
    if all(pages.values()):
        # The server's own time, from its request log: without the wait for a
        # free worker, which the customer's p95 above includes.
        for label, share in (("order page, server time p50", 0.5), ("p95", 0.95)):
            odoo, addon = (_percentile(pages[t], share) for t in TARGETS)
            print(f"{label:38}{odoo:>12.0f}{addon:>12.0f}{addon / odoo:>10.2f}")
    fair = checks["addon"]["per_salesperson"]
    print(f"addon checkouts per salesperson (round-robin): {fair}")
    for failure in failures[:15]:
        print(
            f"  failure: {failure['Name']}: {failure['Error'][:150]} "
            f"x{failure['Occurrences']}"
        )
    return targets(args, rows, total, errors, checks)


def targets(args, rows, total, errors, checks):
    fair = list(checks["addon"]["per_salesperson"].values())
    correctness = {
        "0 server errors reaching a customer (addon)": errors["addon"]["server"] == 0,
        "0 serialization failures reaching a customer (addon)": errors["addon"][
            "serialization"
        ]
        == 0,
        "round-robin fair (each within 1 of the others)": bool(fair)
        and max(fair) - min(fair) <= 1,
        "no invoice twice": all(checks[t]["invoiced_twice"] == 0 for t in TARGETS),
        "no email twice": all(checks[t]["emails_twice"] == 0 for t in TARGETS),
    }
    flow = rows.get(("FLOW", "checkout"), {})
    page = rows.get(("GET", "tracking page"), {})
    odoo_rps = total["odoo"]["common_rps"]
    speed = {
        "throughput >= 0.95x Odoo's": bool(odoo_rps)
        and total["addon"]["common_rps"] >= 0.95 * odoo_rps,
        "checkout p95 <= 1.1x Odoo's": len(flow) == 2
        and _p95(flow["addon"]) <= 1.1 * _p95(flow["odoo"]),
        "tracking page p95 <= Odoo's order page p95": len(page) == 2
        and _p95(page["addon"]) <= _p95(page["odoo"]),
    }
    print("\nTargets")
    for name, met in {**correctness, **speed}.items():
        print(f"  [{'met' if met else 'MISSED'}] {name}")
    failed = [name for name, met in correctness.items() if not met]
    if args.strict:
        failed += [name for name, met in speed.items() if not met]
    return failed
