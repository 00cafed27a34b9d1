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


def run_starts(frame: pl.DataFrame, names: Sequence[str]) -> pl.Series:
    """True on each row whose key values differ from the row before's (and on the first row):
    where a run of one table's rows starts."""
    first = pl.int_range(pl.len()) == 0
    if not names:
        return frame.select(first.alias("\0start")).to_series()
    changed = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift()) for c in names)
    return frame.select((changed.fill_null(True) | first).alias("\0start")).to_series()


def runs_are_tables(frame: pl.DataFrame, names: Sequence[str], starts: pl.Series) -> bool:
    """Whether each table's rows are one run: no two runs share key values (checked on the
    first row of each run, so it costs little)."""
    return not frame.select(names).filter(starts).is_duplicated().any()


def table_ids(frame: pl.DataFrame, key: Sequence[str], name: str = "\0table") -> pl.Series:
    """A small integer per row naming its table, so per-table work can group on one integer
    column instead of the key's columns (strings, mostly).

    Rows of a table are usually contiguous (storage reads keep them so), and then the id is
    the run number, found in one pass; otherwise it is the dense rank of the key values.
    """
    if not key or not frame.height:
        return pl.Series(name, [0] * frame.height, dtype=pl.Int64)
    names = list(key)
    starts = run_starts(frame, names)
    if runs_are_tables(frame, names, starts):
        return (starts.cast(pl.Int64).cum_sum() - 1).alias(name)
    ranks = frame.select(pl.struct(names).rank("dense").cast(pl.Int64) - 1)
    return ranks.to_series().alias(name)
