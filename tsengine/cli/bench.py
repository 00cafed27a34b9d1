"""`tsengine bench`: `bench generate` writes the deterministic telemetry; `bench run` measures
ingest, the query set and the rollup tasks against the embedded engine or a server's HTTP API;
`bench compare` puts several runs' results side by side."""

from __future__ import annotations

import gzip
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO

import click

from storage import InvalidArgument, parse_duration, parse_time
from tsengine.bench.generate import (
    TelemetrySpec,
    TelemetryStats,
    auto_chunk_intervals,
    telemetry_line_protocol,
)
from tsengine.bench.progress import Bar, no_progress
from tsengine.bench.report import render
from tsengine.bench.run import WORKLOADS, BenchConfig, run_bench
from tsengine.bench.targets import BenchError
from tsengine.cli.context import fail

SENSORS_PER_MACHINE = 10


@click.group("bench")
def bench() -> None:
    """Benchmark workloads: generate the IoT telemetry data set, run ingest, query and task
    workloads."""


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


@bench.command("run")
@click.option("--target", default="embedded", show_default=True,
              help="embedded (this process, its own data directory), an InfluxDB v2 URL "
                   "(http://host:8086: tsengine serve or InfluxDB 2.x) or "
                   "influxdb1+http://host:8086 (InfluxDB 1.x: /write and InfluxQL).")
@click.option("--token", envvar="INFLUX_TOKEN", help="API token of a URL target [$INFLUX_TOKEN].")
@click.option("--org", envvar="INFLUX_ORG", help="Organization of an InfluxDB v2 target "
              "[$INFLUX_ORG; default: default].")
@click.option("--bucket", default="bench", show_default=True,
              help="Bucket (database for influxdb1) to write and query; ingest creates it.")
@click.option("--workload", default=",".join(WORKLOADS), show_default=True,
              help="Comma-separated workloads to run, in this order: ingest, query, tasks.")
@click.option("--scale", type=click.IntRange(min=1), default=100, show_default=True,
              help="Environmental sensors to generate (and one machine per 10).")
@click.option("--duration", default="24h", show_default=True, help="Time span generated.")
@click.option("--interval", default="10s", show_default=True, help="Time between two points.")
@click.option("--seed", type=int, default=42, show_default=True, help="Generator seed.")
@click.option("--start", default="2024-01-01T00:00:00Z", show_default=True,
              help="Time of the first generated point.")
@click.option("--input", "input_", type=click.Path(dir_okay=False, path_type=Path),
              help="Line-protocol file (.lp or .lp.gz) to write instead of generated data.")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Lines per write request.")
@click.option("--concurrency", type=click.IntRange(min=1), default=2, show_default=True,
              help="Concurrent writing clients (threads, each with its own connection).")
@click.option("--precision", type=click.Choice(["ns", "us", "ms", "s"]), default="ns",
              show_default=True, help="Timestamp precision of the line protocol.")
@click.option("--query-rounds", type=click.IntRange(min=1), default=5, show_default=True,
              help="Timed runs of each query (after one warm-up run).")
@click.option("--baseline", type=click.Choice(["duckdb"]),
              help="Also run each query as DuckDB SQL over the same Parquet files (embedded).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the results as JSON to this file.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/index.html (one self-contained page: the figures, latency and "
                   "throughput charts, machine and command) and DIR/results.json.")
@click.option("--data-dir", "bench_data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Data directory of the embedded target [default: a temporary one, removed "
                   "afterwards; never the main data directory].")
@click.option("--server-pid", type=int,
              help="Process id of a local server target: its peak RSS is reported.")
@click.option("--target-data-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="influxd's local directory (holding data/ and wal/) of an influxdb1 target: "
                   "the database's bytes on disk per field value are reported.")
