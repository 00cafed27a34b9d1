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


def table_ids(frame: pl.DataFrame, key: Sequence[str], name: str = "\0table",
              starts: pl.Series | None = None) -> tuple[pl.Series, pl.DataFrame]:
    """A small integer per row naming its table, so per-table work can group on one integer
    column instead of the key's columns (strings, mostly); and the tables, one row each: the
    id (column `name`) and the key columns, in order of first appearance.

    Rows of a table are usually contiguous (storage reads keep them so), and then the id is
    the run number and a table's row its run's first, found in one pass; otherwise the id is
    the dense rank of the key values among the runs' first rows. `starts`: the run starts,
    when the caller knows them more cheaply than by comparing the key columns.
    """
    names = list(key)
    if not names or not frame.height:
        ids = pl.Series(name, [0] * frame.height, dtype=pl.Int64)
        firsts = pl.DataFrame([pl.Series(name, [0] * min(frame.height, 1), dtype=pl.Int64),
                               *frame.select(names).head(1)])
        return ids, firsts
    if starts is None:
        starts = run_starts(frame, names)
    runs = starts.cast(pl.Int64).cum_sum() - 1
    firsts = frame.select(names).filter(starts)
    if not firsts.is_duplicated().any():
        return runs.alias(name), firsts.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias(name), *names)
    # some table's rows form several runs: rank the runs' keys (few), not the rows' keys
    ranks = firsts.select((pl.struct(names).rank("dense").cast(pl.Int64) - 1).alias(name))
    ids = ranks.to_series().gather(runs).alias(name)
    tables = (firsts.with_columns(ranks.to_series())
              .unique(name, keep="first", maintain_order=True).select(name, *names))
    return ids, tables
