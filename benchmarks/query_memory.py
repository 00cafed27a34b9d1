"""The memory each query of `tsengine bench`'s set takes, alone, over a kept data directory.

    tsengine bench run --scale 1052 --duration 24h --workload ingest --data-dir DIR ...
    .venv/bin/python benchmarks/query_memory.py DIR [QUERY ...] [--start T] [--duration 24h]

Each query runs three times in a process of its own (so that no other query's pages are
counted) after the engine is opened and one small query has run; a thread reads the process's
anonymous resident memory (RssAnon: not the mapped files, which the page cache can drop) every
millisecond. Printed: the rows out and the peak growth over what was resident before, in MB.
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))


def _rss_anon_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no RssAnon in /proc/self/status (Linux only)")


def measure(data_dir: str, name: str, start: str, duration: str) -> dict[str, float]:
    """Open the engine, run the query three times; rows out and peak RssAnon growth (MB)."""
    from storage.timeutil import SECOND, format_time, parse_duration, parse_time
    from tsengine.bench.queries import query_set
    from tsengine.engine import Engine

    engine = Engine.open(data_dir)
    lo = parse_time(start)
    hi = lo + parse_duration(duration)
    (query,) = [q for q in query_set("bench", lo, hi) if q.name == name]
    # (the first second alone: a wider query would leave freed pages for the measured one)
    engine.query(f'from(bucket: "bench") |> range(start: {format_time(lo)}, '
                 f'stop: {format_time(lo + SECOND)}) |> count()')
    before = peak = _rss_anon_mb()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_anon_mb())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    rows = 0
    for _ in range(3):
        rows = sum(t.frame.height for tables in engine.query(query.flux).values()
                   for t in tables)
    done.set()
    sampler.join()
    return {"rows": rows, "growth_mb": peak - before}


def main() -> None:
    from tsengine.bench.queries import query_set

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir")
    parser.add_argument("queries", nargs="*")
    parser.add_argument("--start", default="2024-01-01T00:00:00Z")
    parser.add_argument("--duration", default="24h")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.data_dir, args.queries[0], args.start, args.duration)))
        return
    names = args.queries or [q.name for q in query_set("bench", 0, 1)]
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, args.data_dir, name, "--one", "--start", args.start,
             "--duration", args.duration], check=True, capture_output=True, text=True).stdout
        got = json.loads(out)
        print(f"{name:20s} rows {got['rows']:>9,}  memory +{got['growth_mb']:.0f} MB")


if __name__ == "__main__":
    main()
