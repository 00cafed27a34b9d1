"""`tableFind`, `getColumn`, `getRecord`, `findColumn`, `findRecord`: values taken out of a
stream while the script is still being evaluated.

The stream is run on the spot (`interp.materialize`). `tableFind(fn:)` returns the first table,
in the stream's table order, whose group key satisfies `fn(key:)` (none: the error "no table
found"); `getColumn`/`getRecord` read a column as an array or a row as a record from that table.
`findColumn`/`findRecord` do both at once and give `[]`/`{}` instead of failing when no table
matches (or the column or row does not exist). The key predicate is evaluated once per table, in
order, until one matches: it is defined per table, like a row function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import Table, TableFrame, TableStream
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, Record, Time, UInt, type_name
from tsengine.plan.nodes import From, PlanNode, Range, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class FoundTable(PlanNode):
    """A table tableFind already found: a source of that one table."""

    table: Table

    function: ClassVar[str] = "tableFind"

    def describe(self) -> str:
        return f"FoundTable(key={self.table.key_record()!r})"


class TableValue(Stream):
    """The value of `tableFind()`: one table, also usable as a stream."""

    def __init__(self, table: Table, span: Any = None) -> None:
        super().__init__(FoundTable(table, span=span))
        self.table = table


@implements(FoundTable)
def run_found_table(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, FoundTable)
    table = node.table
    empty = [table.key_values] if table.frame.height == 0 else []
    return TableStream([TableFrame(table.frame, table.key, empty)])


# -- builtins ---------------------------------------------------------------------------------
@builtin("tableFind", pipe="tables")
def table_find(ctx: CallContext, tables: Any, fn: Any) -> TableValue:
    found = _find(ctx, "tableFind", tables, fn)
    if found is None:
        raise OperatorError("tableFind(): no table found")
    return TableValue(found, ctx.span)


@builtin("getColumn", pipe="table")
def get_column(ctx: CallContext, table: Any, column: Any) -> Array:
    found = _table_arg("getColumn", table)
    name = _string("getColumn", "column", column)
    if name not in found.frame.columns:
        raise OperatorError(f"getColumn(): cannot find column {name}")
    return column_values(found.frame.get_column(name))


@builtin("getRecord", pipe="table")
def get_record(ctx: CallContext, table: Any, idx: Any) -> Record:
    found = _table_arg("getRecord", table)
    index = _int("getRecord", idx)
    if not 0 <= index < found.frame.height:
        raise OperatorError(f"getRecord(): index out of bounds: {index}")
    return row_record(found.frame, index)


@builtin("findColumn", pipe="tables")
def find_column(ctx: CallContext, tables: Any, fn: Any, column: Any) -> Array:
    name = _string("findColumn", "column", column)
    found = _find(ctx, "findColumn", tables, fn)
    if found is None or name not in found.frame.columns:
        return Array()
    return column_values(found.frame.get_column(name))


@builtin("findRecord", pipe="tables")
def find_record(ctx: CallContext, tables: Any, fn: Any, idx: Any) -> Record:
    index = _int("findRecord", idx)
    found = _find(ctx, "findRecord", tables, fn)
    if found is None or not 0 <= index < found.frame.height:
        return Record(row=True)  # upstream's empty object: every property reads as null
    return row_record(found.frame, index)


# -- helpers ----------------------------------------------------------------------------------
def materialize(ctx: CallContext, function: str, tables: Any) -> TableStream:
    """Run a stream now, for a function whose value depends on its tables."""
    stream = require_stream(function, tables)
    if isinstance(stream, TableValue):
        return run_found_table(None, stream.node, [])  # type: ignore[arg-type]
    run = ctx.interp.materialize
    if run is None:
        raise OperatorError(f"{function}(): streams cannot be run here")
    unbounded = _unbounded_read(stream.node)
    if unbounded is not None:
        raise OperatorError(f'{function}(): cannot submit unbounded read to "{unbounded.bucket}"; '
                            f'try bounding "from" with a call to "range"')
    result = run(stream.node)
    assert isinstance(result, TableStream)
    return result


def _unbounded_read(node: PlanNode, parent: PlanNode | None = None) -> From | None:
    """A `from` with no `range` right after it, as the query runner refuses one."""
    if isinstance(node, From) and not isinstance(parent, Range):
        return node
    return next((found for child in node.inputs
                 if (found := _unbounded_read(child, node)) is not None), None)


def _find(ctx: CallContext, function: str, tables: Any, fn: Any) -> Table | None:
    """The first table whose key satisfies `fn(key:)`, or None."""
    if not isinstance(fn, Closure):
        raise OperatorError(f"{function}(): fn must be a function, found {type_name(fn)}")
    param = next((p.name for p in fn.node.params if not p.pipe), "key")
    for table in materialize(ctx, function, tables).tables():
        key = Record(key_values(table), row=True)
        result = ctx.interp.call(fn, {param: key}, fn.node)
        if result is not None and not isinstance(result, bool):
            raise OperatorError(f"{function}(): fn must return a bool, returned "
                                f"{type_name(result)}")
        if result:
            return table
    return None


def key_values(table: Table) -> dict[str, Any]:
    """A table's group key as Flux values (uint keys as UInt)."""
    schema = table.frame.schema
    return {k: UInt(v) if schema[k] == pl.UInt64 and v is not None else v
            for k, v in table.key_record().items()}


def column_values(series: pl.Series) -> Array:
    """A column as a Flux array (times as Time, uints as UInt, nulls as null)."""
    return Array(_flux_values(series))


def row_record(frame: pl.DataFrame, index: int) -> Record:
    """Row `index` of a table as a record of every column."""
    row = frame.slice(index, 1)
    return Record({name: _flux_values(row.get_column(name))[0] for name in frame.columns})


def _flux_values(series: pl.Series) -> list[Any]:
    if isinstance(series.dtype, pl.Datetime):
        return [None if v is None else Time(v) for v in series.dt.epoch("ns").to_list()]
    if series.dtype == pl.UInt64:
        return [None if v is None else UInt(v) for v in series.to_list()]
    if series.dtype == pl.Null:
        return [None] * series.len()
    return series.to_list()


def _table_arg(function: str, table: Any) -> Table:
    if not isinstance(table, TableValue):
        raise OperatorError(f"{function}(): unexpected type for table: want a table found by "
                            f"tableFind(), got {type_name(table)}")
    return table.table


def _string(function: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise OperatorError(f"{function}(): {name} must be a string, found {type_name(value)}")
    return value


def _int(function: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OperatorError(f"{function}(): idx must be an int, found {type_name(value)}")
    return value
