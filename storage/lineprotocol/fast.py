"""The vectorized line-protocol path: lines that share a shape are parsed in one Polars pass.

A shape is a measurement, its tag keys and its field keys with their types, in line order, taken
from a line the exact parser has read. One anchored regex per shape selects every line of exactly
that shape whose keys and values need no escaping (no backslash, strings without spaces or commas);
those lines are split with plain string expressions. Every other line is left to the exact parser,
so both paths give identical points.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from storage.lineprotocol.model import LINE, TIME, FieldType, Segment, field_column, tag_column
from storage.lineprotocol.scanner import (
    MAX_KEY_LENGTH,
    MAX_TIME,
    MIN_TIME,
    ScanError,
    ScannedPoint,
    scan_point,
)

MAX_SHAPES = 64
MIN_LINES_FOR_A_SHAPE = 16
MAX_MISSES = 4

_TAG_VALUE = r'[^ ,=\\]+'
_VALUE_PATTERNS = {  # [0-9], not \d: Polars' regex \d is Unicode-aware
    FieldType.FLOAT: r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    FieldType.INTEGER: r"-?[0-9]+i",
    FieldType.UNSIGNED: r"[0-9]+u",
    FieldType.STRING: r'"[^"\\ ,]*"',
    FieldType.BOOLEAN: r"(?:t|T|true|True|TRUE|f|F|false|False|FALSE)",
}
_TRUE = ["t", "T", "true", "True", "TRUE"]


@dataclass(frozen=True)
class Shape:
    """The literal structure shared by the lines of one vectorized group."""

    measurement: str
    tags: tuple[str, ...]
    fields: tuple[tuple[str, FieldType], ...]

    @classmethod
    def of(cls, point: ScannedPoint) -> Shape | None:
        """The shape of a parsed line, or None if such lines must take the exact path."""
        names = [point.measurement, *(k for k, _ in point.tags), *point.raw_field_keys]
        if any(c in name for name in names for c in ' ,\\\n'):
            return None
        if any("=" in k for k, _ in point.tags) or any("=" in k for k in point.raw_field_keys):
            return None
        if point.measurement[0] in "# \t\0" or len(set(point.raw_field_keys)) != len(point.fields):
            return None
        return cls(point.measurement, tuple(k for k, _ in point.tags),
                   tuple((k, t) for k, t, _ in point.fields))

    def pattern(self) -> str:
        tags = "".join(f",{pl.escape_regex(k)}={_TAG_VALUE}" for k in self.tags)
        fields = ",".join(f"{pl.escape_regex(k)}={_VALUE_PATTERNS[t]}" for k, t in self.fields)
        return f"^{pl.escape_regex(self.measurement)}{tags} {fields}(?: -?[0-9]+)?$"

    def extract(self, lines: pl.DataFrame, default_time: int, factor: int) -> pl.DataFrame:
        """Split matching lines (columns `_line`, `text`) into a segment frame plus an `_ok` flag.

        A matching line has spaces only between its sections, so turning them into commas leaves
        one comma-separated list: measurement, tags, fields, and the timestamp if present.
        """
        nt, nf = len(self.tags), len(self.fields)
        names = ["m", *(f"t{i}" for i in range(nt)), *(f"f{i}" for i in range(nf)), "ts"]
        parts = (
            pl.col("text").str.replace_all(" ", ",", literal=True)
            .str.split_exact(",", len(names) - 1).struct.rename_fields(names)
        )
        lo, hi = -((-MIN_TIME) // factor), MAX_TIME // factor
        raw_ts = pl.col("ts").cast(pl.Int64, strict=False)
        exprs = [
            pl.col(LINE),
            pl.when(pl.col("ts").is_null()).then(pl.lit(default_time)).otherwise(raw_ts * factor)
            .alias(TIME),
        ]
        ok = [pl.col("ts").is_null() | raw_ts.is_between(lo, hi)]
        for i, key in enumerate(self.tags):
            exprs.append(pl.col(f"t{i}").str.slice(len(key) + 1).alias(tag_column(key)))
        for i, (key, ftype) in enumerate(self.fields):
            value = _convert(pl.col(f"f{i}").str.slice(len(key) + 1), ftype)
            if ftype in (FieldType.FLOAT, FieldType.INTEGER, FieldType.UNSIGNED):
                ok.append(value.is_not_null())
                if ftype is FieldType.FLOAT:
                    ok.append(value.is_finite())
            exprs.append(value.alias(field_column(key)))
        return (
            lines.lazy()
            .select(pl.col(LINE), parts.alias("p"))
            .unnest("p")
            # a null check (e.g. a timestamp beyond int64) means "not ok", never "drop the line"
            .select(*exprs, pl.all_horizontal(ok).fill_null(False).alias("_ok"))
            .collect()
        )


def _convert(raw: pl.Expr, ftype: FieldType) -> pl.Expr:
    if ftype is FieldType.FLOAT:
        return raw.cast(pl.Float64, strict=False)
    if ftype is FieldType.INTEGER:
        return raw.str.strip_suffix("i").cast(pl.Int64, strict=False)
    if ftype is FieldType.UNSIGNED:
        return raw.str.strip_suffix("u").cast(pl.UInt64, strict=False)
    if ftype is FieldType.STRING:
        return raw.str.slice(1).str.strip_suffix('"')
    return raw.is_in(_TRUE)


def parse_fast(
    lines: pl.DataFrame, default_time: int, factor: int
) -> tuple[list[Segment], pl.DataFrame]:
    """Parse what the vectorized path can; return its segments and the lines left over.

    `lines` has columns `_line` (line number) and `text` (the line, never null or blank).
    """
    segments: list[Segment] = []
    text = lines["text"]
    # escapes, leading whitespace and lines long enough to exceed the key limit: exact path only
    escaped = (
        text.str.contains("\\", literal=True)
        | text.str.contains("^[ \t\x00]")
        | (text.str.len_bytes() > MAX_KEY_LENGTH)
    )
    rest = lines.filter(~escaped)
    declined = [lines.filter(escaped)]
    misses = 0
    for _ in range(MAX_SHAPES):
        if rest.height < MIN_LINES_FOR_A_SHAPE or misses >= MAX_MISSES:
            break
        first = rest.row(0, named=True)
        shape = shape_of(first["text"], default_time, factor)
        if shape is None:
            declined.append(rest.head(1))
            rest = rest.slice(1)
            misses += 1
            continue
        mask = rest["text"].str.contains(shape.pattern())
        matched, rest = rest.filter(mask), rest.filter(~mask)
        if matched.height == 0 or matched[LINE][0] != first[LINE]:
            # the first line should match its own shape; if not, leave it to the exact path
            declined.append(matched)
            declined.append(rest.head(1))
            rest = rest.slice(1)
            misses += 1
            continue
        if matched.height < max(MIN_LINES_FOR_A_SHAPE, (matched.height + rest.height) // 256):
            misses += 1
        frame = shape.extract(matched, default_time, factor)
        good = frame.filter(pl.col("_ok")).drop("_ok")
        segments.append(Segment(shape.measurement, good, list(shape.tags), dict(shape.fields)))
        declined.append(matched.filter(~frame["_ok"]))
    declined.append(rest)
    left = pl.concat(declined).sort(LINE)
    return segments, left


def shape_of(text: str, default_time: int, factor: int) -> Shape | None:
    """The shape of one line, or None if it does not parse or must take the exact path."""
    try:
        point = scan_point(text, default_time, factor)
    except ScanError:
        return None
    if not point.fields:
        return None
    return Shape.of(point)
