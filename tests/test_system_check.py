# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The checks that ``make`` runs before its long steps (tools/system_check.py and
tools/wsot.py): the system packages, and the test modules Odoo's runner sees.

The tools are scripts, not a package: they are loaded from their files. The
machine's packages are left as they are: a PATH of stand-ins plays the machine,
and a stand-in apt-get plays Debian's."""

import contextlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

ROOT = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    # The name wsot.py imports it by (and that its dataclasses are looked up by).
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


system_check = _load("system_check")
wsot = _load("wsot")

# An apt-get that notes its arguments and DEBIAN_FRONTEND, and "installs" a package
# by putting a program of its name beside itself (or fails, when told to).
FAKE_APT_GET = """#!{python}
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "apt.log"), "a") as log:
    frontend = os.environ.get("DEBIAN_FRONTEND", "")
    log.write(frontend + " " + " ".join(sys.argv[1:]) + "\\n")
if sys.argv[1] == "install":
    if os.environ.get("FAKE_APT_FAILS"):
        sys.exit(100)
    for package in sys.argv[2:]:
        if not package.startswith("-"):
            program = os.path.join(here, package)
            with open(program, "w") as stub:
                stub.write("#!/bin/sh\\n")
            os.chmod(program, 0o755)
"""


@tagged("post_install", "-at_install")
class TestSystemCheck(BaseCase):
    def setUp(self):
        super().setUp()
        self.bin = tempfile.mkdtemp(prefix="wsot-bin-")
        self.addCleanup(shutil.rmtree, self.bin)
        # Readable by the user the non-root run is made as.
        os.chmod(self.bin, 0o755)  # noqa: S103

    def _program(self, name, text="#!/bin/sh\n"):
        path = os.path.join(self.bin, name)
        with open(path, "w", encoding="utf-8") as program:
            program.write(text)
        os.chmod(path, 0o755)  # noqa: S103 - a program, run by any user

    def _fake_apt_get(self):
        self._program("apt-get", FAKE_APT_GET.format(python=sys.executable))

    def _apt_log(self):
        path = os.path.join(self.bin, "apt.log")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as log:
            return log.read().splitlines()

    def _ensure(self, goals, is_root):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = system_check.ensure(goals, path=self.bin, is_root=is_root)
        return status, out.getvalue(), err.getvalue()

    def _wsot(self, *args, as_non_root=False):
        """tools/wsot.py with this PATH, as make runs it; ``as_non_root``: as the
        user nobody when the tests run as root."""
        user, python = None, sys.executable
        if as_non_root and os.geteuid() == 0:
            # nobody may not read root's Python: the system's, as on a new machine.
            user, python = "nobody", "/usr/bin/python3"
        started = time.monotonic()
        result = subprocess.run(
            [python, str(ROOT / "tools" / "wsot.py"), *args],
            env={"PATH": self.bin, "LANG": "C.UTF-8"},
            cwd="/",
            user=user,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return result, time.monotonic() - started

    def test_everything_present_passes_silently(self):
        self._program("chromium")
        self._program("wkhtmltopdf")
        self._fake_apt_get()
        self.assertEqual(self._ensure(["test", "run"], is_root=True), (0, "", ""))
        self.assertEqual(self._ensure(["test", "run"], is_root=False), (0, "", ""))
        self.assertEqual(self._apt_log(), [], "nothing to install")
        result, _seconds = self._wsot("system-check", "test", "test-odoo", "run")
        self.assertEqual((result.returncode, result.stdout, result.stderr), (0, "", ""))

    def test_any_browser_odoo_runs_will_do(self):
        self._program("google-chrome")
        self.assertEqual(self._ensure(["test"], is_root=False), (0, "", ""))

    def test_non_root_stops_at_once_with_the_command(self):
        self._fake_apt_get()
        result, seconds = self._wsot("system-check", "test", "run", as_non_root=True)
        self.assertEqual(result.returncode, 1)
        self.assertLess(seconds, 10)
        self.assertEqual(result.stdout, "")
        self.assertIn("chromium: the browser tours of the tests", result.stderr)
        self.assertIn("wkhtmltopdf: the PDFs of the demo", result.stderr)
        self.assertIn(
            "    sudo apt-get install -y chromium wkhtmltopdf\n", result.stderr
        )
        self.assertNotIn("Installing", result.stderr)
        self.assertEqual(self._apt_log(), [], "apt-get is left to the user")

    def test_commands_check_only_what_they_need(self):
        self._fake_apt_get()
        self._program("wkhtmltopdf")
        result, _seconds = self._wsot("system-check", "run", as_non_root=True)
        self.assertEqual((result.returncode, result.stderr), (0, ""))
        status, _out, err = self._ensure(["test-odoo"], is_root=False)
        self.assertEqual(status, 1)
        self.assertIn("sudo apt-get install -y chromium\n", err)

    def test_root_installs_with_apt_get_saying_what_and_why(self):
        self._fake_apt_get()
        status, out, err = self._ensure(["test", "run"], is_root=True)
        self.assertEqual((status, err), (0, ""))
        self.assertIn(
            "Installing system packages with apt-get: chromium wkhtmltopdf", out
        )
        self.assertIn("chromium: the browser tours of the tests", out)
        self.assertEqual(
            self._apt_log(),
            [
                "noninteractive update -qq",
                "noninteractive install -y -qq --no-install-recommends "
                "chromium wkhtmltopdf",
            ],
        )
        # Installed: the next run passes silently, without apt-get.
        self.assertEqual(self._ensure(["test", "run"], is_root=True), (0, "", ""))
        self.assertEqual(len(self._apt_log()), 2)

    def test_failed_install_stops_with_the_command(self):
        self._fake_apt_get()
        with patch.dict(os.environ, FAKE_APT_FAILS="1"):
            status, _out, err = self._ensure(["test"], is_root=True)
        self.assertEqual(status, 1)
        self.assertIn("apt-get install exited with 100", err)
        self.assertIn("sudo apt-get install -y chromium\n", err)

    def test_without_apt_get_names_what_to_install(self):
        status, out, err = self._ensure(["test"], is_root=True)
        self.assertEqual((status, out), (1, ""))
        self.assertIn("chromium: the browser tours of the tests", err)
        self.assertIn("system's package manager", err)

    def test_venv_module_only_while_venv_is_to_be_made(self):
        needs = system_check.needs
        venv, chromium = system_check.VENV, system_check.CHROMIUM
        build = system_check.BUILD
        self.assertEqual(needs(["test"], venv_ready=False), [venv, *build, chromium])
        self.assertEqual(needs(["test"], venv_ready=True), [chromium])
        self.assertEqual(needs(["lint"], venv_ready=False), [venv, *build])
        self.assertEqual(
            [need.package for need in build], ["libpq-dev", "gcc", "python3-dev"]
        )
        self.assertEqual(needs(["clean", "odoo-src"], venv_ready=False), [])
        self.assertEqual(
            needs(["run", "test", "test-odoo"], venv_ready=True),
            [system_check.WKHTMLTOPDF, chromium],
        )
        self.assertRegex(venv.package, r"^python3\.\d+-venv$")


@tagged("post_install", "-at_install")
class TestTestModulesImported(BaseCase):
    """Odoo's test runner (and OCA's CI) runs the modules tests/__init__.py imports;
    pytest runs every tests/test_*.py: both must see the same tests."""

    def test_every_test_module_is_imported(self):
        self.assertEqual(wsot.unimported_tests(), [])

    def test_an_unimported_module_fails_with_its_name(self):
        tests = tempfile.mkdtemp(prefix="wsot-tests-")
        self.addCleanup(shutil.rmtree, tests)
        for name in ("common", "test_a", "test_b", "test_c"):
            Path(tests, f"{name}.py").write_text("", encoding="utf-8")
        Path(tests, "__init__.py").write_text(
            "from . import common\nfrom . import test_a\n", encoding="utf-8"
        )
        self.assertEqual(wsot.unimported_tests(tests), ["test_b", "test_c"])
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as stop:
            wsot.check_tests_imported(tests)
        self.assertEqual(stop.exception.code, 1)
        self.assertIn(
            "tests/__init__.py does not import test_b, test_c", err.getvalue()
        )
        Path(tests, "__init__.py").write_text(
            "from . import test_a, test_b\nfrom . import test_c\n", encoding="utf-8"
        )
        self.assertEqual(wsot.unimported_tests(tests), [])
