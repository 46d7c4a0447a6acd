# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Processes for the second test tier: one per core.
TEST_WORKERS ?= auto
# Byte-code caches (__pycache__, ignored by git) even where the environment turns them off:
# every test worker, bot process and CLI command the tests start would otherwise compile
# psp-bot and the test modules again (pytest's collection alone takes twice as long).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test unit lint typecheck bench clean setup

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/psp-bot console --demo

test: $(STAMP)
	$(BIN)/ruff check bot adapters storage tests benchmarks
	# The unit tier first (no database, no network, seconds): stop at its first failure.
	# mypy checks meanwhile on the other core; either one failing stops the run here.
	$(BIN)/mypy & mypy=$$!; \
	$(BIN)/pytest -q -p no:cacheprovider -m unit -x $(PYTEST_ARGS); unit=$$?; \
	wait $$mypy && exit $$unit
	# The rest on every core (pytest-xdist): each test has its own databases, files and ports,
	# and each Matrix test module a Synapse of its own; idle workers take queued tests from busy ones.
	$(BIN)/pytest -q -p no:cacheprovider -m "not unit" -n $(TEST_WORKERS) --dist worksteal --durations=10 $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m unit $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check bot adapters storage tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/core_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache

# A throwaway local Matrix homeserver with a bot and two test users (see README, "Run on Matrix").
.PHONY: synapse
synapse: $(STAMP)
	scripts/local-synapse.sh
