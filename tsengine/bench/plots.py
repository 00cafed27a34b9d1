"""The bench reports' charts as SVG text, drawn by matplotlib from plain numbers (no results
objects here), so the run report and the comparison page share them and a page stays one
self-contained file.

Figures are built with `matplotlib.figure.Figure` on an Agg canvas, never through pyplot: no
global figure state, no GUI backend, safe in any process. Text stays text in the SVG
(`svg.fonttype: none`), so a page can be searched, and ids are salted with a fixed string, so
the same numbers give the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from tsengine.bench.stats import percentile

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "tsengine-bench",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
WIDTH = 8.0  # inches; the page shows the SVG at its natural width, up to the column's
LOG_SPREAD = 20  # a latency axis turns logarithmic when its largest value is this many times
# its smallest, so a 2 ms and a 2 s query both stay readable


def to_svg(fig: Figure) -> str:
    """The figure as an inline `<svg>` element (no XML prolog or doctype)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(height: float, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH, height), layout="constrained")
        FigureCanvasAgg(fig)  # the Agg canvas lays the text out; savefig writes SVG
        axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def rolling_rate(done_at: Sequence[float], points: Sequence[int],
                 window: float) -> list[float]:
    """Points per second at each batch completion (times ascending): the points acknowledged
    since the last completion at least `window` seconds earlier (or since the start), over the
    time between. Rates between neighbouring completions would mostly measure which of the
    concurrent clients happened to finish first."""
    rates = []
    cumulative = [0]
    for n in points:
        cumulative.append(cumulative[-1] + n)
    ref = -1  # index of the reference completion; -1 is the start (time 0, no points)
    for i, t in enumerate(done_at):
        while ref + 1 < i and done_at[ref + 1] <= t - window:
            ref += 1
        since = done_at[ref] if ref >= 0 else 0.0
        rates.append((cumulative[i + 1] - cumulative[ref + 1]) / (t - since) if t > since
                     else 0.0)
    return rates


def throughput_over_time(done_at: Sequence[float], points: Sequence[int],
                         average: float) -> str:
    """Ingest throughput: the rolling points/s at each batch completion over elapsed time,
    with the run's average (points / seconds) as a dashed line."""
    order = sorted(range(len(done_at)), key=done_at.__getitem__)
    times = [done_at[i] for i in order]
    counts = [points[i] for i in order]
    window = max(times[-1] / 20, 1e-3) if times else 1.0
    fig, (ax,) = _figure(3.0)
    with matplotlib.rc_context(STYLE):
        ax.plot(times, rolling_rate(times, counts, window), marker="." if len(times) < 60
                else None, linewidth=1.2, label=f"over the last {_seconds(window)} or more")
        ax.axhline(average, color="C1", linestyle="--", linewidth=1,
                   label=f"average {average:,.0f} points/s")
        ax.set_xlabel("elapsed (s)")
        ax.set_ylabel("points/s")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(_thousands)
        ax.set_title("ingest throughput over time")
        ax.legend(loc="lower right")
    return to_svg(fig)


def batch_latency(done_at: Sequence[float], seconds: Sequence[float]) -> str:
    """Each batch's write latency at its completion time, with the p50/p95/p99 lines."""
    fig, (ax,) = _figure(3.0)
    ms = [s * 1000 for s in seconds]
    with matplotlib.rc_context(STYLE):
        ax.scatter(done_at, ms, s=8, alpha=0.6, label="batch")
        _percentile_lines(ax, ms)
        ax.set_xlabel("completed at, elapsed (s)")
        ax.set_ylabel("latency (ms)")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_title("ingest: latency of each batch")
        ax.legend(loc="best")
    return to_svg(fig)


def latency_boxes(names: Sequence[str], series: dict[str, Sequence[Sequence[float]]],
                  title: str) -> str:
    """Latency distributions, one row per name: a box per series (e.g. tsengine and its DuckDB
    baseline) with every timed round drawn over it, as rounds are few."""
    fig, (ax,) = _figure(0.9 + 0.35 * len(names) * max(1, len(series)))
    everything = [s * 1000 for rows in series.values() for row in rows for s in row if s > 0]
    count = max(1, len(series))
    height = 0.8 / count
    with matplotlib.rc_context(STYLE):
        for k, (label, rows) in enumerate(series.items()):
            positions = [i + (k - (count - 1) / 2) * height for i in range(len(names))]
            data = [[s * 1000 for s in row] for row in rows]
            kept = [(p, d) for p, d in zip(positions, data, strict=True) if d]
            if not kept:
                continue
            color = f"C{k}"
            ax.boxplot([d for _, d in kept], positions=[p for p, _ in kept],
                       orientation="horizontal", widths=height * 0.8, manage_ticks=False,
                       showfliers=False, patch_artist=True,
                       boxprops={"facecolor": color, "alpha": 0.25, "edgecolor": color},
                       medianprops={"color": color}, whiskerprops={"color": color},
                       capprops={"color": color})
            xs = [v for _, d in kept for v in d]
            ys = [p for p, d in kept for _ in d]
            ax.scatter(xs, ys, s=10, color=color, zorder=3, label=label)
        ax.set_yticks(range(len(names)), list(names))
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.set_xlabel("latency (ms)")
        if everything and max(everything) / min(everything) > LOG_SPREAD:
            ax.set_xscale("log")
        ax.set_title(title)
        if len(series) > 1:
            ax.legend(loc="lower right")
    return to_svg(fig)


