# The two commands: `make course` runs the whole course, `make test` runs the tests.
# Each sets up .venv from requirements.txt on first use. `make` alone lists the targets.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# make notebooks runs this many notebooks side by side (pytest-xdist); 0: one at a time.
# --dist loadfile keeps a notebook's cells (one kernel) on one worker; the notebooks are
# handed out in NOTEBOOK_ORDER (--no-loadscope-reorder, pytest-xdist >= 3.8), the longest
# first. 15 loads the model 14 saves near its end, so 15 comes late: by then 14 has long
# saved it (without the file, 15 trains a small model itself and still passes).
NOTEBOOK_WORKERS ?= 2
# make unit (and the version matrix) runs the unit tests in this many processes: they are
# short, and much of their time is single-threaded (building models, tracing graphs), so
# two processes on two cores take about half the time of one (369 s -> 169 s on machine C).
UNIT_WORKERS ?= 2
NOTEBOOK_ORDER := 14 09 13 10 12 11 05 06 07 15 04 02 01 08 00 03
ORDERED_NOTEBOOKS := $(foreach n,$(NOTEBOOK_ORDER),$(filter notebooks/$(n)_%,$(NOTEBOOKS)))
ORDERED_NOTEBOOKS += $(filter-out $(ORDERED_NOTEBOOKS),$(NOTEBOOKS))  # any not listed: last
# Quiet TensorFlow's C++ logs and fix hashing so runs are repeatable.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: help course test lint unit notebooks site site-test matrix benchmarks clean
.DEFAULT_GOAL := help

## help: list these targets with what they do
help:
	@awk '/^## [a-z-]+:/ { line = substr($$0, 4); i = index(line, ":"); \
	  printf "make %-11s%s\n", substr(line, 1, i - 1), substr(line, i + 1); next } \
	  /^##   / { printf "%17s%s\n", "", substr($$0, 6) }' $(MAKEFILE_LIST)

$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The website's tools (MkDocs, Material, mkdocs-jupyter, mkdocstrings, MathJax, Playwright).
$(BIN)/.site-installed: $(BIN)/.installed requirements-site.txt
	$(BIN)/python -m pip install --quiet -r requirements-site.txt
	touch $@

## course: execute every notebook in the `full` profile, outputs written back, then
##   render README's course table and each notebook's "Time to run" line from what they
##   recorded (results/full; the quick times: KERASCNN_RECORD_TIMES=1 make notebooks)
course: $(BIN)/.installed
	@for nb in $(NOTEBOOKS); do \
	  echo "== $$nb"; start=$$(date +%s); \
	  KERASCNN_PROFILE=full PYTEST_CURRENT_TEST=1 $(BIN)/jupyter nbconvert --to notebook \
	    --execute --inplace --ExecutePreprocessor.timeout=-1 "$$nb" || exit 1; \
	  $(BIN)/python scripts/strip_startup_logs.py "$$nb"; \
	  echo "   $$(( $$(date +%s) - start )) s"; \
	done
	$(BIN)/python scripts/render_results.py

## test: lint, unit tests with doctests, every notebook in the `quick` profile, the site
test: lint unit notebooks site-test

## lint: ruff (lint rules and formatting) on the package, tests, benchmarks, scripts and notebooks
lint: $(BIN)/.installed
	$(BIN)/ruff check conftest.py kerascnn tests benchmarks scripts notebooks docs
	$(BIN)/ruff format --check conftest.py kerascnn tests benchmarks scripts notebooks docs

## unit: the unit tests and every docstring example (`quick` profile), in two processes
unit: $(BIN)/.installed
	KERASCNN_PROFILE=quick MPLBACKEND=Agg $(BIN)/pytest -q --doctest-modules -m "not site" \
	  -n $(UNIT_WORKERS) kerascnn tests

## notebooks: execute every notebook in the `quick` profile with nbval (--nbval-lax), two
##   side by side; KERASCNN_RECORD_TIMES=1 make notebooks NOTEBOOK_WORKERS=0 runs them one
##   at a time and writes each one's time to results/course_time_quick.json
notebooks: $(BIN)/.installed
	KERASCNN_PROFILE=quick $(BIN)/pytest -q -p no:cacheprovider --nbval-lax \
	  -n $(NOTEBOOK_WORKERS) --dist loadfile --no-loadscope-reorder \
	  --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg $(ORDERED_NOTEBOOKS)

## site: the course as a static website in site/, from the committed notebooks (nothing
##   is executed); it works offline: open site/index.html, or serve it for search:
##   python -m http.server -d site
site: $(BIN)/.site-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --quiet

## site-test: build the site, then check every page in headless Chromium (apt-get install
##   chromium): console errors, images, math, next links, search; screenshots in build/site-test
site-test: site
	$(BIN)/pytest -q -p no:cacheprovider -m site tests/test_site.py

## matrix: unit tests (not slow) and notebooks 04, 12, 15 (quick profile, nbval) under two
##   pinned version sets, each in its own venv: the declared floors (constraints-floor.txt)
##   and Colab's versions (constraints-colab.txt); `make matrix-floor` runs one. The
##   notebooks run from copies in build/matrix-SET/, with their results there too, so a
##   model file the newer Keras of .venv wrote next to the notebooks is not loaded
MATRIX := floor colab
MATRIX_NOTEBOOKS := $(filter notebooks/04_% notebooks/12_% notebooks/15_%,$(NOTEBOOKS))
matrix: $(MATRIX:%=matrix-%)

.venv-%/.installed: constraints-%.txt requirements.txt pyproject.toml
	rm -rf .venv-$*
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --upgrade pip
	.venv-$*/bin/python -m pip install --quiet -c constraints-$*.txt -r requirements.txt
	.venv-$*/bin/python -m pip install --quiet --no-deps -e .
	touch $@

matrix-%: .venv-%/.installed
	@.venv-$*/bin/python -c "import sys, tensorflow as tf, keras, numpy, matplotlib, PIL; \
	  print('== $*: Python', sys.version.split()[0], 'TensorFlow', tf.__version__, \
	  'Keras', keras.__version__, 'NumPy', numpy.__version__, \
	  'matplotlib', matplotlib.__version__, 'Pillow', PIL.__version__)"
	rm -rf build/matrix-$* && mkdir -p build/matrix-$*
	cp $(MATRIX_NOTEBOOKS) build/matrix-$*/
	KERASCNN_PROFILE=quick MPLBACKEND=Agg KERASCNN_RESULTS_DIR=$(CURDIR)/build/matrix-$*/results \
	  .venv-$*/bin/pytest -q -p no:cacheprovider --doctest-modules -m "not slow and not site" \
	  -n $(UNIT_WORKERS) kerascnn tests
	KERASCNN_PROFILE=quick KERASCNN_RESULTS_DIR=$(CURDIR)/build/matrix-$*/results \
	  .venv-$*/bin/pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
	  -n $(NOTEBOOK_WORKERS) --dist loadfile \
	  --nbval-sanitize-with notebooks/sanitize.cfg build/matrix-$*/*.ipynb

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

## clean: remove the virtual environments, the built site and the tool caches
clean:
	rm -rf $(VENV) $(MATRIX:%=.venv-%) site build/mkdocs-jupyter-cache build/site-test \
	  .pytest_cache .ruff_cache
