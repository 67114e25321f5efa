# website_sale_order_tracking: set-up, demo server, tests and lint.
# ODOO_SRC: the Odoo 18.0 source tree (default ~/.cache/odoo/18.0, downloaded when missing).
ODOO_SRC ?= $(HOME)/.cache/odoo/18.0
export ODOO_SRC
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Odoo installed into the virtualenv (editable, from ODOO_SRC), so that odoo-addon-*
# wheels (this addon's, OCA's) find their `odoo` requirement; one stamp per source tree.
ODOO_STAMP := $(VENV)/.odoo-editable$(subst /,_,$(abspath $(ODOO_SRC)))

.PHONY: run test test-odoo bench load load-smoke lint system-check odoo-src venv wheel wheel-check clean

# First of all, the system packages the goals asked for need (Chromium for the tests'
# browser tours, wkhtmltopdf for the demo's PDFs, python3-venv while .venv is to be
# made): installed with apt-get when root, otherwise a stop with the command to run.
# Standard library only; every goal below but clean goes through it.
system-check:
	@$(PYTHON) tools/wsot.py system-check $(MAKECMDGOALS)

odoo-src: system-check
	@$(PYTHON) tools/wsot.py odoo-src

# psycopg2 as Odoo requires it (built: libpq-dev) replaces the psycopg2-binary (same
# files) of older venvs: Odoo's setup.py requires the distribution psycopg2.
$(STAMP): requirements-dev.txt tools/odoo_requirements.py | odoo-src
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip wheel
	$(PYTHON) tools/odoo_requirements.py $(ODOO_SRC)/requirements.txt > $(VENV)/odoo-requirements.txt
	$(VPY) -m pip uninstall --yes --quiet psycopg2-binary
	$(VPY) -m pip install --quiet -r $(VENV)/odoo-requirements.txt -r requirements-dev.txt
	touch $(STAMP)

$(ODOO_STAMP): $(STAMP) | odoo-src
	@# compat: a .pth that puts ODOO_SRC on sys.path, as Odoo's own later build backend
	@# does; setuptools' default finder loses `odoo` to the odoo/addons/ of addon wheels.
	$(VPY) -m pip install --quiet --no-deps --editable $(ODOO_SRC) \
		--config-settings editable_mode=compat > $(VENV)/odoo-editable.log 2>&1 \
		|| { cat $(VENV)/odoo-editable.log; false; }
	rm -f $(VENV)/.odoo-editable*
	touch $(ODOO_STAMP)

venv: system-check odoo-src $(STAMP) $(ODOO_STAMP)

run: venv
	$(VPY) tools/wsot.py run

# OCA's checks (.pre-commit-config.yaml): ruff, pylint-odoo, oca-odoo-pre-commit-hooks,
# pre-commit-hooks, readme/ against README.rst. The first run builds the environment
# of oca-odoo-pre-commit-hooks from PyPI (~/.cache/pre-commit); later runs are offline.
lint: venv
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

test: system-check lint wheel-check
	$(VPY) tools/wsot.py test
	$(MAKE) load-smoke

# The addon's wheel (OCA's whool) in dist/.
wheel: venv
	$(VPY) tools/wheel.py build

# The wheel installed into a scratch virtualenv beside Odoo, then the addon installed
# from it (not from the checkout) into a new database.
wheel-check: venv
	$(VPY) tools/wheel.py check

# Odoo's own website_sale, sale_stock and stock_delivery tests, with the addon installed.
test-odoo: venv
	$(VPY) tools/wsot.py odoo-tests

# Speed of the cart reminder cron against Odoo's own pass (not a test; see bench/).
bench: venv
	$(VPY) bench/bench_cart_reminders.py

# Load test on Odoo's prefork server, the shop with the addon against Odoo's own (see
# bench/load/run_load.py; minutes). locust needs newer gevent, greenlet, Werkzeug and
# requests than Odoo 18 pins: it has a virtualenv of its own, bench/load/.venv.
LOAD_VENV := bench/load/.venv
LOCUST_VERSION := 2.47.0
$(LOAD_VENV)/.installed-$(LOCUST_VERSION):
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet locust==$(LOCUST_VERSION)
	touch $@

load: venv $(LOAD_VENV)/.installed-$(LOCUST_VERSION)
	$(VPY) bench/load/run_load.py $(LOAD_ARGS)

# Its short version, a step of `make test`: a small shop, a few users for 30 s;
# fails on a server error, an unfair round-robin, an invoice or email twice.
load-smoke: venv $(LOAD_VENV)/.installed-$(LOCUST_VERSION)
	$(VPY) bench/load/run_load.py --smoke

clean:
	rm -rf $(VENV) $(LOAD_VENV)
