# The two commands: `make course` runs the whole course, `make test` runs the tests.
# Each sets up .venv from requirements.txt on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# Quiet TensorFlow's C++ logs and fix hashing so runs are repeatable.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: course test lint unit notebooks benchmarks clean

$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

## course: execute every notebook in the `full` profile, outputs written back
course: $(BIN)/.installed
	@for nb in $(NOTEBOOKS); do \
	  echo "== $$nb"; start=$$(date +%s); \
	  KERASCNN_PROFILE=full PYTEST_CURRENT_TEST=1 $(BIN)/jupyter nbconvert --to notebook \
	    --execute --inplace --ExecutePreprocessor.timeout=-1 "$$nb" || exit 1; \
	  echo "   $$(( $$(date +%s) - start )) s"; \
	done

## test: lint, unit tests with doctests, then every notebook in the `quick` profile
test: lint unit notebooks

lint: $(BIN)/.installed
	$(BIN)/ruff check kerascnn tests benchmarks scripts notebooks

unit: $(BIN)/.installed
	KERASCNN_PROFILE=quick MPLBACKEND=Agg $(BIN)/pytest -q --doctest-modules kerascnn tests

notebooks: $(BIN)/.installed
	KERASCNN_PROFILE=quick $(BIN)/pytest -q -p no:cacheprovider --nbval-lax \
	  --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg $(NOTEBOOKS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
