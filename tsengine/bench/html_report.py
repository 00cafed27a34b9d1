"""The `--report DIR` pages: one self-contained index.html (inline SVG charts, inline CSS, no
network) beside the results JSON, so a run can be mailed, archived or opened offline."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from collections.abc import Sequence
from html import escape
from pathlib import Path

from tsengine.bench import plots
from tsengine.bench.compare import Comparison
from tsengine.bench.report import render
from tsengine.bench.results import BenchResult
from tsengine.bench.scale import ScaleTable, render_markdown, render_text

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
pre, code { font-family: ui-monospace, monospace; font-size: 0.85em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.better { color: #176b1c; } td.worse { color: #a3161b; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
.note { color: #555; font-size: 0.9em; }
"""
CLEAR = 1.1  # a ratio is coloured once it is 10% better or worse than the first file's


def write_run_report(result: BenchResult, directory: Path) -> Path:
    """DIR/index.html and DIR/results.json for one run; returns the page's path."""
    directory.mkdir(parents=True, exist_ok=True)
    result.write_json(directory / "results.json")
    page = directory / "index.html"
    page.write_text(run_page(result))
    return page


def write_compare_report(comparison: Comparison, directory: Path) -> Path:
    """DIR/index.html comparing several result files; returns the page's path."""
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "index.html"
    page.write_text(compare_page(comparison))
    return page


def write_scale_report(scale: ScaleTable, directory: Path) -> Path:
    """DIR/index.html, scale.json, scale.md (the table for a README) and scale.svg (the plot
    as a file of its own) for a `bench scale`; returns the page's path."""
    directory.mkdir(parents=True, exist_ok=True)
    svg = scale_chart(scale)
    (directory / "scale.json").write_text(json.dumps(scale.to_dict(), indent=2) + "\n")
    (directory / "scale.md").write_text(render_markdown(scale))
    (directory / "scale.svg").write_text(svg)
    page = directory / "index.html"
    page.write_text(scale_page(scale, svg))
    return page


def scale_chart(scale: ScaleTable) -> str:
    """Time against points: the queries' p50 (and DuckDB's) and the ingest time."""
    names = scale.query_names()
    return plots.scale_lines(
        [float(r.points) for r in scale.runs],
        {n: scale.values(f"{n} p50 ms") for n in names},
        {n: scale.values(f"{n} duckdb p50 ms") for n in names
         if any(scale.values(f"{n} duckdb p50 ms"))},
        scale.values("ingest seconds"))


def scale_page(scale: ScaleTable, svg: str) -> str:
    """The sizes side by side: the table, the plot, each size's run and its command."""
    first = scale.runs[0].doc
    body = ["<h1>tsengine bench scale</h1>",
            f"<pre>{escape(render_text(scale))}</pre>",
            _figure(svg, "Log-log: a dotted line is linear growth from the smallest size; a "
                         "line below it grows slower than the points."),
            "<h2>Runs</h2>", "<table><tr><th>size</th><th>points</th><th>sensors</th>"
            "<th>results</th><th>command</th></tr>"]
    for r in scale.runs:
        body.append(f"<tr><td>{escape(r.label)}</td><td>{r.points:,}</td><td>{r.sensors:,}</td>"
                    f'<td><a href="{escape(r.results)}">{escape(r.results)}</a></td>'
                    f"<td><code>{escape(_command(r.doc['command_line']))}</code></td></tr>")
    body += ["</table>", "<h2>Machine</h2>", _definitions(_machine(first["machine"]))]
    return _page("tsengine bench scale", body)


