"""Annotated CSV back into tables: the decoder `csv.from` runs (the encoder is
tsengine.encode.annotated_csv).

As flux's result decoder reads it: a block is annotation rows (`#datatype`, `#group` and
`#default` are all required, in any order; other `#...` rows are ignored), a header row
(`,result,table,<labels>`), then data rows whose first cell is empty. Empty cells are the
column's `#default` value, or null. A block with no data rows is one empty table, its key from
the defaults and its id from the `#default` row. Only one result may be read. Raw mode reads
plain CSV: the first row names the columns, every value is a string, one table, no key.

Flux's decoder starts a new table at a data row whose `table` cell is not empty and differs from
its table's first row's; the table's group key is its first row's key cells, and it keeps the
later rows' cells as they are, even key cells that differ from the key (upstream test files
have such typos). Row-wise functions (group, filter, map...) see those cells, flux's diff sees
the key and only the other columns. A tsengine table is the rows with equal key values, so by
default a differing key cell puts its row in a table of its own (what group() would make of
it); `first_row_keys` (csv.from as a diff's input) gives a table's rows its first row's key
values instead: the tables and what the diff compares are then flux's.

Lines are split by Python's csv reader; cells become typed columns with Polars casts, each bad
cell reported with the message Go's strconv gives.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.values import Time

DATATYPES = {"boolean": "bool", "long": "int", "unsignedLong": "uint", "double": "float",
             "string": "string", "dateTime": "time"}
DTYPES: dict[str, pl.DataType] = {"bool": pl.Boolean(), "int": pl.Int64(), "uint": pl.UInt64(),
                                  "float": pl.Float64(), "string": pl.String(),
                                  "time": TIME_DTYPE}
MISSING_DATATYPE = ('missing expected annotation datatype. Consider using the mode: "raw" for '
                    "csv that is not expected to have annotations.")
FIELD_COUNT = "wrong number of fields"
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")
_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")


class CsvError(Exception):
    """The text is not annotated CSV flux can read (the message is flux's)."""


@dataclass
class _Meta:
    """One block's annotations and header."""

    result: str
    table_id: str
    labels: list[str]
    kinds: list[str]  # Flux type per column
    groups: list[bool]
    defaults: list[object]  # Python values (Time for times), None for no default
    width: int  # cells per line, including the leading three in annotated mode


def decode(text: str, raw: bool = False, first_row_keys: bool = False) -> TableStream:
    """The tables of the first (only) result of a CSV text (`first_row_keys`: each table's rows
    with its first row's key values)."""
    lines = [row for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) if row]
    if raw:
        return TableStream(_raw(lines))
    frames: list[TableFrame] = []
    result: str | None = None
    at = 0
    while at < len(lines):
        meta, at = _read_meta(lines, at)
        if result is None:
            result = meta.result
        elif meta.result != result:
            raise CsvError("csv.from() can only parse 1 result")
        start = at
        while at < len(lines):
            line = lines[at]
            if len(line) != meta.width:
                if line[0] == "":
                    raise CsvError(FIELD_COUNT)
                break
            if line[0] != "":
                break
            at += 1
        frames.append(_block(meta, lines[start:at], first_row_keys))
    return TableStream(frames)


