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

.PHONY: report test lab notebooks lock lint clean

report: $(STAMP)
	$(BIN)/python -m cxlib report

test: $(STAMP)
	$(BIN)/ruff check cxlib tests benchmarks
	$(BIN)/python -m pytest tests cxlib notebooks --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

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
	$(BIN)/ruff check cxlib tests benchmarks

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf reports .pytest_cache
