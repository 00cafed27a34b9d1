"""`group(columns: tags) |> aggregateWindow(fn: count|sum|mean)` from the stored wide rows.

The plain plan's group table holds its series' tables one after another, in table order
(field, measurement, then tag values by tag name), each in time order; aggregateWindow sorts
it by time (stably) and adds each window's values in that order. Here each row carries its
series' rank in that order, the rows of every field are stacked in table order and one
stable sort by (group, time) gives the same sequence, with no long tables built, merged or
ranked. Anything else (a listed column that is not a tag of every measurement, a series
without one of the tags, fields of several types, a type the function does not take) runs
the plain plan.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from tsengine.execute import pertable
from tsengine.execute.aggregate_read import ACCEPTS, scan_wide, series_numbers
from tsengine.execute.executor import ExecContext, execute, implements
from tsengine.execute.table import TIME_DTYPE, TableStream
from tsengine.plan.nodes import PlanNode, StorageGroupWindow


@implements(StorageGroupWindow)
def read_group_window(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]
                      ) -> TableStream:
    from tsengine.stdlib.universe.aggregate_window import TABLE, native_windows

    assert isinstance(node, StorageGroupWindow)
    read, columns = node.read, list(node.columns)
    window: Any = node.window  # an AggregateWindowNative (the stdlib imports this module)
    wide = scan_wide(ctx, read, tags=columns)  # only the group's tags: series come numbered
    types = {t for w in wide for t in w.fields.values()}
    if len(types) > 1 or not types <= ACCEPTS[window.fn] \
            or any(not set(columns) <= set(w.tags) for w in wide):
        return execute(ctx, node.fallback)
    parts, groups = [], []
    for w in wide:
        rows = w.frame.collect()
        numbers = series_numbers(w, rows)
        if numbers is None or any(rows.get_column(t).null_count() for t in w.tags):
            return execute(ctx, node.fallback)  # rows of the hot tier: series not in order
        runs = pertable.change_positions(numbers)
        lengths = np.diff(runs, append=rows.height)
        groups.append(rows.select(columns).gather(runs) if columns else len(runs))
        for field in w.fields:
            values = rows.get_column(f"f:{field}").alias(window.column)
            part = pl.DataFrame([pl.Series(TABLE, np.repeat(np.arange(len(runs)), lengths)),
                                 rows.get_column("time").alias("\0t"), values])
            parts.append(((field, w.measurement), len(groups) - 1, part.drop_nulls(
                window.column)))
    parts.sort(key=lambda p: p[0])  # the plain plan's table order: field, then measurement
    tables, ids = _group_ids(groups, columns, TABLE)
    rows = pl.concat([part.with_columns(pl.Series(TABLE, ids[i]).gather(part.get_column(TABLE)))
                      for _, i, part in parts], how="vertical") if parts else None
    if rows is None or not rows.height:
        return TableStream([])
    ctx.counts["points_read"] += rows.height
    rows = _in_group_and_time_order(rows, TABLE)
    key = ("_start", "_stop", *columns)
    tables = tables.with_columns(pl.lit(read.start).cast(TIME_DTYPE).alias("_start"),
                                 pl.lit(read.stop).cast(TIME_DTYPE).alias("_stop"))
    frame = native_windows(window, rows, tables.select(TABLE, *key), key,
                           rows.schema[window.column], (read.start, read.stop), in_order=True)
    return TableStream([frame])


def _group_ids(groups: list[pl.DataFrame | int], columns: list[str], name: str
               ) -> tuple[pl.DataFrame, list[np.ndarray]]:
    """The groups (`name`, the id, and the group columns), and for each read the group id of
    each of its series (`groups[i]`: the group columns of read i's series, one row each; or
    their number when there are no group columns: then all are group 0)."""
    if not columns:
        return pl.DataFrame({name: [0]}), [np.zeros(g, np.int64) for g in groups]  # type: ignore
    every = pl.concat(groups, how="vertical")  # type: ignore[arg-type]
    ids, tables = pertable.table_ids(every, columns, name)
    cuts = np.cumsum([0, *(g.height for g in groups)])  # type: ignore[union-attr]
    flat = ids.to_numpy()
    return tables, [flat[lo:hi] for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)]


def _in_group_and_time_order(rows: pl.DataFrame, name: str) -> pl.DataFrame:
    """`rows` (group id `name`, time `\0t`, values; no nulls) sorted by group, then time,
    stably. Numeric columns are reordered by NumPy (several times cheaper than a frame's
    gather here) and the group ids rebuilt from their counts, which the order makes runs."""
    group, time = rows.get_column(name), rows.get_column("\0t")
    order = _by_group_and_time(group, time)
    values = rows.get_column(rows.columns[2])
    if not (values.dtype.is_numeric() or values.dtype == pl.Boolean):
        return rows[order]  # indexing: no query plan, unlike gather()
    counts = np.bincount(group.to_numpy())
    return pl.DataFrame([
        pl.Series(name, np.repeat(np.arange(len(counts)), counts), dtype=group.dtype),
        pl.Series("\0t", time.to_numpy()[order], dtype=time.dtype),
        pl.Series(values.name, values.to_numpy()[order], dtype=values.dtype)])


def _by_group_and_time(group: pl.Series, time: pl.Series) -> np.ndarray:
    """The row order by group, then time, rows of equal both in their present order: one
    stable sort of a combined integer key where it fits in 63 bits."""
    t = time.to_numpy()
    lo, hi = int(t.min()), int(t.max())
    span, groups = hi - lo + 1, int(group.max()) + 1
    if groups * span < 2**62:
        return np.argsort(group.to_numpy() * span + (t - lo), kind="stable")
    frame = pl.DataFrame([group.alias("g"), time.alias("t")]).with_row_index("i")
    return frame.sort(["g", "t"], maintain_order=True).get_column("i").to_numpy()