@click.option("--settle", type=click.FloatRange(min=0),
              help="Seconds to wait after ingest, before the disk and the queries: at most, "
                   "with --target-data-dir, for influxd to compact its WAL [default: 120]; the "
                   "whole time for another server target, e.g. 70 for tsengine serve's "
                   "compaction (every 60 s) [default: 0].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
def run(target: str, token: str | None, org: str | None, bucket: str, workload: str,
        scale: int, duration: str, interval: str, seed: int, start: str, input_: Path | None,
        batch_size: int, concurrency: int, precision: str, query_rounds: int,
        baseline: str | None, json_path: Path | None, report_dir: Path | None,
        bench_data_dir: Path | None, server_pid: int | None, target_data_dir: Path | None,
        settle: float | None, quiet: bool) -> None:
    """Measure ingest (points/s, bytes/s, batch latency), the bytes on disk per field value,
    the query set (p50/p95/p99, rows) and the example rollup tasks (runs/s, run latency), each
    with the peak RSS beside it.

    The same workload runs against the embedded engine, a tsengine server or InfluxDB 2.x
    (--target URL) and InfluxDB 1.x (--target influxdb1+URL), so their figures compare.
    """
    config = BenchConfig(
        target=target, token=token, org=org, bucket=bucket,
        workloads=tuple(w.strip() for w in workload.split(",") if w.strip()), scale=scale,
        duration=duration, interval=interval, seed=seed, start=start, input=input_,
        batch_size=batch_size, concurrency=concurrency, precision=precision,
        query_rounds=query_rounds, baseline=baseline, data_dir=bench_data_dir,
        target_data_dir=target_data_dir, settle_seconds=settle, server_pid=server_pid,
        command_line=[Path(sys.argv[0]).name, *sys.argv[1:]])
    try:
        result = run_bench(config, no_progress if quiet else _progressbar,
                           log=lambda m: None if quiet else click.echo(m, err=True))
    except (BenchError, InvalidArgument) as e:
        raise fail(str(e)) from None
    click.echo(render(result), nl=False)
    if json_path is not None:
        try:
            result.write_json(json_path)
        except OSError as e:
            raise fail(f"cannot write {json_path}: {e.strerror}") from None
    if report_dir is not None:
        from tsengine.bench.html_report import write_run_report  # matplotlib: only when asked

        try:
            page = write_run_report(result, report_dir)
        except OSError as e:
            raise fail(f"cannot write the report to {report_dir}: {e.strerror}") from None
        if not quiet:
            click.echo(f"report: {page}", err=True)


@bench.command("scale")
@click.option("--points", "points_", required=True,
              help="Comma-separated sizes to run, e.g. 1M,5M,20M (k, M, G suffixes).")
@click.option("--report", "report_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory for index.html (table and plot), scale.json, scale.md (the table "
                   "in Markdown), scale.svg (the plot) and runs/<size>.json of each run.")
@click.option("--target", default="embedded", show_default=True,
              help="As bench run's: embedded, an InfluxDB v2 URL or influxdb1+URL.")
@click.option("--token", envvar="INFLUX_TOKEN", help="API token of a URL target [$INFLUX_TOKEN].")
@click.option("--org", envvar="INFLUX_ORG", help="Organization of an InfluxDB v2 target.")
@click.option("--bucket", default="bench", show_default=True,
              help="Bucket; a URL target gets one per size (bench_1M, ...).")
@click.option("--workload", default="ingest,query", show_default=True,
              help="Workloads of each run (ingest is needed: each size writes its data).")
@click.option("--duration", default="24h", show_default=True,
              help="Time span of every size: the sizes differ by their number of sensors.")
@click.option("--interval", default="10s", show_default=True, help="Time between two points.")
@click.option("--seed", type=int, default=42, show_default=True, help="Generator seed.")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Lines per write request.")
@click.option("--concurrency", type=click.IntRange(min=1), default=2, show_default=True,
              help="Concurrent writing clients.")
@click.option("--query-rounds", type=click.IntRange(min=1), default=5, show_default=True,
              help="Timed runs of each query (after one warm-up run).")
@click.option("--baseline", type=click.Choice(["duckdb"]),
              help="Each query's DuckDB SQL over the same Parquet files too (embedded).")
@click.option("--server-pid", type=int, help="Process id of a local server target.")
@click.option("--target-data-dir", type=click.Path(file_okay=False, exists=True),
              help="influxd's local directory of an influxdb1 target (disk per field value).")
@click.option("--settle", type=click.FloatRange(min=0),
              help="As bench run's: seconds to wait after ingest for the target to compact.")
@click.option("--resume", is_flag=True,
              help="Keep the sizes whose runs/<size>.json exists in DIR; run the others.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
def scale(points_: str, report_dir: Path, target: str, token: str | None, org: str | None,
          bucket: str, workload: str, duration: str, interval: str, seed: int, batch_size: int,
          concurrency: int, query_rounds: int, baseline: str | None, server_pid: int | None,
          target_data_dir: str | None, settle: float | None, resume: bool, quiet: bool
          ) -> None:
    """Run the same workload at several sizes, each a `bench run` in its own process, and
    report how cost grows with the points: ingest points/s, each query's p50 (and its ratio to
    DuckDB's), bytes on disk per field value and peak RSS, as a table and a time-vs-points
    plot.

    Every size covers the same --duration; the number of sensors grows with the points.
    """
    from tsengine.bench.html_report import write_scale_report
    from tsengine.bench.scale import parse_points, render_text, run_scales, summarize

    run_args = ["--target", target, "--workload", workload, "--seed", str(seed),
                "--batch-size", str(batch_size), "--concurrency", str(concurrency),
                "--query-rounds", str(query_rounds)]
    for option, value in (("--token", token), ("--org", org), ("--baseline", baseline),
                          ("--settle", settle),
                          ("--server-pid", server_pid), ("--target-data-dir", target_data_dir)):
        if value is not None:
            run_args += [option, str(value)]
    if quiet:
        run_args.append("-q")
    try:
        if "ingest" not in workload.split(","):
            raise BenchError("bench scale writes each size's data: --workload needs ingest")
        runs = run_scales(parse_points(points_), run_args, report_dir, duration=duration,
                          interval=interval, bucket=bucket,
                          per_scale_bucket=target != "embedded", resume=resume,
                          log=lambda m: None if quiet else click.echo(m, err=True))
        table = summarize(runs)
        page = write_scale_report(table, report_dir)
    except (BenchError, InvalidArgument) as e:
        raise fail(str(e)) from None
    except OSError as e:
        raise fail(f"cannot write the report to {report_dir}: {e.strerror}") from None
    click.echo(render_text(table), nl=False)
    if not quiet:
        click.echo(f"report: {page}", err=True)


@bench.command("compare")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write DIR/index.html: the table and grouped bar charts.")
def compare(files: tuple[Path, ...], report_dir: Path | None) -> None:
    """Compare several `bench run --json` results files side by side: ingest points/s, each
    query's p50/p95/p99, tasks runs/s and peak RSS, with ratios to the first file.
    """
    from tsengine.bench.compare import compare as compare_results
    from tsengine.bench.compare import load, render_text

    try:
        comparison = compare_results(load(list(files)))
    except BenchError as e:
        raise fail(str(e)) from None
    click.echo(render_text(comparison), nl=False)
    if report_dir is not None:
        from tsengine.bench.html_report import write_compare_report

        try:
            page = write_compare_report(comparison, report_dir)
        except OSError as e:
            raise fail(f"cannot write the report to {report_dir}: {e.strerror}") from None
        click.echo(f"report: {page}", err=True)


def _progressbar(label: str, total: int) -> AbstractContextManager[Bar]:
    return click.progressbar(length=max(total, 1), label=f"{label:<10}",
                             file=sys.stderr, show_eta=True)
