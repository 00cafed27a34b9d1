"""Annotated CSV: the body InfluxDB 2.x's `/api/v2/query` sends back for Flux results.

Byte for byte what flux's CSV result encoder writes through Go's `encoding/csv` writer with CRLF
line ends: per result, tables numbered from 0; an annotation + header block at the first table,
whenever the columns or the group-key columns change, and around every empty table; one CRLF
after every result; an error table when a query fails after output started. The rows of a block
are formatted with Polars expressions and joined in one go, never a Python loop per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from tsengine.errors import TsengineError
from tsengine.execute.table import TIME_DTYPE, Table, TableStream
from tsengine.flux.values import Time, UInt, format_float

CRLF = "\r\n"
ANNOTATIONS = ("group", "datatype", "default")
DATE_TIME_FORMATS = ("RFC3339", "RFC3339Nano")
# `#datatype` names of the Flux column types (times always say RFC3339, values are RFC3339Nano)
DATATYPES = {"bool": "boolean", "int": "long", "uint": "unsignedLong", "float": "double",
             "string": "string", "time": "dateTime:RFC3339"}
INVALID_DELIMITER = "csv: invalid field or comment delimiter"

# delimiters Go's csv writer refuses to write with
_UNWRITABLE_DELIMITERS = frozenset("\0\"\r\n\ufffd")
# Go's unicode.IsSpace (Unicode White_Space): a cell starting with one of these is quoted
_SPACES = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# every character a formatted bool, number or time cell can hold
_NON_STRING_CHARS = frozenset("0123456789+-.:TZNaInfrueals")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Go json field kinds, for its type-mismatch wording
_DIALECT_FIELDS = {"header": "bool", "delimiter": "string", "commentprefix": "string",
                   "datetimeformat": "string", "annotations": "[]string"}
_FIELD_NAMES = {"header": "header", "delimiter": "delimiter", "commentprefix": "commentPrefix",
                "datetimeformat": "dateTimeFormat", "annotations": "annotations"}


class DialectError(TsengineError, ValueError):
    """A query dialect InfluxDB refuses, or one its CSV writer cannot write with."""


@dataclass(frozen=True)
class Dialect:
    """How results are written: header row or not, delimiter, annotation rows in request order."""

    header: bool = True
    delimiter: str = ","
    annotations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "annotations", tuple(self.annotations))
        if len(self.delimiter) != 1:
            raise DialectError("invalid dialect delimeter: must be length 1")
        for annotation in self.annotations:
            if annotation not in ANNOTATIONS:
                raise DialectError(f"unknown dialect annotation type: {annotation}")

    @classmethod
    def from_json(cls, obj: Mapping[str, Any] | None) -> Dialect:
        """The dialect of a query request's `dialect` object, validated with InfluxDB's wording.

        Defaults as InfluxDB's: header true, delimiter ",", no annotations. `commentPrefix` and
        `dateTimeFormat` are checked, then ignored (InfluxDB ignores them too). Keys match
        case-insensitively and unknown keys are ignored, as Go's JSON decoding does. The HTTP
        layer prefixes these messages with `failed to decode request body: `.
        """
        if obj is None:
            return cls()
        if not isinstance(obj, Mapping):
            raise DialectError(
                _json_type_error(obj, "dialect", "http.QueryDialect", struct="QueryRequest"))
        fields: dict[str, Any] = {}
        for name, value in obj.items():
            field = name.lower()
            if field in _DIALECT_FIELDS:
                fields[field] = value
        for field, value in fields.items():
            _check_json_type(field, value)
        header = fields.get("header")
        delimiter = fields.get("delimiter") or ","
        comment_prefix = fields.get("commentprefix") or ""
        date_time_format = fields.get("datetimeformat") or "RFC3339"
        annotations = ["" if a is None else a for a in fields.get("annotations") or []]
        if _utf8_len(comment_prefix) > 1:
            raise DialectError("invalid dialect comment prefix: must be length 0 or 1")
        if _utf8_len(delimiter) != 1:
            raise DialectError("invalid dialect delimeter: must be length 1")
        for annotation in annotations:
            if annotation not in ANNOTATIONS:
                raise DialectError(f"unknown dialect annotation type: {annotation}")
        if date_time_format not in DATE_TIME_FORMATS:
            raise DialectError(f"unknown dialect date time format: {date_time_format}")
        return cls(header=True if header is None else header, delimiter=delimiter,
                   annotations=tuple(annotations))


def _utf8_len(text: str) -> int:
    """Length in bytes, as Go's len() counts a string (a lone surrogate counts 3, as U+FFFD)."""
    return len(text.encode("utf-8", "surrogatepass"))


