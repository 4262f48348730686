# The two set-up commands of the README are `make demo` and `make test`; everything else here serves them.
.DEFAULT_GOAL := help
.PHONY: help venv requirements dev-requirements py311-requirements tutor-requirements system-deps services demo \
        demo-hub demo-reset test test-sqlite test-mysql lint-annotations lint-imports check-migrations bench upgrade clean typecheck

SHELL := /bin/bash
# Every virtualenv is one supported Open edX host (requirements/hosts/, docs/decisions/0010-supported-hosts.rst):
# .venv is the newest host (Python 3.12: demo, lints, suite on SQLite, MySQL and PostgreSQL, bench), .venv-py311 the
# previous one (Python 3.11: the suite on SQLite with the Redis round trip). .venv-tutor holds Tutor from PyPI.
PYTHON_VERSION ?= 3.12
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
NEWEST_HOST := requirements/hosts/openedx-platform-master-2026-04.constraints.txt
PREVIOUS_HOST := requirements/hosts/openedx-platform-2026-01-py311.constraints.txt
DEMO_PORT ?= 8000
# Written when dev-requirements last built $(VENV): the quick targets below need the test tools, and a fresh clone
# has no virtualenv yet; rebuilt when the pins or the test requirements change.
DEV_STAMP := $(VENV)/.dev-requirements

help: ## show the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(PY):
	scripts/make-venv "$(VENV)" "$(PYTHON_VERSION)"

venv: $(PY) ## create the virtualenv with Python 3.12

requirements: $(PY) ## install the demo/runtime requirements and this package (editable)
	$(BIN)/pip install -q -c $(NEWEST_HOST) -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .

system-deps: ## install the Debian packages the test requirements build against (mysqlclient)
	scripts/ensure-system-deps

dev-requirements: system-deps ## the newest host's virtualenv: its pins, openedx-cc installed with them, test tools
	scripts/host-venv $(VENV) 3.12 $(NEWEST_HOST) requirements/test.txt
	touch $(DEV_STAMP)

$(DEV_STAMP): $(NEWEST_HOST) requirements/test.txt setup.py
	$(MAKE) dev-requirements

py311-requirements: system-deps ## the previous host's virtualenv (.venv-py311, Python 3.11), built the same way
	scripts/host-venv .venv-py311 3.11 $(PREVIOUS_HOST) requirements/test-py311.txt

tutor-requirements: ## Tutor from PyPI and the openedx-cc Tutor plugin (tutor-contrib-openedx-cc/), in .venv-tutor
	[ -x .venv-tutor/bin/python ] || scripts/make-venv .venv-tutor 3.12
	.venv-tutor/bin/pip install -q -r requirements/tutor.txt
	.venv-tutor/bin/pip install -q --no-deps -e tutor-contrib-openedx-cc/

services: ## start MariaDB, PostgreSQL and Redis on loopback if they are down
	scripts/ensure-services

demo: requirements ## run the demo host on http://127.0.0.1:$(DEMO_PORT)/ (SQLite in .demo/, seeded on its first start)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/demo "$(DEMO_PORT)"

demo-hub: requirements ## a community hub (:8001) and a second instance (:8002) beside the demo (docs/how-to/run-a-hub.rst)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/demo-hub 8001 8002

demo-reset: ## forget the demo's state (database, admin password, secret): the next make demo seeds it afresh
	rm -rf .demo .demo-hub

test: dev-requirements py311-requirements tutor-requirements services ## every check CI runs, under each host
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/run-tests

test-sqlite: $(DEV_STAMP) ## only the suite on SQLite (quick path)
	OPENEDX_CC_TEST_DB=sqlite $(BIN)/pytest

test-mysql: $(DEV_STAMP) services ## only the suite on MySQL/MariaDB
	OPENEDX_CC_TEST_DB=mysql $(BIN)/pytest

lint-annotations: $(DEV_STAMP) ## code-annotations lint of toggles, events and PII annotations
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/lint-annotations

lint-imports: $(DEV_STAMP) ## import-linter layer contracts
	$(BIN)/lint-imports

check-migrations: $(DEV_STAMP) ## fail if the models and the migrations disagree
	$(PY) manage.py makemigrations openedx_cc --check --dry-run

bench: dev-requirements services ## run the benchmarks (SQLite and MySQL, side by side); prints ratios
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/run-bench

upgrade: ## re-compile requirements/*.txt from requirements/*.in, each against its host's pins and under its Python
	scripts/compile-requirements

clean: ## remove build output and demo state
	rm -rf build dist *.egg-info .demo .demo-hub reports .pytest_cache tutor-contrib-openedx-cc/build tutor-contrib-openedx-cc/*.egg-info

typecheck: $(DEV_STAMP) ## mypy (mypy.ini): openedx_cc at mypy's baseline, strict on lib, events and the applets' public modules
	$(BIN)/mypy --config-file mypy.ini
