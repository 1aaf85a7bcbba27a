# Accord: `make run` to try it, `make test` to check it. Nothing else need be installed first
# but Python 3.11+, Node.js with npm, and (for browser tests) Chromium, which `make test`
# installs with apt-get where it can.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest bench frontend install install-test browser java pango clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) frontend pango

src/accord/static/build/accord.css: package.json package-lock.json $(wildcard src/accord/static_src/*.scss) scripts/build-frontend.mjs src/accord/static/accord/charts.js
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

frontend: src/accord/static/build/accord.css

# The demo runs on plain http://127.0.0.1, so its cookies cannot be Secure-only.
run: install
	ACCORD_SECURE_COOKIES=0 $(BIN)/accord migrate
	ACCORD_SECURE_COOKIES=0 $(BIN)/accord demo
	@echo "Accord is at http://$(HOST):$(PORT)/ (sign in with a demo login above)"
	ACCORD_SECURE_COOKIES=0 ACCORD_ANALYTICS_WORKER=1 $(BIN)/accord serve --host $(HOST) --port $(PORT)

browser:
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "Chromium is not installed and could not be: browser tests will be skipped")

# WeasyPrint (the reports' PDFs) lays text out with Debian's Pango; HarfBuzz's subsetter keeps
# the fonts it embeds small, fast.
pango:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0 || \
		(command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && \
		apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null) || \
		echo "Pango is not installed and could not be: the reports' PDFs will not be written")

# Spark (the demand-overlap engine at scale) runs on Java 17.
java:
	@command -v java >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null) || \
		echo "Java is not installed and could not be: the Spark tests will be skipped")

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# The suite runs on SQLite, then again on PostgreSQL when DATABASE_URL names one.
pytest: install browser java
	DATABASE_URL= $(BIN)/pytest -n 2 --dist loadfile
	@if [[ "$$DATABASE_URL" == postgres* ]]; then \
		echo "--- again on PostgreSQL ($$DATABASE_URL)"; \
		$(BIN)/pytest -n 2 --dist loadfile -m "not browser" --ignore-glob='tests/analytics/test_overlap_*'; \
	fi

test: lint typecheck pytest

bench: install java
	$(BIN)/accord bench --overlap --kpis --lessons --insights
	$(BIN)/accord bench --load
	$(BIN)/accord bench --reports

clean:
	rm -rf $(VENV) node_modules src/accord/static/build var