def json_kind(value: object) -> str:
    """The JSON kind of a decoded value, as Go's decoder names it in errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object"


def _json_type_error(value: object, field: str, go_type: str, struct: str = "QueryDialect"
                     ) -> str:
    """Go's wording: the innermost struct's name, then the field's path from the top."""
    return (f"json: cannot unmarshal {json_kind(value)} into Go struct field "
            f"{struct}.{field} of type {go_type}")


def _check_json_type(field: str, value: object) -> None:
    """Refuse a dialect field of the wrong JSON type as Go's decoder does (null is allowed)."""
    if value is None:
        return
    path = f"dialect.{_FIELD_NAMES[field]}"
    go_type = _DIALECT_FIELDS[field]
    if go_type == "bool" and not isinstance(value, bool):
        raise DialectError(_json_type_error(value, path, go_type))
    if go_type == "string" and not isinstance(value, str):
        raise DialectError(_json_type_error(value, path, go_type))
    if go_type == "[]string":
        if not isinstance(value, list | tuple):
            raise DialectError(_json_type_error(value, path, go_type))
        for item in value:
            if item is not None and not isinstance(item, str):
                raise DialectError(_json_type_error(item, path, "string"))


def encode_results(results: Sequence[tuple[str, TableStream]], dialect: Dialect) -> str:
    """The response body for these (result name, tables) pairs, in the order given."""
    chunks: list[str] = []
    for name, stream in results:
        chunks.extend(_encode_result(name, stream, dialect))
        chunks.append(CRLF)
    return "".join(chunks)


def encode_error(message: str, dialect: Dialect, wrote_something: bool) -> str:
    """The error table InfluxDB appends when a query fails after output started.

    `wrote_something` is InfluxDB's own flag: true once any table (even an empty one) has been
    encoded, which puts a blank line first. Before any byte is written InfluxDB answers with a
    JSON error and a status code instead; that is for the HTTP layer to do.
    """
    delimiter = _writable(dialect.delimiter)
    lines = [CRLF] if wrote_something else []
    for annotation in dialect.annotations:
        if annotation == "datatype":
            lines.append(_row(["#datatype", "string", "string"], delimiter))
        elif annotation == "group":
            lines.append(_row(["#group", "true", "true"], delimiter))
        else:
            lines.append(_row(["#default", "", ""], delimiter))
    lines.append(_row(["", "error", "reference"], delimiter))  # written even when header=false
    lines.append(_row(["", message, ""], delimiter))
    return "".join(lines)


def _writable(delimiter: str) -> str:
    """The delimiter, unless Go's csv writer would refuse it."""
    if delimiter in _UNWRITABLE_DELIMITERS:
        raise DialectError(f"csv encoder error: {INVALID_DELIMITER}")
    return delimiter


@dataclass
class _Block:
    """Consecutive non-empty tables of one result that share one annotation + header block."""

    columns: list[tuple[str, str]]
    key: tuple[str, ...]
    parts: list[tuple[int, pl.DataFrame]]


def _encode_result(name: str, stream: TableStream, dialect: Dialect) -> Iterator[str]:
    """The chunks of one result: blocks of annotations, header and rows (no trailing CRLF)."""
    last_columns: list[tuple[str, str]] | None = None
    last_key: list[tuple[str, str]] | None = None
    last_empty = False
    block: _Block | None = None
    schemas: dict[tuple[tuple[str, pl.DataType], ...], list[tuple[str, str]]] = {}
    for table_id, table in enumerate(stream.tables()):
        delimiter = _writable(dialect.delimiter)
        signature = tuple(table.frame.schema.items())
        columns = schemas.get(signature)
        if columns is None:
            columns = schemas[signature] = table.columns
        types = dict(columns)
        key = [(label, types[label]) for label in table.key]
        empty = table.frame.height == 0
        if last_empty or empty or columns != last_columns or key != last_key:
            if block is not None:
                yield _rows(name, block, dialect)
                block = None
            if last_columns is not None:
                yield CRLF
            yield _schema(name, table_id, table, columns, empty, dialect, delimiter)
        if not empty:
            if block is None:
                block = _Block(columns, table.key, [])
            block.parts.append((table_id, table.frame))
        last_columns, last_key, last_empty = columns, key, empty
    if block is not None:
        yield _rows(name, block, dialect)


