# Fawtara: `make run` serves the demo platform, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export FAWTARA_DATABASE_URL ?= sqlite:///var/fawtara.db

.PHONY: run test check contracts lint typecheck pytest bench clean system-deps

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null || \
	  { echo "error: Python 3.11 or newer is needed as $(PYTHON) (Debian: apt-get install python3)"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || \
	  { echo "error: the Python venv module is missing (Debian: apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@scripts/system-deps.sh
	@mkdir -p var
	$(BIN)/fawtara db upgrade
	$(BIN)/fawtara billing db upgrade
	$(BIN)/fawtara demo seed
	$(BIN)/fawtara up

test: check contracts pytest

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)

# The fakes under tests/ are checked against the ports they stand in for.
typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict tests/fakes

# The import direction (pyproject.toml [tool.importlinter]).
contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	@scripts/system-deps.sh --tests
	$(BIN)/pytest -q

# Benchmarks (not tests): each writes bench/results/*.json beside a baseline
# measured in the same run; docs/BENCHMARKS.md holds the figures.
bench: $(STAMP)
	$(BIN)/python bench/bill_run.py
	$(BIN)/python bench/payments.py
	$(BIN)/python bench/sms_throughput.py
	$(BIN)/python bench/counters.py

system-deps:
	scripts/system-deps.sh --tests

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
