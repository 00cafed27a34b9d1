"""`tsengine bench`: benchmark workloads; `bench generate` writes the deterministic telemetry."""

from __future__ import annotations

import gzip
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

from storage import InvalidArgument, parse_duration, parse_time
from tsengine.bench.generate import (
    TelemetrySpec,
    TelemetryStats,
    auto_chunk_intervals,
    telemetry_line_protocol,
)
from tsengine.cli.context import fail

SENSORS_PER_MACHINE = 10


@click.group("bench")
def bench() -> None:
    """Benchmark workloads: generate the IoT telemetry data set."""


@bench.command("generate")
@click.option("--scale", type=click.IntRange(min=1), default=100, show_default=True,
              help="Number of environmental sensors.")
@click.option("--machines", type=click.IntRange(min=0), default=None,
              help=f"Number of vibration-monitored machines [default: one per "
                   f"{SENSORS_PER_MACHINE} sensors, at least 1].")
@click.option("--duration", default="24h", show_default=True, help="Time span covered.")
@click.option("--interval", default="10s", show_default=True,
              help="Time between two points of a series.")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed: the same seed gives the same bytes.")
@click.option("--start", default="2024-01-01T00:00:00Z", show_default=True,
              help="Time of the first point (RFC3339).")
@click.option("--gap-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Fraction of points missed (a series skips an interval).")
@click.option("--late-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Fraction of points written late, after points with later timestamps.")
@click.option("--late-by", default="5m", show_default=True,
              help="How late a late point can be, at most.")
@click.option("-o", "--output", required=True,
              help="File to write (.gz is gzip-compressed), or - for standard output.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
def generate(scale: int, machines: int | None, duration: str, interval: str, seed: int,
             start: str, gap_rate: float, late_rate: float, late_by: str, output: str,
             quiet: bool) -> None:
    """Generate deterministic IoT telemetry as line protocol, streamed chunk by chunk.

    Measurements environmental_sensors and machine_vibration, with float, integer, string and
    boolean fields; optional gaps and late points.
    """
    try:
        step = parse_duration(interval)
        span = parse_duration(duration)
        late = parse_duration(late_by)
        first = parse_time(start)
    except InvalidArgument as e:
        raise fail(str(e)) from None
    if step <= 0:
        raise fail("--interval must be greater than zero")
    if span < step:
        raise fail(f"--duration {duration} is shorter than one --interval ({interval})")
    spec = TelemetrySpec(
        sensors=scale, start=first, interval=step, intervals=span // step, seed=seed,
        machines=max(1, scale // SENSORS_PER_MACHINE) if machines is None else machines,
        gap_rate=gap_rate, late_rate=late_rate, late_intervals=max(1, late // step))
    stats = TelemetryStats()
    started = time.perf_counter()
    chunks = telemetry_line_protocol(spec, auto_chunk_intervals(spec), stats)
    with _open_output(output) as out:
        if output == "-" or quiet:
            for chunk in chunks:
                out.write(chunk.encode())
        else:
            with click.progressbar(length=spec.points, label="generating", file=sys.stderr,
                                   show_eta=True) as bar:
                for chunk in chunks:
                    out.write(chunk.encode())
                    bar.update(stats.points + stats.gaps - bar.pos)
    if not quiet:
        where = "standard output" if output == "-" else output
        click.echo(
            f"generated {stats.points:,} points ({spec.series:,} series, {stats.gaps:,} missed, "
            f"{stats.late:,} late), {stats.bytes:,} bytes of line protocol to {where} in "
            f"{time.perf_counter() - started:.1f} s", err=True)


@contextmanager
def _open_output(output: str) -> Iterator[IO[bytes]]:
    """The binary stream to write to; gzip with a fixed header so the same seed gives the same
    file bytes."""
    if output == "-":
        yield sys.stdout.buffer
        return
    try:
        raw = open(output, "wb")  # noqa: SIM115 - closed below, after the gzip trailer
    except OSError as e:
        raise fail(f"cannot write {output}: {e.strerror}") from None
    with raw:
        if output.endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                               compresslevel=6) as gz:
                yield gz
        else:
            yield raw
