# The two commands of the README: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint install bench fuzz clean-data

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Migrate every service's database, load the demo data, start the services and the gateway.
run: $(STAMP)
	$(BIN)/styr migrate
	$(BIN)/styr seed
	$(BIN)/styr serve

## Lint, type-check, then the test suite on SQLite and on a throw-away PostgreSQL.
test: $(STAMP) lint
	$(BIN)/python scripts/run_tests.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## The schemathesis run of `make test` at length: many examples per operation and role, many stateful scenarios, shrunk to the smallest failing one.
fuzz: $(STAMP)
	STYR_FUZZ_EXAMPLES=$${STYR_FUZZ_EXAMPLES:-100} STYR_FUZZ_SCENARIOS=$${STYR_FUZZ_SCENARIOS:-100} STYR_FUZZ_SHRINK=1 $(BIN)/python scripts/run_tests.py tests/reliability/test_api_fuzz.py $(ARGS)

## Benchmarks on SQLite and on a throw-away PostgreSQL: `make bench`, or `make bench ARGS=goals` for one.
bench: $(STAMP)
	$(BIN)/python scripts/run_benchmarks.py $(ARGS)

## Remove the embedded databases (the demo data comes back with the next `make run`).
clean-data:
	rm -rf data
