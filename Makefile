# The README's contract: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run serve test test-fast lint format bench bench-peers browser-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[server,app,notebooks,dev]'
	touch $(STAMP)

# Embedded server with demo data and a live feeder, plus the Streamlit app.
run: install
	$(PY) -m workbench.demo

# The server alone (flags as in InfluxDB 3; see docs/configuration.md).
serve: install
	$(VENV)/bin/workbench serve $(ARGS)

test: install browser-deps
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow and not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Debian's chromium for the Playwright browser tests (never a downloaded browser).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) \
	  || echo "warning: could not install chromium; browser tests will be skipped"; }

bench: install
	$(PY) benchmarks/run.py $(ARGS)

# The peers the benchmarks compare against (Debian packages; started by the harness on loopback).
bench-peers:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends influxdb victoria-metrics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
