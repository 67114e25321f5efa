"""The system packages that the Makefile's goals need, checked before any long step.

    python3 tools/wsot.py system-check GOAL...

Standard library only: the Makefile runs it before ``.venv`` exists. What is needed:

- ``chromium``: the browser tours of ``make test`` and ``make test-odoo`` (Odoo looks
  for google-chrome, chromium, chromium-browser or google-chrome-stable in PATH);
- ``wkhtmltopdf``: the PDFs of ``make run``'s demo, whose invoices are emailed with
  their PDF (the tests do not need it: Odoo's test mode renders reports as HTML);
- while ``.venv`` is to be made or updated: ``python3.X-venv`` (``python3 -m venv``;
  Debian and Ubuntu ship ``ensurepip`` apart from Python), and what builds psycopg2
  as Odoo pins it (``tools/odoo_requirements.py``): ``libpq-dev`` (``pg_config``),
  ``gcc`` and the Python headers (``python3-dev``).

A missing package is installed with apt-get when the user is root and apt-get exists,
saying what and why; otherwise the check stops at once, with the command to run.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass

# What Odoo's browser tours run (odoo.tests.common._find_executable).
BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")
# The goals that build .venv first.
VENV_GOALS = {"venv", "run", "test", "test-odoo", "lint", "bench", "load", "load-smoke"}


@dataclass(frozen=True)
class Need:
    package: str
    why: str
    programs: tuple = ()  # any one of them in PATH will do
    module: str = ""  # a module the running Python must find
    header: str = ""  # a header of the running Python's include folder

    def present(self, path=None):
        if self.header:
            include = sysconfig.get_paths()["include"]
            return os.path.exists(os.path.join(include, self.header))
        if self.module:
            importlib.invalidate_caches()
            return importlib.util.find_spec(self.module) is not None
        return any(shutil.which(program, path=path) for program in self.programs)


CHROMIUM = Need("chromium", "the browser tours of the tests", programs=BROWSERS)
WKHTMLTOPDF = Need(
    "wkhtmltopdf",
    "the PDFs of the demo's orders and invoices (emailed with the invoice)",
    programs=("wkhtmltopdf",),
)
VENV = Need(
    f"python3.{sys.version_info.minor}-venv",
    "python3 -m venv, to create .venv",
    module="ensurepip",
)
# psycopg2 is built from source (Odoo's setup.py requires the distribution).
BUILD = [
    Need("libpq-dev", "psycopg2's build (pg_config)", programs=("pg_config",)),
    Need("gcc", "psycopg2's build (a C compiler)", programs=("gcc", "cc")),
    Need("python3-dev", "psycopg2's build (Python.h)", header="Python.h"),
]
GOAL_NEEDS = {
    "test": [CHROMIUM],
    "test-odoo": [CHROMIUM],
    "run": [WKHTMLTOPDF],
    # The load test's checkouts render order and invoice PDFs (make test ends with
    # make load-smoke, which checks for it then).
    "load": [WKHTMLTOPDF],
    "load-smoke": [WKHTMLTOPDF],
}


def needs(goals, venv_ready):
    """The packages that ``goals`` need, in the order they are named."""
    found = []
    if not venv_ready and VENV_GOALS.intersection(goals):
        found.extend([VENV, *BUILD])
    for goal in goals:
        found.extend(need for need in GOAL_NEEDS.get(goal, []) if need not in found)
    return found


def say(message, stream=None):
    print(f"[wsot] {message}", file=stream or sys.stdout, flush=True)


def install_command(packages):
    return f"sudo apt-get install -y {' '.join(packages)}"


def ensure(goals, venv_ready=True, path=None, is_root=None):
    """Return 0 when everything ``goals`` need is there (or installed: silent when
    nothing is missing), 1 with the command to run otherwise. ``path`` replaces PATH
    and ``is_root`` the user's id, for the tests."""
    missing = [need for need in needs(goals, venv_ready) if not need.present(path)]
    if not missing:
        return 0
    if is_root is None:
        is_root = os.geteuid() == 0
    apt_get = shutil.which("apt-get", path=path)
    if is_root and apt_get:
        missing = apt_install(apt_get, missing, path)
        if not missing:
            return 0
    say("missing system packages, needed by make " + " ".join(goals), sys.stderr)
    for need in missing:
        say(f"  {need.package}: {need.why}", sys.stderr)
    packages = [need.package for need in missing]
    if apt_get:
        say("Install them, then run the same command again:", sys.stderr)
        print(f"    {install_command(packages)}", file=sys.stderr, flush=True)
    else:
        say(
            "Install them with the system's package manager (no apt-get here), "
            "then run the same command again.",
            sys.stderr,
        )
    return 1


def apt_install(apt_get, missing, path):
    """Install ``missing`` with apt-get; return the needs still missing after it."""
    packages = [need.package for need in missing]
    say(f"Installing system packages with apt-get: {' '.join(packages)}")
    for need in missing:
        say(f"  {need.package}: {need.why}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if path is not None:
        env["PATH"] = path
    for args in (
        ["update", "-qq"],
        ["install", "-y", "-qq", "--no-install-recommends", *packages],
    ):
        status = subprocess.run([apt_get, *args], env=env, check=False).returncode
        if status:
            say(f"apt-get {args[0]} exited with {status}", sys.stderr)
            return missing
    return [need for need in missing if not need.present(path)]
