# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The layout rules of the addon (README, Design): a file a feature of a model,
short files and short methods (that every test module is imported is checked
before the run: tools/wsot.py, tests/test_system_check.py)."""

import ast
import glob
import os

from odoo.tests import BaseCase, tagged

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE_FOLDERS = ("models", "controllers", "wizards")
MAX_FILE_LINES = 420
MAX_METHOD_LINES = 50


def _code_files():
    for folder in CODE_FOLDERS:
        yield from sorted(glob.glob(os.path.join(ROOT, folder, "*.py")))


@tagged("post_install", "-at_install")
class TestLayout(BaseCase):
    def test_files_are_short(self):
        long_files = {
            os.path.relpath(path, ROOT): lines
            for path in _code_files()
            if (lines := len(open(path, encoding="utf-8").read().splitlines()))
            > MAX_FILE_LINES
        }
        self.assertFalse(long_files, "split these files by feature")

    def test_methods_are_short(self):
        long_methods = []
        for path in _code_files():
            tree = ast.parse(open(path, encoding="utf-8").read())
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_METHOD_LINES:
                        long_methods.append(f"{path}:{node.name} ({length})")
        self.assertFalse(long_methods)
