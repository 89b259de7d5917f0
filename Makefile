# Talento — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: run test install translations chromium lint bench clean

## Create .venv and install the pinned dependency set (re-run when the pins change).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) translations

## Compile the message catalogues (.po → .mo).
translations: $(STAMP)
	@$(VENV)/bin/pybabel compile -d talento/translations -D messages >/dev/null

## Debian's Chromium for the browser tests (never `playwright install`: no download here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installation de Chromium (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

## Serve on http://127.0.0.1:5004 (writes .env with fresh secrets on the first run).
run: install
	@test -f .env || $(VENV)/bin/talento init-env
	$(VENV)/bin/talento init-db
	$(VENV)/bin/flask --app talento run --host 127.0.0.1 --port 5004

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## Everything: lint, unit, functional, PostgreSQL, browser, alembic check (in tests/test_migrations.py).
test: install chromium lint
	$(PY) -m pytest -q

bench: install
	$(PY) -m talento.ops.bench
	$(PY) -m talento.ops.bench_directory
	$(PY) -m talento.ops.bench_exports

clean:
	rm -rf $(VENV) talento.egg-info .pytest_cache .ruff_cache