def _read_meta(lines: list[list[str]], at: int) -> tuple[_Meta, int]:
    """The annotations and header starting at line `at`, and the line after them."""
    found: dict[str, list[str]] = {}
    result = table_id = ""
    width = len(lines[at])
    while not {"datatype", "group", "default"} <= found.keys():
        if at >= len(lines):
            raise CsvError(f"failed to read metadata: {_missing(found)}")
        line = lines[at]
        if len(line) != width:
            raise CsvError(f"failed to read metadata: failed to read annotations: {FIELD_COUNT}")
        name = line[0].removeprefix("#")
        if name in ("datatype", "group", "default"):
            if len(line) < 3:
                raise CsvError(f'failed to read metadata: failed to read "{name}" annotation: '
                               f"{FIELD_COUNT}")
            found[name] = line[3:]
            if name == "default":
                result, table_id = line[1], line[2]
                if table_id and not re.fullmatch(r"[+-]?\d+", table_id):
                    raise CsvError("failed to read metadata: default Table ID is not an integer")
        elif not line[0].startswith("#"):
            raise CsvError(f"failed to read metadata: {_missing(found)}")
        at += 1
    if at >= len(lines):
        raise CsvError("failed to read metadata: missing expected header row")
    header = lines[at]
    if len(header) != width:
        raise CsvError(f"failed to read metadata: failed to read header row: {FIELD_COUNT}")
    if len(header) > 1 and header[1] == "error":
        _raise_error_table(lines, at, width)
    labels = header[3:]
    kinds = [_kind(label, datatype) for label, datatype in zip(labels, found["datatype"],
                                                                 strict=True)]
    defaults = [_default(label, kind, text) for label, kind, text
                in zip(labels, kinds, found["default"], strict=True)]
    groups = [g == "true" for g in found["group"]]
    return _Meta(result, table_id, labels, kinds, groups, defaults, width), at + 1


def _missing(found: dict[str, list[str]]) -> str:
    for name in ("datatype", "group", "default"):
        if name not in found:
            return MISSING_DATATYPE if name == "datatype" else f"missing expected annotation {name}"
    return ""  # pragma: no cover


def _raise_error_table(lines: list[list[str]], at: int, width: int) -> None:
    """An error table (`,error,reference`): the error it holds is the decoder's error."""
    if at + 1 >= len(lines):
        raise CsvError("unexpected EOF")
    row = lines[at + 1]
    if len(row) != width:
        raise CsvError(FIELD_COUNT)
    raise CsvError(row[1])


def _kind(label: str, datatype: str) -> str:
    base = datatype.split(":", 1)[0]
    if base not in DATATYPES:
        raise CsvError(f'failed to read metadata: column "{label}" has invalid datatype: '
                       f'unsupported data type "{base}"')
    return DATATYPES[base]


def _default(label: str, kind: str, text: str) -> object:
    if text == "":
        return None
    try:
        series = _parse(pl.Series([text], dtype=pl.String), kind)
    except CsvError as e:
        raise CsvError(f'failed to read metadata: column "{label}" has invalid default value: '
                       f"{e}") from None
    value = series[0]
    return Time(series.dt.epoch("ns")[0]) if kind == "time" else value


# -- blocks and tables ------------------------------------------------------------------------
def _block(meta: _Meta, rows: list[list[str]], first_row_keys: bool = False) -> TableFrame:
    """A block's tables, one frame (they share the block's columns and key)."""
    key = tuple(label for label, g in zip(meta.labels, meta.groups, strict=True) if g)
    if not rows:
        if meta.table_id == "":
            raise CsvError("missing table ID")
        frame = pl.DataFrame(schema={label: DTYPES[kind]
                                     for label, kind in zip(meta.labels, meta.kinds, strict=True)})
        values = tuple(d for d, g in zip(meta.defaults, meta.groups, strict=True) if g)
        return TableFrame(frame, key, [values])
    names = [f"c{i}" for i in range(meta.width)]
    cells = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    columns = [_column(cells.get_column(names[i + 3]), label, kind, default)
               for i, (label, kind, default)
               in enumerate(zip(meta.labels, meta.kinds, meta.defaults, strict=True))]
    frame = pl.DataFrame(columns)
    if first_row_keys and key and len(rows) > 1:
        frame = _first_row_keys(frame, key, cells.get_column(names[2]))
    return TableFrame(frame, key)


def _first_row_keys(frame: pl.DataFrame, key: tuple[str, ...], ids: pl.Series) -> pl.DataFrame:
    """Every row's key columns as its table's first row has them (tables by their `table` cells:
    an empty cell continues the table, as does one equal to the table's first row's)."""
    current = ids.replace("", None).forward_fill()
    table = current.ne_missing(current.shift(1)).cum_sum()
    return frame.with_columns(pl.col(k).first().over(table) for k in key)


