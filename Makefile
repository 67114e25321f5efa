# website_sale_order_tracking: set-up, demo server, tests and lint.
# ODOO_SRC: the Odoo 18.0 source tree (default ~/.cache/odoo/18.0, downloaded when missing).
ODOO_SRC ?= $(HOME)/.cache/odoo/18.0
export ODOO_SRC
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-odoo bench lint system-check odoo-src venv clean

# First of all, the system packages the goals asked for need (Chromium for the tests'
# browser tours, wkhtmltopdf for the demo's PDFs, python3-venv while .venv is to be
# made): installed with apt-get when root, otherwise a stop with the command to run.
# Standard library only; every goal below but clean goes through it.
system-check:
	@$(PYTHON) tools/wsot.py system-check $(MAKECMDGOALS)

odoo-src: system-check
	@$(PYTHON) tools/wsot.py odoo-src

$(STAMP): requirements-dev.txt tools/odoo_requirements.py | odoo-src
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip wheel
	$(PYTHON) tools/odoo_requirements.py $(ODOO_SRC)/requirements.txt > $(VENV)/odoo-requirements.txt
	$(VPY) -m pip install --quiet -r $(VENV)/odoo-requirements.txt -r requirements-dev.txt
	touch $(STAMP)

venv: system-check odoo-src $(STAMP)

run: venv
	$(VPY) tools/wsot.py run

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pylint --rcfile=.pylintrc --load-plugins=pylint_odoo --valid-odoo-versions=18.0 .

test: system-check lint
	$(VPY) tools/wsot.py test

# Odoo's own website_sale, sale_stock and stock_delivery tests, with the addon installed.
test-odoo: venv
	$(VPY) tools/wsot.py odoo-tests

# Speed of the cart reminder cron against Odoo's own pass (not a test; see bench/).
bench: venv
	$(VPY) bench/bench_cart_reminders.py

clean:
	rm -rf $(VENV)
