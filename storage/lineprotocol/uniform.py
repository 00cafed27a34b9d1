"""The whole-request path: every line has the first line's shape, so one CSV read splits them all.

Most requests come from one writer and repeat one shape (measurement, tag keys, field keys and
types) on every line. Read with `,` as the CSV separator, such a request splits into the same
columns on every line; the columns that join two sections (`tag=v field=x`, `field=x time`) are
split once more on the space. Nothing is matched with a regex: each column is checked against the
shape with prefix tests, and the request as a whole with separator counts, so that every line is
proved to have exactly the shape's separators where the shape has them.

Per-line checks come in two kinds:
- structural (a key in its place, quotes around a string): every line must pass them, or the whole
  request takes the per-shape path (`fast.py`). Together with the counts of `=`, `"`, `,` and ` `
  over the request, they prove no line holds a separator anywhere else (an `=` in a tag value, a
  space inside a string, a `,` inside a quoted string).
- values (a number that does not parse, a timestamp out of range, a field of another type): such
  a line goes to the exact parser alone, which reads it (a field of another type) or reports it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import polars as pl

from storage.lineprotocol.fast import Shape, shape_of
from storage.lineprotocol.model import LINE, TIME, FieldType, Segment, field_column, tag_column
from storage.lineprotocol.scanner import MAX_KEY_LENGTH, MAX_TIME, MIN_TIME

# bytes that make a request take the per-shape path: escapes, a `\r` the CSV reader may strip,
# and `+`, which Polars' casts take (`+1`) where line protocol only takes it in a float's exponent
_DECLINE = (b"\\", b"\r", b"+")
_BOM = b"\xef\xbb\xbf"
_TRUE = ["t", "T", "true", "True", "TRUE"]
_BOOLEANS = [*_TRUE, "f", "F", "false", "False", "FALSE"]
_CHUNK = 1 << 18  # bytes counted at a time: the comparison's scratch stays in cache
MIN_LINES = 16  # below this, the fixed cost of the CSV read outweighs what it saves


@dataclass(frozen=True)
class _Token:
    """One section of a line: the measurement, a tag, a field or the timestamp."""

    kind: str  # "m", "tag", "field" or "ts"
    key: str = ""
    ftype: FieldType | None = None


def parse_uniform(
    raw: bytes, default_time: int, factor: int, first_line: int = 1
) -> tuple[Segment, list[int]] | None:
    """Parse a request whose lines all share the first line's shape.

    Returns the segment of the lines read and the numbers of the lines left to the exact parser
    (values that do not fit the shape), or None when the request is not uniform: then nothing
    is decided and the caller takes the general path.
    """
    if not raw or raw.startswith(_BOM) or any(b in raw for b in _DECLINE):
        return None
    if len(raw) < 1 << 16 and raw.count(b"\n") + 1 < MIN_LINES:
        return None
    end = raw.find(b"\n")
    try:
        first = raw[: end if end >= 0 else len(raw)].decode()
    except UnicodeDecodeError:
        return None
    shape = shape_of(first, default_time, factor)
    if shape is None or not _plain(shape):
        return None
    columns = _columns(shape)
    names = [f"c{i}" for i in range(len(columns))]
    try:
        table = pl.read_csv(
            io.BytesIO(raw), has_header=False, separator=",", quote_char=None,
            new_columns=names, schema=dict.fromkeys(names, pl.String), eol_char="\n",
            truncate_ragged_lines=False, raise_if_empty=False,
        )
    except Exception:  # a line with more commas, or invalid UTF-8
        return None
    n = table.height  # one row per line: a blank line is a row of nulls, declined below
    if n == 0:
        return None
    tokens, split, structs = _split(columns)
    structural: list[pl.Expr] = []
    ok: list[pl.Expr] = []
    exprs: list[pl.Expr] = [pl.int_range(first_line, first_line + n, dtype=pl.UInt32).alias(LINE)]
    lo, hi = -((-MIN_TIME) // factor), MAX_TIME // factor
    key_bytes: list[pl.Expr] = []
    for i, tok in enumerate(tokens):
        col = pl.col(f"k{i}")
        if tok.kind == "m":
            structural.append(col == shape.measurement)
        elif tok.kind == "tag":
            structural.append(col.str.starts_with(tok.key + "="))
            value = col.str.strip_prefix(tok.key + "=")
            ok.append(value.str.len_bytes() > 0)  # `key=` alone: missing tag value
            exprs.append(value.alias(tag_column(tok.key)))
            key_bytes.append(col.str.len_bytes())
        elif tok.kind == "field":
            value, checks, value_ok = _field(col, tok.key, tok.ftype)  # type: ignore[arg-type]
            structural.extend(checks)
            ok.extend(value_ok)
            exprs.append(value.alias(field_column(tok.key)))
        else:
            raw_ts = col.cast(pl.Int64, strict=False)
            exprs.append(pl.when(col.is_null()).then(pl.lit(default_time))
                         .otherwise(raw_ts * factor).alias(TIME))
            ok.append(col.is_null() | raw_ts.is_between(lo, hi))
            exprs.append(col.is_not_null().alias("_ts"))
    exprs.append(pl.all_horizontal(structural).fill_null(False).alias("_structural"))
    exprs.append(pl.all_horizontal(ok).fill_null(False).alias("_ok"))
    if key_bytes:
        exprs.append(pl.sum_horizontal(key_bytes).alias("_key"))
    out = table.lazy().select(split).unnest(structs).select(exprs).collect()
    if not out["_structural"].all():
        return None
    nt, nf = len(shape.tags), len(shape.fields)
    strings = sum(1 for _, t in shape.fields if t is FieldType.STRING)
    equals, quotes, spaces = _count(raw, b"=\" ", count_quotes=strings > 0)
    if (equals != n * (nt + nf) or (strings and quotes != n * 2 * strings)
            or spaces != n + out["_ts"].sum()):
        return None
    key_max = out["_key"].max() if key_bytes else 0
    if len(shape.measurement.encode()) + nt + (key_max or 0) > MAX_KEY_LENGTH:  # type: ignore[operator]
        return None
    good = out["_ok"]
    extra = ["_ok", "_ts", "_structural", *(["_key"] if key_bytes else [])]
    if good.all():
        left: list[int] = []
        frame_out = out.drop(extra)
    else:
        left = out.filter(~good)[LINE].to_list()
        frame_out = out.filter(good).drop(extra)
    return Segment(shape.measurement, frame_out, list(shape.tags), dict(shape.fields)), left


def _plain(shape: Shape) -> bool:
    """Whether the shape's names hold no byte the request-wide counts rely on."""
    names = [shape.measurement, *shape.tags, *(k for k, _ in shape.fields)]
    return not any(c in name for name in names for c in '="') and shape.measurement[0] != "#"


