# Thin aliases: .ci/run calls `make test`, so local and CI runs cannot drift.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test test-random lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench,fast]'
	# Compile the top-k search once into numba's cache, so no process waits for it.
	$(BIN)/python -c 'from index.storage.bm25 import warm_up; warm_up()'
	touch $(STAMP)

setup: $(STAMP)

# Runs the bot; without a usable Discord token `coverage-bot run` explains how to get one
# and exits 2, and we fall back to answering questions in the terminal.
run: $(STAMP)
	$(BIN)/coverage-bot index build --if-needed
	@$(BIN)/coverage-bot run; status=$$?; \
	if [ $$status -eq 2 ]; then $(BIN)/coverage-bot chat; else exit $$status; fi

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# Not part of `test`: the property tests with fresh random seeds and 1000 examples each, to
# find the inputs CI's fixed seed never tries. Run it a few times; each run draws new inputs.
test-random: $(STAMP)
	COVERAGE_HYPOTHESIS_PROFILE=random $(BIN)/pytest tests/property

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache .hypothesis
