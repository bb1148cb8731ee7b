# CX Culture: `make run` sets up and serves the demo; `make test` sets up and runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

# Debian packages: WeasyPrint's libraries (harfbuzz-subset makes PDFs ~5x faster) and fonts; Redis, the job queue's
# broker (`make run` and `make serve` start one under instance/; the tests start their own);
# Chromium for the browser tests and poppler-utils (pdftotext, pdfimages) to read the PDFs they make;
# PostgreSQL for `make test-postgres`.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core redis-server
TEST_DEBS := chromium poppler-utils
POSTGRES_DEBS := postgresql
# pytest-xdist: one worker per core (PYTEST_WORKERS=0 runs in one process); the browser tests share one worker.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: help run serve test test-fast test-postgres test-production lint install translations migrate demo system-deps clean extract-messages

help:
	@echo "make run            set up everything and serve the demo on http://$(HOST):$(PORT) (with a job worker)"
	@echo "make serve          the production shape on this machine: gunicorn, the job worker and the scheduler"
	@echo "make test           set up everything and run the whole test suite (browser tests included)"
	@echo "make test-fast      the edit-test loop: lint and the suite without the browser (e2e) and slow tests"
	@echo "make lint           ruff and the import contracts (part of make test)"
	@echo "make test-postgres  run the suite against a throw-away PostgreSQL server on loopback"
	@echo "make test-production  two gunicorn hosts and two job workers on PostgreSQL and Redis, tested over HTTP"
	@echo "make extract-messages  refresh the translation catalogues after changing user-facing text"

# The development server, a job worker and the scheduler, and a Redis of their own under instance/
# unless CXCULTURE_BROKER_URL names one; Ctrl-C stops them all.
run: system-deps install translations migrate demo
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh run

# gunicorn (gunicorn.conf.py), the job worker and the scheduler as separate processes; Ctrl-C stops them all.
serve: system-deps install translations migrate
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh serve

test: install translations lint
	@scripts/system-deps.sh $(RUNTIME_DEBS) $(TEST_DEBS)
	@# The content-package tests play SCORM in the npm package scorm-again (tests/modules/packages/runtime).
	@command -v npm >/dev/null || scripts/system-deps.sh npm
	$(BIN)/pytest $(PYTEST_PARALLEL)

# No Chromium, no LTI platform or LRS servers: the quick loop while editing; `make test` still runs everything.
test-fast: install translations lint
	@scripts/system-deps.sh $(RUNTIME_DEBS)
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not e2e and not slow"

# ruff (style, mistakes, import order) and import-linter (the layer contracts in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test-postgres: install translations
	@scripts/system-deps.sh $(RUNTIME_DEBS) $(TEST_DEBS) $(POSTGRES_DEBS)
	@command -v npm >/dev/null || scripts/system-deps.sh npm
	scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_PARALLEL)

# The production shape on loopback (tests/production): PostgreSQL, Redis, two gunicorn "hosts" and two Celery
# workers, each a process group of its own, and a Ralph LRS; the tests talk to them over HTTP only. Not part of
# `make test` (tests/production is collected only with CXCULTURE_PRODUCTION_TESTS=1).
test-production: install translations
	@scripts/system-deps.sh $(RUNTIME_DEBS) $(POSTGRES_DEBS)
	CXCULTURE_PRODUCTION_TESTS=1 scripts/with-postgres.sh $(BIN)/pytest tests/production -n 0 -m production

system-deps:
	@scripts/system-deps.sh $(RUNTIME_DEBS)

install: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

translations: install
	$(BIN)/pybabel compile --domain messages --directory cxculture/translations --statistics

extract-messages: install
	$(BIN)/pybabel extract --mapping babel.cfg --keywords "_l lazy_gettext lazy_ngettext:1,2" --no-location --sort-output --ignore-dirs ".* __pycache__" --project "CX Culture" --output-file cxculture/translations/messages.pot .
	$(BIN)/pybabel update --input-file cxculture/translations/messages.pot --output-dir cxculture/translations --no-fuzzy-matching --ignore-obsolete

migrate: install
	$(FLASK) db upgrade
	$(FLASK) cx freeze-results

demo: install
	$(FLASK) cx demo

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache test-artifacts
