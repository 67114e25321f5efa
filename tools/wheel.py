#!/usr/bin/env python3
"""The addon's wheel, built with OCA's whool, and the proof that it installs.

    .venv/bin/python tools/wheel.py build   dist/odoo_addon_<module>-<version>-….whl
    .venv/bin/python tools/wheel.py check   the wheel installed into a scratch
                                            virtualenv, the addon installed from it
                                            into a new database

whool (``pyproject.toml``) packs the files under git control into the
``odoo/addons/<folder name>`` namespace, its version is the manifest's plus the count
of commits since that version was set, and its requirements come from the manifest
(``odoo==18.0.*`` for Odoo's own modules, ``odoo-addon-<name>`` for others, the
Python ``external_dependencies``). The checkout's folder may have any name (a
worktree, CI's clone), so the wheel is built in a clone named after the addon, with
the working tree's changes carried over, and without the repository's own tooling
(``REPOSITORY_ONLY``): as an OCA wheel holds the addon's folder, not its repository.

``check`` installs the wheel with pip into a new virtualenv whose only other packages
are the project's ``.venv`` (Odoo, installed from ODOO_SRC, and its requirements),
layered below it as ``--system-site-packages`` layers the system's; then it runs
ODOO_SRC's ``odoo-bin`` with that virtualenv's Python and an addons path of Odoo's
own modules only, ``-i`` the addon in a new database, and checks that the module
Odoo loaded is the one in the virtualenv's ``site-packages``.
"""

import argparse
import ast
import email.parser
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile

import wsot

MODULE = wsot.MODULE
ROOT = wsot.ROOT
ODOO_SRC = wsot.ODOO_SRC
DIST = os.path.join(ROOT, "dist")
WHEEL_DB = os.environ.get("WSOT_WHEEL_DB", "wsot_wheel_check")
# The repository's own tooling, not part of the addon (an OCA addon's folder holds
# none of it; its repository's root does).
REPOSITORY_ONLY = [
    ".ci",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".pylintrc",
    "Makefile",
    "bench",
    "requirements-dev.txt",
    "ruff.toml",
    "tools",
]
WHEEL_NAME = re.compile(
    rf"^odoo_addon_{MODULE}-18\.0\.\d+\.\d+\.\d+(\.\d+)*-py3-none-any\.whl$"
)
NAMESPACE = f"odoo/addons/{MODULE}/"


def log(message):
    wsot.log(message)


def git(*args, cwd=ROOT, stdin=None):
    result = subprocess.run(
        ["git", *args],  # noqa: S607
        cwd=cwd,
        input=stdin,
        capture_output=True,
        check=False,
    )
    if result.returncode:
        wsot.fail(f"git {' '.join(args)} failed: {result.stderr.decode().strip()}")
    return result.stdout


def stage(tmp):
    """A clone of the checkout named after the addon, at the working tree's state of
    the files under git control, the repository's tooling no longer tracked."""
    dest = os.path.join(tmp, MODULE)
    git("clone", "--quiet", "--shared", "--no-checkout", ROOT, dest)
    head = git("rev-parse", "HEAD").decode().strip()
    git("checkout", "--quiet", "--detach", head, cwd=dest)
    staged = git("diff", "--cached", "--binary")
    if staged:
        git("apply", "--index", "-", cwd=dest, stdin=staged)
    unstaged = git("diff", "--binary")
    if unstaged:
        git("apply", "-", cwd=dest, stdin=unstaged)
    git(
        "rm",
        "-r",
        "--cached",
        "--force",
        "--quiet",
        "--ignore-unmatch",
        "--",
        *REPOSITORY_ONLY,
        cwd=dest,
    )
    # The build's configuration as it is in the checkout (whool leaves it out of the
    # wheel), even before it is committed.
    shutil.copy(os.path.join(ROOT, "pyproject.toml"), dest)
    return dest


