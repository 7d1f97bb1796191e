# The README's contract: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run serve test test-fast lint format bench bench-peers test-deps clean

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

test: install test-deps
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow and not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# What the tests drive besides Python packages, from Debian: chromium for the browser tests
# (never a downloaded browser) and InfluxDB 1.6.7 for the InfluxQL differential test.
test-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v influxd >/dev/null 2>&1 || missing="$$missing influxdb"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the tests:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) \
	  || echo "warning: could not install$$missing; the tests that need them will be skipped"; \
	fi

bench: install
	$(PY) benchmarks/run.py $(ARGS)

# The peers the benchmarks compare against (Debian packages; started by the harness on loopback).
bench-peers:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends influxdb victoria-metrics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
