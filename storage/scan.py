"""Scans: a time range, a predicate and a column list, pushed down, out as long Flux-shaped frames.

Planning decides, from the catalog alone, which measurements, fields, tags and partition files a
scan touches (`ScanPlan`, which tests inspect); execution reads only those and reshapes them to
`_time, _measurement, _field, _value, <tags>`, one LazyFrame per value type, since a float and a
string `_value` cannot share a column.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import polars as pl

from storage.catalog import Bucket, Catalog, Column, Measurement, Partition
from storage.lineprotocol.model import FieldType
from storage.predicate import (
    FALSE,
    FIELD,
    MEASUREMENT,
    TRUE,
    Predicate,
    bind,
    bind_absent,
    columns_of,
    to_expr,
)
from storage.series_tags import series_tags
from storage.tiers import SERIES, file_index, read_wide, read_wide_numbered
from storage.timeutil import DAY

CORE_COLUMNS = ("_time", "_measurement", "_field", "_value")
SERIES_COLUMN = "\0series"  # a wide read's series numbers (WideRead.numbered)


@dataclass(frozen=True)
class FieldGroup:
    """Fields of one type that share the same remaining tag predicate."""

    predicate: Predicate
    type: FieldType
    fields: tuple[Column, ...]


@dataclass(frozen=True)
class MeasurementRead:
    """What a scan reads of one measurement."""

    measurement: Measurement
    partitions: tuple[Partition, ...]
    tag_columns: tuple[str, ...]
    field_columns: tuple[str, ...]
    groups: tuple[FieldGroup, ...]


@dataclass(frozen=True)
class ScanPlan:
    """A scan, decided before any data is read: the pushdown, inspectable."""

    bucket: Bucket
    start: int
    stop: int
    reads: tuple[MeasurementRead, ...]
    tags: tuple[str, ...]
    missing_tag: str | None = None  # compare a missing tag as this value (None: never matches)
    hot: bool = True  # whether the hot tier may hold rows (when it holds none, it is not queried)

    @property
    def files(self) -> list[str]:
        """Every Parquet file the scan will open."""
        return [p.path for r in self.reads for p in r.partitions]

    def columns_read(self) -> dict[str, set[str]]:
        """Per measurement, the user-visible tags and fields whose columns are read."""
        out: dict[str, set[str]] = {}
        for r in self.reads:
            names = {r.measurement.column(c).name for c in (*r.tag_columns, *r.field_columns)}
            out[r.measurement.name] = names
        return out


def plan_scan(catalog: Catalog, bucket: Bucket, start: int, stop: int,
              predicate: Predicate | None, columns: Sequence[str] | None,
              missing_tag: str | None = None, hot: bool = True) -> ScanPlan:
    """Choose measurements, fields, tags and partitions; nothing is opened yet."""
    pred = predicate or TRUE
    reads = []
    all_tags: set[str] = set()
    if start < stop:
        for m in catalog.measurements(bucket.id):
            read = _plan_measurement(catalog, bucket, m, start, stop, pred, columns,
                                     missing_tag)
            if read is not None:
                reads.append(read)
                all_tags.update(m.column(c).name for c in read.tag_columns)
    wanted = sorted(all_tags if columns is None else all_tags & set(columns))
    return ScanPlan(bucket, start, stop, tuple(reads), tuple(wanted), missing_tag, hot)


def _plan_measurement(catalog: Catalog, bucket: Bucket, m: Measurement, start: int, stop: int,
                      pred: Predicate, columns: Sequence[str] | None,
                      missing: str | None) -> MeasurementRead | None:
    if bind(pred, {MEASUREMENT: m.name}) == FALSE:
        return None
    groups: dict[tuple[Predicate, FieldType], list[Column]] = defaultdict(list)
    for f in m.fields.values():
        residual = bind_absent(bind(pred, {MEASUREMENT: m.name, FIELD: f.name}), set(m.tags),
                               missing)
        if residual != FALSE:
            groups[(residual, f.type)].append(f)  # type: ignore[index]
    if not groups:
        return None
    tag_names = set(m.tags) if columns is None else set(columns) & set(m.tags)
    for residual, _ in groups:
        tag_names |= columns_of(residual) & set(m.tags)
    tag_cols = tuple(m.tags[t].col for t in sorted(tag_names))
    field_cols = tuple(f.col for fs in groups.values() for f in fs)
    parts = catalog.partitions(bucket.id, m.id, start // DAY, (stop - 1) // DAY)
    parts = [p for p in parts if p.max_time >= start and p.min_time < stop]
    return MeasurementRead(
        m, tuple(parts), tag_cols, field_cols,
        tuple(FieldGroup(r, t, tuple(fs)) for (r, t), fs in groups.items()),
    )


def execute_scan(catalog: Catalog, plan: ScanPlan) -> dict[FieldType, pl.LazyFrame]:
    """Run a plan: one long-shaped LazyFrame per field type present."""
    by_type: dict[FieldType, list[pl.LazyFrame]] = defaultdict(list)
    for read in plan.reads:
        m = read.measurement
        wide = read_wide(catalog, m, read.partitions, plan.start, plan.stop,
                         read.tag_columns, read.field_columns, hot_tier=plan.hot)
        for group in read.groups:
            by_type[group.type].append(
                _to_long(wide, m, read, group, plan.tags, plan.missing_tag))
    order = [*CORE_COLUMNS, *plan.tags]
    return {t: pl.concat(frames, how="diagonal").select(order) for t, frames in by_type.items()}


@dataclass(frozen=True)
class FileSpan:
    """One Parquet file of a wide read: its UTC day, its rows (of every series and field) and
    its first and last time, from the catalog."""

    day: int
    rows: int
    min_time: int
    max_time: int


@dataclass(frozen=True)
class WideRead:
    """Rows of one measurement in wide shape, for aggregates computed before reshaping.

    `frame` holds `time` (Int64 ns), one column per tag (named by the tag) and one per field of
    `fields` (named `f:<field>`, since a tag and a field may share a name); a row is one point
    time of one series, a null field cell a field that point does not have.
    """

    SERIES_COLUMN: ClassVar[str] = SERIES_COLUMN

    measurement: str
    tags: tuple[str, ...]
    fields: dict[str, FieldType]
    frame: pl.LazyFrame
    # whether `frame` has SERIES_COLUMN: a number per series, equal on consecutive rows of one
    # series and ascending through the read (files in the catalog's order, each sorted by
    # series), null in rows of files written before it was (rows from Parquet alone have it)
    numbered: bool = False
    # whether the rows come from one Parquet file at most: numbers are given per file, so then
    # two runs of rows never have the same series
    one_file: bool = False
    # whether each day's rows come from one file: then a series has one run a day
    one_file_per_day: bool = False
    # when asked for and the rows are numbered: `frame` has no tag columns, and this holds
    # them per series (SERIES_COLUMN, then the tags; see storage.series_tags)
    series_tags: pl.DataFrame | None = None
    # the files read, in read order (the catalog's); the file of a series number: file_of
    files: tuple[FileSpan, ...] = ()

    def file_of(self, numbers: np.ndarray) -> np.ndarray:
        """The position in `files` of the file each series number was read from."""
        return file_index(numbers, len(self.files))


def execute_wide_scan(catalog: Catalog, plan: ScanPlan, tags_by_series: bool = False
                      ) -> list[WideRead]:
    """Run a plan without the reshape to long frames: one WideRead per measurement and
    remaining tag predicate (fields of every type together). `tags_by_series`: tags as
    WideRead.series_tags where the rows are numbered."""
    out = []
    for read in plan.reads:
        m = read.measurement
        wide, numbered = read_wide_numbered(catalog, m, read.partitions, plan.start, plan.stop,
                                            read.tag_columns, read.field_columns,
                                            hot_tier=plan.hot, series=True)
        series = [pl.col(SERIES).alias(SERIES_COLUMN)] if numbered else []
        tags = [c for c in read.tag_columns if m.column(c).name in plan.tags]
        by_series = series_tags(read.partitions, m, tags) \
            if numbered and tags_by_series else None
        if by_series is not None:
            by_series = by_series.rename({SERIES: SERIES_COLUMN,
                                          **{c: m.column(c).name for c in tags}})
        by_predicate: dict[Predicate, list[FieldGroup]] = defaultdict(list)
        for group in read.groups:
            by_predicate[group.predicate].append(group)
        for groups in by_predicate.values():
            fields = {f.name: (f.col, g.type) for g in groups for f in g.fields}
            frame = _matching(wide, m, groups[0], plan.missing_tag).select(
                "time", *[pl.col(c).alias(m.column(c).name)
                          for c in (tags if by_series is None else [])],
                *[pl.col(col).alias(f"f:{name}") for name, (col, _) in fields.items()],
                *series)
            out.append(WideRead(m.name, tuple(m.column(c).name for c in tags),
                                {name: t for name, (_, t) in fields.items()}, frame,
                                bool(series), len(read.partitions) <= 1,
                                len({p.day for p in read.partitions}) == len(read.partitions),
                                by_series,
                                tuple(FileSpan(p.day, p.rows, p.min_time, p.max_time)
                                      for p in read.partitions)))
    return out


def _matching(wide: pl.LazyFrame, m: Measurement, group: FieldGroup,
              missing: str | None) -> pl.LazyFrame:
    """The rows of the series that the group's remaining tag predicate selects."""
    if group.predicate == TRUE:
        return wide
    return wide.filter(to_expr(group.predicate,
                               lambda t: m.tags[t].col if t in m.tags else None, missing,
                               as_filter=True))


def _to_long(wide: pl.LazyFrame, m: Measurement, read: MeasurementRead, group: FieldGroup,
             tags: Sequence[str], missing: str | None) -> pl.LazyFrame:
    frame = _matching(wide, m, group, missing)
    out_tags = [c for c in read.tag_columns if m.column(c).name in tags]
    names = {f.col: f.name for f in sorted(group.fields, key=lambda f: f.name)}
    long = frame.unpivot(
        on=list(names), index=["time", *out_tags], variable_name="_field", value_name="_value"
    ).drop_nulls("_value")
    absent = [t for t in tags if t not in m.tags]
    return long.select(
        pl.col("time").cast(pl.Datetime("ns", "UTC")).alias("_time"),
        pl.lit(m.name, pl.String).alias("_measurement"),
        pl.col("_field").replace_strict(names, return_dtype=pl.String),
        pl.col("_value"),
        *[pl.col(c).alias(m.column(c).name) for c in out_tags],
        *[pl.lit(None, pl.String).alias(t) for t in absent],
    )
