"""The write path: type checks and retention per point (InfluxDB's partial write), then one
DuckDB transaction into the hot tier, so an acknowledged write survives a crash."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl

from storage.catalog import Bucket, Catalog, Measurement
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
    for name, segs in by_measurement.items():
        if cutoff is not None:
            kept = []
            for seg in segs:
                frame = seg.frame.filter(pl.col(TIME) >= cutoff)
                expired += seg.height - frame.height
                kept.append(Segment(seg.measurement, frame, seg.tags, seg.fields))
            segs = kept
        known = catalog.measurement(bucket.id, name)
        types = _decide_types(known, segs)
        frames, tags, fields = [], set(), {}
        for seg in segs:
            frame = _drop_conflicts(seg, types, name, result)
            if frame.height:
                frames.append(frame)
                tags.update(seg.tags)
                fields.update({k: t for k, t in seg.fields.items() if types[k] is t})
        if frames:
            merged = pl.concat(frames, how="diagonal")
            result.written += merged.height
            prepared.append(_Prepared(name, merged, sorted(tags), fields))
    if expired:
        result.dropped.insert(0, Dropped(
            "retention",
            f"dropped {expired} points outside retention policy of duration "
            f"{format_go_duration(bucket.retention)}", expired))
    return prepared, result


def _decide_types(known: Measurement | None, segs: list[Segment]) -> dict[str, FieldType]:
    """Stored types win; a new field takes the type of its first occurrence in the request."""
    types = {k: c.type for k, c in known.fields.items()} if known else {}
    firsts: list[tuple[int, str, FieldType]] = []
    for seg in segs:
        for key, ftype in seg.fields.items():
            if key in types:
                continue
            first = seg.frame.filter(pl.col(field_column(key)).is_not_null())[LINE].min()
            if first is not None:
                firsts.append((first, key, ftype))
    for _, key, ftype in sorted(firsts, key=lambda f: f[0]):
        types.setdefault(key, ftype)
    return types  # type: ignore[return-value]


def _drop_conflicts(seg: Segment, types: dict[str, FieldType], name: str,
                    result: WriteResult) -> pl.DataFrame:
    """Drop whole points that carry a field of another type than decided, counting each reason."""
    frame = seg.frame
    for key, ftype in seg.fields.items():
        expected = types.get(key)
        if expected is None or expected is ftype:
            continue
        has = pl.col(field_column(key)).is_not_null()
        count = frame.select(has.sum()).item()
        if count:
            result.dropped.append(Dropped(
                "type_conflict",
                f'field type conflict: input field "{key}" on measurement "{name}" is type '
                f"{ftype.value}, already exists as type {expected.value}", count))
            frame = frame.filter(~has)
        frame = frame.drop(field_column(key))
    return frame


def insert(catalog: Catalog, bucket: Bucket, prepared: list[_Prepared], seq_base: int) -> None:
    """Insert prepared rows into the hot tables, adding measurements and columns as needed.

    Runs inside the caller's transaction. `seq` orders writes so the newest value of a field wins.
    """
    con = catalog.con
    for p in prepared:
        m = catalog.measurement(bucket.id, p.name) or catalog.add_measurement(bucket.id, p.name)
        for key in p.tags:
            if key not in m.tags:
                catalog.add_column(m, "tag", key, None)
        for key, ftype in p.fields.items():
            if key not in m.fields:
                catalog.add_column(m, "field", key, ftype)
        renames = {**{tag_column(k): m.tags[k].col for k in p.tags},
                   **{field_column(k): m.fields[k].col for k in p.fields}}
        frame = p.frame.select(
            pl.col(TIME).alias("time"),
            (pl.col(LINE).cast(pl.Int64) + seq_base).alias("seq"),
            *[pl.col(src).alias(dst) for src, dst in renames.items()],
        )
        con.register("_incoming", frame.to_arrow())
        try:
            cols = ", ".join(frame.columns)
            con.execute(f"INSERT INTO {m.hot_table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            con.unregister("_incoming")
