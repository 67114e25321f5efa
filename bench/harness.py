"""What the benchmarks share: the scratch databases and their Odoo configuration,
the child processes (one Odoo registry each) that measure, and the printed tables.

A benchmark script (``bench/bench_*.py``) runs twice: as the parent, which makes
the databases (``databases``) and starts itself again with ``--child`` for each
measure (``run_child``), and as such a child, which opens the registry
(``open_env``), measures, and prints its figures as one JSON line, which the
parent reads back and prints (``print_figures``, ``print_comparison``).
"""

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys

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


@contextlib.contextmanager
def databases(name, http_port):
    """The PostgreSQL server (or the embedded one) and an Odoo configuration file
    for the benchmark ``name``: ``(settings, config)``."""
    wsot.ensure_odoo_src()
    with wsot.postgres() as settings:
        yield settings, wsot.write_config(settings, name, http_port)


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
    ``options`` as its other options; return the JSON of its last output line."""
    command = [
        sys.executable,
        os.path.abspath(script),
        "--child" if child is True else f"--child={child}",
        f"--config={config}",
        f"--db={db}",
        *(f"--{key.replace('_', '-')}={value}" for key, value in options.items()),
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        wsot.fail(f"bench child {child} exited with {result.returncode}")
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


def rss_mb():
    """The peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_figures(title, figures, rows, width=34):
    """Print ``title`` then one line a ``(label, key, format)`` of ``rows``."""
    print(f"\n{title}")
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
