"""`bench compare`: several results files side by side, one column per file and each figure's
ratio to the first file's, so two targets (or two commits) measured with the same workload
read as "how many times faster or bigger"."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsengine.bench.report import table
from tsengine.bench.targets import BenchError

# The results schemas this module reads: 2 only added raw timings, which a comparison ignores;
# 3 added the disk figures (absent from older files: "-").
READABLE_SCHEMA_VERSIONS = (1, 2, 3)
PERCENTILES = ("p50", "p95", "p99")
HIGHER_IS_BETTER = {"points/s", "runs/s"}
NEUTRAL = {"rows"}  # neither better nor worse: a different count means a different answer
DECIMALS = {"ms": 1, "runs/s": 1, "bytes/value": 2, "MB on disk": 1}


@dataclass(frozen=True)
class Entry:
    """One results file and the short label its column goes by."""

    label: str
    path: Path
    doc: dict[str, Any]

    @property
    def target(self) -> str:
        t = self.doc["target"]
        return "the embedded engine" if t["kind"] == "embedded" else f"{t['kind']} at {t['url']}"

    @property
    def data(self) -> str:
        d = self.doc["dataset"]
        what = (f"{d['scale']:,} sensors for {d['duration']} every {d['interval']} "
                f"(seed {d['seed']})" if d["source"] == "generated" else str(d["path"]))
        return f"{d['points']:,} points: {what}"

    @property
    def machine(self) -> str:
        m = self.doc["machine"]
        return f"{m['cpus']} CPUs, {m['processor']}"

    @property
    def started_at(self) -> str:
        return str(self.doc["started_at"])


@dataclass
class Metric:
    """One figure across the files: a value per file (None where it was not measured) and
    whether that file's workload failed there."""

    name: str
    unit: str
    values: list[float | None]
    failed: list[bool]

    @property
    def higher_is_better(self) -> bool:
        return self.unit in HIGHER_IS_BETTER

    @property
    def judged(self) -> bool:
        """Whether a ratio of this figure is better or worse (rows out are neither)."""
        return self.unit not in NEUTRAL

    def ratio(self, k: int) -> float | None:
        """File k's value over the first file's."""
        first, value = self.values[0], self.values[k]
        return value / first if value is not None and first else None

    def cell(self, k: int) -> str:
        value = self.values[k]
        if self.failed[k]:
            return "error"
        if value is None:
            return "-"
        # as `bench run`'s table writes them, so a column can be checked against it
        return f"{value:,.{DECIMALS.get(self.unit, 0)}f}"

    def ratio_cell(self, k: int) -> str:
        ratio = self.ratio(k)
        return f"{ratio:.2f}x" if ratio is not None else ""


@dataclass
class Comparison:
    """The files, their figures row by row, and what makes them less comparable."""

    entries: list[Entry]
    metrics: list[Metric]
    query_names: list[str]
    notes: list[str] = field(default_factory=list)

    def values(self, name: str) -> list[float | None]:
        """A metric's values by its row name (None for every file when no file has it)."""
        for m in self.metrics:
            if m.name == name:
                return m.values
        return [None] * len(self.entries)

    def query_latency(self, k: int, percentile: str) -> list[float | None]:
        """File k's latency (ms) of each query of `query_names` at the percentile."""
        return [self.values(f"{q} {percentile} ms")[k] for q in self.query_names]

    def head(self) -> list[str]:
        """metric, the first file, then each other file and its ratio to the first."""
        first = self.entries[0].label
        out = ["metric", first]
        for e in self.entries[1:]:
            out += [e.label, f"{e.label}/{first}"]
        return out

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The figures as text cells, in `head()`'s columns."""
        rows = []
        for m in self.metrics:
            row = [f"{m.name}", m.cell(0)]
            for k in range(1, len(self.entries)):
                row += [m.cell(k), m.ratio_cell(k)]
            rows.append(row)
        return self.head(), rows


def load(paths: list[Path]) -> list[Entry]:
    """The results files, each checked to be a bench result of a schema this tsengine reads."""
    if len(paths) < 2:
        raise BenchError("bench compare needs at least two results files")
    docs = [_read(p) for p in paths]
    return [Entry(label, p, d) for label, p, d in zip(_labels(paths), paths, docs, strict=True)]


