# website_sale_order_tracking: set-up, demo server, tests and lint.
# ODOO_SRC: the Odoo 18.0 source tree (default ~/.cache/odoo/18.0, downloaded when missing).
ODOO_SRC ?= $(HOME)/.cache/odoo/18.0
export ODOO_SRC
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-odoo bench lint odoo-src venv clean

odoo-src:
	@$(PYTHON) tools/wsot.py odoo-src

$(STAMP): requirements-dev.txt tools/odoo_requirements.py | odoo-src
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip wheel
	$(PYTHON) tools/odoo_requirements.py $(ODOO_SRC)/requirements.txt > $(VENV)/odoo-requirements.txt
	$(VPY) -m pip install --quiet -r $(VENV)/odoo-requirements.txt -r requirements-dev.txt
	touch $(STAMP)

venv: odoo-src $(STAMP)

run: venv
	$(VPY) tools/wsot.py run

# OCA's checks (.pre-commit-config.yaml): ruff, pylint-odoo, oca-odoo-pre-commit-hooks,
# pre-commit-hooks, readme/ against README.rst. The first run builds the environment
# of oca-odoo-pre-commit-hooks from PyPI (~/.cache/pre-commit); later runs are offline.
lint: venv
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

test: lint
	$(VPY) tools/wsot.py test

# Odoo's own website_sale, sale_stock and stock_delivery tests, with the addon installed.
test-odoo: venv
	$(VPY) tools/wsot.py odoo-tests

# Speed of the cart reminder cron against Odoo's own pass (not a test; see bench/).
bench: venv
	$(VPY) bench/bench_cart_reminders.py

clean:
	rm -rf $(VENV)
