"""Canonical line protocol out: tags and fields sorted by key, every value typed, nanosecond time.

Formatting is vectorized over a segment frame, so exporting a large bucket never loops per point.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from storage.lineprotocol.model import (
    LINE,
    TIME,
    FieldType,
    Point,
    Segment,
    field_column,
    tag_column,
)


def escape_measurement(name: str) -> str:
    """Escape a measurement name (commas and spaces)."""
    return name.replace(",", "\\,").replace(" ", "\\ ")


def escape_key(text: str) -> str:
    """Escape a tag key, tag value or field key (commas, equals signs and spaces)."""
    return text.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def _escape_key_expr(expr: pl.Expr) -> pl.Expr:
    return (expr.str.replace_all(",", "\\,", literal=True)
            .str.replace_all("=", "\\=", literal=True)
            .str.replace_all(" ", "\\ ", literal=True))


def _value_expr(expr: pl.Expr, ftype: FieldType) -> pl.Expr:
    if ftype is FieldType.FLOAT:
        return expr.cast(pl.String)
    if ftype is FieldType.INTEGER:
        return expr.cast(pl.String) + "i"
    if ftype is FieldType.UNSIGNED:
        return expr.cast(pl.String) + "u"
    if ftype is FieldType.BOOLEAN:
        # no otherwise(): a missing (null) value must stay null, not become "false"
        return pl.when(expr).then(pl.lit("true")).when(expr.not_()).then(pl.lit("false"))
    escaped = expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all(
        '"', '\\"', literal=True)
    return pl.concat_str([pl.lit('"'), escaped, pl.lit('"')])


def format_segment(seg: Segment) -> pl.Series:
    """One canonical line per row of a segment (points without any field are skipped)."""
    tag_parts = [
        pl.when(pl.col(tag_column(k)).is_not_null())
        .then(pl.lit("," + escape_key(k)) + "=" + _escape_key_expr(pl.col(tag_column(k))))
        .otherwise(pl.lit(""))
        for k in sorted(seg.tags)
    ]
    field_parts = [
        pl.lit(escape_key(k) + "=") + _value_expr(pl.col(field_column(k)), t)
        for k, t in sorted(seg.fields.items())
    ]
    fields = pl.concat_str(field_parts, separator=",", ignore_nulls=True)
    line = pl.concat_str([
        pl.lit(escape_measurement(seg.measurement)), *tag_parts, pl.lit(" "), fields,
        pl.lit(" "), pl.col(TIME).cast(pl.String),
    ])
    return (
        seg.frame.lazy()
        .filter(pl.any_horizontal([pl.col(field_column(k)).is_not_null() for k in seg.fields]))
        .select(line.alias("line"))
        .collect()["line"]
    )


def format_lines(segments: list[Segment]) -> str:
    """Segments as one line-protocol text, newline-terminated."""
    parts = [format_segment(s) for s in segments if s.fields]
    lines = [line for series in parts for line in series.to_list()]
    return "".join(line + "\n" for line in lines)


def segments_of(points: Iterable[Point]) -> list[Segment]:
    """Points as segments, keeping their order: each run of consecutive points of one measurement
    whose field types agree becomes one segment (`_line` numbers the points from 1)."""
    runs: list[tuple[str, dict[str, FieldType], list[Point]]] = []
    for p in points:
        if runs and runs[-1][0] == p.measurement and all(
            runs[-1][1].get(k, t) is t for k, t, _ in p.fields
        ):
            runs[-1][1].update((k, t) for k, t, _ in p.fields)
            runs[-1][2].append(p)
        else:
            runs.append((p.measurement, {k: t for k, t, _ in p.fields}, [p]))
    segments = []
    line = 1
    for measurement, types, members in runs:
        tag_keys = sorted({k for p in members for k, _ in p.tags})
        columns: dict[str, list[object]] = {
            LINE: list(range(line, line + len(members))),
            TIME: [p.time for p in members],
        }
        for k in tag_keys:
            columns[tag_column(k)] = [dict(p.tags).get(k) for p in members]
        for k in types:
            columns[field_column(k)] = [{f: v for f, _, v in p.fields}.get(k) for p in members]
        schema: dict[str, pl.DataType] = {LINE: pl.UInt32(), TIME: pl.Int64()}
        schema.update({tag_column(k): pl.String() for k in tag_keys})
        schema.update({field_column(k): t.dtype for k, t in types.items()})
        frame = pl.DataFrame(columns, schema=schema)
        segments.append(Segment(measurement, frame, tag_keys, dict(types)))
        line += len(members)
    return segments


def format_points(points: Iterable[Point]) -> str:
    """Points as canonical line protocol, one line each, in their order."""
    return format_lines(segments_of(points))
