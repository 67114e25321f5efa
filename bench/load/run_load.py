#!/usr/bin/env python3
"""Load test: the shop with the addon against Odoo's own, on Odoo's prefork server.

    make load          (or: .venv/bin/python bench/load/run_load.py)
    make load-smoke    (or: .venv/bin/python bench/load/run_load.py --smoke)

Builds, once per data size, a database of Odoo's modules only (the template of
tools/wsot.py) with a seeded shop (bench/load/load_data.py generate); copies it
twice: ``wsot_load_odoo`` as it is, ``wsot_load_addon`` with the addon installed
and its features on. Starts Odoo on each (``--workers=4 --max-cron-threads=1``,
a port each), then one locust run (bench/load/locustfile.py, from the virtualenv
bench/load/.venv: locust needs newer gevent, greenlet, Werkzeug and requests than
Odoo 18 pins) drives both shops at once with the same simulated customers and
staff. Prints, per route, the requests, failures, p50 and p95 of each shop and
their ratio, the totals, what the databases hold of the run (checkouts per
salesperson, invoices and emails twice) and the targets. Exits 1 when a target
of correctness fails (server errors, serialization failures reaching a customer,
unfair round-robin, an invoice or email twice); ``--strict`` also on the speed
targets. Not a test of speed in ``make test``: ``--smoke`` is a short run on a
small shop that checks correctness only.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import wsot  # noqa: E402

from report import report  # noqa: E402

LOCUST = os.path.join(HERE, ".venv", "bin", "locust")
TARGETS = ("odoo", "addon")
FULL = {"products": 300, "customers": 3000, "portal": 200, "orders": 2000}
# Part of the data's key: a change of the generator makes the data again.
DATA_VERSION = 3
SMOKE = {"products": 20, "customers": 40, "portal": 12, "orders": 40}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--users", type=int, help="simulated users in all")
    parser.add_argument("--duration", help="locust --run-time, e.g. 5m")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--invoicing-delay",
        type=int,
        help="seconds before the addon's invoicing job runs (its default: 60; "
        "the smoke run: 0, so that it ends sooner)",
    )
    parser.add_argument("--port", type=int, default=8300, help="first of 4 ports")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument(
        "--odoo-automatic-invoice",
        action="store_true",
        help="Odoo's shop with its Automatic Invoice (PDF in the payment request)",
    )
    parser.add_argument(
        "--data-only", action="store_true", help="make the data database, no run"
    )
    args = parser.parse_args()
    args.size = SMOKE if args.smoke else FULL
    args.users = args.users or (6 if args.smoke else 20)
    args.duration = args.duration or ("30s" if args.smoke else "5m")
    args.prefix = "wsot_load_smoke" if args.smoke else "wsot_load"
    if args.smoke and args.invoicing_delay is None:
        args.invoicing_delay = 0
    return args


def main(args):
    if not os.path.exists(LOCUST):
        wsot.fail(f"{LOCUST} missing: run `make load` (it makes bench/load/.venv)")
    wsot.ensure_odoo_src()
    out = os.path.join(wsot.CACHE, args.prefix)
    os.makedirs(out, exist_ok=True)
    with wsot.postgres() as settings:
        config = wsot.write_config(settings, args.prefix, args.port)
        data_db = ensure_data(settings, config, args)
        if args.data_only:
            return
        ports = {"odoo": args.port, "addon": args.port + 2}
        for target in TARGETS:
            db = f"{args.prefix}_{target}"
            wsot.copy_db(settings, data_db, db)
            if target == "addon":
                wsot.log(f"Installing {wsot.MODULE} in {db}")
                wsot.odoo_bin(config, "-d", db, "-i", wsot.MODULE, *QUIET)
            child(
                config,
                db,
                "prepare",
                f"--port={ports[target]}",
                *(["--addon"] if target == "addon" else []),
                *(["--odoo-automatic-invoice"] if args.odoo_automatic_invoice else []),
                *(
                    [f"--invoicing-delay={args.invoicing_delay}"]
                    if args.invoicing_delay is not None
                    else []
                ),
                f"--out={os.path.join(out, target + '.json')}",
            )
        since = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S"
        )
        servers = {t: start_server(config, args, t, ports[t], out) for t in TARGETS}
        try:
            for target, port in ports.items():
                wait_for(port, target)
            status = run_locust(args, ports, out)
            for target in TARGETS:
                drain(settings, f"{args.prefix}_{target}")
        finally:
            for server in servers.values():
                server.terminate()
            for server in servers.values():
                server.wait(timeout=60)
        checks = {
            t: json.loads(
                child(
                    config,
                    f"{args.prefix}_{t}",
                    "check",
                    f"--since={since}",
                    *(["--addon"] if t == "addon" else []),
                )
            )
            for t in TARGETS
        }
    logs = {t: scan_log(os.path.join(out, f"{t}.log")) for t in TARGETS}
    failed = report(args, os.path.join(out, "locust"), checks, logs)
    sys.exit(1 if failed or status else 0)


QUIET = ("--stop-after-init", "--log-level=warn", "--without-demo=all")


def ensure_data(settings, config, args):
    """The seeded shop without the addon, made again when its size changed."""
    db = f"{args.prefix}_data"
    key = json.dumps([DATA_VERSION, args.seed, args.size], sort_keys=True)
    query = f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{db}'"  # noqa: E501, S608 - our own name
    rows = wsot.db_exists(settings, db) and wsot.sql(settings, query)
    if rows and rows[0][0] == key and not args.regenerate:
        return db
    template = wsot.ensure_template(settings, config, demo=False)
    wsot.copy_db(settings, template, db)
    wsot.log(f"Generating the shop in {db}: {args.size}")
    start = time.perf_counter()
    child(
        config,
        db,
        "generate",
        f"--seed={args.seed}",
        *(f"--{name}={value}" for name, value in args.size.items()),
    )
    wsot.log(f"Generated in {time.perf_counter() - start:.0f} s")
    escaped = key.replace("'", "''")
    wsot.sql(settings, f"COMMENT ON DATABASE {db} IS '{escaped}'")
    return db


def child(config, db, what, *extra):
    command = [
        sys.executable,
        os.path.join(HERE, "load_data.py"),
        what,
        f"--config={config}",
        f"--db={db}",
        *extra,
    ]
    env = dict(os.environ, PYTHONPATH=wsot.ODOO_SRC)
    result = subprocess.run(
        command, check=False, capture_output=True, text=True, env=env
    )
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-6000:])
        wsot.fail(f"load_data.py {what} on {db} exited with {result.returncode}")
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def start_server(config, args, target, port, out):
    db = f"{args.prefix}_{target}"
    log = open(os.path.join(out, f"{target}.log"), "w", encoding="utf-8")
    command = [
        sys.executable,
        os.path.join(wsot.ODOO_SRC, "odoo-bin"),
        *("-c", config, "-d", db, "--db-filter", f"^{db}$"),
        f"--http-port={port}",
        f"--gevent-port={port + 1}",
        f"--workers={args.workers}",
        "--max-cron-threads=1",
        "--without-demo=all",
        "--log-level=warn",
        # Odoo's retries of serialization failures (each one logged here).
        "--log-handler=odoo.service.model:INFO",
        # Each request with its queries and server time (the report's server
        # side of the order pages: what the page costs, apart from the wait for
        # a free worker).
        "--log-handler=werkzeug:INFO",
    ]
    wsot.log(f"Odoo ({target}) on :{port}, {args.workers} workers, 1 cron worker")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def wait_for(port, target):
    """Until the server answers, then one visit of the shop to build its assets."""
    for _attempt in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/shop", timeout=120):
                return
        except OSError:
            time.sleep(0.5)
    wsot.fail(f"Odoo ({target}) does not answer on :{port}")


def drain(settings, db, timeout=240):
    """Until the cron worker has run the jobs the run woke up (the invoicing
    job, which runs a minute after the payments, the mail queue): their work is
    part of what the checks count."""
    query = (
        "SELECT count(*) FROM ir_cron_trigger t JOIN ir_cron c ON c.id = t.cron_id "
        "WHERE c.active "
        "AND t.call_at <= now() AT TIME ZONE 'UTC' + interval '90 seconds'"
    )
    deadline = time.monotonic() + timeout
    while wsot.sql(settings, query, dbname=db)[0][0] and time.monotonic() < deadline:
        time.sleep(2)


def run_locust(args, ports, out):
    command = [
        LOCUST,
        "-f",
        os.path.join(HERE, "locustfile.py"),
        "--headless",
        f"--users={args.users}",
        f"--spawn-rate={max(args.users // 5, 1)}",
        f"--run-time={args.duration}",
        f"--csv={os.path.join(out, 'locust')}",
        "--only-summary",
        "--stop-timeout=30",
        "--exit-code-on-error=0",
    ]
    env = dict(
        os.environ,
        LOAD_ODOO_URL=f"http://127.0.0.1:{ports['odoo']}",
        LOAD_ADDON_URL=f"http://127.0.0.1:{ports['addon']}",
        LOAD_SCENARIO_DIR=out,
        LOAD_SEED=str(args.seed),
    )
    wsot.log(f"locust: {args.users} users for {args.duration}")
    result = subprocess.run(
        command, env=env, check=False, capture_output=True, text=True, cwd=out
    )
    with open(os.path.join(out, "locust.out"), "w", encoding="utf-8") as log:
        log.write(result.stdout + result.stderr)
    if result.returncode:
        sys.stderr.write(result.stderr[-4000:])
    return result.returncode


RECORD = re.compile(r"^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ )", re.M)


# Odoo's request log line of an order's page (Odoo's own, or the addon's tracking
# page): its query time and other server time, in seconds.
ORDER_PAGE = re.compile(
    r'"GET /my/orders/\d+(?:/tracking)?(?:\?\S*)? HTTP/1\.\d" 200 - '
    r"\d+ ([\d.]+) ([\d.]+)"
)


def scan_log(path):
    """Errors and serialization failures in a server's log."""
    with open(path, encoding="utf-8", errors="replace") as log:
        text = log.read()
    return {
        "errors": len(
            [
                record
                for record in RECORD.split(text)
                if re.match(r"\S+ \S+ \d+ (?:ERROR|CRITICAL) ", record)
                # The query of a serialization failure, logged before Odoo's retry.
                and not ("odoo.sql_db: bad query" in record and "serialize" in record)
            ]
        ),
        # Odoo's retries of a request after a concurrency error (absorbed), and the
        # requests that ran out of tries (their error reached the customer).
        "serialization_retries": len(re.findall(r"tries left, try again", text)),
        "serialization_failures": len(
            re.findall(r"maximum number of tries reached", text)
        ),
        "order_pages": [
            (float(query_time) + float(other)) * 1000
            for query_time, other in ORDER_PAGE.findall(text)
        ],
        "log": path,
    }


if __name__ == "__main__":
    main(parse_args())
