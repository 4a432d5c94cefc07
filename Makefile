# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test migrate lint chromium

run: install migrate
	$(BIN)/python manage.py generate_vapid_keys --write
	$(BIN)/python manage.py demo_user
	$(BIN)/python manage.py addresses
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile start

test: install-test chromium
	$(BIN)/python manage.py makemigrations --check --dry-run
	@# The layers (api over tracker over foods, the PWA apart) and no import circles: pyproject.toml.
	$(BIN)/lint-imports
	$(BIN)/pytest
	@# Search and the importers run different SQL on each database: with PostgreSQL configured, their
	@# tests run once more on the embedded default (SQLite with FTS5).
	@case "$${DATABASE_URL:-}" in postgres*) \
		echo "Search and import tests again on SQLite (the embedded default):"; \
		env -u DATABASE_URL $(BIN)/pytest -m "not postgres" tests/test_food_search.py tests/test_search_ranking.py tests/test_food_import.py tests/test_barcode.py;; \
	esac

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-test: $(VENV)/.test

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loaddata foods
	$(BIN)/python manage.py import_foods --if-changed

# The browser tests drive Debian's Chromium (never a downloaded browser), the deployment test Debian's
# Caddy. As root they are installed when missing; otherwise those tests are skipped with the reason
# (and fail in CI).
chromium:
	@if { [ ! -x /usr/bin/chromium ] || ! command -v caddy >/dev/null; } && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium and caddy for the browser and deployment tests"; \
		(apt-get install -y -q chromium caddy >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium caddy >/dev/null)); \
	fi

lint: install-test
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
