"""`aggregateWindow(every:, fn:, period:, offset:, location:, column:, timeSrc:, timeDst:,
createEmpty:)`: `fn` applied to each time window of each table, one row per window.

Upstream defines it in Flux as
`window(...) |> fn(column:) |> (createEmpty ? table.fill() : id) |> duplicate(column: timeSrc,
as: timeDst) |> window(every: inf, timeColumn: timeDst)`, and that is the plan built here for
any `fn`. The output keeps the input's key with `_start`/`_stop` the range bounds again; the
row's `timeDst` is its window's (clipped) stop or start.

When `fn` is a plain count, sum or mean of the windows (with timeSrc `_start`/`_stop` and
timeDst `_time`) upstream's planner swaps the chain for its Go aggregateWindow, which lays rows
out as `_time, <key columns>, <column>`; in InfluxDB, on a storage read with a window storage
can compute (every == period, no negative offset, UTC, `_value`), storage computes it and lays
rows out as `_start, _stop, _time, _value, <other key columns>`. `AggregateWindowNative` is
that computation, one group_by over the window of every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from tsengine.execute import pertable, windows
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream, flux_type
from tsengine.execute.windows import INDEX, START, STOP, Bounds, WindowSpec
from tsengine.flux import ast
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream
from tsengine.stdlib.universe.aggregates import (
    STORAGE_TYPE_NAMES,
    Aggregate,
    Count,
    Mean,
    Sum,
    key_rows,
)
from tsengine.stdlib.universe.duplicate import Duplicate
from tsengine.stdlib.universe.filter import reads_storage
from tsengine.stdlib.universe.selectors import Selector
from tsengine.stdlib.universe.window import (
    ZERO,
    Window,
    pushable,
    query_bounds,
    window_spec,
)
from tsengine.stdlib.universe.window_runs import window_runs, with_empty_windows

TABLE = "\0table"  # a row's table, as one integer
NATIVE: dict[type[PlanNode], str] = {Count: "count", Sum: "sum", Mean: "mean"}
NUMERIC = ("int", "uint", "float")


@dataclass(eq=False)
class FillEmpty(PlanNode):
    """`table.fill()`: a table without rows gets one, its key values and nulls elsewhere."""

    input: PlanNode

    function: ClassVar[str] = "aggregateWindow"


@dataclass(eq=False)
class FillWindows(PlanNode):
    """`table.fill()` after a selector or aggregate of windows, vectorized: a row (key values,
    `empty_value` in the value column, nulls elsewhere) for every window of the range a table
    has no row in, and for every empty table."""

    input: PlanNode
    spec: WindowSpec
    empty_value: object = None

    function: ClassVar[str] = "aggregateWindow"

    def describe(self) -> str:
        return f"FillWindows({self.spec.describe()}, emptyValue={self.empty_value!r})"


@dataclass(eq=False)
class AggregateWindowNative(PlanNode):
    """count/sum/mean of `column` per window of each table, as upstream's Go aggregateWindow
    (or InfluxDB's storage when `on_storage`) computes it; on storage also the selectors
    first/last/min/max (see rules/push_window_aggregate.py)."""

    input: PlanNode
    spec: WindowSpec
    fn: str
    column: str = "_value"
    use_start: bool = False
    create_empty: bool = True
    on_storage: bool = False

    function: ClassVar[str] = "aggregateWindow"

    def describe(self) -> str:
        time = "_start" if self.use_start else "_stop"
        return (f"AggregateWindow(fn={self.fn}, column={self.column!r}, {self.spec.describe()}, "
                f"timeSrc={time!r}, createEmpty={str(self.create_empty).lower()}"
                f"{', storage layout' if self.on_storage else ''})")


@builtin("aggregateWindow", pipe="tables")
def aggregate_window(ctx: CallContext, tables: Any, every: Any, fn: Any, period: Any = ZERO,
                     offset: Any = ZERO, location: Any = None, column: Any = "_value",
                     timeSrc: Any = "_stop", timeDst: Any = "_time",  # noqa: N803
                     createEmpty: Any = True) -> Stream:  # noqa: N803
    tables = require_stream("aggregateWindow", tables)
    spec = window_spec("aggregateWindow", ctx.interp, every, period, offset, location)
    _check_arguments(fn, column, timeSrc, timeDst, createEmpty)
    windowed = Window(tables.node, spec, create_empty=createEmpty, span=ctx.span)
    node = _call_fn(ctx, fn, column, windowed)
    native = _native(node, windowed, tables.node, spec, timeSrc, timeDst, createEmpty)
    if native is not None:
        return Stream(native)
    if createEmpty and _one_row_per_window(node, windowed):
        windowed.empty_of_rowless_only = True
        empty_value = node.empty_value() if isinstance(node, Aggregate) else None
        node = FillWindows(node, spec, empty_value, span=ctx.span)
    elif createEmpty:
        node = FillEmpty(node, span=ctx.span)
    node = Duplicate(node, timeSrc, timeDst, span=ctx.span)
    infinite = WindowSpec(windows.INF, windows.INF)
    return Stream(Window(node, infinite, time_column=timeDst, span=ctx.span))


def _check_arguments(fn: Any, column: Any, time_src: Any, time_dst: Any, create_empty: Any
                     ) -> None:
    for name, value in (("column", column), ("timeSrc", time_src), ("timeDst", time_dst)):
        if not isinstance(value, str):
            raise OperatorError(f"aggregateWindow(): {name} must be a string, found "
                                f"{type_name(value)}")
    if not isinstance(create_empty, bool):
        raise OperatorError(f"aggregateWindow(): createEmpty must be a bool, found "
                            f"{type_name(create_empty)}")
    if not callable(getattr(fn, "call", None)) or getattr(fn, "pipe_param", None) is None:
        raise OperatorError("aggregateWindow(): fn must be a function taking piped tables, "
                            "as (column, tables=<-) => ...")


def _call_fn(ctx: CallContext, fn: Any, column: str, windowed: Window) -> PlanNode:
    """The plan of `windowed |> fn(column: column)` (piped into fn's pipe parameter)."""
    where = ast.Identifier("fn", span=ctx.span)
    result = ctx.interp.call(fn, {"column": column, fn.pipe_param: Stream(windowed)}, where)
    if not isinstance(result, Stream):
        raise OperatorError(f"aggregateWindow(): fn must return a stream of tables, returned "
                            f"{type_name(result)}")
    return result.node


def _native(node: PlanNode, windowed: Window, source: PlanNode, spec: WindowSpec,
            time_src: str, time_dst: str, create_empty: bool) -> AggregateWindowNative | None:
    """The Go aggregateWindow upstream's planner puts in place of window |> count/sum/mean
    |> ... |> window(every: inf), when the chain is exactly that (else None)."""
    fn = NATIVE.get(type(node))
    if fn is None or node.inputs != (windowed,) or time_dst != "_time" \
            or time_src not in ("_start", "_stop") or spec.infinite:
        return None
    column = node.column  # type: ignore[attr-defined]
    on_storage = reads_storage(source) and pushable(spec) and column == "_value"
    return AggregateWindowNative(source, spec, fn, column, time_src == "_start", create_empty,
                                 on_storage, span=windowed.span)


def _one_row_per_window(node: PlanNode, windowed: Window) -> bool:
    """Whether fn is a selector or an aggregate straight on the windows: each window's table
    gives at most one row, and an empty window the row FillWindows makes for it."""
    return isinstance(node, Selector | Aggregate) and node.inputs == (windowed,)


# -- table.fill ---------------------------------------------------------------------------
@implements(FillEmpty)
def run_fill_empty(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    out = []
    for tf in inputs[0].frames:
        if not tf.empty:
            out.append(tf)
            continue
        rows = key_rows(tf, tf.empty)
        rows = rows.with_columns(pl.lit(None, dtype).alias(c) for c, dtype
                                 in tf.frame.schema.items() if c not in tf.key)
        frame = pl.concat([tf.frame, rows.select(tf.frame.columns)], how="vertical")
        out.append(TableFrame(frame, tf.key))
    return TableStream(out)


@implements(FillWindows)
def run_fill_windows(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                     ) -> TableStream:
    assert isinstance(node, FillWindows)
    bounds = query_bounds(ctx, node)
    every = windows.within(node.spec, bounds).select(START, STOP).unique(maintain_order=True)
    out = []
    for tf in run_fill_empty(ctx, node, inputs).frames:
        frame = tf.frame
        if not frame.height or "_start" not in tf.key or "_stop" not in tf.key:
            out.append(tf)
            continue
        base = [k for k in tf.key if k not in ("_start", "_stop")]
        bounds_ns = [pl.col("_start").dt.epoch("ns").alias(START),
                     pl.col("_stop").dt.epoch("ns").alias(STOP)]
        present = frame.select(*base, *bounds_ns).unique()
        grid = present.select(base).unique().join(every, how="cross") if base else every
        missing = grid.join(present, on=[*base, START, STOP], how="anti", nulls_equal=True)
        if missing.height:
            frame = pl.concat([frame, _null_rows(node, tf, missing)], how="vertical")
        out.append(TableFrame(frame, tf.key))
    return TableStream(out)


def _null_rows(node: FillWindows, tf: TableFrame, missing: pl.DataFrame) -> pl.DataFrame:
    """Rows of `tf`'s schema for the missing windows: key values, then the empty value in the
    value column (the column the aggregate left besides the key) and nulls elsewhere."""
    values = [c for c in tf.frame.columns if c not in tf.key]
    fills = []
    for c, dtype in tf.frame.schema.items():
        if c == "_start":
            fills.append(pl.col(START).cast(dtype).alias(c))
        elif c == "_stop":
            fills.append(pl.col(STOP).cast(dtype).alias(c))
        elif c in tf.key:
            fills.append(pl.col(c))
        else:
            empty = node.empty_value if len(values) == 1 else None
            fills.append(pl.lit(empty, dtype).alias(c))
    return missing.select(fills)


# -- the Go aggregateWindow ---------------------------------------------------------------
@implements(AggregateWindowNative)
def run_native(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, AggregateWindowNative)
    bounds = query_bounds(ctx, node)
    out = []
    for tf in inputs[0].frames:
        if not tf.frame.height and not tf.empty:
            continue
        _check(ctx, node, tf)
        if bounds[0] >= bounds[1]:
            continue
        out.append(_native_frame(node, tf, bounds))
    return merged_stream(ctx, node, out)


def _check(ctx: ExecContext, node: AggregateWindowNative, tf: TableFrame) -> None:
    """Upstream's errors for the time and the aggregated column."""
    if "_time" not in tf.frame.columns:
        raise ctx.error(node, "no time column: _time")
    if not isinstance(tf.frame.schema["_time"], pl.Datetime):
        raise ctx.error(node, f"time column is not a time value: "
                              f"{flux_type(tf.frame.schema['_time'])}")
    if node.column not in tf.frame.columns:
        raise ctx.error(node, f'column "{node.column}" does not exist')
    if node.column in tf.key:
        raise ctx.error(node, "cannot aggregate columns that are part of the group key")
    kind = flux_type(tf.frame.schema[node.column])
    if node.fn != "count" and kind not in NUMERIC:
        if node.on_storage:  # storage words it its own way
            raise ctx.error(node, f"unsupported input type for {node.fn} aggregate: "
                                  f"{STORAGE_TYPE_NAMES[kind]}")
        raise ctx.error(node, f"unsupported aggregate column type {kind}")


def _aggregate(node: AggregateWindowNative, dtype: pl.DataType, nulls: bool) -> pl.Expr:
    """The window's value. Sums run in row order, one value after another, as upstream's
    loop adds them (Polars' grouped float sum may round differently); a null adds nothing."""
    value = pl.col(node.column)
    if node.fn == "count":
        return pl.len().cast(pl.Int64)
    if node.fn in _PICKS:  # storage's selectors (their rows' other columns are renamed away)
        return _PICKS[node.fn](value.drop_nulls())
    if dtype != pl.Float64:  # integers add up to the same (wrapping) sum in any order
        total = value.sum()
    elif not nulls:
        total = value.cum_sum().last()
    else:
        total = value.fill_null(pl.lit(0, dtype)).cum_sum().last()
    if not nulls:  # every group has a value: no null checks
        return total if node.fn == "sum" else total.cast(pl.Float64) / pl.len()
    valid = value.count()
    if node.fn == "sum":
        return pl.when(valid > 0).then(total)
    return pl.when(valid > 0).then(total.cast(pl.Float64) / valid)


_PICKS = {"first": pl.Expr.first, "last": pl.Expr.last, "min": pl.Expr.min, "max": pl.Expr.max}


def _native_frame(node: AggregateWindowNative, tf: TableFrame, bounds: Bounds) -> TableFrame:
    """The windows of every table of a frame, computed on one integer table id instead of
    the key's columns (strings, mostly), which are joined back once per table at the end."""
    key = list(tf.key)
    time_ns = pl.col("_time").dt.epoch("ns")
    rows = tf.frame.select(*key, pl.col(node.column), time_ns.alias("\0t"))
    rows = rows.filter(pl.col("\0t").is_not_null())
    ids, tables = pertable.table_ids(rows, key, TABLE)
    rows = rows.with_columns(ids)
    if tf.empty and not key:  # the one table, without rows
        tables = pl.DataFrame({TABLE: [0]}, schema={TABLE: pl.Int64})
    elif tf.empty:  # tables without rows get ids after the others
        extra = key_rows(tf, tf.empty).with_row_index(TABLE, offset=tables.height)
        tables = pl.concat([tables, extra.select(TABLE, *key).with_columns(
            pl.col(TABLE).cast(pl.Int64))], how="vertical")
    rows = rows.select(TABLE, node.column, "\0t")
    return native_windows(node, rows, tables, tuple(key), tf.frame.schema[node.column], bounds)


def native_windows(node: AggregateWindowNative, rows: pl.DataFrame | None,
                   tables: pl.DataFrame, key: tuple[str, ...], dtype: pl.DataType,
                   bounds: Bounds, in_order: bool = False,
                   runs: dict[str, pl.Series] | None = None) -> TableFrame:
    """The Go aggregateWindow over `rows` (TABLE, the column, `\0t` = time in ns) of the
    tables listed in `tables` (TABLE and the key columns): one row per window and table.
    `in_order`: the caller knows each table's rows are one run in time order. `runs`: the
    windows' values computed already (as window_runs gives them; `rows` is then None)."""
    ids = [TABLE]
    value_dtype = pl.Int64() if node.fn == "count" else \
        pl.Float64() if node.fn == "mean" else dtype
    if runs is None:
        assert rows is not None
        if not in_order and not _in_table_time_order(rows):
            rows = rows.sort([TABLE, "\0t"], maintain_order=True)
        runs = window_runs(node.fn, node.spec, rows.get_column(TABLE).to_numpy(),
                           rows.get_column("\0t").to_numpy(), rows.get_column(node.column),
                           bounds, value_dtype)
    if runs is not None:  # each table's windows one run, in time order
        if node.create_empty:
            runs = with_empty_windows(runs, tables.get_column(TABLE).to_numpy(), node.fn,
                                      node.spec, bounds)
        result = pl.DataFrame([runs.pop("table").alias(TABLE), *runs.values()])
    else:
        assert rows is not None
        result = _aggregate_windows(node, rows, ids, bounds, dtype, value_dtype)
        if node.create_empty:
            result = _with_empty_windows(node, tables.select(TABLE), result, ids, bounds,
                                         value_dtype)
        result = result.sort([TABLE, INDEX], maintain_order=True)
    out_key = (*key, *(c for c in ("_start", "_stop") if c not in key))
    if node.on_storage:
        rest = [k for k in out_key if k not in ("_start", "_stop")]
        columns = ["_start", "_stop", "_time", node.column, *rest]
    else:
        columns = ["_time", *out_key, node.column]
    table = result.get_column(TABLE)
    made = {"_time": result.get_column(START if node.use_start else STOP).cast(TIME_DTYPE),
            "_start": _constant_time(bounds[0], result.height),
            "_stop": _constant_time(bounds[1], result.height),
            node.column: result.get_column(node.column)}
    starts = pertable.change_positions(table)
    keyed, firsts = _rows_of_tables(tables, table, starts)
    frame = pl.DataFrame([made[c].alias(c) if c in made else keyed.get_column(c)
                          for c in columns])
    # rows by table, each table's rows one run; each table's key values at hand
    bound = {"_start": bounds[0], "_stop": bounds[1]}
    first_rows = None if any(c in made and c not in bound for c in out_key) else pl.DataFrame([
        _constant_time(bound[c], len(starts)).alias(c) if c in bound else firsts.get_column(c)
        for c in out_key])
    return TableFrame(frame, out_key, starts=starts.tolist(), firsts=first_rows)


def _constant_time(ns: int, n: int) -> pl.Series:
    return pl.Series(np.full(n, ns, dtype=np.int64)).cast(TIME_DTYPE)


def _rows_of_tables(tables: pl.DataFrame, ids: pl.Series, starts: np.ndarray
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The row of `tables` (one per table, TABLE and its key columns) of each id, by indexing
    (found by a binary search over the sorted ids) rather than a join; and the rows of the
    tables whose runs start at `starts` (`tables` itself when they come in its order)."""
    known = tables.get_column(TABLE).to_numpy()
    order = np.argsort(known, kind="stable")
    at = order[np.searchsorted(known[order], ids.to_numpy())]
    first = at[starts]
    in_order = len(first) == tables.height and (first == np.arange(len(first))).all()
    return tables[at], tables if in_order else tables[first]


def _aggregate_windows(node: AggregateWindowNative, rows: pl.DataFrame, key: list[str],
                       bounds: Bounds, dtype: pl.DataType, value_dtype: pl.DataType
                       ) -> pl.DataFrame:
    """One row per window some row of a table falls in (upstream's scanWindows), its value
    from the table's rows within the window's clipped bounds: rows outside the range make
    windows but add nothing to them, and a window that misses the range stands for the whole
    range (upstream's Intersect gives the range's bounds), so it holds all the table's rows."""
    lo, hi = bounds
    t = pl.col("\0t")
    inside = (t >= lo) & (t < hi)
    nulls = bool(rows.get_column(node.column).null_count())
    agg = _aggregate(node, dtype, nulls).cast(value_dtype).alias(node.column)
    if rows.select(inside.all()).item():
        # every row in the range (a storage read's are): each window holding one overlaps the
        # range, so the windows are exactly the groups (windows numbered by a division took
        # the NumPy path before: see window_runs)
        assigned = windows.assign(rows, t, node.spec, bounds, probe=0)
        return (assigned.group_by([*key, INDEX], maintain_order=True)
                .agg(pl.col(START).first(), pl.col(STOP).first(), agg)
                .select(*key, INDEX, START, STOP, node.column))
    assigned = windows.with_overlap(windows.assign(rows, t, node.spec, bounds, probe=0),
                                    node.spec, bounds, "\0overlaps")
    groups = [*key, INDEX, START, STOP]
    entries = assigned.select(*groups, "\0overlaps").unique(maintain_order=True)
    counted = (assigned.filter(inside & pl.col("\0overlaps"))
               .group_by(groups, maintain_order=True).agg(agg))
    result = entries.join(counted, on=groups, how="left", nulls_equal=True)
    if not entries.get_column("\0overlaps").all():
        whole = pertable.aggregate(rows.filter(inside), key, [agg.alias("\0whole")])
        result = (result.join(whole, on=key, how="left", nulls_equal=True) if key else
                  result.with_columns(pl.lit(whole.get_column("\0whole").first()
                                             if whole.height else None, value_dtype)
                                      .alias("\0whole")))
        value = pl.when(pl.col("\0overlaps")).then(pl.col(node.column)) \
            .otherwise(pl.col("\0whole"))
        result = result.with_columns(value.alias(node.column)).drop("\0whole")
    if node.fn == "count":
        result = result.with_columns(pl.col(node.column).fill_null(0))
    return result.drop("\0overlaps")


def _in_table_time_order(rows: pl.DataFrame) -> bool:
    """Whether each table's rows are one run, in time order (storage reads are): every step
    back in time must be where one table ends and the next begins, and no table may start
    twice."""
    table, t = pl.col(TABLE), pl.col("\0t")
    new_table = table.ne(table.shift()).fill_null(True)
    checks = rows.select((t.diff() < 0).and_(new_table.not_()).any().alias("back"),
                         new_table.sum().alias("runs"), table.n_unique().alias("tables"))
    back, runs, tables = checks.row(0)
    return not back and runs == tables


def _stepped_windows(spec: WindowSpec, bounds: Bounds) -> tuple[int, int] | None:
    """The first and last window number of the range when windows are numbered by a
    division, as the aggregation numbers them (every == period, not negative); else None."""
    if not (spec.closed_form() and spec.every == spec.period and not spec.every.negative):
        return None
    (lo, hi), step = bounds, spec.every.nanoseconds
    return (lo - spec.zero) // step, (hi - 1 - spec.zero) // step


def _has_every_window(node: AggregateWindowNative, tables: pl.DataFrame, result: pl.DataFrame,
                      bounds: Bounds) -> bool:
    """Whether each table has a row in each window of the range already (the usual case),
    so no grid of empty windows is needed: counted, as the windows are distinct per table."""
    if not result.height or bounds[0] >= bounds[1]:
        return False
    stepped = _stepped_windows(node.spec, bounds)
    if stepped is None:
        numbers = windows.within(node.spec, bounds).get_column(INDEX)
        stepped = numbers.min(), numbers.max()  # type: ignore[assignment]
    first, last = stepped
    indexes = result.get_column(INDEX)
    return (result.height == tables.height * (last - first + 1)  # type: ignore[operator]
            and indexes.min() >= first and indexes.max() <= last)  # type: ignore[operator]


def _windows_of_range(spec: WindowSpec, bounds: Bounds) -> pl.DataFrame:
    """Every window of the range (START, STOP clipped, INDEX), as `windows.within` gives them;
    numbered windows in one step."""
    stepped = _stepped_windows(spec, bounds)
    if stepped is None or bounds[0] >= bounds[1]:
        return windows.within(spec, bounds)
    start, stop = windows.clip(*spec.bounds(pl.col(INDEX)), bounds)
    numbers = pl.int_range(stepped[0], stepped[1] + 1, dtype=pl.Int64, eager=True)
    return pl.DataFrame({INDEX: numbers}).select(start.alias(START), stop.alias(STOP), INDEX)


def _with_empty_windows(node: AggregateWindowNative, tables: pl.DataFrame, result: pl.DataFrame,
                        key: list[str], bounds: Bounds, dtype: pl.DataType) -> pl.DataFrame:
    """A row for every window of the range and table (upstream's createEmptyWindows): the
    computed value where there is one, else count 0 and null for the others. Windows of rows
    outside the range are left out. `tables` lists every table by its key columns."""
    if _has_every_window(node, tables, result, bounds):
        return result
    every = _windows_of_range(node.spec, bounds)
    grid = tables.join(every, how="cross") if key else every
    values = result.select(*key, INDEX, node.column)
    grid = grid.join(values, on=[*key, INDEX], how="left", nulls_equal=True)
    if node.fn == "count":
        grid = grid.with_columns(pl.col(node.column).fill_null(0))
    return grid.with_columns(pl.col(node.column).cast(dtype)).select(result.columns)
