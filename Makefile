# cxlib: the two commands of the README, plus helpers for developers.
#   make report   re-run every notebook on the bundled data into HTML under reports/
#   make test     unit tests and the notebooks under nbval (outputs compared)
# Both create .venv from requirements.lock on first use and skip reinstalling until the lock changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cxlib-installed

# One BLAS/OpenMP thread: notebook outputs must be identical bit for bit on every machine.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Notebook outputs must not depend on the machine. `make test` runs the notebooks a second time
# under another numeric configuration: OpenBLAS's Sandybridge kernels (AVX, no FMA) and NumPy
# without its AVX2/AVX-512 loops. Both exist on x86-64 only; elsewhere the second run is skipped.
ALT_NUMERICS := OPENBLAS_CORETYPE=Sandybridge \
	NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# Code and notebooks: ruff's formatter and linter (pyproject.toml), and mypy on the package.
SOURCES := cxlib tests benchmarks notebooks conftest.py

.PHONY: report test test-alt lab notebooks lock lint format clean

report: $(STAMP)
	$(BIN)/python -m cxlib report

# The Spark tests (tests/test_customers_spark.py) need a Java 17+ runtime besides pyspark; the
# first line of the run says whether they run here or are skipped, and why.
test: lint
	@$(BIN)/python -m cxlib.customers.spark
	$(BIN)/python -m pytest tests cxlib notebooks --doctest-modules $(NBVAL)
	$(MAKE) --no-print-directory test-alt

# The notebooks alone (unit tests run once), under the second numeric configuration.
test-alt: $(STAMP)
ifeq ($(shell uname -m),x86_64)
	env $(ALT_NUMERICS) $(BIN)/python -m pytest notebooks $(NBVAL) -p no:cacheprovider
else
	@echo "second numeric configuration skipped: its kernels exist on x86-64 only"
endif

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

# Re-execute the notebooks in place (after a change to cxlib or a notebook), keeping outputs for nbval.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=600 notebooks/*.ipynb

# Regenerate the lock after changing dependencies in pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--custom-compile-command "make lock" -o requirements.lock

lint: $(STAMP)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format $(SOURCES)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf reports .pytest_cache
