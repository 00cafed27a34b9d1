"""`bench scale`: the same workload at several sizes (1M, 5M, 20M points), each a `bench run` in
its own process (so its peak RSS is its own), summed up as one table of how cost grows with
the points: ingest points/s, each query's p50 and its ratio to DuckDB's, bytes on disk per
field value and peak RSS."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage import parse_duration
from tsengine.bench.compare import READABLE_SCHEMA_VERSIONS, peak_rss_of
from tsengine.bench.report import table
from tsengine.bench.run import SENSORS_PER_MACHINE
from tsengine.bench.server import tsengine_command
from tsengine.bench.targets import BenchError

SCALE_SCHEMA_VERSION = 1
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$")
_FACTOR = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def parse_points(text: str) -> list[int]:
    """`1M,5M,20M` (k, M, G suffixes; `2.5M`; plain numbers) as point counts, ascending."""
    out = []
    for part in text.split(","):
        found = _SIZE.match(part)
        if not found or float(found.group(1)) <= 0:
            raise BenchError(f"--points: {part.strip()!r} is not a number of points (e.g. 1M, "
                             "500k, 20000)")
        out.append(round(float(found.group(1)) * _FACTOR[found.group(2).lower()]))
    return sorted(set(out))


def label(points: int) -> str:
    """1000000 -> 1M, 500000 -> 500k, 1200 -> 1200: a scale's name in files and tables."""
    for suffix, factor in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if points >= factor and points % (factor // 10) == 0:
            return f"{points / factor:g}{suffix}"
    return str(points)


def sensors_for(points: int, duration: str, interval: str) -> int:
    """The generator's --scale (sensors, plus a machine per 10) that writes closest to `points`
    over the duration: the span stays, the series grow."""
    intervals = parse_duration(duration) // parse_duration(interval)
    if intervals <= 0:
        raise BenchError(f"--duration {duration} must hold at least one --interval ({interval})")

    def written(sensors: int) -> int:
        return (sensors + max(1, sensors // SENSORS_PER_MACHINE)) * intervals

    guess = max(1, round(points / intervals * SENSORS_PER_MACHINE / (SENSORS_PER_MACHINE + 1)))
    return min(range(max(1, guess - 2), guess + 3), key=lambda s: (abs(written(s) - points), s))


@dataclass
class ScaleRun:
    """One size: what was asked, the run's results file and its figures."""

    label: str
    requested_points: int
    sensors: int
    results: str  # the `bench run --json` file, relative to the report directory
    doc: dict[str, Any] = field(repr=False)

    @property
    def points(self) -> int:
        return int(self.doc["dataset"]["points"])


def run_scales(points: Sequence[int], run_args: Sequence[str], directory: Path, *,
               duration: str, interval: str, bucket: str, per_scale_bucket: bool,
               resume: bool = False, log: Callable[[str], None] = lambda _: None,
               runner: Callable[[list[str]], subprocess.CompletedProcess[str]] | None = None,
               ) -> list[ScaleRun]:
    """`bench run` once per size in a child process, its JSON and table kept in
    DIR/runs/<label>.json and .txt (`resume`: sizes already there are not run again)."""
    runs_dir = directory / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    run = runner or (lambda argv: subprocess.run(argv, stdout=subprocess.PIPE, text=True,
                                                 check=False))
    out = []
    for n in points:
        name = label(n)
        sensors = sensors_for(n, duration, interval)
        results = runs_dir / f"{name}.json"
        if not (resume and results.exists()):
            log(f"scale {name}: {sensors:,} sensors for {duration} every {interval}")
            argv = [*tsengine_command(), "bench", "run", "--scale", str(sensors),
                    "--duration", duration, "--interval", interval, "--bucket",
                    f"{bucket}_{name.replace('.', '_')}" if per_scale_bucket else bucket,
                    *run_args, "--json", str(results)]
            done = run(argv)
            (runs_dir / f"{name}.txt").write_text(done.stdout or "")
            if done.returncode != 0:
                raise BenchError(f"scale {name}: bench run exited with status {done.returncode} "
                                 "(its error is above)")
        out.append(ScaleRun(name, n, sensors, f"runs/{name}.json", _read(results)))
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise BenchError(f"cannot read {path}: {e}") from None
    if doc.get("schema_version") not in READABLE_SCHEMA_VERSIONS:
        raise BenchError(f"{path}: not a results file this tsengine reads")
    return doc


@dataclass
class ScaleTable:
    """The figures by size: a row per figure, a column per size, and how each grew from the
    smallest size to the largest beside how the points grew."""

    runs: list[ScaleRun]
    rows: list[tuple[str, str, list[float | None]]]  # (figure, unit, a value per size)

    def growth(self, values: list[float | None]) -> float | None:
        first, last = values[0], values[-1]
        return last / first if first and last is not None else None

    @property
    def points_growth(self) -> float:
        return self.runs[-1].points / self.runs[0].points if self.runs[0].points else 0.0

    def query_names(self) -> list[str]:
        return [name.removesuffix(" p50 ms") for name, unit, _ in self.rows
                if unit == "ms" and name.endswith(" p50 ms") and not name.startswith("ingest")]

    def values(self, name: str) -> list[float | None]:
        for row, _, values in self.rows:
            if row == name:
                return values
        return [None] * len(self.runs)

    def cells(self) -> tuple[list[str], list[list[str]]]:
        head = ["figure", *(r.label for r in self.runs)]
        if len(self.runs) > 1:
            head.append(f"{self.runs[-1].label}/{self.runs[0].label}")
        rows = []
        for name, unit, values in self.rows:
            row = [name, *(_cell(v, unit) for v in values)]
            if len(self.runs) > 1:
                growth = self.growth(values)
                row.append(f"{growth:.2f}x" if growth is not None else "")
            rows.append(row)
        return head, rows

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCALE_SCHEMA_VERSION,
                "scales": [{"label": r.label, "requested_points": r.requested_points,
                            "points": r.points, "sensors": r.sensors, "results": r.results}
                           for r in self.runs],
                "figures": [{"name": n, "unit": u, "values": v} for n, u, v in self.rows]}


def summarize(runs: list[ScaleRun]) -> ScaleTable:
    """The table's rows from the runs' results: points, ingest, disk, each query's p50 (and its
    DuckDB baseline ratio), peak RSS."""
    docs = [r.doc for r in runs]
    ingest = [d.get("ingest") or {} for d in docs]
    disk = [d.get("disk") or {} for d in docs]
    rows: list[tuple[str, str, list[float | None]]] = [
        ("points", "points", [float(r.points) for r in runs]),
        ("ingest seconds", "s", [i.get("seconds") for i in ingest]),
        ("ingest points/s", "points/s", [i.get("points_per_second") for i in ingest]),
        ("disk bytes/field value", "bytes/value",
         [k.get("bytes_per_field_value") for k in disk])]
    names: list[str] = []
    for d in docs:
        names += [q["name"] for q in (d.get("query") or {}).get("queries") or []
                  if q["name"] not in names]
    for name in names:
        found = [{q["name"]: q for q in (d.get("query") or {}).get("queries") or []}.get(name)
                 for d in docs]
        rows.append((f"{name} p50 ms", "ms",
                     [q["latency"]["p50"] * 1000 if q and q["latency"]["p50"] is not None
                      else None for q in found]))
        if any(q and q.get("baseline") for q in found):
            rows.append((f"{name} duckdb p50 ms", "ms",
                         [q["baseline"]["latency"]["p50"] * 1000
                          if q and q.get("baseline") and q["baseline"]["latency"]["p50"]
                          is not None else None for q in found]))
            rows.append((f"{name} / duckdb", "x",
                         [q["baseline"]["ratio"] if q and q.get("baseline") else None
                          for q in found]))
    tasks = [d.get("tasks") or {} for d in docs]
    if any(t.get("runs_per_second") for t in tasks):
        rows.append(("tasks runs/s", "runs/s", [t.get("runs_per_second") for t in tasks]))
    rss = [peak_rss_of(d) for d in docs]
    rows.append(("peak RSS MB", "MB", [v / 2**20 if v else None for v in rss]))
    return ScaleTable(runs, rows)


def render_text(scale: ScaleTable) -> str:
    """The table as printed, with what was measured where above it."""
    first = scale.runs[0].doc
    t, m = first["target"], first["machine"]
    where = "the embedded engine" if t["kind"] == "embedded" else f"{t['kind']} at {t['url']}"
    head, rows = scale.cells()
    lines = [f"tsengine bench scale: {where}; {m['cpus']} CPUs, {m['processor']}",
             "", table(head, rows), ""]
    if len(scale.runs) > 1:
        lines.append(f"last column: the largest size's figure over the smallest's (the points "
                     f"grew {scale.points_growth:.2f}x)")
    return "\n".join(lines) + "\n"


def render_markdown(scale: ScaleTable) -> str:
    """The table as a Markdown table, for the README."""
    head, rows = scale.cells()
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms", "s"):
        return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"
    if unit in ("bytes/value", "x"):
        return f"{value:.2f}"
    return f"{value:,.0f}"
