# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test venv services bench bench-import bench-live assets messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

venv: $(VENV)/.installed

## Set up and serve the app on embedded defaults (SQLite, tasks in-process, email to the console).
run: venv
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_upr_reference
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

services:
	bash scripts/test-services.sh

## Rebuild the live editor's bundle (static/editor/, committed) from frontend/ with npm and esbuild.
## `make run` never needs Node: the bundle is in the repository; the suite checks it is this build.
assets:
	cd frontend && npm ci --no-audit --no-fund && npm run build

## Run the whole test suite against real PostgreSQL, Redis and Chromium (started or installed when missing),
## after the linter, the formatter's check, the apps' layers (.importlinter) and the type checker.
test: venv services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy .
	DJANGO_SETTINGS_MODULE=hub.settings.dev DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=hub.settings.dev DATABASE_URL=sqlite:///:memory: $(PY) manage.py compile_translations
	$(PY) -m pytest

## The load benchmark (see benchmarks/README.md).
bench: venv services
	$(PY) benchmarks/run.py

## How long importing recommendations takes (OHCHR Word file, UPR Info's 41,066 rows).
bench-import: venv services
	$(PY) benchmarks/import_recommendations.py

## The live editor's benchmarks (see benchmarks/README.md, "Live editor").
bench-live: venv services
	$(PY) benchmarks/live_relay.py
	$(PY) benchmarks/live_memory.py
	$(PY) benchmarks/live_open.py
	$(PY) benchmarks/live_page.py --compare-wsgi

## After adding or changing a user-facing string: gather every msgid into locale/fr and locale/es (needs
## GNU gettext; upr/management/commands/makemessages.py has the options), then translate the new entries; `make test` fails, naming each, until done.
messages: venv
	DJANGO_SETTINGS_MODULE=hub.settings.dev DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemessages

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
