# The two entry points of the README: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-scale bench-influxdb1 clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf .demo-data
	$(BIN)/python -m tsengine.demo --data-dir .demo-data

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only -p no:cacheprovider

# issue 7's scale table and plot: one `bench run` per size (not part of `make bench`: ~20M points)
POINTS ?= 1M,5M,20M
BENCH_OUT ?= /tmp/tsengine-bench
bench-scale: $(STAMP)
	$(BIN)/tsengine bench scale --points $(POINTS) --baseline duckdb --batch-size 50000 \
	    --concurrency 2 --query-rounds 3 --report $(BENCH_OUT)/scale

# InfluxDB 1.x (Debian's influxdb package, installed when missing) beside tsengine, same workload
INFLUXDB1_ARGS ?= --scale 210
bench-influxdb1: $(STAMP)
	bash benchmarks/influxdb1.sh $(INFLUXDB1_ARGS) --out $(BENCH_OUT)/influxdb1

clean:
	rm -rf $(VENV) .demo-data .pytest_cache .ruff_cache .benchmarks
