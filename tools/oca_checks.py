#!/usr/bin/env python3
"""OCA's ``oca-checks-odoo-module`` on this repository, whose root is the addon.

    python tools/oca_checks.py [OPTIONS] [FILES]   (run by pre-commit)

``oca-checks-odoo-module`` (PyPI ``oca-odoo-pre-commit-hooks``) looks for the
manifest of the files it is given in their folder and its parents *below* the
repository's root (the first folder holding ``.git``), as laid out in OCA's
repositories, where each addon is a folder of the repository. Here the manifest is
in the root itself, so it finds none and checks nothing, silently, with exit
status 0. This runs it on a copy of the files under git control laid out as in an
OCA repository (``<tmp>/.git``, ``<tmp>/website_sale_order_tracking/…``) and prints
its findings with this repository's paths.

The options go to the tool (with ``--fix``, what it fixes in the copy is written
back); the file names pre-commit passes are left out, since the tool checks the
whole addon whatever files changed. pre-commit runs this with
the Python of the environment it builds for ``oca-odoo-pre-commit-hooks``
(``.pre-commit-config.yaml``), where the tool is installed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import wsot

TOOL = "oca-checks-odoo-module"


def tracked_files(root):
    output = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in output.decode().split("\0") if name]


def copy_addon(root, top):
    """The files under git control of ``root``, as they are in the working tree,
    copied into ``top/<module>``; ``top`` marked as a repository's root."""
    os.mkdir(os.path.join(top, ".git"))
    addon = os.path.join(top, wsot.MODULE)
    for name in tracked_files(root):
        source = os.path.join(root, name)
        if not os.path.lexists(source):  # deleted, not yet staged
            continue
        target = os.path.join(addon, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return addon


def copy_fixes_back(addon, root):
    """What ``--fix`` changed in the copy, written into the working tree."""
    for name in tracked_files(root):
        fixed, source = os.path.join(addon, name), os.path.join(root, name)
        if os.path.islink(source) or not os.path.isfile(fixed):
            continue
        with open(fixed, "rb") as new, open(source, "rb") as old:
            if new.read() == old.read():
                continue
        shutil.copyfile(fixed, source)
        sys.stdout.write(f"Fixed {name}\n")


def main(argv):
    options = [arg for arg in argv if arg.startswith("-")]
    tool = shutil.which(TOOL, path=os.path.dirname(sys.executable)) or TOOL
    with tempfile.TemporaryDirectory(prefix="oca-checks-") as top:
        addon = copy_addon(wsot.ROOT, top)
        result = subprocess.run(
            [tool, *options, os.path.join(addon, "__manifest__.py")],
            cwd=top,
            capture_output=True,
            text=True,
            check=False,
        )
        if "--fix" in options:
            copy_fixes_back(addon, wsot.ROOT)
    for stream, text in ((sys.stdout, result.stdout), (sys.stderr, result.stderr)):
        text = text.replace(addon + os.sep, "")
        stream.write(re.sub(rf"(?m)^{wsot.MODULE}/", "", text))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
