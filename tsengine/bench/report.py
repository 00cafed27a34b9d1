"""A `BenchResult` as the readable tables `bench run` prints: one per workload, every timing
with the peak RSS beside it."""

from __future__ import annotations

from tsengine.bench.results import BenchResult, DiskUsage
from tsengine.bench.stats import Latency


def render(result: BenchResult) -> str:
    """The whole report as text."""
    parts = [_heading(result)]
    if result.ingest is not None:
        i = result.ingest
        rows = [["ingest", f"{i.points:,}", f"{i.seconds:.2f}", f"{i.points_per_second:,.0f}",
                 f"{i.bytes_per_second / 1e6:,.1f}", *_ms(i.latency), _mb(i.peak_rss_bytes)]]
        if i.compaction is not None:
            c = i.compaction
            rows.append(["compaction", f"{c.files_written} files", f"{c.seconds:.2f}", "", "",
                         "", "", "", _mb(c.peak_rss_bytes)])
        parts.append(table(["workload", "points", "seconds", "points/s", "MB/s", "batch p50 ms",
                            "p95 ms", "p99 ms", "peak RSS MB"], rows))
        if i.error:
            parts.append(f"ingest failed: {i.error}")
    if result.disk is not None:
        parts.append(disk_table(result.disk))
    if result.query is not None:
        baseline = any(q.baseline for q in result.query.queries)
        head = ["query", "rows", "p50 ms", "p95 ms", "p99 ms", "peak RSS MB"]
        if baseline:
            head += ["duckdb p50 ms", "ratio"]
        rows = []
        for q in result.query.queries:
            row = [q.name, f"{q.rows:,}", *_ms(q.latency), _mb(q.peak_rss_bytes)]
            if q.error:
                row = [q.name, "error", "", "", "", _mb(q.peak_rss_bytes)]
            if baseline:
                b = q.baseline
                row += [_ms(b.latency)[0], f"{b.ratio:.2f}x" if b and b.ratio else ""] if b \
                    else ["", ""]
            rows.append(row)
        parts.append(table(head, rows))
        parts += [f"{q.name} failed: {q.error}" for q in result.query.queries if q.error]
    if result.tasks is not None:
        t = result.tasks
        if t.status == "unsupported":
            parts.append(f"tasks: {t.reason}")
        else:
            parts.append(table(
                ["tasks", "runs", "succeeded", "seconds", "runs/s", "run p50 ms", "p95 ms",
                 "p99 ms", "peak RSS MB"],
                [[" + ".join(t.tasks), f"{t.runs:,}", f"{t.succeeded:,}", f"{t.seconds:.2f}",
                  f"{t.runs_per_second:,.1f}" if t.runs_per_second else "", *_ms(t.latency),
                  _mb(t.peak_rss_bytes)]]))
            if t.reason:
                parts.append(f"tasks: {t.reason}")
    return "\n\n".join(parts) + "\n"


def disk_table(d: DiskUsage) -> str:
    """The bucket's files and their bytes per field value; what is not in them said below."""
    what = "parquet" if d.hot_rows is not None else "influxd files"
    lines = [table(["disk", "files", "MB", "field values", "bytes/field value"],
                   [[what, f"{d.files:,}", f"{d.bytes / 1e6:,.2f}", f"{d.field_values:,}",
                     f"{d.bytes_per_field_value:.2f}" if d.bytes_per_field_value else ""]])]
    if d.error:
        lines.append(f"disk: {d.error}")
    if d.hot_rows:
        lines.append(f"disk: {d.hot_rows:,} rows ({d.hot_field_values or 0:,} field values) "
                     "still in the hot tier, not counted above")
    if d.catalog_bytes is not None:
        lines.append(f"disk: catalog.duckdb (manifest and hot tiers of all buckets, free "
                     f"blocks included) {d.catalog_bytes / 1e6:,.2f} MB, not counted above")
    if d.wal_bytes:
        lines.append(f"disk: {d.wal_bytes / 1e6:,.2f} MB of it WAL not yet compacted into TSM")
    return "\n".join(lines)


def table(head: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, the others right."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(head), *(line(r) for r in rows)])


def _heading(result: BenchResult) -> str:
    t, d, m = result.target, result.dataset, result.machine
    where = "the embedded engine" if t.kind == "embedded" else f"{t.kind} at {t.url}"
    if d.source == "generated":
        data = f"{d.scale:,} sensors for {d.duration} every {d.interval} (seed {d.seed})"
    else:
        data = f"{d.path}"
    span = f", {d.start} .. {d.stop}" if d.start else ""
    return (f"tsengine bench: {where}, bucket {t.bucket}\n"
            f"data: {data}: {d.points:,} points, {d.bytes / 1e6:,.1f} MB of line protocol{span}\n"
            f"machine: {m.cpus} CPUs, {m.processor}; peak RSS: {t.rss_of}")


def _ms(latency: Latency) -> list[str]:
    return [f"{v * 1000:,.1f}" if v is not None else ""
            for v in (latency.p50, latency.p95, latency.p99)]


def _mb(value: int | None) -> str:
    return f"{value / 2**20:,.0f}" if value is not None else ""
