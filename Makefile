# The two set-up commands of the README are `make demo` and `make test`; everything else here serves them.
.DEFAULT_GOAL := help
.PHONY: help venv requirements dev-requirements system-deps services demo demo-reset test test-sqlite test-mysql \
        quality lint-annotations lint-imports check-migrations bench upgrade clean

SHELL := /bin/bash
# Python 3.12 is what the current openedx-events/edx-toggles need (contract section 1); pyenv provides it here.
PYTHON_VERSION ?= 3.12
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_PORT ?= 8000

help: ## show the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(PY):
	scripts/make-venv "$(VENV)" "$(PYTHON_VERSION)"

venv: $(PY) ## create the virtualenv with Python 3.12

requirements: $(PY) ## install the demo/runtime requirements and this package (editable)
	$(BIN)/pip install -q -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .

system-deps: ## install the Debian packages the test requirements build against (mysqlclient)
	scripts/ensure-system-deps

dev-requirements: $(PY) system-deps ## install the test requirements and this package (editable)
	$(BIN)/pip install -q -r requirements/test.txt
	$(BIN)/pip install -q --no-deps -e .

services: ## start MariaDB and Redis on loopback if they are down
	scripts/ensure-services

demo: requirements ## run the demo host on http://127.0.0.1:$(DEMO_PORT)/ (SQLite, pilot roster, toggles on)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/demo "$(DEMO_PORT)"

test: dev-requirements services ## run every check CI runs: suite on SQLite and MySQL, lints, migrations check
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/run-tests

test-sqlite: ## only the suite on SQLite (quick path)
	OPENEDX_CC_TEST_DB=sqlite $(BIN)/pytest

test-mysql: services ## only the suite on MySQL/MariaDB
	OPENEDX_CC_TEST_DB=mysql $(BIN)/pytest

lint-annotations: ## code-annotations lint of toggles, events and PII annotations
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/lint-annotations

lint-imports: ## import-linter layer contracts
	$(BIN)/lint-imports

check-migrations: ## fail if the models and the migrations disagree
	$(PY) manage.py makemigrations openedx_cc --check --dry-run

bench: dev-requirements services ## run the benchmarks (SQLite and MySQL, side by side); prints ratios
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/run-bench

upgrade: $(PY) ## re-compile requirements/*.txt from requirements/*.in
	$(BIN)/pip install -q -r requirements/pip-tools.txt
	for f in pip-tools base test dev; do \
	  $(BIN)/pip-compile -q --allow-unsafe --rebuild --strip-extras --no-emit-index-url --no-emit-find-links \
	    --upgrade -o requirements/$$f.txt requirements/$$f.in; done

clean: ## remove build output and demo state
	rm -rf build dist *.egg-info .demo reports .pytest_cache
