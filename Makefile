# `make run` and `make test` work on a fresh machine: each creates the virtual
# environment and installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The exact versions CI tests (runtime + dev), made from pyproject.toml by `make lock`.
LOCK := requirements.lock

ASSETS := frontend/node_modules/.installed

.PHONY: bytecode run test test-quick test-remote test-virtuoso lint format typecheck assets lock wheel-check clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(MAKE) --no-print-directory bytecode
	touch $(STAMP)

# The project's own modules byte-compiled, as pip does for any package it installs (an
# editable install is not): where PYTHONDONTWRITEBYTECODE is set, as on this machine and in
# CI, each start compiled them from source again (about 0.3 s of the 0.7-0.9 s the app took to import)
# and again in each SPARQL worker and view builder it starts. A stale file is recompiled
# in memory, as without it.
bytecode:
	$(BIN)/python -m compileall -q src api

# Re-resolve the lock after changing dependencies in pyproject.toml, keeping the other pins;
# `make lock UPGRADE=--upgrade` moves every pin to the newest version pyproject.toml allows.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 $(UPGRADE) -o $(LOCK)

# Front-end assets (CodeMirror, vis-network, Swagger UI) come from the npm registry at build
# time (install scripts off) and are served by the app from /vendor: nothing is fetched at run time.
$(ASSETS): frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(ASSETS)

assets: $(ASSETS)

# Browser tests drive Debian's Chromium through Playwright's executable path;
# Playwright's own browser download is never used (it cannot work offline).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "Chromium is missing: run 'sudo apt-get install -y chromium' (browser tests will be skipped)"; \
	fi

run: $(STAMP) $(ASSETS) bytecode
	$(BIN)/partnergraph load
	$(BIN)/partnergraph serve

# Tests run in parallel workers (pytest-xdist); a module's tests stay on one worker.
test: $(STAMP) $(ASSETS) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python .ci/typecheck.py
	$(BIN)/pytest -n 2 --dist loadscope

# While working: the suite without the tests marked slow (real Chromium, notebook kernels).
test-quick: $(STAMP) $(ASSETS)
	$(BIN)/pytest -n 2 --dist loadscope -m "not slow"

# The store-dependent suite again, each test store on Oxigraph's own server (the oxigraph
# package's CLI, started by the tests on 127.0.0.1) instead of the embedded store.
STORE_TESTS := tests/test_store.py tests/test_partners.py tests/test_directory.py \
	tests/test_entity.py tests/test_saved_queries.py tests/test_saved_query_answers.py \
	tests/test_explore.py tests/test_validation.py tests/test_revision_cache.py \
	tests/test_remote_store.py tests/test_remote_login_and_limits.py \
	tests/records tests/writes tests/formats tests/analysis \
	tests/api/test_organizations_api.py tests/api/test_records_api.py \
	tests/api/test_entities.py tests/api/test_queries_api.py tests/api/test_writes_api.py \
	tests/api/test_analysis_api.py tests/api/test_sparql_endpoint.py tests/api/test_caching.py \
	tests/api/test_meta.py tests/api/test_remote_workers.py

test-remote: $(STAMP) $(ASSETS)
	PARTNERGRAPH_TEST_STORE=oxigraph-server $(BIN)/pytest -n 2 --dist loadscope $(STORE_TESTS)

# Opt-in: the same suite on Debian's Virtuoso (installed here when missing; the tests start
# it on free ports with a database folder per store, dba/dba, Digest auth on /sparql-auth).
VIRTUOSO := /usr/bin/virtuoso-t

$(VIRTUOSO):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; \
	else \
		echo "Virtuoso is missing: run 'sudo apt-get install -y virtuoso-opensource'"; exit 1; \
	fi

test-virtuoso: $(STAMP) $(ASSETS) $(VIRTUOSO)
	PARTNERGRAPH_TEST_STORE=virtuoso $(BIN)/pytest -n 2 --dist loadscope $(STORE_TESTS)

# mypy over src/ and api/ (api/ checked as partnergraph.web; see .ci/typecheck.py).
typecheck: $(STAMP)
	$(BIN)/python .ci/typecheck.py

# Build the wheel and run it alone: fresh venv, empty folder, load, serve, pages drawn.
wheel-check: $(STAMP) $(ASSETS) $(CHROMIUM)
	$(BIN)/python .ci/wheel_check.py

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var frontend/node_modules build dist .mypy_cache .mypy_tree
