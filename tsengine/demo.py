"""`make demo`: a day of sensor telemetry written into a bucket of an embedded data directory,
then what was stored and a few exported lines."""

from __future__ import annotations

import argparse
import sys
import time

from storage import StorageError, format_time
from tsengine.bench.generate import TelemetrySpec, telemetry_line_protocol
from tsengine.engine import Engine

DAY_OF_10S = 8640
DEMO_QUERY = """from(bucket: "telemetry")
  |> range(start: 2024-01-01T12:00:00Z, stop: 2024-01-01T15:00:00Z)
  |> filter(fn: (r) => r.sensor_id == "sensor-00001" and r._field == "temperature")
  |> aggregateWindow(every: 1h, fn: mean)"""


def run(data_dir: str, sensors: int = 50) -> None:
    """Generate, write, compact and describe one day of telemetry."""
    if sensors < 1:
        raise ValueError("the demo needs at least one sensor")
    spec = TelemetrySpec(sensors=sensors, intervals=DAY_OF_10S)
    with Engine.open(data_dir) as engine:
        engine.create_bucket("telemetry", retention="0", description="raw sensor telemetry")
        print(f"data directory: {data_dir}")
        print(f"writing {spec.points:,} points ({sensors} sensors, every 10 s for a day) ...")
        started = time.perf_counter()
        written = 0
        for chunk in telemetry_line_protocol(spec, chunk_intervals=2000):
            written += engine.write("telemetry", chunk).written
        elapsed = time.perf_counter() - started
        print(f"generated and wrote {written:,} points in {elapsed:.2f} s")
        result = engine.compact()
        print(f"compacted {result.rows_in:,} hot rows into {result.files_written} Parquet file(s)")
        print()
        print('bucket "telemetry":')
        for s in engine.stats("telemetry"):
            span = f"{format_time(s.first)} .. {format_time(s.last)}" if s.first is not None else ""
            print(f"  {s.name}: {s.series} series, {s.points:,} points, {span}")
            print(f"    tags:   {', '.join(s.tags)}")
            fields = ", ".join(f"{k} ({t.value})" for k, t in sorted(s.fields.items()))
            print(f"    fields: {fields}")
        print()
        print("first exported lines:")
        for i, line in enumerate(engine.export_lines("telemetry")):
            if i == 3:
                break
            print(f"  {line}")
        print()
        print("a Flux query:")
        print(DEMO_QUERY)
        print("its plan (what was pushed into the storage scan):")
        print(engine.explain(DEMO_QUERY))
        print("its result, as InfluxDB's query API would send it:")
        print(engine.query_csv(DEMO_QUERY).replace("\r\n", "\n"), end="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=".demo-data")
    parser.add_argument("--sensors", type=int, default=50)
    args = parser.parse_args()
    if args.sensors < 1:
        parser.error("--sensors must be at least 1")
    try:
        run(args.data_dir, args.sensors)
    except StorageError as e:  # e.g. a second run into the same directory: the bucket exists
        sys.exit(f"Error: {e} (remove {args.data_dir} or pick another --data-dir)")


if __name__ == "__main__":
    main()
