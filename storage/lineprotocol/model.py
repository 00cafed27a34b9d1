"""What parsed line protocol is: points, field types, and the columnar batch the writer takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import polars as pl

TIME = "_time"
LINE = "_line"


class FieldType(StrEnum):
    """A field's value type; the value is InfluxDB's name for it."""

    FLOAT = "float"
    INTEGER = "integer"
    UNSIGNED = "unsigned"
    STRING = "string"
    BOOLEAN = "boolean"

    @property
    def dtype(self) -> pl.DataType:
        return _DTYPES[self]

    @property
    def duckdb_type(self) -> str:
        return _DUCKDB_TYPES[self]

    @property
    def flux_type(self) -> str:
        return _FLUX_TYPES[self]


_DTYPES: dict[FieldType, pl.DataType] = {
    FieldType.FLOAT: pl.Float64(),
    FieldType.INTEGER: pl.Int64(),
    FieldType.UNSIGNED: pl.UInt64(),
    FieldType.STRING: pl.String(),
    FieldType.BOOLEAN: pl.Boolean(),
}
_DUCKDB_TYPES = {
    FieldType.FLOAT: "DOUBLE",
    FieldType.INTEGER: "BIGINT",
    FieldType.UNSIGNED: "UBIGINT",
    FieldType.STRING: "VARCHAR",
    FieldType.BOOLEAN: "BOOLEAN",
}
_FLUX_TYPES = {
    FieldType.FLOAT: "float",
    FieldType.INTEGER: "int",
    FieldType.UNSIGNED: "uint",
    FieldType.STRING: "string",
    FieldType.BOOLEAN: "bool",
}


def tag_column(key: str) -> str:
    """Name of a tag's column inside a batch frame (tags and fields may share a key)."""
    return "t:" + key


def field_column(key: str) -> str:
    """Name of a field's column inside a batch frame."""
    return "f:" + key


@dataclass(frozen=True)
class Point:
    """One parsed point, in canonical form: tags sorted by key, fields sorted by key."""

    measurement: str
    tags: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, FieldType, object], ...]
    time: int


@dataclass
class Segment:
    """Points of one measurement whose fields agree on types, held as one Polars frame.

    Columns: `_line` (line number in the request, for order and newest-wins), `_time` (int64 ns),
    one `t:<key>` column per tag (null where a point lacks the tag) and one `f:<key>` column per
    field with the field's dtype (null where a point lacks the field).
    """

    measurement: str
    frame: pl.DataFrame
    tags: list[str] = field(default_factory=list)
    fields: dict[str, FieldType] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return self.frame.height


@dataclass(frozen=True)
class Dropped:
    """Points refused one by one (InfluxDB's partial write): why, and how many."""

    kind: str
    message: str
    count: int


@dataclass
class PointBatch:
    """A parsed request: its segments for the writer, and points the parser refused."""

    segments: list[Segment] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(s.height for s in self.segments)

    def to_points(self) -> list[Point]:
        """The batch as canonical points in line order (for tests and small outputs)."""
        rows: list[tuple[int, Point]] = []
        for seg in self.segments:
            for rec in seg.frame.iter_rows(named=True):
                present = [k for k in seg.tags if rec[tag_column(k)] is not None]
                tags = tuple(sorted((k, rec[tag_column(k)]) for k in present))
                fields = tuple(
                    sorted(
                        (k, t, rec[field_column(k)])
                        for k, t in seg.fields.items()
                        if rec[field_column(k)] is not None
                    )
                )
                rows.append((rec[LINE], Point(seg.measurement, tags, fields, rec[TIME])))
        rows.sort(key=lambda r: r[0])
        return [p for _, p in rows]
