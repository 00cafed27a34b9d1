"""`toFloat() toInt() toUInt() toString() toBool() toTime()`: convert the `_value` column.

Upstream defines each as `map(fn: (r) => ({r with _value: T(v: r._value)}))`, so the side
effects of map hold: empty tables are dropped, columns come out sorted by label, a missing
`_value` becomes a null column of the target type, and a `_value` key column regroups. The
conversions follow the scalar `float() int() ...` (conversions.py) and upstream typeconv.go,
over the whole column at once; the first value that cannot convert is the error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import FLUX_TYPES, TIME_DTYPE, TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.registry import builtin
from tsengine.flux.values import format_float
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream
from tsengine.stdlib.universe.conversions import _FLOAT_TEXT

TARGETS = {"toFloat": "float", "toInt": "int", "toUInt": "uint", "toString": "string",
           "toBool": "bool", "toTime": "time"}
_RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
_TIME_TEXT = "%Y-%m-%dT%H:%M:%S%.9fZ"  # Flux strings a time with a fixed 9-digit fraction


@dataclass(eq=False)
class Convert(PlanNode):
    """`_value` converted to the Flux type `target` by the function `name`."""

    input: PlanNode
    target: str
    name_: str

    @property
    def function(self) -> str:  # type: ignore[override]
        return self.name_


def _register(name: str, target: str) -> None:
    @builtin(name, pipe="tables")
    def convert(ctx: CallContext, tables: Any) -> Stream:
        tables = require_stream(name, tables)
        return Stream(Convert(tables.node, target, name, span=ctx.span))


for _name, _target in TARGETS.items():
    _register(_name, _target)


@implements(Convert)
def run_convert(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Convert)
    frames = []
    for tf in inputs[0].frames:
        if not tf.frame.height:
            continue  # map drops empty tables
        frame = tf.frame
        if "_value" in frame.columns:
            frame = frame.with_columns(_converted(ctx, node, frame))
        else:  # r._value is null, and T(v: null) is a null of the target type
            frame = frame.with_columns(pl.lit(None, FLUX_TYPES[node.target]).alias("_value"))
        frames.append(TableFrame(frame.select(sorted(frame.columns)), tf.key))
    return merged_stream(ctx, node, frames)


def _converted(ctx: ExecContext, node: Convert, frame: pl.DataFrame) -> pl.Series:
    """The converted `_value` column, or the error naming the first value that cannot be."""
    source = flux_type(frame.schema["_value"])
    conversion = CONVERSIONS[node.target].get(source)
    value = pl.col("_value")
    if conversion is None:
        result, bad = pl.lit(None, FLUX_TYPES[node.target]), value.is_not_null()
    else:
        result, bad = conversion(value)
    out = frame.select(result.alias("_value"), bad.fill_null(False).alias("bad"))
    if out["bad"].any():
        first = frame["_value"].filter(out["bad"])[0]
        raise ctx.error(node, "failed to evaluate map function: "
                        + _message(first, source, node.target, conversion is not None))
    column = out["_value"]
    if node.target == "string" and source == "float":
        column = _exotic_floats(frame["_value"], column)
    return column


def _message(value: Any, source: str, target: str, supported: bool) -> str:
    """Upstream's wording for a value `target(v:)` refuses."""
    if not supported:
        return f"cannot convert {source} to {target}"
    if source == "string":
        if target == "bool":
            return f'cannot convert string "{value}" to bool'
        why = " due to invalid syntax"
        if target == "time":
            why += ": cannot parse date time" if "T" in value else ": cannot parse date"
        return f'cannot convert string "{value}" to {target}{why}'
    if target == "bool":
        shown = _go_f(value) if source == "float" else str(value)
        return f"cannot convert {source} {shown} to bool, must be 0 or 1"
    return f"cannot convert float {format_float(value)} to {target}"  # NaN, ±Inf, out of range


