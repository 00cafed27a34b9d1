"""Benchmark datasets: the deterministic IoT telemetry as a line-protocol file and as an
equivalent CSV (the DuckDB baseline), written once per spec and cached."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl

from tsengine.bench.generate import TelemetrySpec, telemetry_frames, to_line_protocol

CACHE = Path(os.environ.get("TSENGINE_BENCH_CACHE", Path(tempfile.gettempdir()) / "tsengine-bench"))

# 1,000 sensors x 1,000 timestamps 10 s apart = 1,000,000 lines
INGEST_SPEC = TelemetrySpec(sensors=1000, intervals=1000, seed=7)


def _stem(spec: TelemetrySpec) -> str:
    return f"telemetry-{spec.sensors}x{spec.intervals}-{spec.seed}"


def line_protocol_file(spec: TelemetrySpec = INGEST_SPEC) -> Path:
    """The telemetry as a line-protocol file (generated on first use)."""
    path = CACHE / f"{_stem(spec)}.lp"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as out:
            for frame in telemetry_frames(spec):
                out.write(to_line_protocol(frame))
        tmp.rename(path)
    return path


def csv_file(spec: TelemetrySpec = INGEST_SPEC) -> Path:
    """The same points as CSV with one column per tag and field: DuckDB's baseline input."""
    path = CACHE / f"{_stem(spec)}.csv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        frames = list(telemetry_frames(spec))
        tmp = path.with_suffix(".tmp")
        pl.concat(frames).write_csv(tmp)
        tmp.rename(path)
    return path