def _schema(name: str, table_id: int, table: Table, columns: list[tuple[str, str]],
            empty: bool, dialect: Dialect, delimiter: str) -> str:
    """The annotation rows (in the order requested) and the header row of a block."""
    in_key = set(table.key)
    lines: list[str] = []
    for annotation in dialect.annotations:
        if annotation == "datatype":
            cells = ["#datatype", "string", "long", *(DATATYPES[t] for _, t in columns)]
        elif annotation == "group":
            cells = ["#group", "false", "false",
                     *("true" if label in in_key else "false" for label, _ in columns)]
        else:
            cells = ["#default", name, str(table_id) if empty else ""]
            key_values = table.key_record() if empty else {}
            cells += [_format_value(key_values.get(label), t) for label, t in columns]
        lines.append(_row(cells, delimiter))
    if dialect.header:
        lines.append(_row(["", "result", "table", *(label for label, _ in columns)], delimiter))
    return "".join(lines)


def _row(cells: Sequence[str], delimiter: str) -> str:
    """One CSV line, quoted as Go's csv writer quotes."""
    return delimiter.join(_quote(cell, delimiter) for cell in cells) + CRLF


def _quote(cell: str, delimiter: str) -> str:
    """A cell as Go's csv writer writes it with CRLF line ends (CR dropped, LF -> CRLF)."""
    if not cell:
        return cell
    if (cell == "\\." or delimiter in cell or '"' in cell or "\r" in cell or "\n" in cell
            or cell[0] in _SPACES):
        return '"' + cell.replace('"', '""').replace("\r", "").replace("\n", CRLF) + '"'
    return cell


def _format_value(value: object, flux_type: str) -> str:
    """A group-key value as a cell (for the `#default` row of an empty table)."""
    if value is None:
        return ""
    if flux_type == "bool":
        return "true" if value else "false"
    if flux_type == "uint":
        return str(value.value if isinstance(value, UInt) else int(value))  # type: ignore[call-overload]
    if flux_type == "int":
        return str(int(value))  # type: ignore[call-overload]
    if flux_type == "float":
        return format_float(float(value))  # type: ignore[arg-type]
    if flux_type == "time":
        return _format_time_ns(_time_ns(value))
    return str(value)


def _time_ns(value: object) -> int:
    """Nanoseconds since the epoch of a flux Time, a datetime (naive = UTC) or an int."""
    if isinstance(value, Time):
        return value.ns
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        delta = value - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
    return int(value)  # type: ignore[call-overload]