def compare(entries: list[Entry]) -> Comparison:
    """Every figure of every file as rows: ingest, then each query's percentiles, then tasks
    and memory."""
    docs = [e.doc for e in entries]
    ingest = [d.get("ingest") for d in docs]
    metrics = [Metric("ingest points/s", "points/s",
                      [i["points_per_second"] if i else None for i in ingest],
                      [bool(i and i["status"] == "failed") for i in ingest])]
    disk = [d.get("disk") for d in docs]
    metrics += [Metric("disk bytes/field value", "bytes/value",
                       [k["bytes_per_field_value"] if k else None for k in disk],
                       [bool(k and k["error"]) for k in disk]),
                Metric("disk MB", "MB on disk", [k["bytes"] / 1e6 if k else None for k in disk],
                       [bool(k and k["error"]) for k in disk])]
    names: list[str] = []
    by_name: list[dict[str, dict[str, Any]]] = []
    for d in docs:
        queries = (d.get("query") or {}).get("queries") or []
        by_name.append({q["name"]: q for q in queries})
        names += [q["name"] for q in queries if q["name"] not in names]
    for name in names:
        for p in PERCENTILES:
            found = [b.get(name) for b in by_name]
            metrics.append(Metric(
                f"{name} {p} ms", "ms",
                [q["latency"][p] * 1000 if q and q["latency"][p] is not None else None
                 for q in found],
                [bool(q and q["error"]) for q in found]))
        found = [b.get(name) for b in by_name]
        metrics.append(Metric(f"{name} rows", "rows",
                              [q["rows"] if q and not q["error"] else None for q in found],
                              [bool(q and q["error"]) for q in found]))
    tasks = [d.get("tasks") for d in docs]
    metrics.append(Metric("tasks runs/s", "runs/s",
                          [t["runs_per_second"] if t else None for t in tasks],
                          [bool(t and t["status"] == "failed" and not t["runs"]) for t in tasks]))
    rss = [peak_rss_of(d) for d in docs]
    metrics.append(Metric("peak RSS MB", "MB", [r / 2**20 if r else None for r in rss],
                          [False] * len(docs)))
    return Comparison(entries, metrics, names, _notes(entries))


def render_text(comparison: Comparison) -> str:
    """The legend (which file is which column) and the side-by-side table, as printed."""
    legend = [f"{e.label}: {e.target}; {e.data}; {e.machine}; {e.path}, started {e.started_at}"
              for e in comparison.entries]
    notes = [f"note: {n}" for n in comparison.notes]
    head, rows = comparison.table()
    ratio = (f"ratios: each file's figure over {comparison.entries[0].label}'s (points/s and "
             "runs/s: higher is better; latencies, disk and memory: lower is better; rows: "
             "the same answer gives 1.00x)")
    return "\n".join([*legend, *notes]) + "\n\n" + table(head, rows) + "\n\n" + ratio + "\n"


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise BenchError(f"{path}: no such file") from None
    except OSError as e:
        raise BenchError(f"cannot read {path}: {e.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BenchError(f"{path} is not a bench results file: not JSON ({e})") from None
    if not isinstance(doc, dict) or "schema_version" not in doc:
        raise BenchError(f"{path} is not a bench results file (no schema_version): write one "
                         "with `tsengine bench run --json FILE`")
    version = doc["schema_version"]
    if version not in READABLE_SCHEMA_VERSIONS:
        known = ", ".join(map(str, READABLE_SCHEMA_VERSIONS))
        raise BenchError(f"{path} has schema_version {version!r}, which this tsengine does not "
                         f"read (it reads {known}): compare it with the tsengine that wrote it")
    return doc


def _labels(paths: list[Path]) -> list[str]:
    """Each file's stem, made unique with its position where two files share one."""
    stems = [p.stem for p in paths]
    return [s if stems.count(s) == 1 else f"{s}#{i + 1}" for i, s in enumerate(stems)]


def peak_rss_of(doc: dict[str, Any]) -> int | None:
    """The highest peak RSS any workload of the run reported."""
    found: list[int | None] = []
    if ingest := doc.get("ingest"):
        found += [ingest["peak_rss_bytes"], (ingest.get("compaction") or {}).get("peak_rss_bytes")]
    found += [q["peak_rss_bytes"] for q in (doc.get("query") or {}).get("queries") or []]
    if tasks := doc.get("tasks"):
        found.append(tasks["peak_rss_bytes"])
    values = [v for v in found if v is not None]
    return max(values) if values else None


def _notes(entries: list[Entry]) -> list[str]:
    """What the reader should know before dividing one column by another."""
    notes = []
    points = {e.doc["dataset"]["points"] for e in entries}
    if len(points) > 1:
        notes.append("the files measured different data sets (" + ", ".join(
            f"{e.label}: {e.doc['dataset']['points']:,} points" for e in entries) + ")")
    machines = {(e.doc["machine"]["processor"], e.doc["machine"]["cpus"]) for e in entries}
    if len(machines) > 1:
        notes.append("the files come from different machines: timings compare the machines too")
    languages = {e.label: {q["language"] for q in (e.doc.get("query") or {}).get("queries") or []}
                 for e in entries}
    influxql = [label for label, langs in languages.items() if "influxql" in langs]
    if influxql:
        notes.append(f"{', '.join(influxql)} ran the InfluxQL equivalents of the query set")
    return notes
