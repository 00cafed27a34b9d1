"""Deterministic IoT telemetry as line protocol, generated in chunks so no size sits in memory.

Measurement `environmental_sensors`: tags sensor_id, location, region; fields temperature,
humidity, pressure (float), battery (integer), status (string); one point per sensor per interval.
Measurement `machine_vibration` (when `machines` > 0): tags machine_id, location, region; fields
vibration, rpm, bearing_temperature (float), revolutions (integer counter), running (boolean).
Gaps (a missed interval) and late points (written after points with later timestamps) happen at
configurable rates. The same spec (and chunk size) always gives the same bytes; with no machines,
gaps or late points the output is byte for byte what earlier versions produced, so benchmark
datasets keep their numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from storage.timeutil import HOUR, MINUTE, SECOND

REGIONS = ("us-east", "us-west", "eu-central", "ap-south")
STATUSES = ("ok", "ok", "ok", "ok", "ok", "ok", "ok", "warning", "low_battery", "offline")
LOCATIONS_PER_REGION = 5
# Every machine stops for STOP every SHIFT (maintenance), at its own offset into the shift.
SHIFT = 8 * HOUR
STOP = 30 * MINUTE
WEEK = 7 * 24 * HOUR
# The auto chunk size keeps about this many points per chunk (and never more than 100 intervals,
# the size the benchmark datasets were generated with).
CHUNK_POINTS = 100_000
# Internal ordering columns of the line frames.
_ORDER = ["_emit", "_late", "_step", "_kind", "_idx"]


@dataclass(frozen=True)
class TelemetrySpec:
    """What to generate: how many sensors and machines, from when, how often, for how long, and
    how irregular (gap and late rates; a late point arrives 1..late_intervals intervals late)."""

    sensors: int = 1000
    start: int = 1_704_067_200 * SECOND  # 2024-01-01T00:00:00Z
    interval: int = 10 * SECOND
    intervals: int = 1000
    seed: int = 42
    machines: int = 0
    gap_rate: float = 0.0
    late_rate: float = 0.0
    late_intervals: int = 30

    @property
    def series(self) -> int:
        return self.sensors + self.machines

    @property
    def points(self) -> int:
        """Points before gaps: one per series per interval."""
        return self.series * self.intervals


@dataclass
class TelemetryStats:
    """Counts a generator run fills in as it goes (for the CLI's summary line)."""

    points: int = 0
    gaps: int = 0
    late: int = 0
    bytes: int = 0


def auto_chunk_intervals(spec: TelemetrySpec) -> int:
    """Intervals per chunk so a chunk holds about CHUNK_POINTS points (100 for up to 1000 series,
    which matches the benchmark datasets' chunking and so their bytes)."""
    return max(1, min(100, CHUNK_POINTS // max(1, spec.series)))


def _location(i: int) -> tuple[str, str]:
    region = REGIONS[i % len(REGIONS)]
    return f"{region}-site-{(i // len(REGIONS)) % LOCATIONS_PER_REGION + 1:02d}", region


def sensor_tags(spec: TelemetrySpec) -> pl.DataFrame:
    """One row per sensor: its tags and its personal baselines."""
    rng = random.Random(spec.seed)
    rows = []
    for i in range(spec.sensors):
        location, region = _location(i)
        rows.append((f"sensor-{i:05d}", location, region, rng.uniform(15.0, 25.0),
                     rng.uniform(30.0, 60.0), rng.uniform(1000.0, 1025.0), rng.randint(60, 100)))
    return pl.DataFrame(rows, orient="row", schema=[
        ("sensor_id", pl.String), ("location", pl.String), ("region", pl.String),
        ("t0", pl.Float64), ("h0", pl.Float64), ("p0", pl.Float64), ("b0", pl.Int64)])


def machine_tags(spec: TelemetrySpec) -> pl.DataFrame:
    """One row per machine: tags (sharing the sensors' sites) and baselines."""
    rng = random.Random(spec.seed + 3)
    rows = []
    for i in range(spec.machines):
        location, region = _location(i)
        rows.append((f"machine-{i:04d}", location, region, float(rng.randrange(900, 3600, 50)),
                     rng.uniform(1.0, 4.0), rng.uniform(40.0, 60.0),
                     rng.randrange(0, SHIFT, SECOND), rng.randrange(10**6, 10**8)))
    return pl.DataFrame(rows, orient="row", schema=[
        ("machine_id", pl.String), ("location", pl.String), ("region", pl.String),
        ("rpm0", pl.Float64), ("v0", pl.Float64), ("bt0", pl.Float64), ("offset", pl.Int64),
        ("rev0", pl.Int64)])


def telemetry_frames(spec: TelemetrySpec, chunk_intervals: int = 100) -> Iterator[pl.DataFrame]:
    """The sensor telemetry as wide frames (time, tags, fields), `chunk_intervals` timestamps at a
    time, in time order; gaps are left out, lateness (a property of writing) is ignored."""
    for frame, _ in _sensor_chunks(spec, chunk_intervals):
        yield frame.filter(~pl.col("_gap")).drop("step", "_gap", "_late", "_emit", "_idx")


def vibration_frames(spec: TelemetrySpec, chunk_intervals: int = 100) -> Iterator[pl.DataFrame]:
    """The machine telemetry as wide frames, like `telemetry_frames`."""
    for frame in _machine_chunks(spec, chunk_intervals):
        yield frame.filter(~pl.col("_gap")).drop("step", "_gap", "_late", "_emit", "_idx")


def _steps(spec: TelemetrySpec, chunk_intervals: int) -> Iterator[tuple[int, int]]:
    for first in range(0, spec.intervals, chunk_intervals):
        yield first, min(chunk_intervals, spec.intervals - first)


def _irregularity(rng: np.random.Generator, spec: TelemetrySpec, steps: pl.Series,
                  n: int) -> dict[str, pl.Series]:
    """Per point: is it missed (gap), is it late, and the step after which it is written."""
    if spec.gap_rate <= 0 and spec.late_rate <= 0:
        false = pl.repeat(False, n, eager=True)
        return {"_gap": false, "_late": false, "_emit": steps}
    draws = rng.random((n, 3))  # one row per point, so the stream does not depend on chunking
    gap = draws[:, 0] < spec.gap_rate
    late = ~gap & (draws[:, 1] < spec.late_rate)
    delay = 1 + (draws[:, 2] * max(1, spec.late_intervals)).astype(np.int64)
    emit = steps.to_numpy() + np.where(late, delay, 0)
    return {"_gap": pl.Series(gap), "_late": pl.Series(late), "_emit": pl.Series(emit)}


def _sensor_chunks(spec: TelemetrySpec,
                   chunk_intervals: int) -> Iterator[tuple[pl.DataFrame, int]]:
    """Sensor frames with the bookkeeping columns step, _gap, _late, _emit, _idx."""
    sensors = sensor_tags(spec).with_row_index("_idx")
    rng = random.Random(spec.seed + 1)
    irregular = np.random.default_rng((spec.seed, 5))
    day = 86_400 * SECOND
    for first, count in _steps(spec, chunk_intervals):
        n = count * spec.sensors
        noise_t = [rng.gauss(0.0, 0.3) for _ in range(n)]
        noise_h = [rng.gauss(0.0, 1.0) for _ in range(n)]
        noise_p = [rng.gauss(0.0, 0.5) for _ in range(n)]
        status = [STATUSES[int(rng.random() * len(STATUSES))] for _ in range(n)]
        base = pl.DataFrame({"step": pl.int_range(first, first + count, eager=True)}).join(
            sensors, how="cross")
        frame = (
            base.with_columns(
                time=spec.start + pl.col("step") * spec.interval,
                noise_t=pl.Series(noise_t), noise_h=pl.Series(noise_h),
                noise_p=pl.Series(noise_p), status=pl.Series(status),
                **_irregularity(irregular, spec, base["step"], n),
            )
            .with_columns(
                phase=((pl.col("time") % day) / day * 2 * math.pi).sin(),
            )
            .select(
                "time", "sensor_id", "location", "region",
                temperature=(pl.col("t0") + 4 * pl.col("phase") + pl.col("noise_t")).round(2),
                humidity=(pl.col("h0") - 8 * pl.col("phase") + pl.col("noise_h")).clip(0, 100)
                .round(2),
                pressure=(pl.col("p0") + pl.col("noise_p")).round(2),
                battery=(pl.col("b0") - pl.col("step") // 360).clip(0, 100),
                status="status",
                step="step", _gap="_gap", _late="_late", _emit="_emit", _idx="_idx",
            )
        )
        yield frame, first + count


def _machine_chunks(spec: TelemetrySpec, chunk_intervals: int) -> Iterator[pl.DataFrame]:
    """Machine frames with the bookkeeping columns; revolutions carry over between chunks."""
    if spec.machines <= 0:
        for _ in _steps(spec, chunk_intervals):
            yield pl.DataFrame()
        return
    machines = machine_tags(spec).with_row_index("_idx")
    noise = np.random.default_rng((spec.seed, 4))
    irregular = np.random.default_rng((spec.seed, 6))
    revolutions = machines.select("_idx", carried=pl.col("rev0"))
    seconds = spec.interval / SECOND
    for first, count in _steps(spec, chunk_intervals):
        n = count * spec.machines
        z = noise.standard_normal((n, 3))
        base = pl.DataFrame({"step": pl.int_range(first, first + count, eager=True)}).join(
            machines, how="cross")
        frame = (
            base.with_columns(
                time=spec.start + pl.col("step") * spec.interval,
                z_rpm=pl.Series(z[:, 0]), z_vib=pl.Series(z[:, 1]), z_temp=pl.Series(z[:, 2]),
                **_irregularity(irregular, spec, base["step"], n),
            )
            .with_columns(running=(pl.col("time") + pl.col("offset")) % SHIFT >= STOP)
            .with_columns(
                rpm=pl.when("running").then(pl.col("rpm0") * (1 + 0.01 * pl.col("z_rpm")))
                .otherwise(0.0).round(1),
            )
            .with_columns(turns=(pl.col("rpm") * seconds / 60).round(0).cast(pl.Int64))
            .join(revolutions, on="_idx", how="left")
            .with_columns(
                revolutions=pl.col("carried") + pl.col("turns").cum_sum().over("_idx"),
            )
        )
        revolutions = frame.group_by("_idx").agg(carried=pl.col("revolutions").last())
        # wear: vibration creeps up by half a week; a stopped machine only picks up floor noise
        wear = 1 + (pl.col("time") - spec.start) / WEEK * 0.5
        yield frame.select(
            "time", "machine_id", "location", "region",
            bearing_temperature=(pl.when("running").then(pl.col("bt0")).otherwise(
                pl.col("bt0") - 15) + pl.col("z_temp")).round(2),
            revolutions="revolutions",
            rpm="rpm",
            running="running",
            vibration=pl.when("running").then(pl.col("v0") * wear * (1 + 0.1 * pl.col("z_vib")))
            .otherwise(0.05 * pl.col("z_vib").abs()).abs().round(3),
            step="step", _gap="_gap", _late="_late", _emit="_emit", _idx="_idx",
        )


def _sensor_line() -> pl.Expr:
    return pl.concat_str([
        pl.lit("environmental_sensors,location="), pl.col("location"),
        pl.lit(",region="), pl.col("region"), pl.lit(",sensor_id="), pl.col("sensor_id"),
        pl.lit(" battery="), pl.col("battery").cast(pl.String), pl.lit("i,humidity="),
        pl.col("humidity").cast(pl.String), pl.lit(",pressure="),
        pl.col("pressure").cast(pl.String), pl.lit(',status="'), pl.col("status"),
        pl.lit('",temperature='), pl.col("temperature").cast(pl.String), pl.lit(" "),
        pl.col("time").cast(pl.String),
    ])


def _machine_line() -> pl.Expr:
    return pl.concat_str([
        pl.lit("machine_vibration,location="), pl.col("location"),
        pl.lit(",machine_id="), pl.col("machine_id"), pl.lit(",region="), pl.col("region"),
        pl.lit(" bearing_temperature="), pl.col("bearing_temperature").cast(pl.String),
        pl.lit(",revolutions="), pl.col("revolutions").cast(pl.String),
        pl.lit("i,rpm="), pl.col("rpm").cast(pl.String),
        pl.lit(",running="), pl.when("running").then(pl.lit("true")).otherwise(pl.lit("false")),
        pl.lit(",vibration="), pl.col("vibration").cast(pl.String), pl.lit(" "),
        pl.col("time").cast(pl.String),
    ])


def to_line_protocol(frame: pl.DataFrame) -> str:
    """A sensor telemetry frame as line protocol, formatted in one vectorized pass."""
    lines = frame.select(_sensor_line().alias("l"))["l"]
    return "\n".join(lines.to_list()) + "\n"


def telemetry_line_protocol(spec: TelemetrySpec, chunk_intervals: int = 100,
                            stats: TelemetryStats | None = None) -> Iterator[str]:
    """The telemetry as line-protocol text chunks: each step's sensors then machines, missed
    points left out, late points written after the step they are late to (possibly in a later
    chunk). `stats`, if given, is updated as chunks are yielded."""
    stats = stats if stats is not None else TelemetryStats()
    pending = pl.DataFrame(schema={**dict.fromkeys(_ORDER, pl.Int64), "l": pl.String})
    machine_chunks = _machine_chunks(spec, chunk_intervals)
    for sensors, end in _sensor_chunks(spec, chunk_intervals):
        machines = next(machine_chunks)
        parts = [_lines(sensors, _sensor_line(), 0)]
        if machines.height:
            parts.append(_lines(machines, _machine_line(), 1))
        gaps = sum(p.height for p in parts)
        parts = [p.filter(~pl.col("_gap")).drop("_gap") for p in parts]
        gaps -= sum(p.height for p in parts)
        stats.gaps += gaps
        stats.late += sum(int(p["_late"].sum()) for p in parts)
        if len(parts) == 1 and pending.height == 0 and not parts[0]["_late"].sum():
            out = parts[0]  # the regular case: already in order, no sort needed
        else:
            rows = pl.concat([pending, *[p.with_columns(pl.col(_ORDER).cast(pl.Int64))
                                         for p in parts]])
            last = end >= spec.intervals
            now = rows if last else rows.filter(pl.col("_emit") < end)
            pending = rows.clear() if last else rows.filter(pl.col("_emit") >= end)
            out = now.sort(_ORDER)
        if out.height:
            text = "\n".join(out["l"].to_list()) + "\n"
            stats.points += out.height
            stats.bytes += len(text)  # ASCII only, so characters are bytes
            yield text


def _lines(frame: pl.DataFrame, line: pl.Expr, kind: int) -> pl.DataFrame:
    return frame.select(
        _emit="_emit", _late=pl.col("_late").cast(pl.Int64), _step="step",
        _kind=pl.lit(kind, pl.Int64), _idx=pl.col("_idx").cast(pl.Int64), l=line, _gap="_gap",
    )
