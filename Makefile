# Two commands do all the set-up (see README):
#   make demo   build the environment, make the sample city, run its audit
#   make test   build the environment (if needed) and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test env lab bench mutation lint clean

env: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chibo demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check chibo_analysis tests benchmarks
	$(BIN)/ruff format --check chibo_analysis tests benchmarks

# JupyterLab for ad-hoc work, with a kernel registered under the project's name.
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/python -m ipykernel install --user --name chibo-analysis --display-name "chibo-analysis"
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

# Mutation testing of the rule code (slow: not in CI); see benchmarks/mutation.py.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[mutation]"
	$(BIN)/python benchmarks/mutation.py

clean:
	rm -rf $(VENV) reports/*/ data/sample .pytest_cache .hypothesis mutants
