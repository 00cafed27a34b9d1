#!/usr/bin/env bash
# InfluxDB 1.x beside tsengine on the same workload (issue 7): the embedded engine (with its
# DuckDB baseline and its Parquet bytes per field value), `tsengine serve` over HTTP and
# InfluxDB 1.x (Debian's `influxdb` package) over HTTP, each in turn with 2 ingest clients,
# then `tsengine bench compare` of the three results files and a check that the queries
# answer the same rows; then ingest alone, in rounds that alternate the two servers (the
# machine's speed drifts by 10-25% within minutes, and a single pair of runs with it).
# Not part of `make test`: it installs and runs a database server.
#
#   bash benchmarks/influxdb1.sh [--scale SENSORS] [--duration 24h] [--query-rounds N]
#                                [--ingest-rounds N] [--out DIR] [--settle SECONDS]
#
# --scale 210 --duration 24h is about 2M points (210 sensors and 21 machines, every 10 s).
# Results: DIR/{embedded,tsengine-serve,influxdb1}.json, DIR/compare/index.html, DIR/*.txt,
# DIR/ingest-rounds/ (each round's results files) and DIR/ingest-rounds.txt.
set -euo pipefail

SCALE=20
DURATION=24h
ROUNDS=5
INGEST_ROUNDS=4
SETTLE=120
OUT="${TMPDIR:-/tmp}/tsengine-bench-influxdb1"
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) SCALE="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --query-rounds) ROUNDS="$2"; shift 2 ;;
        --ingest-rounds) INGEST_ROUNDS="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --settle) SETTLE="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
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

start_serve() {  # start_serve DIR: tsengine serve on a new data directory; sets SERVE_PID,
    # SERVE_URL and TOKEN
    local port
    port="$(free_port)"
    "$TSENGINE" --data-dir "$1" serve --port "$port" --no-tasks 2>"$1.log" &
    SERVE_PID=$!
    PIDS+=("$SERVE_PID")
    SERVE_URL="http://127.0.0.1:$port"
    wait_for "$SERVE_URL/health" 60
    TOKEN="$(sed -n 's/^operator token: //p' "$1.log")"
}

start_influxd() {  # start_influxd DIR: influxd with its data under DIR; sets INFLUX_PID and
    # INFLUX_URL
    local http_port rpc_port
    http_port="$(free_port)"
    rpc_port="$(free_port)"
    mkdir -p "$1"
    # loopback only, data under DIR; the cache is snapshotted and shards fully compacted soon
    # after the writes stop, so the disk figure is of compacted TSM files
    cat >"$1.conf" <<EOF
reporting-enabled = false
bind-address = "127.0.0.1:$rpc_port"
[meta]
  dir = "$1/meta"
[data]
  dir = "$1/data"
  wal-dir = "$1/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "10s"
[http]
  bind-address = "127.0.0.1:$http_port"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
EOF
    influxd -config "$1.conf" >"$1.log" 2>&1 &
    INFLUX_PID=$!
    PIDS+=("$INFLUX_PID")
    INFLUX_URL="http://127.0.0.1:$http_port"
    wait_for "$INFLUX_URL/ping" 60
}

echo "== tsengine serve over HTTP" >&2
start_serve "$WORK/tsengine"
# --settle 70: the queries run once the server's maintenance (every 60 s) has compacted the
# points into Parquet, as InfluxDB's run waits for its compaction
"$TSENGINE" bench run "${WORKLOAD[@]}" --target "$SERVE_URL" --token "$TOKEN" \
    --server-pid "$SERVE_PID" --settle 70 --json "$OUT/tsengine-serve.json" \
    | tee "$OUT/tsengine-serve.txt"
stop "$SERVE_PID"

echo "== InfluxDB 1.x ($(influxd version 2>/dev/null | head -1))" >&2
start_influxd "$WORK/influxdb"
"$TSENGINE" bench run "${WORKLOAD[@]}" --target "influxdb1+$INFLUX_URL" \
    --server-pid "$INFLUX_PID" --target-data-dir "$WORK/influxdb" --settle "$SETTLE" \
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
# ingest alone, the two servers in turn, each round on new data directories and from one staged
# file of the same points; the order alternates (InfluxDB first in odd rounds), so that a drift
# of the machine's speed favours neither
if [ "$INGEST_ROUNDS" -gt 0 ]; then
    echo "== ingest rounds: InfluxDB 1.x and tsengine serve in turn ($INGEST_ROUNDS rounds)" >&2
    "$TSENGINE" bench generate --scale "$SCALE" --duration "$DURATION" -q \
        -o "$WORK/telemetry.lp"
    INGEST=(--workload ingest --input "$WORK/telemetry.lp" --concurrency 2 -q)
    mkdir -p "$OUT/ingest-rounds"
    rm -f "$OUT"/ingest-rounds/*.json
    for round in $(seq "$INGEST_ROUNDS"); do
        order=(influxdb1 tsengine-serve)
        [ $((round % 2)) = 0 ] && order=(tsengine-serve influxdb1)
        for server in "${order[@]}"; do
            result="$OUT/ingest-rounds/$server-$round.json"
            # each run on a quiet disk: the last run's files gone, nothing left to write back
            rm -rf "$WORK"/round-*
            sync
            sleep 2
            if [ "$server" = influxdb1 ]; then
                start_influxd "$WORK/round-influxdb"
                "$TSENGINE" bench run "${INGEST[@]}" --target "influxdb1+$INFLUX_URL" \
                    --json "$result" >/dev/null
                stop "$INFLUX_PID"
            else
                start_serve "$WORK/round-tsengine"
                "$TSENGINE" bench run "${INGEST[@]}" --target "$SERVE_URL" --token "$TOKEN" \
                    --json "$result" >/dev/null
                stop "$SERVE_PID"
            fi
        done
    done
    "$PYTHON" - "$OUT/ingest-rounds" "$INGEST_ROUNDS" <<'EOF' | tee "$OUT/ingest-rounds.txt"
import json
import statistics
import sys

folder, rounds = sys.argv[1], int(sys.argv[2])
rate = {}
for server in ("influxdb1", "tsengine-serve"):
    for n in range(1, rounds + 1):
        with open(f"{folder}/{server}-{n}.json") as f:
            rate[server, n] = json.load(f)["ingest"]["points_per_second"]
print("round  first           InfluxDB 1.x points/s  tsengine serve points/s  ratio")
ratios = []
for n in range(1, rounds + 1):
    ratios.append(rate["tsengine-serve", n] / rate["influxdb1", n])
    first = "InfluxDB 1.x" if n % 2 else "tsengine serve"
    print(f"{n:>5}  {first:<14}  {rate['influxdb1', n]:>21,.0f}  "
          f"{rate['tsengine-serve', n]:>23,.0f}  {ratios[-1]:.2f}x")
print(f"ingest over HTTP, tsengine serve / InfluxDB 1.x: median of {rounds} rounds "
      f"{statistics.median(ratios):.2f}x (lowest {min(ratios):.2f}x, highest {max(ratios):.2f}x)")
EOF
fi
echo "results in $OUT (open $OUT/compare/index.html)" >&2