def build():
    """Build the wheel into dist/ (older wheels of the addon removed) and return
    its path."""
    os.makedirs(DIST, exist_ok=True)
    for name in os.listdir(DIST):
        if name.startswith(f"odoo_addon_{MODULE}-") and name.endswith(".whl"):
            os.unlink(os.path.join(DIST, name))
    with tempfile.TemporaryDirectory(prefix="wsot-wheel-") as tmp:
        source = stage(tmp)
        # whool from .venv (requirements-dev.txt), not fetched for each build.
        command = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            DIST,
            source,
        ]
        subprocess.run(command, check=True)
    wheels = [name for name in os.listdir(DIST) if name.endswith(".whl")]
    wheel = os.path.join(DIST, next(n for n in wheels if n.startswith("odoo_addon_")))
    log(f"Built {os.path.relpath(wheel, ROOT)}")
    return wheel


# --- What the wheel must hold ----------------------------------------------------


def manifest():
    with open(os.path.join(ROOT, "__manifest__.py"), encoding="utf-8") as source:
        return ast.literal_eval(source.read())


def expected_requirements():
    """Odoo for Odoo's own modules, an ``odoo-addon-*`` for any other module, and
    the manifest's Python dependencies."""
    core = os.path.join(ODOO_SRC, "odoo", "addons")
    data = manifest()
    requirements = {"odoo==18.0.*"}
    for module in data.get("depends", []):
        if not os.path.isdir(os.path.join(core, module)):
            requirements.add(f"odoo-addon-{module}==18.0.*")
    requirements.update(data.get("external_dependencies", {}).get("python", []))
    return sorted(requirements)


def expected_files():
    tracked = git("ls-files", "-z").decode().split("\0")
    return sorted(
        path
        for path in tracked
        if path
        and path != "pyproject.toml"
        and path.split("/")[0] not in REPOSITORY_ONLY
        and os.path.exists(os.path.join(ROOT, path))
    )


def inspect(wheel):
    """The wheel's name, requirements and files, as whool and OCA make them."""
    errors = []
    name = os.path.basename(wheel)
    if not WHEEL_NAME.match(name):
        errors.append(f"wheel name {name} is not odoo_addon_{MODULE}-18.0.x.y.z[.n]")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_path = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.HeaderParser().parsestr(
            archive.read(metadata_path).decode()
        )
    requires = sorted(metadata.get_all("Requires-Dist") or [])
    if requires != expected_requirements():
        errors.append(f"Requires-Dist {requires}, expected {expected_requirements()}")
    outside = [
        n for n in names if not n.startswith(NAMESPACE) and ".dist-info/" not in n
    ]
    if outside:
        errors.append(f"files outside {NAMESPACE}: {outside}")
    files = sorted(n[len(NAMESPACE) :] for n in names if n.startswith(NAMESPACE))
    if files != expected_files():
        missing = sorted(set(expected_files()) - set(files))
        extra = sorted(set(files) - set(expected_files()))
        errors.append(f"addon files differ: missing {missing}, not expected {extra}")
    if errors:
        wsot.fail("the wheel is wrong:\n  " + "\n  ".join(errors))
    log(f"{name}: {len(files)} files in {NAMESPACE}")
    log(f"Name: {metadata['Name']}, Version: {metadata['Version']}")
    for requirement in requires:
        log(f"Requires-Dist: {requirement}")
    return metadata


# --- The wheel installed, and the addon from it ----------------------------------


def scratch_venv(path):
    """A new virtualenv with the project's .venv (Odoo and its requirements) layered
    below its own site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", path], check=True)
    python = os.path.join(path, "bin", "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    base = sysconfig.get_paths()["purelib"]
    layer = os.path.join(purelib, "wsot_odoo_venv.pth")
    with open(layer, "w", encoding="utf-8") as pth:
        pth.write(f"import site; site.addsitedir({base!r})\n")
    return python, purelib


def pip(python, *args):
    result = subprocess.run(
        [python, "-m", "pip", *args], capture_output=True, text=True, check=False
    )
    lines = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "is ignored: it is neither a file nor a directory" not in line
    ]
    if result.returncode:
        wsot.fail(f"pip {' '.join(args)} failed:\n" + "\n".join(lines))
    return lines


def write_config(settings, path):
    """Odoo's own modules only on the addons path: not the checkout."""
    lines = [
        "[options]",
        f"addons_path = {os.path.join(ODOO_SRC, 'odoo', 'addons')}",
        f"data_dir = {wsot.data_dir(settings)}",
        f"db_host = {settings.get('host', 'False')}",
        f"db_port = {settings.get('port', 'False')}",
        f"db_user = {settings.get('user', 'False')}",
        f"db_password = {settings.get('password', 'False')}",
        "list_db = False",
        "max_cron_threads = 0",
    ]
    with open(path, "w", encoding="utf-8") as config:
        config.write("\n".join(lines) + "\n")
    return path


