# Everything runs inside .venv, which this Makefile creates and keeps in sync
# with pyproject.toml; nothing depends on packages installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast lint bench chaos clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/supportdesk demo $(ARGS)

# Six workers on two cores: part of an e2e test's time is waiting (a kill -9 and
# restart, a sandbox's long poll), not CPU. Work stealing: an idle worker takes
# half of a busy one's queue, so the long tests (collected first) do not leave one
# worker running alone at the end (measured on an idle machine, 2,350 tests:
# load 15m07s, worksteal 11m24s; the suite's CPU time is 19 min).
TEST_WORKERS ?= 6

test: $(STAMP)
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal $(ARGS)

# The edit-test loop: no PostgreSQL, no browser, no e2e, nothing slow.
test-fast: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist worksteal -m "not postgres and not browser and not e2e and not slow" $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check bot desk knowledge storage sandbox
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

# Issue 17's chaos run (bench/bench_chaos.py; README "Several instances"): as root,
# installs Debian's nginx if missing, makes its own PostgreSQL cluster on port 55433
# and drops it after; two instances, a kill -9 and a database restart mid-burst.
# About three minutes for 1,000 users a burst; not part of `make test`.
chaos: $(STAMP)
	$(BIN)/python -m bench.bench_chaos $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
