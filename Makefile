# `make run` and `make test` work on a fresh machine: each creates the virtual
# environment and installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The exact versions CI tests (runtime + dev), made from pyproject.toml by `make lock`.
LOCK := requirements.lock

ASSETS := frontend/node_modules/.installed

.PHONY: run test lint format typecheck assets lock wheel-check clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

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

run: $(STAMP) $(ASSETS)
	$(BIN)/partnergraph load
	$(BIN)/partnergraph serve

# Tests run in parallel workers (pytest-xdist); a module's tests stay on one worker.
test: $(STAMP) $(ASSETS) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python .ci/typecheck.py
	$(BIN)/pytest -n 2 --dist loadscope

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