def _format_time_ns(ns: int) -> str:
    """RFC3339 with nanoseconds, trailing zeros (and a bare dot) trimmed, as Go's RFC3339Nano."""
    secs, frac = divmod(ns, 1_000_000_000)
    text = (_EPOCH + timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + "Z"


def _rows(name: str, block: _Block, dialect: Dialect) -> str:
    """The data rows of a block's tables, formatted column by column and joined at once.

    A group-key column holds one value per table: it is formatted once per table and repeated.
    """
    delimiter = dialect.delimiter
    frames = [frame for _, frame in block.parts]
    data = _concat(frames, block.columns)
    heights = pl.DataFrame({"part": range(len(frames)), "rows": [f.height for f in frames]},
                           schema={"part": pl.UInt32, "rows": pl.UInt32})
    owner = heights.select(pl.col("part").repeat_by("rows").explode()).to_series()
    starts = heights.select(pl.col("rows").cum_sum() - pl.col("rows")).to_series()
    ids = pl.Series([table_id for table_id, _ in block.parts], dtype=pl.Int64)
    cells = [_cells(ids, "int", delimiter).gather(owner)]
    for i, (label, flux_type) in enumerate(block.columns):
        values = data.to_series(i)
        if label in block.key:
            cells.append(_cells(values.gather(starts), flux_type, delimiter).gather(owner))
        else:
            cells.append(_cells(values, flux_type, delimiter))
    result_cell = "" if "default" in dialect.annotations else _quote(name, delimiter)
    names = [f"c{i}" for i in range(len(cells))]
    lines = pl.DataFrame([c.alias(n) for c, n in zip(cells, names, strict=True)]).select(
        pl.concat_str([pl.lit(""), pl.lit(result_cell), *map(pl.col, names)],
                      separator=delimiter).str.join(CRLF))
    return str(lines.item()) + CRLF


def _concat(frames: list[pl.DataFrame], columns: list[tuple[str, str]]) -> pl.DataFrame:
    """The rows of tables of one schema in one frame (dtypes made alike when they differ)."""
    if len(frames) == 1:
        return frames[0]
    try:
        return pl.concat(frames, how="vertical", rechunk=True)
    except pl.exceptions.PolarsError:  # e.g. times in other units, a column of nulls only
        alike = [pl.DataFrame([_canonical(f.to_series(i), t) for i, (_, t) in enumerate(columns)])
                 for f in frames]
        return pl.concat(alike, how="vertical", rechunk=True)


def _canonical(values: pl.Series, flux_type: str) -> pl.Series:
    """Times as UTC nanoseconds, strings as strings (an all-null column has no type)."""
    if flux_type == "time" and values.dtype != TIME_DTYPE:
        zone = getattr(values.dtype, "time_zone", None)
        values = (values.dt.convert_time_zone("UTC") if zone
                  else values.dt.replace_time_zone("UTC")).cast(TIME_DTYPE)
    elif flux_type == "string" and values.dtype != pl.String:
        values = values.cast(pl.String)
    return values


def _cells(values: pl.Series, flux_type: str, delimiter: str) -> pl.Series:
    """A column as CSV cells: formatted, quoted where Go quotes, nulls as empty cells."""
    values = _canonical(values, flux_type)
    cells = values.to_frame("v").select(_format_expr(pl.col("v"), flux_type)).to_series()
    if flux_type == "float":
        cells = _exotic_floats(values, cells)
    if flux_type == "string" or delimiter in _NON_STRING_CHARS:
        cells = _quote_series(cells, delimiter)
    return cells.fill_null("")


def _format_expr(column: pl.Expr, flux_type: str) -> pl.Expr:
    """A column's cells as text (nulls stay null); floats in exponent form are fixed later."""
    if flux_type == "time":
        frac = column.dt.epoch("ns").mod(1_000_000_000)
        digits = (frac + 1_000_000_000).cast(pl.String).str.slice(1).str.strip_chars_end("0")
        fraction = pl.when(frac == 0).then(pl.lit("")).otherwise(pl.lit(".") + digits)
        return pl.concat_str([column.dt.to_string(_TIME_FORMAT), fraction, pl.lit("Z")])
    if flux_type == "float":
        return column.cast(pl.String).str.strip_suffix(".0")
    return column.cast(pl.String)


def _exotic_floats(values: pl.Series, cells: pl.Series) -> pl.Series:
    """Cells of floats Polars prints in exponent form or as inf/NaN, redone as Go prints them."""
    exotic = cells.str.contains("[enN]").fill_null(False)
    if not exotic.any():
        return cells
    at = exotic.arg_true()
    return cells.scatter(at, [format_float(v) for v in values.gather(at).to_list()])


def _quote_series(cells: pl.Series, delimiter: str) -> pl.Series:
    """`_quote` over a whole column."""
    needs = (cells.str.contains(delimiter, literal=True) | cells.str.contains(r"[\"\r\n]|^\s")
             | (cells == "\\.")).fill_null(False)
    if not needs.any():
        return cells
    quoted = ('"' + cells.str.replace_all('"', '""', literal=True)
              .str.replace_all("\r", "", literal=True)
              .str.replace_all("\n", CRLF, literal=True) + '"')
    return quoted.zip_with(needs, cells).alias(cells.name)
