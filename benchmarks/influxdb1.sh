#!/usr/bin/env bash
# InfluxDB 1.x beside tsengine on the same workload (issue 7): the embedded engine (with its
# DuckDB baseline and its Parquet bytes per field value), `tsengine serve` over HTTP and
# InfluxDB 1.x (Debian's `influxdb` package) over HTTP, each in turn with 2 ingest clients,
# then `tsengine bench compare` of the three results files and a check that the queries
# answer the same rows. Not part of `make test`: it installs and runs a database server.
#
#   bash benchmarks/influxdb1.sh [--scale SENSORS] [--duration 24h] [--query-rounds N]
#                                [--out DIR] [--settle SECONDS]
#
# --scale 210 --duration 24h is about 2M points (210 sensors and 21 machines, every 10 s).
# Results: DIR/{embedded,tsengine-serve,influxdb1}.json, DIR/compare/index.html, DIR/*.txt.
set -euo pipefail

SCALE=20
DURATION=24h
ROUNDS=5
SETTLE=120
OUT="${TMPDIR:-/tmp}/tsengine-bench-influxdb1"
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) SCALE="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --query-rounds) ROUNDS="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --settle) SETTLE="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "influxdb1.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

HERE="$(cd "$(dirname "$0")/.." && pwd)"
TSENGINE="${TSENGINE:-$HERE/.venv/bin/tsengine}"
PYTHON="${PYTHON:-$HERE/.venv/bin/python}"
[ -x "$TSENGINE" ] || { echo "no $TSENGINE: run make first (make test creates .venv)" >&2; exit 1; }

if ! command -v influxd >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "influxd is not installed: apt-get install influxdb (as root)" >&2; exit 1
    fi
    echo "installing Debian's influxdb package" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq influxdb >/dev/null
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tsengine-influxdb1.XXXXXX")"
mkdir -p "$OUT"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {  # wait_for URL SECONDS: until the URL answers
    for _ in $(seq "$2"); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 1
    done
    echo "no answer from $1 after $2 s" >&2; return 1
}

stop() {  # stop PID: SIGTERM and wait, so the next server has the machine to itself
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    PIDS=("${PIDS[@]/$1}")
}

WORKLOAD=(--workload ingest,query --scale "$SCALE" --duration "$DURATION" --concurrency 2
          --query-rounds "$ROUNDS" -q)

echo "== embedded (DuckDB baseline, Parquet bytes per field value)" >&2
"$TSENGINE" bench run "${WORKLOAD[@]}" --baseline duckdb --data-dir "$WORK/embedded" \
    --json "$OUT/embedded.json" | tee "$OUT/embedded.txt"

echo "== tsengine serve over HTTP" >&2
PORT="$(free_port)"
"$TSENGINE" --data-dir "$WORK/tsengine" serve --port "$PORT" --no-tasks 2>"$WORK/serve.log" &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
wait_for "http://127.0.0.1:$PORT/health" 60
TOKEN="$(sed -n 's/^operator token: //p' "$WORK/serve.log")"
# --settle 70: the queries run once the server's maintenance (every 60 s) has compacted the
# points into Parquet, as InfluxDB's run waits for its compaction
"$TSENGINE" bench run "${WORKLOAD[@]}" --target "http://127.0.0.1:$PORT" --token "$TOKEN" \
    --server-pid "$SERVE_PID" --settle 70 --json "$OUT/tsengine-serve.json" \
    | tee "$OUT/tsengine-serve.txt"
stop "$SERVE_PID"

echo "== InfluxDB 1.x ($(influxd version 2>/dev/null | head -1))" >&2
HTTP_PORT="$(free_port)"
RPC_PORT="$(free_port)"
INFLUX="$WORK/influxdb"
mkdir -p "$INFLUX"
# loopback only, data under the work directory; the cache is snapshotted and shards fully
# compacted soon after the writes stop, so the disk figure is of compacted TSM files
cat >"$WORK/influxdb.conf" <<EOF
reporting-enabled = false
bind-address = "127.0.0.1:$RPC_PORT"
[meta]
  dir = "$INFLUX/meta"
[data]
  dir = "$INFLUX/data"
  wal-dir = "$INFLUX/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "10s"
[http]
  bind-address = "127.0.0.1:$HTTP_PORT"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
EOF
influxd -config "$WORK/influxdb.conf" >"$WORK/influxd.log" 2>&1 &
INFLUX_PID=$!
PIDS+=("$INFLUX_PID")
wait_for "http://127.0.0.1:$HTTP_PORT/ping" 60
"$TSENGINE" bench run "${WORKLOAD[@]}" --target "influxdb1+http://127.0.0.1:$HTTP_PORT" \
    --server-pid "$INFLUX_PID" --target-data-dir "$INFLUX" --settle "$SETTLE" \
    --json "$OUT/influxdb1.json" | tee "$OUT/influxdb1.txt"
stop "$INFLUX_PID"

echo "== comparison (ratios to InfluxDB 1.x)" >&2
"$TSENGINE" bench compare "$OUT/influxdb1.json" "$OUT/tsengine-serve.json" \
    "$OUT/embedded.json" --report "$OUT/compare" | tee "$OUT/compare.txt"

# the same questions must get the same number of rows from both servers
"$PYTHON" - "$OUT/influxdb1.json" "$OUT/tsengine-serve.json" <<'EOF'
import json
import sys

influx, tsengine = ({q["name"]: q["rows"] for q in json.load(open(p))["query"]["queries"]}
                    for p in sys.argv[1:3])
differ = {n: (influx[n], tsengine.get(n)) for n in influx if influx[n] != tsengine.get(n)}
if differ:
    sys.exit(f"rows out differ (InfluxDB 1.x, tsengine): {differ}")
print(f"rows out agree on all {len(influx)} queries: "
      + ", ".join(f"{n} {r:,}" for n, r in influx.items()), file=sys.stderr)
EOF
echo "results in $OUT (open $OUT/compare/index.html)" >&2