def run_page(result: BenchResult) -> str:
    """One run: where and how it ran, the figures (the text report's table), then a chart per
    distribution that was measured."""
    t = result.target
    where = "the embedded engine" if t.kind == "embedded" else f"{t.kind} at {t.url}"
    body = [f"<h1>tsengine bench: {escape(where)}</h1>",
            f"<p>Started {escape(result.started_at)}; bucket <code>{escape(t.bucket)}</code>; "
            f"peak RSS is {escape(t.rss_of)}.</p>",
            "<h2>Command</h2>", f"<pre>{escape(_command(result.command_line))}</pre>",
            "<h2>Figures</h2>", f"<pre>{escape(render(result))}</pre>",
            *_run_charts(result), *_disk(result),
            "<h2>Machine</h2>", _definitions(_machine(result.machine.__dict__)),
            "<h2>Data set and settings</h2>",
            _definitions({**_plain(result.dataset.__dict__), **_plain(result.settings.__dict__)})]
    if result.query is not None and result.query.queries:
        body += ["<h2>Query texts</h2>"]
        for q in result.query.queries:
            body.append(f"<details><summary><code>{escape(q.name)}</code>: "
                        f"{escape(q.description)}</summary><pre>{escape(q.text)}</pre>"
                        + (f"<p>DuckDB baseline:</p><pre>{escape(q.baseline.text)}</pre>"
                           if q.baseline else "") + "</details>")
    body.append('<p class="note">The raw timings behind every chart are in '
                '<a href="results.json">results.json</a>.</p>')
    return _page(f"tsengine bench: {where}", body)


def _run_charts(result: BenchResult) -> list[str]:
    out: list[str] = []
    ingest = result.ingest
    if ingest is not None:
        out.append("<h2>Ingest</h2>")
        timeline = ingest.batch_timeline
        if timeline:
            done = [b.done_at for b in timeline]
            out.append(_figure(plots.throughput_over_time(
                done, [b.points for b in timeline], ingest.points_per_second),
                f"{ingest.points:,} points in {ingest.batches:,} batch(es) of up to "
                f"{result.settings.batch_size:,} from {result.settings.concurrency} client(s)."))
            out.append(_figure(plots.batch_latency(done, [b.seconds for b in timeline]),
                               "Each batch's write, from send to acknowledgement."))
        else:
            out.append(_missing("ingest", ingest.error))
    query = result.query
    if query is not None:
        out.append("<h2>Queries</h2>")
        timed = [q for q in query.queries if q.round_seconds]
        if timed:
            name = "tsengine (embedded)" if result.target.kind == "embedded" else \
                result.target.kind
            series = {name: [q.round_seconds for q in timed]}
            if any(q.baseline and q.baseline.round_seconds for q in timed):
                series["DuckDB SQL baseline"] = [q.baseline.round_seconds if q.baseline else []
                                                 for q in timed]
            out.append(_figure(plots.latency_boxes(
                [q.name for q in timed], series, "query latency per round"),
                f"{result.settings.query_rounds} timed rounds of each query after one warm-up "
                "run: box from p25 to p75, whiskers to 1.5 IQR, a dot per round."))
        else:
            out.append(_missing("query", query.reason))
    tasks = result.tasks
    if tasks is not None:
        out.append("<h2>Tasks</h2>")
        if tasks.run_seconds:
            out.append(_figure(plots.run_latencies(tasks.run_seconds),
                               f"{' + '.join(tasks.tasks)}: {tasks.runs:,} runs, "
                               f"{tasks.succeeded:,} succeeded."))
        else:
            out.append(_missing("tasks", tasks.reason))
    return out


def _disk(result: BenchResult) -> list[str]:
    """The bucket's bytes on disk per field value and where they were counted."""
    d = result.disk
    if d is None:
        return []
    figure = (f"{d.bytes_per_field_value:.2f} bytes per field value"
              if d.bytes_per_field_value else "no bytes per field value")
    return ["<h2>Disk</h2>",
            f"<p>{escape(figure)}: {d.bytes:,} bytes on disk ({escape(d.measured)}, "
            f"{d.files:,} files) for {d.field_values:,} field values (one field of one "
            "point).</p>", _definitions(_plain(d.__dict__))]


