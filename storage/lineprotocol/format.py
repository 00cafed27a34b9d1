"""Canonical line protocol out: tags and fields sorted by key, every value typed, nanosecond time.

Formatting is vectorized over a segment frame, so exporting a large bucket never loops per point.
"""

from __future__ import annotations

import polars as pl

from storage.lineprotocol.model import TIME, FieldType, Segment, field_column, tag_column


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
        return pl.when(expr).then(pl.lit("true")).otherwise(pl.lit("false"))
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
