"""`to(bucket:, ...)`: write the tables into a bucket; the tables pass on unchanged.

Each row is one point: measurement from `measurementColumn`, time from `timeColumn`, tags from
the string columns (by default all but `_measurement`, `_field`, `_value` and the columns
`fieldFn` reads), fields from `_field`/`_value` or from `fieldFn(r)`. As InfluxDB's `to`:
rows with a null time are neither written nor passed on, empty tag values are left out, null,
NaN and infinite field values are skipped, and a row left without fields writes nothing. The
points go to the store as one columnar batch (no line protocol text), so writing the same rows
again replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from storage import BucketNotFound, FieldType, PointBatch, Segment
from storage.errors import OrganizationNotFound
from storage.lineprotocol.model import LINE, TIME, field_column, tag_column
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, flux_type
from tsengine.flux import ast
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.lambdas import NotCompilable, _Compiler, row_param
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, Record, Time, UInt, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import emptied

_MEASUREMENT, _KEY, _VALUE = "\0measurement", "\0key", "\0value"
_FIELD_TYPES = {pl.Float64: FieldType.FLOAT, pl.Int64: FieldType.INTEGER,
                pl.UInt64: FieldType.UNSIGNED, pl.String: FieldType.STRING,
                pl.Boolean: FieldType.BOOLEAN}


@dataclass(eq=False)
class To(PlanNode):
    """Its input, written to `bucket` on the way through."""

    function: ClassVar[str] = "to"

    input: PlanNode
    bucket: str
    org: str | None
    time_column: str = "_time"
    measurement_column: str = "_measurement"
    tag_columns: tuple[str, ...] | None = None
    field_fn: Closure | None = None


@builtin("to", pipe="tables")
def to(ctx: CallContext, tables: Any, bucket: Any = None, bucketID: Any = None,  # noqa: N803
       org: Any = None, orgID: Any = None, host: Any = None, token: Any = None,  # noqa: N803
       timeColumn: Any = "_time", measurementColumn: Any = "_measurement",  # noqa: N803
       tagColumns: Any = None, fieldFn: Any = None) -> Stream:  # noqa: N803
    tables = require_stream("to", tables)
    for both, one, other in ((bucket is not None and bucketID is not None, "bucket", "bucketID"),
                             (org is not None and orgID is not None, "org", "orgID")):
        if both:
            raise OperatorError(f"cannot provide both `{one}` and `{other}` parameters to the "
                                "`to` function")
    if bucket is None and bucketID is None:
        raise OperatorError('to(): missing required argument "bucketID"')
    if host is not None or token is not None:
        raise OperatorError("to(): host and token are not supported: tsengine writes to its own "
                            "data directory")
    for name, value in (("bucket", bucket), ("bucketID", bucketID), ("org", org),
                        ("orgID", orgID), ("timeColumn", timeColumn),
                        ("measurementColumn", measurementColumn)):
        if value is not None and not isinstance(value, str):
            raise OperatorError(f"to(): {name} must be a string, found {type_name(value)}")
    if tagColumns is not None and not (isinstance(tagColumns, Array)
                                       and all(isinstance(c, str) for c in tagColumns)):
        raise OperatorError("to(): tagColumns must be an array of strings")
    if fieldFn is not None:
        if not isinstance(fieldFn, Closure):
            raise OperatorError(f"to(): fieldFn must be a function, found {type_name(fieldFn)}")
        try:
            row_param(fieldFn)
        except NotCompilable:
            raise OperatorError("to(): fieldFn must take exactly one parameter, the row") from None
    tags = None if tagColumns is None else tuple(sorted(tagColumns))
    return Stream(To(tables.node, bucket if bucket is not None else bucketID, org or orgID,
                     timeColumn, measurementColumn, tags, fieldFn, span=ctx.span))


@implements(To)
def run_to(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, To)
    try:  # as InfluxDB, the bucket must exist before any table is seen
        ctx.store.bucket(node.bucket, node.org)
    except OrganizationNotFound:
        raise ctx.error(node, f'failed to look up organization "{node.org}"') from None
    except BucketNotFound:
        raise ctx.error(node, f'failed to look up bucket "{node.bucket}" in org '
                              f'"{node.org or ""}"') from None
    segments: list[Segment] = []
    out = []
    lines = 0
    for tf in inputs[0].frames:
        rows = _timed_rows(ctx, node, tf)
        out.append(emptied(tf, rows))
        if rows.height:
            segments += _segments(ctx, node, rows, lines)
            lines += rows.height
    if segments:
        result = ctx.store.write(node.bucket, PointBatch(segments), org=node.org)
        ctx.counts["points_written"] += result.written
        if result.dropped:
            raise ctx.error(node, result.message())
    return TableStream(out)


def _timed_rows(ctx: ExecContext, node: To, tf: TableFrame) -> pl.DataFrame:
    """The rows that have a time: the only ones written and passed on."""
    dtype = tf.frame.schema.get(node.time_column)
    if dtype is None:
        raise ctx.error(node, "no time column detected")
    if not isinstance(dtype, pl.Datetime):
        raise ctx.error(node, f"column {node.time_column} of type {flux_type(dtype)} is not of "
                              "type time")
    return tf.frame.filter(pl.col(node.time_column).is_not_null())


def _segments(ctx: ExecContext, node: To, rows: pl.DataFrame, first_line: int
              ) -> list[Segment]:
    """The rows as points: one segment per measurement, tags and fields as batch columns.

    The checks come in the order InfluxDB meets them in a row: tag types, the measurement,
    then the fields.
    """
    tags = _tag_columns(ctx, node, rows)
    _check_measurements(ctx, node, rows)
    fields, types = (_default_fields(ctx, node, rows) if node.field_fn is None
                     else _fn_fields(ctx, node, rows))
    if not types:
        return []
    points = pl.concat([
        rows.select(
            pl.int_range(first_line, first_line + rows.height, dtype=pl.UInt32).alias(LINE),
            pl.col(node.time_column).dt.epoch("ns").alias(TIME),
            pl.col(node.measurement_column).alias(_MEASUREMENT),
            *[pl.when(pl.col(t) != "").then(pl.col(t)).alias(tag_column(t)) for t in tags]),
        fields], how="horizontal")
    points = points.filter(pl.any_horizontal(pl.col(field_column(k)).is_not_null()
                                             for k in types))
    return [Segment(name, part.drop(_MEASUREMENT), list(tags), dict(types))
            for (name,), part in points.partition_by(_MEASUREMENT, as_dict=True).items()]


def _check_measurements(ctx: ExecContext, node: To, rows: pl.DataFrame) -> None:
    """Every row needs a measurement: a string column with no null or empty value."""
    col = node.measurement_column
    dtype = rows.schema.get(col)
    if dtype is not None and dtype != pl.String:
        raise ctx.error(node, f"column {col} of type {flux_type(dtype)} is not of type string")
    if dtype is None or rows.select((pl.col(col).fill_null("") == "").any()).item():
        raise ctx.error(node, f"no column with label {col} exists")


def _tag_columns(ctx: ExecContext, node: To, rows: pl.DataFrame) -> list[str]:
    """Explicit tag columns the table has, or by default its string columns but _field, _value,
    _measurement and what fieldFn reads; never the measurement or time column."""
    schema = rows.schema
    if node.tag_columns is None:
        skip = {"_value", "_field", "_measurement"}
        if node.field_fn is not None:
            skip |= _read_columns(node.field_fn.node.body, row_param(node.field_fn))
        chosen = [c for c, t in schema.items() if t == pl.String and c not in skip]
    else:
        chosen = [c for c in node.tag_columns if c in schema]
    chosen = sorted(c for c in chosen if c not in (node.measurement_column, node.time_column))
    if any(schema[c] != pl.String for c in chosen):
        raise ctx.error(node, "invalid type for tag column")
    return chosen


def _read_columns(node: ast.Node, param: str) -> set[str]:
    """Columns a function body reads as `r.col` or `r["col"]`."""
    found = set()
    if isinstance(node, ast.MemberExpr) and isinstance(node.object, ast.Identifier) \
            and node.object.name == param:
        found.add(node.property)
    for value in vars(node).values():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, ast.Node):
                found |= _read_columns(item, param)
    return found


def _default_fields(ctx: ExecContext, node: To, rows: pl.DataFrame
                    ) -> tuple[pl.DataFrame, dict[str, FieldType]]:
    """One field per row: its key from `_field`, its value from `_value`."""
    for col in ("_field", "_value"):
        if col not in rows.columns:
            raise ctx.error(node, f"table has no {col} column")
    value = _writable(pl.col("_value"), rows.schema["_value"])
    if value is None:
        return rows.select(), {}
    key = pl.col("_field")
    keys = rows.select(key.filter(key.is_not_null() & (key != "")).unique(maintain_order=True))
    ftype = _field_type(value, rows)
    return rows.select(pl.when(key == k).then(value).alias(field_column(k))
                       for k in keys["_field"]), {k: ftype for k in keys["_field"]}


def _writable(value: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
    """A column as field values: times as ns, NaN and infinities null (None: no type)."""
    if isinstance(dtype, pl.Datetime):
        return value.dt.epoch("ns")
    if dtype == pl.Float64:
        return pl.when(value.is_finite()).then(value)
    return value if dtype.base_type() in _FIELD_TYPES else None


def _field_type(value: pl.Expr, rows: pl.DataFrame) -> FieldType:
    return _FIELD_TYPES[rows.select(value).dtypes[0].base_type()]


def _fn_fields(ctx: ExecContext, node: To, rows: pl.DataFrame
               ) -> tuple[pl.DataFrame, dict[str, FieldType]]:
    """The record `fieldFn(r)` returns: one field per property (null ones skipped)."""
    assert node.field_fn is not None
    try:
        values = _compiled_record(ctx, node.field_fn, rows)
    except (NotCompilable, pl.exceptions.PolarsError):
        values = _record_by_row(ctx, node, rows)
    fields, types = [], {}
    for key, series in values.items():
        value = _writable(pl.lit(series), series.dtype)
        if value is None:
            continue
        types[key] = _field_type(value, rows)
        fields.append(value.alias(field_column(key)))
    return rows.select(fields), types


def _compiled_record(ctx: ExecContext, fn: Closure, rows: pl.DataFrame) -> dict[str, pl.Series]:
    """Each property of a literal record body, computed as one expression over all rows."""
    body = fn.node.body
    if not isinstance(body, ast.RecordExpr) or body.with_ is not None:
        raise NotCompilable("fieldFn is evaluated row by row")
    compiler = _Compiler(fn, ctx.interp, rows.schema, frozenset())
    exprs = {p.key: compiler.expr(p.value or ast.Identifier(p.key, span=p.span))
             for p in body.properties}
    # the row number makes constant properties one value per row
    frame = rows.select(pl.int_range(pl.len()).alias("\0row"),
                        *[e.alias(f"\0{i}") for i, e in enumerate(exprs.values())])
    return {k: _widened(frame[f"\0{i}"]) for i, k in enumerate(exprs)}


def _widened(series: pl.Series) -> pl.Series:
    """Literals come as Int32 and the like: Flux numbers are 64 bits wide."""
    dtype = series.dtype
    if dtype.is_integer():
        return series.cast(pl.UInt64 if dtype.is_unsigned_integer() else pl.Int64)
    return series.cast(pl.Float64) if dtype.is_float() else series


def _record_by_row(ctx: ExecContext, node: To, rows: pl.DataFrame) -> dict[str, pl.Series]:
    """The fallback for a fieldFn with no expression form: call it on each row."""
    assert node.field_fn is not None
    fn, param = node.field_fn, row_param(node.field_fn)
    times = {c for c, t in rows.schema.items() if isinstance(t, pl.Datetime)}
    records = []
    for row in rows.with_columns(pl.col(pl.Datetime).dt.epoch("ns")).iter_rows(named=True):
        values = {k: Time(v) if k in times and v is not None else v for k, v in row.items()}
        result = ctx.interp.call(fn, {param: Record(values, row=True)}, fn.node)
        if not isinstance(result, Record):
            raise ctx.error(node, f"fieldFn must return a record, returned {type_name(result)}")
        records.append(result)
    keys = dict.fromkeys(k for r in records for k in r)
    return {k: _series(ctx, node, k, [r.get(k) for r in records]) for k in keys}


def _series(ctx: ExecContext, node: To, key: str, values: list[Any]) -> pl.Series:
    kinds = {type_name(v) for v in values if v is not None}
    if len(kinds) > 1:
        raise ctx.error(node, f"fieldFn returned values of several types for {key}")
    kind = kinds.pop() if kinds else None
    dtypes = {"float": pl.Float64, "int": pl.Int64, "uint": pl.UInt64, "string": pl.String,
              "bool": pl.Boolean, "time": pl.Datetime("ns", "UTC")}
    if kind is not None and kind not in dtypes:
        raise ctx.error(node, f"unsupported field type {kind}")
    plain = [v.value if isinstance(v, UInt) else v.ns if isinstance(v, Time) else v
             for v in values]
    if kind == "time":
        return pl.Series(key, plain, dtype=pl.Int64).cast(pl.Datetime("ns", "UTC"))
    return pl.Series(key, plain, dtype=dtypes[kind] if kind else pl.Null)
