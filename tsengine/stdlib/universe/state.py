"""`stateTracking(fn:, countColumn:, durationColumn:, durationUnit:, timeColumn:)`, and
`stateCount`/`stateDuration` written in Flux over it as upstream's universe.flux writes them.

As upstream's state_tracking.go: a row is in the state when `fn(r)` is true (null counts as
false). The count column holds 1, 2, 3... along each run of rows in the state and -1 outside it;
the duration column holds the time since the run's first row, in whole `durationUnit`s (0 on
that row), and -1 outside. Both are int columns appended after the table's columns, in that
order; only the ones named are added. The time column must exist even when only counting; for
durations its values must not be null nor go backwards (the first must not be before 1970).
Empty tables stay, with the new columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.lambdas import NotCompilable, compile_predicate, row_param
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import Duration, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.filter import Filter, row_by_row

SECOND = Duration(0, 1_000_000_000)


@dataclass(eq=False)
class StateTracking(PlanNode):
    """Each row's count and/or duration in the state `fn` describes."""

    function: ClassVar[str] = "stateTracking"

    input: PlanNode
    fn: Closure
    count_column: str = ""
    duration_column: str = ""
    unit_ns: int = 1_000_000_000
    time_column: str = "_time"


def _string(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise OperatorError(f"stateTracking(): {name} must be a string, found {type_name(value)}")
    return value


@builtin("stateTracking", pipe="tables")
def state_tracking(ctx: CallContext, tables: Any, fn: Any, countColumn: Any = "",  # noqa: N803
                   durationColumn: Any = "", durationUnit: Any = SECOND,  # noqa: N803
                   timeColumn: Any = "_time") -> Stream:  # noqa: N803
    tables = require_stream("stateTracking", tables)
    if not isinstance(fn, Closure):
        raise OperatorError(f"stateTracking(): fn must be a function, found {type_name(fn)}")
    try:
        row_param(fn)
    except NotCompilable:
        raise OperatorError("stateTracking(): fn must take exactly one parameter, the row"
                            ) from None
    if not isinstance(durationUnit, Duration):
        raise OperatorError(f"stateTracking(): durationUnit must be a duration, found "
                            f"{type_name(durationUnit)}")
    count, duration = _string("countColumn", countColumn), _string("durationColumn",
                                                                   durationColumn)
    unit = durationUnit.approx_ns()
    if duration and unit <= 0:
        raise OperatorError("state tracking duration unit must be greater than zero")
    return Stream(StateTracking(tables.node, fn, count, duration, unit,
                                _string("timeColumn", timeColumn), span=ctx.span))


REGISTRY.define_in_flux("""
stateCount = (fn, column="stateCount", tables=<-) =>
    tables |> stateTracking(countColumn: column, fn: fn)
stateDuration = (fn, column="stateDuration", timeColumn="_time", unit=1s, tables=<-) =>
    tables
        |> stateTracking(durationColumn: column, timeColumn: timeColumn, fn: fn,
            durationUnit: unit)
""")


@implements(StateTracking)
def run_state_tracking(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                       ) -> TableStream:
    assert isinstance(node, StateTracking)
    return TableStream([_track(ctx, node, tf) for tf in inputs[0].frames])


def _track(ctx: ExecContext, node: StateTracking, tf: TableFrame) -> TableFrame:
    """The frame with the count and duration columns added, every table at once."""
    time = node.time_column
    if time not in tf.frame.columns:
        raise ctx.error(node, f'column "{time}" does not exist')
    if not isinstance(tf.frame.schema[time], pl.Datetime):
        raise ctx.error(node, f'column "{time}" is not of type time')
    if node.duration_column:
        _check_times(ctx, node, tf)
    match = _matches(ctx, node, tf)
    frame = tf.frame.with_columns(match.alias("\0match"))
    state = pl.col("\0match")
    # each run of rows in the state, with the row before it, shares a run number
    frame = frame.with_columns(over((~state).cast(pl.Int64).cum_sum(), tf.key).alias("\0run"))
    run = [*tf.key, "\0run"]
    added = []
    if node.count_column:
        count = over(state.cast(pl.Int64).cum_sum(), run)
        added.append(pl.when(state).then(count).otherwise(-1).cast(pl.Int64)
                     .alias(node.count_column))
    if node.duration_column:
        ns = pl.col(time).dt.epoch("ns")
        start = over(pl.when(state).then(ns).min(), run)
        added.append(pl.when(state).then((ns - start) // node.unit_ns).otherwise(-1)
                     .cast(pl.Int64).alias(node.duration_column))
    frame = frame.with_columns(added).drop("\0match", "\0run")
    return TableFrame(frame, tf.key, tf.empty)


def _matches(ctx: ExecContext, node: StateTracking, tf: TableFrame) -> pl.Series:
    """Where `fn(r)` is true, one value per row: compiled as filter compiles it, else row by
    row (a literal result is broadcast by `with_columns`, which `select` does not always do)."""
    if not tf.frame.height:
        return pl.Series("keep", [], pl.Boolean)
    try:
        expr = compile_predicate(node.fn, ctx.interp, tf.frame.schema)
        return tf.frame.with_columns(expr.alias("\0match")).get_column("\0match")
    except (NotCompilable, pl.exceptions.PolarsError):
        return row_by_row(ctx, Filter(node.input, node.fn, span=node.span), tf)


def _check_times(ctx: ExecContext, node: StateTracking, tf: TableFrame) -> None:
    """Upstream's checks on the time column when tracking durations."""
    ns = pl.col(node.time_column).dt.epoch("ns")
    found = tf.frame.select(
        ns.is_null().any().alias("null"),
        (ns < over(ns.shift(1), tf.key).fill_null(0)).any().alias("backwards"))
    if found["null"][0]:
        raise ctx.error(node, "got a null timestamp")
    if found["backwards"][0]:
        raise ctx.error(node, "got an out-of-order timestamp")