def compare_page(comparison: Comparison) -> str:
    """Several runs side by side: who they are, the figures with ratios, grouped bar charts."""
    labels = [e.label for e in comparison.entries]
    legend = ["<table><tr><th>column</th><th>file</th><th>target</th><th>data</th>"
              "<th>machine</th><th>started</th></tr>"]
    for e in comparison.entries:
        legend.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in (
            e.label, str(e.path), e.target, e.data, e.machine, e.started_at)) + "</tr>")
    legend.append("</table>")
    body = ["<h1>tsengine bench: comparison</h1>", "<h2>Files</h2>", *legend,
            *(f'<p class="note">{escape(n)}</p>' for n in comparison.notes),
            "<h2>Figures</h2>", _comparison_table(comparison),
            '<p class="note">Ratios are each file\'s figure over the first file\'s '
            f"({escape(labels[0])}); green is better, red worse, by more than 10%.</p>"]
    queries = comparison.query_names
    if queries:
        body.append("<h2>Queries</h2>")
        for q in ("p50", "p99"):
            body.append(_figure(plots.grouped_bars(
                queries, {e.label: comparison.query_latency(i, q) for i, e in
                          enumerate(comparison.entries)}, f"query latency, {q}", "ms"),
                f"{q} latency of each query, one bar per file."))
    body += ["<h2>Throughput and memory</h2>", _figure(plots.bar_panels(labels, [
        ("ingest", "points/s", comparison.values("ingest points/s")),
        ("tasks", "runs/s", comparison.values("tasks runs/s")),
        ("disk", "bytes/field value", comparison.values("disk bytes/field value")),
        ("peak RSS", "MB", comparison.values("peak RSS MB"))]),
        "Ingest and task throughput (higher is better), bytes on disk per field value and peak "
        "RSS (lower is better).")]
    return _page("tsengine bench: comparison", body)


def _comparison_table(comparison: Comparison) -> str:
    """The text table's cells as HTML, a ratio coloured when it is clearly better or worse."""
    out = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in comparison.head())
           + "</tr>"]
    for m in comparison.metrics:
        cells = [m.name, m.cell(0)]
        classes = ["", ""]
        for k in range(1, len(comparison.entries)):
            ratio = m.ratio(k)
            gain = None if ratio is None or not m.judged else \
                ratio if m.higher_is_better else 1 / ratio
            cells += [m.cell(k), m.ratio_cell(k)]
            classes += ["", "" if gain is None or 1 / CLEAR < gain < CLEAR else
                        "better" if gain >= CLEAR else "worse"]
        out.append("<tr>" + "".join(f'<td class="{c}">{escape(v)}</td>' if c else
                                    f"<td>{escape(v)}</td>" for v, c in zip(cells, classes,
                                                                             strict=True))
                   + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{_scoped(svg)}<figcaption>{escape(caption)}</figcaption></figure>"


def _scoped(svg: str) -> str:
    """The SVG with its ids (and the references to them) prefixed by a hash of it: every chart
    numbers its groups from 1, and one HTML page needs each id once."""
    prefix = "c" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = re.sub(r'href="#', f'href="#{prefix}', svg)
    return re.sub(r"url\(#", f"url(#{prefix}", svg)


def _missing(workload: str, reason: str | None) -> str:
    why = f": {escape(reason)}" if reason else "."
    return f'<p class="note">No {workload} timings to plot{why}</p>'


def _definitions(values: dict[str, str]) -> str:
    rows = "".join(f"<tr><td>{escape(k)}</td><td style=\"text-align:left\">{escape(v)}</td></tr>"
                   for k, v in values.items())
    return f"<table>{rows}</table>"


def _machine(machine: dict[str, object]) -> dict[str, str]:
    out = _plain({k: v for k, v in machine.items() if k != "versions"})
    memory = machine.get("memory_bytes")
    if isinstance(memory, int):
        out["memory_bytes"] = f"{memory / 2**30:,.1f} GiB"
    versions = machine.get("versions")
    if isinstance(versions, dict):
        out["versions"] = ", ".join(f"{k} {v}" for k, v in versions.items())
    return out


def _plain(values: dict[str, object]) -> dict[str, str]:
    return {k: ", ".join(map(str, v)) if isinstance(v, list) else "" if v is None else
            f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)
            for k, v in values.items()}


def _command(argv: Sequence[str]) -> str:
    return shlex.join(argv)


def _page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")

