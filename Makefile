# `make run` and `make test` work on a fresh machine: each creates the virtual
# environment and installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

ASSETS := frontend/node_modules/.installed

.PHONY: run test lint format assets clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

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

test: $(STAMP) $(ASSETS) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var frontend/node_modules
