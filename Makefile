# Talento — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx
AGE := /usr/bin/age
PDFTOPPM := /usr/bin/pdftoppm

.PHONY: run test install translations vendor chromium nginx pgclient age poppler lint bench icons clean

## Create .venv and install the pinned dependency set (re-run when the pins change).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) translations vendor

## Browser libraries from npm, vendored into talento/static/vendor/ (DESIGN: no CDN, nothing
## fetched at run time): jsQR, the attendance scanner's QR decoder. Pinned with its integrity
## hash in npm/package-lock.json; installed into build/npm (git-ignored) by `npm ci`, and only
## the distributed file and its licence are copied, when missing or when the pin changes.
VENDOR := talento/static/vendor
NPM_BUILD := build/npm
JSQR := $(VENDOR)/jsqr/jsQR.js
vendor: $(JSQR)

$(JSQR): npm/package.json npm/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installation de npm (apt-get) pour jsQR…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else \
	    echo "npm est requis pour installer jsQR : sudo apt-get install npm, puis make install."; exit 1; \
	  fi; \
	fi
	@mkdir -p $(NPM_BUILD) $(VENDOR)/jsqr
	@cp npm/package.json npm/package-lock.json $(NPM_BUILD)/
	@npm ci --prefix $(NPM_BUILD) --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
	@cp $(NPM_BUILD)/node_modules/jsqr/LICENSE $(VENDOR)/jsqr/LICENSE
	@cp $(NPM_BUILD)/node_modules/jsqr/dist/jsQR.js $@

## Compile the message catalogues (.po → .mo), only those that changed: the operator guide's
## test runs `make install` while other test workers read the catalogues.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard talento/translations/*/LC_MESSAGES/messages.po))
translations: $(MO_FILES)

talento/translations/%/LC_MESSAGES/messages.mo: talento/translations/%/LC_MESSAGES/messages.po | $(STAMP)
	@$(VENV)/bin/pybabel compile -i $< -o $@ -l $* >/dev/null

## Debian's Chromium for the browser tests (never `playwright install`: no download here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installation de Chromium (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

## pg_dump / pg_restore for `talento backup` and `restore` on PostgreSQL (tests/ops/test_backup.py).
pgclient:
	@if ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then \
	  echo "Installation du client PostgreSQL (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; \
	fi

## Debian's age, which opens encrypted backups without Talento (tests/ops/test_backup.py).
age:
	@if [ ! -x $(AGE) ]; then \
	  echo "Installation de age (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq age >/dev/null; \
	fi

## Debian's pdftoppm (poppler-utils), which renders the badge PDFs as a printer would so the
## tests read their QR codes back (tests/projects/test_badges_pdf.py).
poppler:
	@if [ ! -x $(PDFTOPPM) ]; then \
	  echo "Installation de poppler-utils (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	fi

## nginx, for `nginx -t` on deploy/nginx.conf (tests/deploy). Never fails the build, and never
## leaves a daemon on port 80: policy-rc.d forbids the start during the install, and the unit is
## not enabled at boot.
nginx:
	@if [ ! -x $(NGINX) ]; then \
	  if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	    echo "nginx absent (ni root ni apt-get) : le test nginx -t de deploy/nginx.conf sera ignoré."; \
	  else \
	    pkg=; for candidate in nginx-light nginx; do \
	      if apt-cache policy $$candidate 2>/dev/null | grep -q 'Candidate: [0-9]'; then pkg=$$candidate; break; fi; \
	    done; \
	    if [ -z "$$pkg" ]; then \
	      apt-get update -qq >/dev/null 2>&1; \
	      for candidate in nginx-light nginx; do \
	        if apt-cache policy $$candidate 2>/dev/null | grep -q 'Candidate: [0-9]'; then pkg=$$candidate; break; fi; \
	      done; \
	    fi; \
	    if [ -z "$$pkg" ]; then \
	      echo "nginx introuvable dans apt : le test nginx -t de deploy/nginx.conf sera ignoré."; \
	    else \
	      echo "Installation de $$pkg (apt-get) pour nginx -t…"; \
	      policy=; \
	      if [ ! -e /usr/sbin/policy-rc.d ]; then \
	        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1; \
	      fi; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkg >/dev/null 2>&1 \
	        || echo "Installation de $$pkg impossible : le test nginx -t sera ignoré."; \
	      if [ -n "$$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	      if [ -d /run/systemd/system ]; then systemctl disable --now --quiet nginx 2>/dev/null; fi; \
	      if [ -s /run/nginx.pid ] && [ -x $(NGINX) ]; then $(NGINX) -s quit 2>/dev/null; fi; \
	    fi; \
	  fi; \
	fi; true

## Serve on http://127.0.0.1:$(PORT) (writes .env with fresh secrets on the first run);
## `make run PORT=5010` for another port; Ctrl+C stops, `make run` again restarts.
PORT ?= 5004
run: install
	@test -f .env || $(VENV)/bin/talento init-env
	$(VENV)/bin/talento init-db
	$(VENV)/bin/flask --app talento run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## Everything: lint, unit, functional, PostgreSQL, browser, alembic check (in tests/test_migrations.py).
## On every core (pytest-xdist: one database and one Redis key prefix per worker; tests handed
## out two at a time, the slow ones first, so no worker is left with a long tail); the 15
## slowest tests are listed at the end.
test: install chromium nginx pgclient age poppler lint
	$(PY) -m pytest -q -n auto --maxschedchunk 2 --durations=15

bench: install
	$(PY) -m bench.login
	$(PY) -m bench.directory
	$(PY) -m bench.exports
	$(PY) -m bench.casting_card
	$(PY) -m bench.casting
	$(PY) -m bench.projects_badges
	$(PY) -m bench.shortlists
	$(PY) -m bench.attendance

## Redraw the favicon and app icons into talento/static/icons/ (committed; run when they change).
icons: $(STAMP)
	$(PY) dev/make_icons.py

clean:
	rm -rf $(VENV) talento.egg-info .pytest_cache .ruff_cache .mypy_cache
