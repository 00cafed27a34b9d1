"""The whole-request path: every line has its measurement's shape, so one split on `,` cuts all.

Most requests come from a few writers and repeat one shape (tag keys, field keys and types) per
measurement. Split on `,` (in memory up to SPLIT_MAX_BYTES, by Polars' CSV reader beyond), such
a request splits into the same columns on every line of a measurement; the columns that join
two sections (`tag=v field=x`, `field=x time`) are split once more on the space. Nothing is
matched with a regex: each line is assigned to its measurement's shape by its first column,
each column is checked against the shape with prefix tests, and the request as a whole with
separator counts, so that every line is proved to have exactly its shape's separators where
the shape has them.

The shapes a request held are kept by its first line's shape: the next request beginning so
(a writer's next batch, mostly) is split by them at once, each line's shape found by its first
column, with no search for other measurements' first lines; a line of none of them, or a value
one of them does not take, sends that request through the search as well.

Per-line checks come in two kinds:
- structural (a key in its place, quotes around a string): every line must pass them, or the whole
  request takes the per-shape path (`fast.py`). Together with the counts of `=`, `"`, `,` and ` `
  over the request, they prove no line holds a separator anywhere else (an `=` in a tag value, a
  space inside a string, a `,` inside a quoted string).
- values (a number that does not parse, a timestamp out of range, a field of another type): such
  a line goes to the exact parser alone, which reads it (a field of another type) or reports it.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import numpy as np
import polars as pl

from storage.lineprotocol.fast import Shape, shape_of
from storage.lineprotocol.lines import line_strings
from storage.lineprotocol.model import LINE, TIME, FieldType, Segment, field_column, tag_column
from storage.lineprotocol.scanner import MAX_KEY_LENGTH, MAX_TIME, MIN_TIME

# bytes that make a request take the per-shape path: escapes, a `\r` the CSV reader may strip,
# and `+`, which Polars' casts take (`+1`) where line protocol only takes it in a float's exponent
_DECLINE = (b"\\", b"\r", b"+")
_BOM = b"\xef\xbb\xbf"
_TRUE = ["t", "T", "true", "True", "TRUE"]
_BOOLEANS = [*_TRUE, "f", "F", "false", "False", "FALSE"]
_CHUNK = 1 << 18  # bytes counted at a time: the comparison's scratch stays in cache
MIN_LINES = 16  # below this, the fixed cost of the split and the queries outweighs the gain
# up to this size a request is split into lines and columns in memory (_split_columns), beyond
# it read by Polars' CSV reader (_read_columns): the reader's fixed cost (~0.4 ms) is most of
# a small request's reading, its parallel parsing pays off on large ones (about even at
# ~10,000 lines, ~1.8 MB; a 5,000-line parse 10% less CPU, a 1,000-line one 18% less)
SPLIT_MAX_BYTES = 3 << 19
MAX_SHAPES = 16  # measurements in one request; beyond, the per-shape path
# measurements with tags told apart by comparing names, beyond by a hash lookup: the
# comparisons cost 0.09 ms on 5,000 lines for 2 names, 0.23 for 8, 0.44 for 16; the
# lookup ~0.3-0.35 (a two-measurement parse ~3% less CPU)
_CHAIN_MAX = 8
_GROUP = "_g"
# the shapes of the last request that began with a shape, by that shape: a writer's next
# request mostly holds the same ones, whose lines one query then splits with no search first
_RECENT: dict[Shape, tuple[Shape, ...]] = {}
_RECENT_MAX = 256
_OPTIMIZE = pl.QueryOptFlags.none()  # see _ShapePlan


@dataclass(frozen=True)
class _Token:
    """One section of a line: the measurement, a tag, a field or the timestamp."""

    kind: str  # "m", "tag", "field" or "ts"
    key: str = ""
    ftype: FieldType | None = None


def parse_uniform(
    raw: bytes, default_time: int, factor: int, first_line: int = 1
) -> tuple[list[Segment], list[int]] | None:
    """Parse a request whose lines all have their measurement's shape (one shape each).

    Returns one segment per measurement with the lines read, and the numbers of the lines left
    to the exact parser (values that do not fit the shape), or None when the request is not
    uniform: then nothing is decided and the caller takes the general path.
    """
    if not raw or raw.startswith(_BOM) or any(b in raw for b in _DECLINE):
        return None
    if len(raw) < 1 << 16 and raw.count(b"\n") + 1 < MIN_LINES:
        return None
    end = raw.find(b"\n")
    first = _shape_at(raw, 0, end if end >= 0 else len(raw), default_time, factor)
    if first is None:
        return None
    recent = _RECENT.get(first)
    if recent is not None:
        found = _parse(raw, default_time, factor, first_line, list(recent), search=False)
        if found is not None:
            return found
    return _parse(raw, default_time, factor, first_line, [first], search=True)


def _parse(raw: bytes, default_time: int, factor: int, first_line: int, known: list[Shape],
           search: bool) -> tuple[list[Segment], list[int]] | None:
    """parse_uniform from the `known` shapes (the request's first is `known[0]`); `search`:
    the other measurements' shapes are found in the request, else the known ones must be all
    it holds (a line of another measurement makes it None)."""
    first = known[0]
    shapes = {s.measurement: s for s in known}
    width = max(len(_columns(s)) for s in known)
    table, strict = _columns_of(raw, width, strict=True)
    if table is None or table.height == 0:  # a blank line is a row of nulls, declined below
        return None
    nums = pl.int_range(first_line, first_line + table.height, dtype=pl.UInt32).alias(LINE)
    if not search:  # a line of none of them is found missing by the rows split below
        groups = _groups(tuple(known))
    else:
        found = _shapes(raw, table, shapes, default_time, factor)
        if found is None:
            return None
        table, groups = found
    # most requests hold one measurement: every line starts with it, no filter by shape
    if len(shapes) == 1:
        order = [first]
        queries = [_shape_query(table.lazy().with_columns(nums), first)]
        commas = not strict
    else:
        # the strict read's proof holds for several shapes too when each fills every column
        # (one with fewer columns would leave nulls where a line may lack commas)
        commas = not (strict and len(table.columns) == width
                      and all(len(_columns(s)) == width for s in shapes.values()))
        order = list(shapes.values())
        lines = table.lazy().with_columns(nums, groups)
        queries = [_shape_query(lines.filter(pl.col(_GROUP) == g), shape)
                   for g, shape in enumerate(order)]
    segments, left = [], []
    expected = np.zeros(4, dtype=np.int64)  # `=`, `"`, ` `, `,` the shapes account for
    # the in-memory engine: less fixed cost than the streaming one on a request's few rows;
    # no optimizer pass: nothing to push down in these projections of a frame in memory,
    # and no subexpression shared (_ShapePlan)
    frames = pl.collect_all(queries, engine="in-memory", optimizations=_OPTIMIZE)
    if sum(f.height for f in frames) != table.height:
        return None  # lines of another measurement (only known shapes were looked for)
    for shape, frame in zip(order, frames, strict=True):
        if frame.height == 0:
            continue
        got = _finish_shape(frame, shape, default_time, factor)
        if got is None:
            return None
        segments.append(got[0])
        left.extend(got[1])
        expected += got[2]
    strings = any(t is FieldType.STRING for s in shapes.values() for _, t in s.fields)
    found = _count(raw, b"=\" ," if commas else b"=\" ", count_quotes=strings)
    if not strings:
        expected[1] = 0
    if not commas:
        expected = expected[:3]
    if not np.array_equal(found, expected):
        return None
    if left and not search:
        return None  # values a kept shape does not take: perhaps this request's shape does
    _remember(first, [s for s, f in zip(order, frames, strict=True) if f.height])
    return segments, sorted(left)


def _remember(first: Shape, shapes: list[Shape]) -> None:
    """Keep the shapes a request beginning with `first` held, for the next such request."""
    if first not in _RECENT and len(_RECENT) >= _RECENT_MAX:
        _RECENT.pop(next(iter(_RECENT)), None)  # the oldest (another thread may be first)
    _RECENT[first] = (first, *(s for s in shapes if s != first))


def _shape_at(raw: bytes, start: int, stop: int, default_time: int, factor: int) -> Shape | None:
    """The shape of the line raw[start:stop], if the uniform path can take such lines."""
    try:
        text = raw[start:stop].decode()
    except UnicodeDecodeError:
        return None
    shape = shape_of(text, default_time, factor)
    return shape if shape is not None and _plain(shape) else None


def _read_columns(raw: bytes, width: int, strict: bool = False) -> pl.DataFrame | None:
    """The request split on commas into `width` string columns `c0`, `c1`, ...; None for
    invalid UTF-8 (or, `strict`, a line with more columns). A line with fewer columns reads
    nulls in the others, one with more is cut: the structural checks and the comma count refuse
    both."""
    names = [f"c{i}" for i in range(width)]
    try:
        if strict:  # the cheaper read, when one shape is expected
            return pl.read_csv(
                io.BytesIO(raw), has_header=False, separator=",", quote_char=None,
                new_columns=names, schema=dict.fromkeys(names, pl.String), eol_char="\n",
                truncate_ragged_lines=False, raise_if_empty=False,
            )
        return pl.read_csv(
            io.BytesIO(raw), has_header=False, separator=",", quote_char=None,
            schema=dict.fromkeys(names, pl.String), missing_columns="insert",
            eol_char="\n", truncate_ragged_lines=True, raise_if_empty=False,
        )
    except Exception:  # invalid UTF-8, or a line with more columns
        return None


def _columns_of(raw: bytes, width: int, strict: bool = False
                ) -> tuple[pl.DataFrame | None, bool]:
    """The request split on commas into `width` columns: in memory up to SPLIT_MAX_BYTES, by
    the CSV reader beyond, `strict` first where it can (its strict read proves that no line has
    more commas than `width` columns hold); and whether the strict read gave them."""
    if len(raw) <= SPLIT_MAX_BYTES:
        return _split_columns(raw, width), False
    if strict:
        table = _read_columns(raw, width, strict=True)
        if table is not None:
            return table, True
    return _read_columns(raw, width), False


def _split_columns(raw: bytes, width: int) -> pl.DataFrame | None:
    """The request split on commas into `width` string columns `c0`, `c1`, ... as _read_columns
    reads them, without the CSV reader: its lines (lines.line_strings) split by one Polars
    query. A line with fewer columns has nulls in the others (an empty line: `c0` empty), one
    with more keeps the rest in its last column; the structural checks and the comma count
    refuse both. None for invalid UTF-8."""
    text = line_strings(raw)
    if text is None:
        return None
    return pl.DataFrame({"_text": text}).lazy().select(_splitn(width)).unnest("_split").collect(
        engine="in-memory", optimizations=_OPTIMIZE)


@functools.lru_cache(maxsize=64)
def _splitn(width: int) -> pl.Expr:
    """_split_columns' expression for `width` columns (built once: requests repeat widths)."""
    names = [f"c{i}" for i in range(width)]
    return pl.col("_text").str.strip_suffix("\n").str.splitn(",", width).struct.rename_fields(
        names).alias("_split")


def _shapes(raw: bytes, table: pl.DataFrame, shapes: dict[str, Shape], default_time: int,
            factor: int) -> tuple[pl.DataFrame, pl.Expr] | None:
    """Find each line's shape by its first column, adding to `shapes` the measurements not seen
    yet (their first line in the request gives their shape); the request is read again when a
    new shape is wider. Returns the table and each row's shape number, or None."""
    width = len(table.columns)
    for _ in range(MAX_SHAPES):
        wanted = max(len(_columns(s)) for s in shapes.values())
        if wanted > width:
            width = wanted
            again, _ = _columns_of(raw, width)
            if again is None:
                return None
            table = again
        groups = _groups(tuple(shapes.values()))
        unmatched = table.select(pl.col("c0").filter(groups.is_null()).head(1)).to_series()
        if unmatched.len() == 0:
            return table, groups
        if len(shapes) >= MAX_SHAPES or unmatched.null_count():
            return None  # too many measurements, or a blank line
        name = unmatched[0].split(" ", 1)[0]
        shape = _first_shape(raw, name, shapes, default_time, factor)
        if shape is None:
            return None
        shapes[shape.measurement] = shape
    return None


def _first_shape(raw: bytes, name: str, shapes: dict[str, Shape], default_time: int,
                 factor: int) -> Shape | None:
    """The shape of the first line of measurement `name` (not one of `shapes`)."""
    key = name.encode()
    best = -1
    for sep in b", ":  # each search stops at the best found so far: a miss reads no further
        at = raw.find(b"\n" + key + bytes([sep]), 0, best + len(key) + 2 if best >= 0 else None)
        if at >= 0 and (best < 0 or at < best):
            best = at
    if best < 0:
        return None
    end = raw.find(b"\n", best + 1)
    shape = _shape_at(raw, best + 1, end if end >= 0 else len(raw), default_time, factor)
    if shape is None or shape.measurement != name or name in shapes:
        return None
    return shape


@functools.lru_cache(maxsize=64)
def _groups(shapes: tuple[Shape, ...]) -> pl.Expr:
    """Each row's shape (its index in `shapes`) by the first column, null for none: a shape with
    tags has its measurement alone there, one without starts it with its measurement and a
    space."""
    c0 = pl.col("c0")
    if len(shapes) == 1:
        s = shapes[0]
        hit = c0 == s.measurement if s.tags else c0.str.starts_with(s.measurement + " ")
        return pl.when(hit).then(pl.lit(0, pl.UInt8)).alias(_GROUP)
    tagged = {s.measurement: i for i, s in enumerate(shapes) if s.tags}
    if len(tagged) > _CHAIN_MAX:
        expr = c0.replace_strict(tagged, default=None, return_dtype=pl.UInt8)
    else:  # a few names compared cost less than hashing every line's first column
        expr = pl.lit(None, pl.UInt8)
        for name, i in reversed(tagged.items()):
            expr = pl.when(c0 == name).then(pl.lit(i, pl.UInt8)).otherwise(expr)
    for i, s in enumerate(shapes):
        if not s.tags:
            expr = pl.when(c0.str.starts_with(s.measurement + " ")).then(
                pl.lit(i, pl.UInt8)).otherwise(expr)
    return expr.alias(_GROUP)


@dataclass(frozen=True)
class _Check:
    """A value check `_finish_shape` makes on a column of the split lines: `kind` "float" (a
    finite number), "integer" (a number, and the `flag` column true: its suffix) or "boolean"
    (the `flag` column true: a boolean's spelling)."""

    kind: str
    column: str
    flag: str = ""


@dataclass(frozen=True)
class _ShapePlan:
    """The Polars query that splits one shape's lines, and the checks of what it gives: built
    once per shape, as writers repeat their shapes request after request.

    Every expression is computed once (no subexpression is shared, so the query runs with no
    optimizer pass): the value checks are made on the columns the query gives, by Series
    reductions (a null count, a minimum), not row by row; only a request with a failing value
    finds its lines one by one (`_bad_lines`)."""

    split: tuple[pl.Expr, ...]
    structs: tuple[str, ...]
    select: tuple[pl.Expr, ...]  # `_line`, the point's columns, then the flag columns
    checks: tuple[_Check, ...]
    flags: tuple[str, ...]  # the flag columns, dropped once read
    structural: int  # structural checks a line passes (the `_structural` column): all of them
    width: int  # CSV columns of the shape


_STRUCTURAL, _TS, _KEY, _TAG_MIN = "_structural", "_ts", "_key", "_tag_min"


@functools.lru_cache(maxsize=64)
def _plan(shape: Shape) -> _ShapePlan:
    columns = _columns(shape)
    tokens, split, structs = _split(columns)
    structural: list[pl.Expr] = []
    checks: list[_Check] = []
    exprs: list[pl.Expr] = [pl.col(LINE)]
    flags: list[pl.Expr] = []
    key_bytes: list[pl.Expr] = []
    value_bytes: list[pl.Expr] = []
    for i, tok in enumerate(tokens):
        col = pl.col(f"k{i}")
        if tok.kind == "m":
            structural.append(col == shape.measurement)
        elif tok.kind == "tag":
            prefix = tok.key + "="
            structural.append(col.str.starts_with(prefix))
            exprs.append(col.str.strip_prefix(prefix).alias(tag_column(tok.key)))
            key_bytes.append(col.str.len_bytes())
            value_bytes.append(col.str.len_bytes() - len(prefix.encode()))
        elif tok.kind == "field":
            name = field_column(tok.key)
            value, more, check, flag = _field(col, tok.key, tok.ftype, name)  # type: ignore[arg-type]
            structural.extend(more)
            exprs.append(value.alias(name))
            checks.extend([check] if check else [])
            flags.extend([flag.alias(check.flag)] if check and flag is not None else [])
        else:  # null where the line has no timestamp (or one that is not an integer)
            exprs.append(col.cast(pl.Int64, strict=False).alias(TIME))
            flags.append(col.is_not_null().alias(_TS))
    # how many of its structural checks each line passes (a null, as a missing column gives,
    # passes none): all of them, or the request goes elsewhere. Polars plans and runs a sum of
    # the checks for less than all_horizontal over them (1.5% of a 5,000-line parse).
    flags.append(pl.sum_horizontal(structural).alias(_STRUCTURAL))
    if key_bytes:  # the longest series key's tags, and each line's shortest tag value
        flags += [pl.sum_horizontal(key_bytes).alias(_KEY),
                  pl.min_horizontal(value_bytes).alias(_TAG_MIN)]
    return _ShapePlan(tuple(split), tuple(structs), (*exprs, *flags), tuple(checks),
                      tuple(f.meta.output_name() for f in flags), len(structural), len(columns))


def _shape_query(lines: pl.LazyFrame, shape: Shape) -> pl.LazyFrame:
    """The query splitting one shape's lines (`_line` and the CSV columns) into the point's
    columns and the flags `_finish_shape` reads."""
    plan = _plan(shape)
    return lines.select(pl.col(LINE), *plan.split).unnest(plan.structs).select(*plan.select)


def _finish_shape(
    frame: pl.DataFrame, shape: Shape, default_time: int, factor: int
) -> tuple[Segment, list[int], np.ndarray] | None:
    """One shape's lines as its query split them: its segment, the lines left to the exact
    parser, and the separators (`=`, `"`, ` `, `,`) its lines hold; None if a line is bent."""
    n = frame.height
    plan = _plan(shape)
    if frame[_STRUCTURAL].min() != plan.structural:
        return None
    if shape.tags:
        key_max = frame[_KEY].max() or 0
        if len(shape.measurement.encode()) + len(shape.tags) + key_max > MAX_KEY_LENGTH:  # type: ignore[operator]
            return None
    ts = int(frame[_TS].sum())
    bad = _bad_lines(frame, plan, ts, factor)
    frame = frame[[c for c in frame.columns if c not in plan.flags]]  # indexing: no query
    if bad is None:
        left: list[int] = []
    else:
        left = frame[LINE].filter(bad).to_list()
        frame = frame.filter(~bad)
    time = frame[TIME]
    if factor != 1 or time.null_count():  # lines without a timestamp take the default
        frame = frame.with_columns((time * factor).fill_null(default_time))
    nt, nf = len(shape.tags), len(shape.fields)
    strings = sum(1 for _, t in shape.fields if t is FieldType.STRING)
    counts = np.array([n * (nt + nf), n * 2 * strings, n + ts,
                       n * (plan.width - 1)], dtype=np.int64)
    return Segment(shape.measurement, frame, list(shape.tags), dict(shape.fields)), left, counts


def _bad_lines(frame: pl.DataFrame, plan: _ShapePlan, ts: int, factor: int) -> pl.Series | None:
    """Which lines hold a value the shape does not take (a tag without a value, a number that
    does not parse, a timestamp that is not an integer or out of range): None for none. Each
    column is checked whole first; only a request with such a value is looked at line by
    line."""
    lo, hi = -((-MIN_TIME) // factor), MAX_TIME // factor
    time = frame[TIME]
    fine = (frame.height - time.null_count() == ts
            and (time.null_count() == frame.height or lo <= time.min() and time.max() <= hi)  # type: ignore[operator]
            and (_TAG_MIN not in frame.columns or frame[_TAG_MIN].min() > 0))  # type: ignore[operator]
    for check in plan.checks:
        if not fine:
            break
        column = frame[check.column]
        fine = column.null_count() == 0 and (
            bool(np.isfinite(column.to_numpy()).all()) if check.kind == "float"
            else frame[check.flag].all())
    if fine:
        return None
    bad = (frame[_TS] & (time.is_null() | (time < lo) | (time > hi))).fill_null(True)
    if _TAG_MIN in frame.columns:
        bad |= frame[_TAG_MIN] <= 0
    for check in plan.checks:
        column = frame[check.column]
        bad |= column.is_null()
        bad |= ~column.is_finite() if check.kind == "float" else ~frame[check.flag]
    return bad.fill_null(True)


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


def _field(col: pl.Expr, key: str, ftype: FieldType, name: str
           ) -> tuple[pl.Expr, list[pl.Expr], _Check | None, pl.Expr | None]:
    """A field column's value, its structural checks, the check of its values and the flag
    column that check reads, if any."""
    prefix = key + "="
    if ftype is FieldType.STRING:  # (a quote after the prefix implies the prefix)
        checks = [col.str.starts_with(prefix + '"'), col.str.ends_with('"'),
                  col.str.len_bytes() >= len(prefix.encode()) + 2]
        return col.str.strip_prefix(prefix + '"').str.strip_suffix('"'), checks, None, None
    checks = [col.str.starts_with(prefix)]
    if ftype is FieldType.FLOAT:  # null (not a number) fails too
        number = col.str.strip_prefix(prefix).cast(pl.Float64, strict=False)
        return number, checks, _Check("float", name), None
    flag = f"_o:{name}"
    if ftype in (FieldType.INTEGER, FieldType.UNSIGNED):
        suffix = "i" if ftype is FieldType.INTEGER else "u"
        number = col.str.strip_prefix(prefix).str.strip_suffix(suffix).cast(
            ftype.dtype, strict=False)
        return number, checks, _Check("integer", name, flag), col.str.ends_with(suffix)
    # a boolean's spellings with the prefix: nothing to strip
    return (col.is_in([prefix + t for t in _TRUE]), checks, _Check("boolean", name, flag),
            col.is_in([prefix + b for b in _BOOLEANS]))


def _count(raw: bytes, chars: bytes, *, count_quotes: bool) -> np.ndarray:
    """How often each of `chars` occurs in the request (`"` only when asked, else 0)."""
    data = np.frombuffer(raw, np.uint8)
    totals = np.zeros(len(chars), dtype=np.int64)
    scratch = np.empty(min(_CHUNK, len(data)), dtype=bool)
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        hits = scratch[: len(chunk)]
        for i, c in enumerate(chars):
            if count_quotes or c != ord('"'):
                np.equal(chunk, c, out=hits)
                totals[i] += int(np.count_nonzero(hits))
    return totals
