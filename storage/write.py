"""The write path: type checks and retention per point (InfluxDB's partial write), the catalog
columns new fields need, then the rows as their hot tables hold them (logged and inserted by
the store, see storage.pending)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import polars as pl
import pyarrow as pa

from storage.catalog import Bucket, Catalog
from storage.lineprotocol.model import (
    LINE,
    TIME,
    Dropped,
    FieldType,
    PointBatch,
    Segment,
    field_column,
    tag_column,
)
from storage.timeutil import format_go_duration

INSERT_BATCH_ROWS = 122_880  # DuckDB's row group size


@dataclass
class WriteResult:
    """What a write did: points written, points dropped and why (InfluxDB's partial write)."""

    written: int = 0
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def points_dropped(self) -> int:
        return sum(d.count for d in self.dropped)

    @property
    def partial(self) -> bool:
        return bool(self.dropped)

    def message(self) -> str:
        """InfluxDB's wording: `partial write: <first reason> dropped=<n>`."""
        if not self.dropped:
            return ""
        return f"partial write: {self.dropped[0].message} dropped={self.points_dropped}"


@dataclass
class _Prepared:
    """One measurement's accepted rows, with column names still as in the batch."""

    name: str
    frame: pl.DataFrame
    tags: list[str]
    fields: dict[str, FieldType]


def prepare(catalog: Catalog, bucket: Bucket, batch: PointBatch, now: int
            ) -> tuple[list[_Prepared], WriteResult]:
    """Drop points beyond retention, then points whose field types conflict; keep the rest."""
    result = WriteResult(dropped=list(batch.dropped))
    by_measurement: dict[str, list[Segment]] = defaultdict(list)
    for seg in batch.segments:
        by_measurement[seg.measurement].append(seg)
    cutoff = now - bucket.retention if bucket.retention else None
    expired = 0
    prepared = []
    conflicts: list[tuple[int, Dropped]] = []
    for name, segs in by_measurement.items():
        if cutoff is not None:
            kept = []
            for seg in segs:
                frame = seg.frame.filter(pl.col(TIME) >= cutoff)
                expired += seg.height - frame.height
                kept.append(Segment(seg.measurement, frame, seg.tags, seg.fields))
            segs = kept
        known = catalog.measurement(bucket.id, name)
        stored = {k: c.type for k, c in known.fields.items()} if known else {}
        segs, types = _resolve_types(name, segs, stored, conflicts)  # type: ignore[arg-type]
        frames, tags, fields = [], set(), {}
        for seg in segs:
            if not seg.height:
                continue
            # only columns some kept point has: a field seen only in dropped points is not created
            # (Series null counts and column indexing: no Polars query per request)
            counts = {c: seg.height - seg.frame[c].null_count() for c in seg.frame.columns}
            # an all-null column (a field only dropped points had) may be of another type
            frames.append(seg.frame[[c for c in seg.frame.columns
                                     if c in (LINE, TIME) or counts[c]]])
            tags.update(k for k in seg.tags if counts[tag_column(k)])
            fields.update({k: types[k] for k in seg.fields if counts[field_column(k)]})
        if frames:
            merged = pl.concat(frames, how="diagonal")
            result.written += merged.height
            prepared.append(_Prepared(name, merged, sorted(tags), fields))
    result.dropped.extend(d for _, d in sorted(conflicts, key=lambda c: c[0]))
    if expired:
        result.dropped.insert(0, Dropped(
            "retention",
            f"dropped {expired} points outside retention policy of duration "
            f"{format_go_duration(bucket.retention)}", expired))
    return prepared, result


def _resolve_types(name: str, segs: list[Segment], stored: dict[str, FieldType],
                   conflicts: list[tuple[int, Dropped]]
                   ) -> tuple[list[Segment], dict[str, FieldType]]:
    """Decide field types as InfluxDB does, point by point in line order, but vectorized.

    A point is kept when each of its fields has the type already fixed (stored, or set by an
    earlier kept point of this request); a kept point fixes the types of its new fields; any other
    point is dropped whole. Each round fixes every new field whose first occurrence comes before
    the first point that conflicts with the first-occurrence types, so it always makes progress
    and a request without conflicts inside it takes one round.
    """
    types = dict(stored)
    segs = list(segs)
    drops: dict[str, list[int]] = {}  # message -> [first line, count]
    while True:
        for i, seg in enumerate(segs):  # drop the points that conflict with fixed types
            frame, fields = seg.frame, dict(seg.fields)
            for key, ftype in seg.fields.items():
                expected = types.get(key)
                if expected is None or expected is ftype:
                    continue
                has = pl.col(field_column(key)).is_not_null()
                count, line = frame.select(has.sum(), pl.col(LINE).filter(has).min()).row(0)
                if count:
                    message = (f'field type conflict: input field "{key}" on measurement '
                               f'"{name}" is type {ftype.value}, already exists as type '
                               f"{expected.value}")
                    seen = drops.setdefault(message, [line, 0])
                    seen[0] = min(seen[0], line)
                    seen[1] += count
                    frame = frame.filter(~has)
                # the column of the other type goes too: it could not be stacked with the others
                frame = frame.drop(field_column(key))
                del fields[key]
            segs[i] = Segment(seg.measurement, frame, seg.tags, fields)
        firsts: dict[str, tuple[int, FieldType]] = {}  # new field -> first line, its type there
        for seg in segs:
            new = [k for k in seg.fields if k not in types]
            if not new or not seg.height:
                continue
            lines = seg.frame.select(
                pl.col(LINE).filter(pl.col(field_column(k)).is_not_null()).min().alias(k)
                for k in new).row(0, named=True)
            for key, line in lines.items():
                if line is not None and (key not in firsts or line < firsts[key][0]):
                    firsts[key] = (line, seg.fields[key])
        if not firsts:
            break
        first_conflict = None
        for seg in segs:
            bad = [pl.col(field_column(k)).is_not_null() for k, t in seg.fields.items()
                   if k in firsts and firsts[k][1] is not t]
            if bad and seg.height:
                line = seg.frame.select(pl.col(LINE).filter(pl.any_horizontal(bad)).min()).item()
                if line is not None and (first_conflict is None or line < first_conflict):
                    first_conflict = line
        types.update({k: t for k, (line, t) in firsts.items()
                      if first_conflict is None or line < first_conflict})
        if first_conflict is None:
            break
    for message, (line, count) in drops.items():
        conflicts.append((line, Dropped("type_conflict", message, count)))
    return segs, types


def missing_columns(catalog: Catalog, bucket: Bucket, prepared: list[_Prepared]
                    ) -> list[tuple[str, str, str, FieldType | None]]:
    """The columns the prepared rows need and the catalog lacks: (measurement, kind, key,
    type), tags before fields; all of a measurement the catalog lacks."""
    out: list[tuple[str, str, str, FieldType | None]] = []
    for p in prepared:
        m = catalog.measurement(bucket.id, p.name)
        out += [(p.name, "tag", k, None) for k in p.tags if m is None or k not in m.tags]
        out += [(p.name, "field", k, t) for k, t in p.fields.items()
                if m is None or k not in m.fields]
    return out


def add_columns(catalog: Catalog, bucket: Bucket,
                columns: list[tuple[str, str, str, FieldType | None]]) -> None:
    """Add `missing_columns` (and their measurements) to the catalog, in the caller's
    transaction."""
    for name, kind, key, ftype in columns:
        m = catalog.measurement(bucket.id, name) or catalog.add_measurement(bucket.id, name)
        catalog.add_column(m, kind, key, ftype)


def hot_rows(catalog: Catalog, bucket: Bucket, prepared: list[_Prepared], seq_base: int
             ) -> list[tuple[str, pl.DataFrame]]:
    """The prepared rows as their hot tables hold them: internal column names and `seq`, the
    write sequence that orders writes so that the newest value of a field wins. The catalog
    has every column (add_columns)."""
    out = []
    for p in prepared:
        m = catalog.measurement(bucket.id, p.name)
        assert m is not None
        renames = {**{tag_column(k): m.tags[k].col for k in p.tags},
                   **{field_column(k): m.fields[k].col for k in p.fields}}
        out.append((m.hot_table, pl.DataFrame([  # from Series: no Polars query per request
            p.frame[TIME].alias("time"),
            (p.frame[LINE].cast(pl.Int64) + seq_base).alias("seq"),
            *[p.frame[src].alias(dst) for src, dst in renames.items()],
        ])))
    return out


def insert(con: duckdb.DuckDBPyConnection, hot_table: str, frame: pl.DataFrame) -> None:
    """Insert rows into a hot table; runs inside the caller's transaction."""
    # Arrow string views (what Polars holds) cost DuckDB less to take in than large strings;
    # batches of a row group each let it insert on all its threads
    table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
    con.register("_incoming", pa.Table.from_batches(
        table.to_batches(max_chunksize=INSERT_BATCH_ROWS), table.schema))
    try:
        cols = ", ".join(frame.columns)
        sql = f"INSERT INTO {hot_table} ({cols}) SELECT {cols} FROM _incoming"
        con.execute(sql).fetchall()
    finally:
        con.unregister("_incoming")