def run_latencies(seconds: Sequence[float]) -> str:
    """Task runs' latencies in run order, with the p50/p95/p99 lines, beside their histogram."""
    fig, (ax, hist) = _figure(3.0, 2)
    ms = [s * 1000 for s in seconds]
    with matplotlib.rc_context(STYLE):
        ax.plot(range(1, len(ms) + 1), ms, marker=".", linewidth=0.8, label="run")
        _percentile_lines(ax, ms)
        ax.set_xlabel("run")
        ax.set_ylabel("latency (ms)")
        ax.set_ylim(bottom=0)
        ax.set_title("task runs: latency of each run")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="best", fontsize=8)
        hist.hist(ms, bins=min(30, max(1, len(ms))), color="C0", alpha=0.7, edgecolor="white")
        hist.set_xlabel("latency (ms)")
        hist.set_ylabel("runs")
        hist.set_title("distribution")
    return to_svg(fig)


def grouped_bars(categories: Sequence[str], series: dict[str, Sequence[float | None]],
                 title: str, unit: str) -> str:
    """A bar per series in each category (the files compared, side by side per query); a
    missing value leaves its slot empty. Logarithmic when the values spread widely."""
    fig, (ax,) = _figure(3.4)
    count = max(1, len(series))
    width = 0.8 / count
    values = [v for vs in series.values() for v in vs if v]
    with matplotlib.rc_context(STYLE):
        for k, (label, vs) in enumerate(series.items()):
            xs = [i + (k - (count - 1) / 2) * width for i in range(len(categories))]
            kept = [(x, v) for x, v in zip(xs, vs, strict=True) if v is not None]
            ax.bar([x for x, _ in kept], [v for _, v in kept], width=width * 0.95, label=label,
                   color=f"C{k}")
        ax.set_xticks(range(len(categories)), list(categories),
                      rotation=20 if len(categories) > 4 else 0, ha="right"
                      if len(categories) > 4 else "center")
        ax.set_ylabel(unit)
        if values and max(values) / min(values) > LOG_SPREAD:
            ax.set_yscale("log")
        ax.set_title(title)
        ax.legend()
    return to_svg(fig)


def bar_panels(labels: Sequence[str],
               panels: Sequence[tuple[str, str, Sequence[float | None]]]) -> str:
    """Small bar charts side by side, one bar per label in each: (title, unit, values)."""
    fig, axes = _figure(2.8, max(1, len(panels)))
    with matplotlib.rc_context(STYLE):
        for ax, (title, unit, values) in zip(axes, panels, strict=True):
            kept = [(i, v) for i, v in enumerate(values) if v is not None]
            ax.bar([i for i, _ in kept], [v for _, v in kept],
                   color=[f"C{i}" for i, _ in kept])
            ax.set_xticks(range(len(labels)), list(labels))
            ax.set_ylabel(unit)
            ax.yaxis.set_major_formatter(_thousands)
            ax.set_title(title)
    return to_svg(fig)


def scale_lines(points: Sequence[float], queries: dict[str, Sequence[float | None]],
                baselines: dict[str, Sequence[float | None]],
                ingest_seconds: Sequence[float | None]) -> str:
    """Time against points on log-log axes: each query's p50 (its DuckDB baseline dashed, in
    the same colour) beside the ingest time, each with a dotted line of linear growth from
    its smallest size, so a steeper line grows faster than the data."""
    fig, (left, right) = _figure(3.6, 2)
    with matplotlib.rc_context(STYLE):
        for k, (name, values) in enumerate(queries.items()):
            _grown(left, points, values, f"C{k % 10}", "-", name)
            if name in baselines:
                _grown(left, points, baselines[name], f"C{k % 10}", "--", None)
        left.set_title("query p50 (dashed: DuckDB SQL)")
        left.set_ylabel("ms")
        _grown(right, points, ingest_seconds, "C0", "-", "ingest")
        right.set_title("ingest, first send to last acknowledgement")
        right.set_ylabel("s")
        for ax in (left, right):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("points")
            ax.set_xticks(list(points), [_thousands(p, 0) for p in points])
            ax.xaxis.set_minor_locator(NullLocator())
        if queries:
            left.legend(loc="upper left", fontsize=7)
    return to_svg(fig)


def _grown(ax: Axes, points: Sequence[float], values: Sequence[float | None], color: str,
           style: str, label: str | None) -> None:
    """A line of values against points, and (solid lines only) the linear growth from the
    first value, dotted."""
    kept = [(p, v) for p, v in zip(points, values, strict=True) if v]
    if not kept:
        return
    ax.plot([p for p, _ in kept], [v for _, v in kept], color=color, linestyle=style,
            marker="o", markersize=3, linewidth=1.2, label=label)
    if style == "-" and len(kept) > 1:
        (p0, v0), last = kept[0], kept[-1][0]
        ax.plot([p0, last], [v0, v0 * last / p0], color=color, linestyle=":", linewidth=0.8,
                alpha=0.6)


def _percentile_lines(ax: Axes, ms: Sequence[float]) -> None:
    for q, style in ((50, "-"), (95, "--"), (99, ":")):
        if ms:
            value = percentile(ms, q)
            ax.axhline(value, color="C3", linestyle=style, linewidth=0.9,
                       label=f"p{q} {value:,.1f} ms")


def _thousands(value: float, _position: int) -> str:
    if value and abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if value and abs(value) >= 1e3:
        return f"{value / 1e3:,g}k"
    return f"{value:,.0f}" if value == math.floor(value) else f"{value:,.1f}"


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:,.0f} s"