# Run by ``odoo-bin shell`` in the new database: where the module came from.
PROBE = f"""
import json, os
import odoo
from odoo.modules.module import get_module_path
mod = env["ir.module.module"].search([("name", "=", "{MODULE}")])
print("WSOT-PROBE " + json.dumps({{
    "state": mod.state,
    "version": mod.latest_version,
    "path": os.path.realpath(get_module_path("{MODULE}")),
    "file": os.path.realpath(odoo.addons.{MODULE}.__file__),
    "addons_path": [os.path.realpath(p) for p in odoo.addons.__path__],
    "installed": env["ir.module.module"].search_count([("state", "=", "installed")]),
}}))
"""


def probe(python, config, cwd):
    command = [
        python,
        os.path.join(ODOO_SRC, "odoo-bin"),
        "shell",
        "-c",
        config,
        "-d",
        WHEEL_DB,
        "--log-level=warn",
    ]
    result = subprocess.run(
        command, input=PROBE, capture_output=True, text=True, cwd=cwd, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith("WSOT-PROBE "):
            return json.loads(line[len("WSOT-PROBE ") :])
    wsot.fail(f"odoo-bin shell gave no answer:\n{result.stdout}\n{result.stderr}")
    return None


def command_build(_args):
    inspect(build())


def command_check(_args):
    start = time.monotonic()
    wsot.ensure_odoo_src()
    wheel = build()
    metadata = inspect(wheel)
    with tempfile.TemporaryDirectory(prefix="wsot-wheel-check-") as tmp:
        python, purelib = scratch_venv(os.path.join(tmp, "venv"))
        log(f"pip install {os.path.basename(wheel)} into a scratch virtualenv")
        for line in pip(python, "install", "--quiet", wheel):
            log(f"pip: {line}")
        for line in pip(python, "list", "--path", purelib, "--format=freeze"):
            log(f"in the scratch virtualenv's own site-packages: {line}")
        for line in pip(python, "check"):
            log(f"pip check: {line}")
        installed = os.path.join(purelib, "odoo", "addons", MODULE)
        if not os.path.isfile(os.path.join(installed, "__manifest__.py")):
            wsot.fail(f"pip did not install the addon at {installed}")
        with wsot.postgres() as settings:
            config = write_config(settings, os.path.join(tmp, "odoo.conf"))
            wsot.drop_db(settings, WHEEL_DB)
            log(
                f"odoo-bin -d {WHEEL_DB} -i {MODULE} (a new database; addons path: "
                "Odoo's own modules; the addon from the wheel)"
            )
            install_start = time.monotonic()
            command = [
                python,
                os.path.join(ODOO_SRC, "odoo-bin"),
                "-c",
                config,
                "-d",
                WHEEL_DB,
                "-i",
                MODULE,
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
            ]
            if subprocess.run(command, cwd=tmp, check=False).returncode:
                wsot.fail(f"installing {MODULE} from the wheel failed")
            install_seconds = time.monotonic() - install_start
            found = probe(python, config, tmp)
    errors = []
    if found["state"] != "installed":
        errors.append(f"module state {found['state']}")
    for key in ("path", "file"):
        if not found[key].startswith(os.path.realpath(installed)):
            errors.append(f"module {key} {found[key]} is not the wheel's {installed}")
    if any(p == os.path.realpath(ROOT) for p in found["addons_path"]):
        errors.append("the checkout is on odoo.addons.__path__")
    if errors:
        wsot.fail("the addon did not come from the wheel: " + "; ".join(errors))
    log(
        f"{MODULE} {found['version']} installed from the wheel "
        f"({metadata['Version']}) in {WHEEL_DB}: {found['installed']} modules "
        f"installed, loaded from <scratch venv>/{os.path.relpath(found['path'], tmp)}"
        f" (odoo-bin -i: {install_seconds:.0f} s, "
        f"whole check: {time.monotonic() - start:.0f} s)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build").set_defaults(func=command_build)
    commands.add_parser("check").set_defaults(func=command_check)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
