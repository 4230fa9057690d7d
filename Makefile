# The two commands: `make course` runs the whole course, `make test` runs the tests.
# Each sets up .venv from requirements.txt on first use. `make` alone lists the targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# Quiet TensorFlow's C++ logs and fix hashing so runs are repeatable.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: help course test lint unit notebooks benchmarks clean
.DEFAULT_GOAL := help

## help: list these targets with what they do
help:
	@awk '/^## [a-z]+:/ { line = substr($$0, 4); i = index(line, ":"); \
	  printf "make %-11s%s\n", substr(line, 1, i - 1), substr(line, i + 1); next } \
	  /^##   / { printf "%17s%s\n", "", substr($$0, 6) }' $(MAKEFILE_LIST)

$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

## course: execute every notebook in the `full` profile, outputs written back, then
##   render README's course table from what they recorded (results/full)
course: $(BIN)/.installed
	@for nb in $(NOTEBOOKS); do \
	  echo "== $$nb"; start=$$(date +%s); \
	  KERASCNN_PROFILE=full PYTEST_CURRENT_TEST=1 $(BIN)/jupyter nbconvert --to notebook \
	    --execute --inplace --ExecutePreprocessor.timeout=-1 "$$nb" || exit 1; \
	  echo "   $$(( $$(date +%s) - start )) s"; \
	done
	$(BIN)/python scripts/render_results.py

## test: lint, unit tests with doctests, then every notebook in the `quick` profile
test: lint unit notebooks

## lint: ruff (lint rules and formatting) on the package, tests, benchmarks, scripts and notebooks
lint: $(BIN)/.installed
	$(BIN)/ruff check conftest.py kerascnn tests benchmarks scripts notebooks
	$(BIN)/ruff format --check conftest.py kerascnn tests benchmarks scripts notebooks

## unit: the unit tests and every docstring example (`quick` profile)
unit: $(BIN)/.installed
	KERASCNN_PROFILE=quick MPLBACKEND=Agg $(BIN)/pytest -q --doctest-modules kerascnn tests

## notebooks: execute every notebook in the `quick` profile with nbval (--nbval-lax)
notebooks: $(BIN)/.installed
	KERASCNN_PROFILE=quick $(BIN)/pytest -q -p no:cacheprovider --nbval-lax \
	  --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg $(NOTEBOOKS)

## benchmarks: the benchmark scripts that take minutes: RandAugment throughput, this
##   machine's peak GFLOP/s, time to 0.91 accuracy (full Fashion-MNIST), every accuracy
##   row on the shipped subset (--quick). The long runs are by hand, one at a time:
##   python benchmarks/accuracy.py (every row on the full set, hours; --rows picks some)
##   python benchmarks/epoch_budget.py (the flagship at 5, 20 and 50 epochs; --ablation E)
##   python benchmarks/course_time.py --profile full (every notebook, about 80 minutes)
##   python benchmarks/course_time.py --profile quick (every notebook, about 7 minutes)
benchmarks: $(BIN)/.installed
	$(BIN)/python benchmarks/augment_throughput.py
	$(BIN)/python benchmarks/peak_flops.py
	$(BIN)/python benchmarks/time_to_accuracy.py
	$(BIN)/python benchmarks/accuracy.py --quick

## clean: remove the virtual environment and the tool caches
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