def _columns(shape: Shape) -> list[list[_Token]]:
    """The shape's tokens grouped as a `,`-separated CSV read sees them (space-joined groups)."""
    tokens = [_Token("m"), *(_Token("tag", k) for k in shape.tags),
              *(_Token("field", k, t) for k, t in shape.fields), _Token("ts")]
    columns: list[list[_Token]] = [[tokens[0]]]
    for prev, tok in zip(tokens, tokens[1:], strict=False):
        # a space before the first field and before the timestamp; a comma everywhere else
        space = (tok.kind == "field" and prev.kind != "field") or tok.kind == "ts"
        if space:
            columns[-1].append(tok)
        else:
            columns.append([tok])
    return columns


def _split(columns: list[list[_Token]]) -> tuple[list[_Token], list[pl.Expr], list[str]]:
    """Expressions giving one column `k<i>` per token (the timestamp is null where absent), some
    as structs to unnest (their names are returned last)."""
    tokens: list[_Token] = []
    exprs: list[pl.Expr] = []
    structs: list[str] = []
    for c, group in enumerate(columns):
        col = pl.col(f"c{c}")
        names = [f"k{len(tokens) + j}" for j in range(len(group))]
        if len(group) == 1:
            exprs.append(col.alias(names[0]))
        else:
            parts = col.str.split_exact(" ", len(group) - 1).struct.rename_fields(names)
            exprs.append(parts.alias(f"c{c}"))
            structs.append(f"c{c}")
        tokens.extend(group)
    return tokens, exprs, structs


def _field(
    col: pl.Expr, key: str, ftype: FieldType
) -> tuple[pl.Expr, list[pl.Expr], list[pl.Expr]]:
    """A field column's value, its structural checks and its value checks."""
    prefix = key + "="
    value = col.str.strip_prefix(prefix)
    checks = [col.str.starts_with(prefix)]
    if ftype is FieldType.STRING:
        checks += [col.str.starts_with(prefix + '"'), col.str.ends_with('"'),
                   col.str.len_bytes() >= len(prefix) + 2]
        return value.str.strip_prefix('"').str.strip_suffix('"'), checks, []
    if ftype is FieldType.FLOAT:
        number = value.cast(pl.Float64, strict=False)
        return number, checks, [number.is_finite()]  # null (not a number) fails too
    if ftype in (FieldType.INTEGER, FieldType.UNSIGNED):
        suffix = "i" if ftype is FieldType.INTEGER else "u"
        number = value.str.strip_suffix(suffix).cast(ftype.dtype, strict=False)
        return number, checks, [col.str.ends_with(suffix), number.is_not_null()]
    return value.is_in(_TRUE), checks, [value.is_in(_BOOLEANS)]

def _count(raw: bytes, chars: bytes, *, count_quotes: bool) -> tuple[int, int, int]:
    """How often `=`, `"` and ` ` occur in the request (quotes only when asked)."""
    data = np.frombuffer(raw, np.uint8)
    wanted = [c for c in chars if count_quotes or c != ord('"')]
    totals = dict.fromkeys(chars, 0)
    scratch = np.empty(min(_CHUNK, len(data)), dtype=bool)
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        hits = scratch[: len(chunk)]
        for c in wanted:
            np.equal(chunk, c, out=hits)
            totals[c] += int(np.count_nonzero(hits))
    return totals[ord("=")], totals[ord('"')], totals[ord(" ")]
