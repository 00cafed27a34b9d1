"""Per-table evaluation over a frame of many tables: partition by the group key.

A `TableFrame` holds every table of one schema; a per-table computation is a Polars
window (`over`) or `group_by` on the key columns, never a loop over tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def over(expr: pl.Expr, key: Sequence[str]) -> pl.Expr:
    """`expr` evaluated within each table (the whole frame when the key is empty)."""
    return expr.over(list(key)) if key else expr


def row_index(key: Sequence[str], name: str = "\0row") -> pl.Expr:
    """Each row's position within its table, from 0."""
    return over(pl.int_range(pl.len(), dtype=pl.Int64), key).alias(name)


def aggregate(frame: pl.DataFrame, key: Sequence[str], aggs: Sequence[pl.Expr]) -> pl.DataFrame:
    """One row per table that has rows: the key columns, then `aggs`, tables in frame order."""
    if not key:
        return frame.select(aggs) if frame.height else frame.select(aggs).head(0)
    return frame.group_by(list(key), maintain_order=True).agg(aggs)