def _column(cells: pl.Series, label: str, kind: str, default: object) -> pl.Series:
    """A column of cells as its type: empty cells take the default (or are null)."""
    values = _parse(cells.replace("", None), kind).alias(label)
    if default is None or values.null_count() == 0:
        return values
    filler = pl.Series([default.ns if isinstance(default, Time) else default])
    if kind == "time":
        filler = filler.cast(pl.Int64).cast(TIME_DTYPE)
    return values.fill_null(filler.cast(DTYPES[kind]).first())


def _parse(cells: pl.Series, kind: str) -> pl.Series:
    """Cells (null = empty) as a column of `kind`; a cell Go would not parse is an error."""
    if kind == "string":
        return cells
    if kind == "bool":
        parsed = cells.replace_strict([*_TRUE, *_FALSE], [True] * 6 + [False] * 6,
                                      default=None, return_dtype=pl.Boolean)
    elif kind == "time":
        parsed = cells.str.to_datetime("%+", time_unit="ns", time_zone="UTC", strict=False)
    else:
        parsed = cells.cast(DTYPES[kind], strict=False)
    bad = parsed.is_null() & cells.is_not_null()
    if bad.any():
        parsed = _slow_parse(cells, parsed, bad, kind)
    return parsed


def _slow_parse(cells: pl.Series, parsed: pl.Series, bad: pl.Series, kind: str) -> pl.Series:
    """Cells Polars did not parse but Go may (hex floats, `+Inf`, leap offsets...), one by one;
    the first that Go would refuse too is the error."""
    at = bad.arg_true()
    fixed = []
    for text in cells.gather(at).to_list():
        fixed.append(_go_parse(text, kind))
    if kind == "time":
        patch = pl.Series(fixed, dtype=pl.Int64).cast(TIME_DTYPE)
    else:
        patch = pl.Series(fixed, dtype=DTYPES[kind])
    return parsed.scatter(at, patch)


def _go_parse(text: str, kind: str) -> object:
    """One value as Go's strconv / time.Parse reads it, or its error."""
    if kind == "bool":
        raise CsvError(f'strconv.ParseBool: parsing "{text}": invalid syntax')
    if kind in ("int", "uint"):
        name = "ParseInt" if kind == "int" else "ParseUint"
        if re.fullmatch(r"[+-]?\d+" if kind == "int" else r"\+?\d+", text):
            raise CsvError(f'strconv.{name}: parsing "{text}": value out of range')
        raise CsvError(f'strconv.{name}: parsing "{text}": invalid syntax')
    if kind == "float":
        return _go_float(text)
    return _go_time(text)


def _go_float(text: str) -> float:
    lowered = text.lower()
    if lowered.lstrip("+-") in ("inf", "infinity"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered.lstrip("+-") == "nan" and lowered == "nan":
        return float("nan")
    try:
        return float.fromhex(text) if "0x" in lowered else float(text.replace("_", "!"))
    except ValueError:
        raise CsvError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None


def _go_time(text: str) -> int:
    match = _RFC3339.match(text)
    if match is None:
        raise CsvError(f'parsing time "{text}" as "2006-01-02T15:04:05Z07:00": cannot parse '
                       f'"{text}" as RFC3339')
    year, month, day, hour, minute, second, frac, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          min(int(second), 59), tzinfo=UTC)
    except ValueError:
        raise CsvError(f'parsing time "{text}": day out of range') from None
    seconds = int(moment.timestamp()) + max(int(second) - 59, 0)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    fraction = int((frac or ".0")[1:10].ljust(9, "0"))
    return seconds * 1_000_000_000 + fraction


# -- raw mode ---------------------------------------------------------------------------------
def _raw(lines: list[list[str]]) -> list[TableFrame]:
    """Plain CSV: the header names the columns, values are strings, one table."""
    if not lines:
        return []
    header, rows = lines[0], lines[1:]
    if any(len(row) != len(header) for row in rows):
        raise CsvError(FIELD_COUNT)
    names = [f"c{i}" for i in range(len(header))]
    cells = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    frame = pl.DataFrame([cells.get_column(n).replace("", None).alias(label)
                          for n, label in zip(names, header, strict=True)])
    return [TableFrame(frame, (), [] if rows else [()])]
