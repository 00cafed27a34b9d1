"""Package calls in row functions evaluated both ways: compiled to Polars expressions
(lambdas.compile_record with the packages' expression forms) and row by row by the
interpreter. The two must agree on every row the compiled form does not hand back."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

import tsengine.stdlib  # noqa: F401  (registers the packages)
from tsengine.errors import FluxRuntimeError
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.lambdas import compile_record
from tsengine.flux.values import Record, Time, UInt

NOW = 1704153600000000000  # 2024-01-02T00:00:00Z


def closure(source: str, imports: str):
    interp = Interpreter(now=lambda: NOW)
    header = "".join(f'import "{p}"\n' for p in imports.split())
    program = interp.run(f"{header}fn = {source}")
    return program["fn"], interp


def row_values(frame: pl.DataFrame) -> list[dict[str, Any]]:
    times = {c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)}
    uints = {c for c, t in frame.schema.items() if t == pl.UInt64}
    rows = frame.with_columns(pl.col(list(times)).dt.epoch("ns")).iter_rows(named=True)
    return [{k: None if v is None else Time(v) if k in times else UInt(v) if k in uints else v
             for k, v in row.items()} for row in rows]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b and type(a) is type(b)


def both_ways(expr: str, frame: pl.DataFrame, imports: str) -> tuple[list[Any], list[bool]]:
    """The values of `expr` per row (row by row; an error as the exception), checked equal to
    the compiled form wherever its guards let it stand. Returns (values, guarded rows)."""
    fn, interp = closure(f"(r) => ({{x: {expr}}})", imports)
    compiled = compile_record(fn, interp, frame.schema)
    assert compiled.complete, f"{expr} did not compile"
    column, kind = compiled.columns["x"]
    guards = compiled.guards or [pl.lit(False)]
    out = frame.select(column.alias("x"), pl.any_horizontal(guards).fill_null(False).alias("g"))
    vector = [_value(v, kind) for v in out["x"].to_list()]
    guarded = out["g"].to_list()
    rows = []
    for row, v, g in zip(row_values(frame), vector, guarded, strict=True):
        try:
            value = interp.call(fn, {"r": Record(row, row=True)}, fn.node)["x"]
        except FluxRuntimeError as e:
            value = e
        rows.append(value)
        if not g:
            assert same(v, value), f"{expr} on {row}: compiled {v!r}, row by row {value!r}"
    return rows, guarded


def _value(v: Any, kind: str | None) -> Any:
    if v is None:
        return None
    if kind == "time":
        return Time(v if isinstance(v, int) else int(pl.Series([v]).dt.epoch("ns")[0]))
    if kind == "uint":
        return UInt(v)
    return v
