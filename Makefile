# OpenProbation — the whole set-up is `make run` (serve with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR := var
# The embedded default: SQLite under var/, a secret key generated into var/, no other servers,
# plain HTTP on this machine (LOCAL_DEVELOPMENT=true; a deployment leaves it unset).
# The audit chain key and the checkpoint signing key are generated into var/ as well (keep copies
# of both, and of the checkpoints in var/audit-checkpoints/, away from the database).
EMBEDDED_ENV := LOCAL_DEVELOPMENT=true SECRET_KEY_FILE=$(CURDIR)/$(VAR)/secret_key DATABASE_URL=sqlite:///$(CURDIR)/$(VAR)/openprobation.sqlite3 \
	AUDIT_CHAIN_KEY_FILE=$(CURDIR)/$(VAR)/audit_chain_key \
	AUDIT_CHECKPOINT_SIGNING_KEY_FILE=$(CURDIR)/$(VAR)/audit_checkpoint_key.pem
ADDR ?= 127.0.0.1:8000

.PHONY: install catalogs run test lint types pytest bench clean messages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VAR)/secret_key:
	mkdir -p $(VAR)
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

$(VAR)/audit_chain_key:
	mkdir -p $(VAR)
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

# Order-only: a reinstall (pyproject changed) must not try to make the key again.
$(VAR)/audit_checkpoint_key.pem: | $(BIN)/.installed
	$(BIN)/python -m openprobation.audit.keys $@ > $(VAR)/audit_checkpoint_public.pem

KEYS := $(VAR)/secret_key $(VAR)/audit_chain_key $(VAR)/audit_checkpoint_key.pem

install: $(BIN)/.installed node_modules/.installed

catalogs: $(BIN)/.installed $(KEYS)
	@$(EMBEDDED_ENV) $(BIN)/openprobation compile-catalogs

run: install catalogs
	$(EMBEDDED_ENV) $(BIN)/openprobation migrate --no-input
	$(EMBEDDED_ENV) $(BIN)/openprobation collectstatic --no-input --verbosity 0
	@if [ ! -f $(VAR)/.demo-loaded ]; then \
		$(EMBEDDED_ENV) $(BIN)/openprobation seed-demo && touch $(VAR)/.demo-loaded; \
	fi
	@$(EMBEDDED_ENV) $(BIN)/openprobation demo-logins --addr $(ADDR)
	$(EMBEDDED_ENV) $(BIN)/openprobation run $(ADDR)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

types: $(BIN)/.installed
	SECRET_KEY=type-checking-only-not-a-real-key-0123456789 DATABASE_URL=sqlite:///:memory: $(BIN)/mypy

# Tests run on SQLite. When DATABASE_URL points at PostgreSQL (as in CI), each test runs once: the
# browser journeys on SQLite (the embedded default `make run` serves), everything else — the
# generated access matrix and Schemathesis included — on PostgreSQL, in parallel on every core
# (pytest-xdist; each worker its own test database and Redis database) (CI=true requires it).
# Byte-code, and pytest's rewritten test modules, are written (beside the sources, in __pycache__)
# even where the environment says PYTHONDONTWRITEBYTECODE: each stage and each xdist worker then
# reads them instead of rewriting every test module again (collecting takes half the time).
# On PostgreSQL each test database is a copy of one template migrated once for the code at hand
# (openprobation/testing/pg_template.py); the fault test's private PostgreSQL gets a copy as well.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest
pytest: install catalogs
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then \
		set -x; env -u DATABASE_URL $(PYTEST) -m "browser" && \
		echo "--- the rest on PostgreSQL, one worker per core" && $(PYTEST) -m "not browser and not fault" -n auto && \
		echo "--- the monitoring fault test, alone" && $(PYTEST) -m fault tests/integration/test_em_fault.py; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "CI=true needs DATABASE_URL pointing at PostgreSQL" >&2; exit 1; \
	else \
		set -x; env -u DATABASE_URL $(PYTEST); \
	fi

test: lint types pytest

bench: install $(KEYS)
	$(BIN)/python bench/run.py

messages: $(BIN)/.installed $(KEYS)
	cd openprobation && $(EMBEDDED_ENV) ../$(BIN)/openprobation makemessages -l kk -l ru -l en --no-obsolete --no-location
	@$(EMBEDDED_ENV) $(BIN)/openprobation compile-catalogs

clean:
	rm -rf $(VENV) node_modules $(VAR)
