"""Tables as readable text, for test failures: one block per table, the group key on its head
line and the other columns aligned, a `_diff` column first as the margin of a diff.

    table _measurement=m0, _field=f0
      _diff  _time                 _value
      -      2022-07-12T00:00:00Z  2
      +      2022-07-12T00:00:00Z  3
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from tsengine.execute.table import Table, flux_type
from tsengine.flux.values import Time, UInt, format_float, format_time

MAX_ROWS = 200  # rows shown per table; a longer table ends with a count of the rest


def format_tables(tables: Iterable[Table], indent: str = "  ") -> str:
    """Every table as a block of text."""
    return "\n".join(format_table(t, indent) for t in tables)


def format_table(table: Table, indent: str = "  ") -> str:
    """One table: `table k=v, ...` then its non-key columns as aligned text."""
    head = ", ".join(f"{k}={cell(v, _type(table, k))}"
                     for k, v in zip(table.key, table.key_values, strict=True))
    labels = [c for c in table.frame.columns if c not in table.key]
    shown = table.frame.head(MAX_ROWS)
    columns = [[label] + [cell(v, _type(table, label)) for v in _values(shown, label)]
               for label in labels]
    widths = [max(len(c) for c in col) for col in columns]
    lines = [f"{indent}table {head}".rstrip() if head else f"{indent}table (no group key)"]
    for i in range(shown.height + 1):
        cells = [col[i].ljust(w) for col, w in zip(columns, widths, strict=True)]
        lines.append(f"{indent}  " + "  ".join(cells).rstrip())
    if table.frame.height > MAX_ROWS:
        lines.append(f"{indent}  ... {table.frame.height - MAX_ROWS} more rows")
    return "\n".join(lines)


def _values(frame: pl.DataFrame, label: str) -> list[object]:
    """A column's values, times as exact `Time`s (Python datetimes drop nanoseconds)."""
    column = frame.get_column(label)
    if isinstance(column.dtype, pl.Datetime):
        return [None if ns is None else Time(ns) for ns in column.dt.epoch("ns").to_list()]
    return column.to_list()


def _type(table: Table, label: str) -> str:
    return flux_type(table.frame.schema[label])


def cell(value: object, kind: str) -> str:
    """A value as its cell: times in RFC3339, floats as Flux prints them, null as `<null>`."""
    if value is None:
        return "<null>"
    if kind == "time":
        return _rfc3339(value) if isinstance(value, Time) else str(value)
    if kind == "float":
        return format_float(float(value))  # type: ignore[arg-type]
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, UInt):
        return str(value.value)
    return str(value)


def _rfc3339(t: Time) -> str:
    """RFC3339 with the fraction's trailing zeros trimmed, as annotated CSV shows times."""
    text = format_time(t)
    whole, frac = text[:-1].split(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac}Z" if frac else f"{whole}Z"
