"""What the benchmarks share: the scratch databases and their Odoo configuration,
the Odoo server some of them request, the child processes (one Odoo registry each)
that measure, the SQL copies of rows they fill databases with, the meter and the
printed tables.

A benchmark script (``bench/bench_*.py``) runs twice (``main``): as the parent,
which makes the databases (``databases``, ``addon_db``) and starts itself again
with ``--child`` for each measure (``run_child``), and as such a child, which
opens the registry (``open_env``), measures (``Meter``), and hands its figures
back as one JSON line (``child_done``), which the parent reads back and prints
(``print_figures``, ``print_comparison``).
"""

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import wsot  # noqa: E402


def argument_parser(doc, children=None):
    """The parser of a benchmark script, whose own options the script adds;
    ``--child`` (one of ``children``, or a flag without them), ``--config`` and
    ``--db`` are the parent's to its children."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(doc.split("\n")[1:]),
    )
    if children:
        parser.add_argument("--child", choices=children, help=argparse.SUPPRESS)
    else:
        parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser


def main(parse_args, parent, child):
    """The entry point of a benchmark script: ``child(args)`` when it runs with
    ``--child``, else ``parent(args)``, with the ``args`` of ``parse_args()``."""
    args = parse_args()
    (child if args.child else parent)(args)


@contextlib.contextmanager
def databases(name, http_port):
    """The PostgreSQL server (or the embedded one) and an Odoo configuration file
    for the benchmark ``name``: ``(settings, config)``."""
    wsot.ensure_odoo_src()
    with wsot.postgres() as settings:
        yield settings, wsot.write_config(settings, name, http_port)


def update_addon(config, db):
    """Update the addon in the kept database ``db`` to the checkout's code."""
    wsot.odoo_bin(
        config, "-d", db, "-u", wsot.MODULE, "--stop-after-init", "--log-level=warn"
    )


@contextlib.contextmanager
def addon_db(settings, config, db, keep=False, reuse=False):
    """The database ``db`` with the addon, dropped afterwards unless ``keep``: a
    new one, or with ``reuse`` the one a run kept, if any (the addon updated).
    Yields whether it is the kept one."""
    reused = bool(reuse) and wsot.db_exists(settings, db)
    if reused:
        update_addon(config, db)
    else:
        wsot.install_addon(settings, config, db, demo=False)
    try:
        yield reused
    finally:
        if not keep:
            wsot.drop_db(settings, db)


@contextlib.contextmanager
def odoo_server(config, db, port):
    """An Odoo server on ``db`` (no cron), once it answers on ``port``; stopped
    afterwards."""
    server = subprocess.Popen(
        [
            sys.executable,
            os.path.join(wsot.ODOO_SRC, "odoo-bin"),
            "-c",
            config,
            "-d",
            db,
            "--log-level=warn",
            "--max-cron-threads=0",
        ]
    )
    try:
        _wait_for_server(port)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for_server(port):
    for _attempt in range(240):
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/login", timeout=5
            ):
                return
        except OSError:  # not listening yet, or an error page
            time.sleep(0.5)
    wsot.fail("the server did not start")


def fresh_copy(settings, template, name):
    """A fresh copy ``name`` of the database ``template``, dropped afterwards."""
    wsot.copy_db(settings, template, name)
    return _dropped(settings, name)


@contextlib.contextmanager
def _dropped(settings, name):
    try:
        yield name
    finally:
        wsot.drop_db(settings, name)


def run_child(script, config, db, child, **options):
    """Run ``script`` again as the child ``child`` on database ``db`` (``child``
    is the value of its ``--child`` option, or True for a bare ``--child``) with
    ``options`` as its other options (True: a flag; False or None: left out);
    return the JSON of its last output line."""
    command = [
        sys.executable,
        os.path.abspath(script),
        "--child" if child is True else f"--child={child}",
        f"--config={config}",
        f"--db={db}",
    ]
    for key, value in options.items():
        option = f"--{key.replace('_', '-')}"
        if value is True:
            command.append(option)
        elif value is not False and value is not None:
            command.append(f"{option}={value}")
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        name = "" if child is True else f" {child}"
        wsot.fail(f"bench child{name} exited with {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def open_env(args):
    """In a child: the superuser's environment on ``args.db``, on a cursor of its
    own (the caller commits and closes it)."""
    sys.path.insert(0, wsot.ODOO_SRC)
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    return api.Environment(registry.cursor(), SUPERUSER_ID, {})


def child_output(figures):
    """In a child: hand ``figures`` to the parent (the last line of output)."""
    print(json.dumps(figures))


def child_done(env, figures, commit=True):
    """In a child: commit ``env``'s work (without ``commit``, drop it), close its
    cursor and hand ``figures`` to the parent."""
    if commit:
        env.cr.commit()
    else:
        env.cr.rollback()
    env.cr.close()
    child_output(figures)


def clone(cr, table, row_id, count, overrides, source=None):
    """Insert copies of row ``row_id`` of ``table``, one per ``g`` in 1..count
    (or per row of ``source``), with ``overrides`` as SQL expressions."""
    columns = table_columns(cr, table)
    values = [
        overrides[column].replace("%", "%%") if column in overrides else f't."{column}"'
        for column in columns
    ]
    names = ", ".join(f'"{column}"' for column in columns)
    source = source or f"generate_series(1, {int(count)}) AS gs(g)"
    cr.execute(
        f"INSERT INTO {table} ({names}) "  # noqa: S608 (names from the catalog)
        f"SELECT {', '.join(values)} FROM {table} t, {source} WHERE t.id = %s",
        [row_id],
    )


def table_columns(cr, table):
    """The columns of ``table`` but ``id``, in their order."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def confirmed_orders(env, partners, website, product, carrier):
    """A confirmed web order of ``website`` for each of ``partners``, of one
    ``product`` shipped by ``carrier``."""
    from odoo import Command

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
    return orders


def rss_mb():
    """The peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Meter:
    """What a step takes, measured from the meter's making: wall time, the SQL
    queries of cursor ``cr`` (if given) and the growth of the peak memory."""

    def __init__(self, cr=None):
        self.cr = cr
        self.rss_before = rss_mb()
        self.queries_before = cr.sql_log_count if cr else 0
        self.start = time.perf_counter()

    def seconds(self):
        return time.perf_counter() - self.start

    def ms(self):
        return self.seconds() * 1000

    def queries(self):
        return self.cr.sql_log_count - self.queries_before

    def rss_growth_mb(self):
        return rss_mb() - self.rss_before


def print_figures(title, figures, rows, width=34, header=None):
    """Print ``title`` (and ``header`` over the figures) then one line a
    ``(label, key, format)`` of ``rows``."""
    print(f"\n{title}")
    if header:
        print(f"{'':{width}}{header:>12}")
    for label, key, fmt in rows:
        print(f"{label:{width}}{format(figures[key], fmt):>12}")


def print_comparison(columns, results, rows, width=28, ratio=None):
    """Print a table of ``results`` (``{column: figures}``), a column each of
    ``columns`` (``(key, title)``), a line a ``(label, key, format)`` of
    ``rows``; with ``ratio`` (two column keys), a last column of their ratio."""
    header = "".join(f"{title:>14}" for _key, title in columns)
    print(f"{'':{width}}{header}{'ratio':>10}" if ratio else f"{'':{width}}{header}")
    for label, key, fmt in rows:
        line = f"{label:{width}}" + "".join(
            f"{format(results[column][key], fmt):>14}" for column, _title in columns
        )
        if ratio:
            first, second = (results[column][key] for column in ratio)
            line += f"{first / second if second else float('inf'):>9.1f}x"
        print(line)
