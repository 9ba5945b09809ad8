# Truceline: one target per habit. `make demo` and `make test` are the whole set-up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test check fmt messages bench bench-evidence bench-map bench-export bench-ingest bench-submissions bench-oracle openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.runtime $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

## demo: install, migrate an SQLite database under ./var, load the scenario and demo users, serve on :8000
demo: $(VENV)/.runtime
	TRUCELINE_HTTPS=$${TRUCELINE_HTTPS:-0} $(BIN)/truceline demo --port $(PORT)

## test: the whole suite on SQLite and on a throw-away PostgreSQL server (installs Chromium/PostgreSQL as root)
test: $(VENV)/.dev node_modules/.installed
	scripts/test-all

## check: lint, format, types, migrations
check: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy truceline
	TRUCELINE_DATA_DIR=$$(mktemp -d) $(BIN)/truceline makemigrations --check --dry-run

## messages: gather every string of the code and templates into the catalogues, then compile them
LOCALES := ur ps prs ar tr
messages: $(VENV)/.dev
	TRUCELINE_DATA_DIR=$$(mktemp -d) $(BIN)/truceline makemessages $(addprefix -l ,$(LOCALES)) \
	  --no-location --ignore=.venv --ignore=node_modules --ignore=tests --ignore='*/tests/*' \
	  --ignore='*/migrations/*' --ignore=scripts
	TRUCELINE_DATA_DIR=$$(mktemp -d) $(BIN)/truceline compilemessages --ignore=.venv

fmt: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the ledger at a million entries on a scratch database; writes docs/performance.md
bench: $(VENV)/.dev
	d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	TRUCELINE_DATA_DIR=$$d $(BIN)/truceline migrate -v0 && \
	TRUCELINE_DATA_DIR=$$d $(BIN)/truceline bench ledger $(BENCH_ARGS) --write docs/performance.md

## bench-evidence: a 1 GiB upload through `truceline serve`, memory watched; writes docs/performance.md
bench-evidence: $(VENV)/.dev
	$(BIN)/truceline bench evidence --write docs/performance.md

## bench-map: the map's data and the dashboard at 1,000,000 incidents, SQLite then PostgreSQL; writes docs/performance.md
bench-map: $(VENV)/.dev
	scripts/bench-map $(BENCH_ARGS)

## bench-submissions: report submissions/s and p50/p99 at 1, 8, 32 clients through `truceline serve` on PostgreSQL; writes docs/performance.md
bench-submissions: $(VENV)/.dev
	scripts/bench-submissions $(BENCH_ARGS)

## bench-ingest: 10,000 articles ingested from files, then again; writes docs/performance.md
bench-ingest: $(VENV)/.dev
	scripts/bench-ingest $(BENCH_ARGS)

## bench-export: each export format of 1,000,000 incidents, memory watched; writes docs/performance.md
bench-export: $(VENV)/.dev
	scripts/bench-export $(BENCH_ARGS)

## bench-oracle: a hidden incident's 404 against a missing one's, medians over 300 requests each; writes docs/performance.md
bench-oracle: $(VENV)/.dev
	scripts/bench-oracle $(BENCH_ARGS)

## openapi: write the committed OpenAPI document (CI diffs it)
openapi: $(VENV)/.runtime
	TRUCELINE_DATA_DIR=$$(mktemp -d) $(BIN)/truceline openapi > docs/openapi.json

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
