# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PYTHON ?= python3

.PHONY: run test install install-dev browser db bench lint screenshots clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# Debian's Chromium for the browser tests (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; \
	  else echo "Chromium manque : sudo apt-get install chromium chromium-driver" >&2; fi; }

# The embedded SQLite database (or DATABASE_URL), migrated, with the demo network when empty.
db: install
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty

run: db
	@echo "Tableau de bord : http://127.0.0.1:$${PORT:-8050}"
	$(PY) app.py

test: install-dev browser
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .

bench: install-dev
	$(PY) -m bench.run

screenshots: install-dev browser
	$(PY) -m tests.browser.screenshots

# The virtual environment and caches only: instance/ holds the database and the secret key, and no target deletes it.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