def _go_f(f: float) -> str:
    """Go's %f."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    return f"{f:f}"


def _exotic_floats(values: pl.Series, cells: pl.Series) -> pl.Series:
    """Redo as Go formats them the cells Polars writes in exponent form or as inf/NaN."""
    exotic = cells.str.contains("[eEnN]").fill_null(False)
    if not exotic.any():
        return cells
    at = exotic.arg_true()
    return cells.scatter(at, [format_float(v) for v in values.gather(at).to_list()])


# -- one expression per (target, source): the converted value, and where it fails -------------
Conversion = Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]
_NEVER = pl.lit(False)


def _cast(dtype: pl.DataType) -> Conversion:
    return lambda v: (v.cast(dtype), _NEVER)


def _same(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    return v, _NEVER


def _checked(dtype: pl.DataType, pattern: str | None = None) -> Conversion:
    """A cast that fails where the result is null, or where the text is not `pattern`."""

    def convert(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        result = v.cast(dtype, strict=False)
        if pattern is not None:
            result = pl.when(v.str.contains(pattern)).then(result)
        return result, v.is_not_null() & result.is_null()

    return convert


def _epoch(v: pl.Expr) -> pl.Expr:
    return v.dt.epoch("ns")


def _text_to_float(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    return _checked(pl.Float64(), f"^(?:{_FLOAT_TEXT.pattern})$")(v)


def _number_to_bool(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    result = pl.when(v == 1).then(pl.lit(True)).when(v == 0).then(pl.lit(False))
    return result, v.is_not_null() & result.is_null()


def _text_to_bool(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    result = pl.when(v == "true").then(pl.lit(True)).when(v == "false").then(pl.lit(False))
    return result, v.is_not_null() & result.is_null()


def _text_to_time(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """RFC3339 with any fraction and a zone, or a bare date (midnight UTC), as Flux parses."""
    stamp = (pl.when(v.str.contains(_RFC3339)).then(v.str.replace(r"[Zz]$", "+00:00"))
             .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="ns", strict=False))
    date = (pl.when(v.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(v)
            .str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("ns")))
    result = pl.coalesce(stamp.dt.convert_time_zone("UTC"), date.dt.replace_time_zone("UTC"))
    return result, v.is_not_null() & result.is_null()


def _float_to_uint(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """As uint(v:): a negative float is truncated to int64 and wrapped (Go's conversion on
    amd64); a float past either end of the range cannot convert."""
    negative = v.cast(pl.Int64, strict=False).reinterpret(signed=False)
    result = pl.when(v < 0).then(negative).otherwise(v.cast(pl.UInt64, strict=False))
    return result, v.is_not_null() & result.is_null()


def _float_to_string(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    return v.cast(pl.String).str.strip_suffix(".0"), _NEVER  # exotic cells fixed afterwards


CONVERSIONS: dict[str, dict[str, Conversion]] = {
    "float": {"float": _same, "int": _cast(pl.Float64()), "uint": _cast(pl.Float64()),
              "bool": _cast(pl.Float64()), "string": _text_to_float},
    "int": {"int": _same, "uint": lambda v: (v.reinterpret(signed=True), _NEVER),
            "float": _checked(pl.Int64()), "bool": _cast(pl.Int64()),
            "string": _checked(pl.Int64(), r"^[+-]?[0-9]+$"),
            "time": lambda v: (_epoch(v), _NEVER)},
    "uint": {"uint": _same, "int": lambda v: (v.reinterpret(signed=False), _NEVER),
             "float": _float_to_uint, "bool": _cast(pl.UInt64()),
             "string": _checked(pl.UInt64(), r"^[0-9]+$"),
             "time": lambda v: (_epoch(v).reinterpret(signed=False), _NEVER)},
    "string": {"string": _same, "int": _cast(pl.String()), "uint": _cast(pl.String()),
               "bool": _cast(pl.String()), "float": _float_to_string,
               "time": lambda v: (v.dt.to_string(_TIME_TEXT), _NEVER)},
    "bool": {"bool": _same, "int": _number_to_bool, "uint": _number_to_bool,
             "float": _number_to_bool, "string": _text_to_bool},
    "time": {"time": _same, "int": _cast(TIME_DTYPE),
             "uint": lambda v: (v.reinterpret(signed=True).cast(TIME_DTYPE), _NEVER),
             "string": _text_to_time},
}
