"""Deterministic IoT telemetry as line protocol, generated in chunks so no size sits in memory.

Measurement `environmental_sensors`; tags sensor_id, location, region; fields temperature,
humidity, pressure (float), battery (integer), status (string); one point per sensor per interval.
The same seed always gives the same bytes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from storage.timeutil import SECOND

REGIONS = ("us-east", "us-west", "eu-central", "ap-south")
STATUSES = ("ok", "ok", "ok", "ok", "ok", "ok", "ok", "warning", "low_battery", "offline")
LOCATIONS_PER_REGION = 5


@dataclass(frozen=True)
class TelemetrySpec:
    """What to generate: how many sensors, from when, how often, for how many intervals."""

    sensors: int = 1000
    start: int = 1_704_067_200 * SECOND  # 2024-01-01T00:00:00Z
    interval: int = 10 * SECOND
    intervals: int = 1000
    seed: int = 42

    @property
    def points(self) -> int:
        return self.sensors * self.intervals


def sensor_tags(spec: TelemetrySpec) -> pl.DataFrame:
    """One row per sensor: its tags and its personal baselines."""
    rng = random.Random(spec.seed)
    rows = []
    for i in range(spec.sensors):
        region = REGIONS[i % len(REGIONS)]
        location = f"{region}-site-{(i // len(REGIONS)) % LOCATIONS_PER_REGION + 1:02d}"
        rows.append((f"sensor-{i:05d}", location, region, rng.uniform(15.0, 25.0),
                     rng.uniform(30.0, 60.0), rng.uniform(1000.0, 1025.0), rng.randint(60, 100)))
    return pl.DataFrame(rows, orient="row", schema=[
        ("sensor_id", pl.String), ("location", pl.String), ("region", pl.String),
        ("t0", pl.Float64), ("h0", pl.Float64), ("p0", pl.Float64), ("b0", pl.Int64)])


def telemetry_frames(spec: TelemetrySpec, chunk_intervals: int = 100) -> Iterator[pl.DataFrame]:
    """The telemetry as wide frames (time, tags, fields), `chunk_intervals` timestamps at a time."""
    sensors = sensor_tags(spec)
    rng = random.Random(spec.seed + 1)
    day = 86_400 * SECOND
    for first in range(0, spec.intervals, chunk_intervals):
        count = min(chunk_intervals, spec.intervals - first)
        n = count * spec.sensors
        noise_t = [rng.gauss(0.0, 0.3) for _ in range(n)]
        noise_h = [rng.gauss(0.0, 1.0) for _ in range(n)]
        noise_p = [rng.gauss(0.0, 0.5) for _ in range(n)]
        status = [STATUSES[int(rng.random() * len(STATUSES))] for _ in range(n)]
        frame = (
            pl.DataFrame({"step": pl.int_range(first, first + count, eager=True)})
            .join(sensors, how="cross")
            .with_columns(
                time=spec.start + pl.col("step") * spec.interval,
                noise_t=pl.Series(noise_t), noise_h=pl.Series(noise_h),
                noise_p=pl.Series(noise_p), status=pl.Series(status),
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
            )
        )
        yield frame


def to_line_protocol(frame: pl.DataFrame) -> str:
    """A telemetry frame as line protocol, formatted in one vectorized pass."""
    line = pl.concat_str([
        pl.lit("environmental_sensors,location="), pl.col("location"),
        pl.lit(",region="), pl.col("region"), pl.lit(",sensor_id="), pl.col("sensor_id"),
        pl.lit(" battery="), pl.col("battery").cast(pl.String), pl.lit("i,humidity="),
        pl.col("humidity").cast(pl.String), pl.lit(",pressure="),
        pl.col("pressure").cast(pl.String), pl.lit(',status="'), pl.col("status"),
        pl.lit('",temperature='), pl.col("temperature").cast(pl.String), pl.lit(" "),
        pl.col("time").cast(pl.String),
    ])
    lines = frame.select(line.alias("l"))["l"]
    return "\n".join(lines.to_list()) + "\n"


def telemetry_line_protocol(spec: TelemetrySpec, chunk_intervals: int = 100) -> Iterator[str]:
    """The telemetry as line-protocol text chunks."""
    for frame in telemetry_frames(spec, chunk_intervals):
        yield to_line_protocol(frame)
