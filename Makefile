# The few commands everyone uses. `make console` and `make test` are the README's Quickstart.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: console test install lint serve bench clean

console: $(INSTALLED)  ## the whole bot against a local Slack stand-in, on SQLite
	$(BIN)/opsbot console

test: $(INSTALLED)  ## the test suite (set OPSBOT_TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

lint: $(INSTALLED)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/

serve: $(INSTALLED)
	$(BIN)/opsbot serve

bench: $(INSTALLED)
	$(BIN)/python benchmarks/ack_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
