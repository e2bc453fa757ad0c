# copytrace — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: setup demo test test-fast lint evaluate bench bench-retrieval bench-ingest dashboard serve clean

setup: $(STAMP)

# Every dependency is pinned: pyproject.toml pins the direct ones, constraints.txt the whole tree.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/copytrace demo

test: setup
	$(BIN)/python -m pytest

# The unit layer only: plain functions and estimators, no database, no Prefect (tests/unit, seconds).
test-fast: setup
	$(BIN)/python -m pytest tests/unit

lint: setup
	$(BIN)/ruff check .

# The pair classifier retrained with one group held out at a time (each LLM, L2R domain family,
# wrapper family, short copies), beside the containment baseline: writes docs/generalisation.md and
# .json. Options: make evaluate ARGS="--folds llm,short --scale 0.3 --jobs 2"
evaluate: setup
	$(BIN)/python -m models.generalisation $(ARGS)

bench: setup
	$(BIN)/python bench/classify_bench.py

# Corpora of 10k, 100k and 1M documents (built once, cached in bench/out/; about an hour in all on
# 2 cores, 1M needs ~25 GB of disk); a quicker look: make bench-retrieval SIZES=10000,100000
SIZES ?= 10000,100000,1000000
bench-retrieval: setup
	$(BIN)/python bench/retrieval_bench.py --sizes $(SIZES) --postgres postgresql://postgres@127.0.0.1:5432/postgres

# A timestamped feed of 550 scraper records stored and classified on SQLite and PostgreSQL.
bench-ingest: setup
	$(BIN)/python bench/ingest_bench.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

dashboard: setup
	$(BIN)/python -m dashboard $(if $(DB),--db '$(DB)')

serve: setup
	scripts/serve.sh

clean:
	rm -rf $(VENV) .prefect .demo copytrace.db copytrace.db-wal copytrace.db-shm .pytest_cache
