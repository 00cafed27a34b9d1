"""Turn a line-protocol request into a PointBatch: vectorized where it can, exact everywhere."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from storage.errors import InvalidArgument, LineError, LineProtocolError
from storage.lineprotocol.fast import MIN_LINES_FOR_A_SHAPE, parse_fast
from storage.lineprotocol.lines import line_strings
from storage.lineprotocol.model import (
    LINE,
    TIME,
    Dropped,
    FieldType,
    PointBatch,
    Segment,
    field_column,
    tag_column,
)
from storage.lineprotocol.scanner import ScanError, ScannedPoint, open_quote_at_end, scan_point
from storage.lineprotocol.uniform import parse_uniform

PRECISIONS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}


def precision_factor(precision: str) -> int:
    """Nanoseconds per timestamp unit; InfluxDB 2.x accepts ns, us, ms and s."""
    try:
        return PRECISIONS[precision]
    except KeyError:
        raise InvalidArgument(
            f"invalid precision {precision!r}; valid precision units are ns, us, ms, and s"
        ) from None


def parse(
    data: str | bytes,
    precision: str = "ns",
    default_time: int = 0,
    *,
    vectorized: bool = True,
    first_line: int = 1,
    source: str | None = None,
) -> PointBatch:
    """Parse a whole request; raise LineProtocolError listing every bad line (nothing is written).

    `default_time` (ns) stamps points without a timestamp, truncated to the precision as in
    InfluxDB.
    """
    factor = precision_factor(precision)
    default_time -= default_time % factor
    raw = data.encode() if isinstance(data, str) else data
    if vectorized:
        uniform = parse_uniform(raw, default_time, factor, first_line)
        if uniform is not None:
            return _finish_uniform(raw, first_line, default_time, factor, source, *uniform)
    lines, errors = _split_lines(raw, first_line)
    # blank and comment lines are skipped by the exact path; only drop the obvious ones here
    text = pl.col("text")
    present = lines.filter((text.str.len_bytes() > 0) & ~text.str.starts_with("#"))
    if vectorized and present.height >= MIN_LINES_FOR_A_SHAPE:  # (fewer: none is vectorized)
        segments, left = parse_fast(present, default_time, factor)
    else:
        segments, left = [], present
    return _with_exact(lines, left, errors, default_time, factor, raw, source, segments)


def _finish_uniform(
    raw: bytes, first_line: int, default_time: int, factor: int, source: str | None,
    segments: list[Segment], left: list[int],
) -> PointBatch:
    """A uniform request's batch: its segments plus the lines the exact parser reads alone."""
    if not left:
        return PointBatch([s for s in segments if s.height])
    lines, errors = _split_lines(raw, first_line)
    rest = lines.filter(pl.col(LINE).is_in(pl.Series(left, dtype=pl.UInt32).implode()))
    return _with_exact(lines, rest, errors, default_time, factor, raw, source, segments)


def _with_exact(lines: pl.DataFrame, rest: pl.DataFrame, errors: list, default_time: int,
                factor: int, raw: bytes, source: str | None, segments: list[Segment]
                ) -> PointBatch:
    """The batch of the vectorized `segments` and the exact parse of the `rest` of the lines;
    lines the exact parser consumed with a neighbour leave the segments. Any error (of the
    split or of the exact parse) rejects the whole request."""
    exact, consumed, dropped, exact_errors = _parse_exact(lines, rest, default_time, factor, raw)
    errors += exact_errors
    if errors:
        raise LineProtocolError(errors, source)
    if consumed:
        gone = pl.Series(LINE, sorted(consumed), dtype=pl.UInt32)
        for segment in segments:
            segment.frame = segment.frame.filter(~pl.col(LINE).is_in(gone.implode()))
    return PointBatch([s for s in [*segments, *exact] if s.height], dropped)


def split_lines(data: str | bytes, first_line: int = 1, source: str | None = None) -> pl.DataFrame:
    """The request as a frame of (`_line`, `text`); a trailing `\\r` is dropped (CRLF accepted).

    Invalid UTF-8 raises LineProtocolError.
    """
    raw = data.encode() if isinstance(data, str) else data
    lines, errors = _split_lines(raw, first_line)
    if errors:
        raise LineProtocolError(errors, source)
    return lines


def _split_lines(raw: bytes, first_line: int) -> tuple[pl.DataFrame, list[LineError]]:
    """Like split_lines, but invalid UTF-8 lines come back blank with their errors, so that the
    other lines are still parsed and every bad line gets reported."""
    if not raw:
        return pl.DataFrame(schema={LINE: pl.UInt32, "text": pl.String}), []
    errors: list[LineError] = []
    text = line_strings(raw)
    if text is None:
        decoded, errors = _decode_lines(raw, first_line)
        text = pl.Series(decoded, dtype=pl.String)
    else:
        text = text.str.strip_suffix("\n")
    return pl.DataFrame({
        LINE: pl.int_range(first_line, first_line + len(text), dtype=pl.UInt32, eager=True),
        "text": text.str.strip_suffix("\r"),
    }), errors


def _lines_ending_in_cr(raw: bytes) -> set[int]:
    """Indexes of the physical lines that end in `\\r\\n` (the CSV reader strips that `\\r`)."""
    if b"\r\n" not in raw:
        return set()
    return {i for i, line in enumerate(raw.split(b"\n")) if line.endswith(b"\r")}


def _decode_lines(raw: bytes, first_line: int) -> tuple[list[str], list[LineError]]:
    """Split and decode line by line; an invalid UTF-8 line becomes blank and is reported (its
    column counts the characters before the bad byte, like every other column)."""
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out: list[str] = []
    errors: list[LineError] = []
    for n, line in enumerate(lines, start=first_line):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError as e:
            column = len(line[: e.start].decode("utf-8")) + 1
            errors.append(LineError(n, column, "invalid UTF-8 sequence",
                                    line.decode("utf-8", "replace")))
            out.append("")
    return out, errors


def _parse_exact(
    lines: pl.DataFrame, left: pl.DataFrame, default_time: int, factor: int, raw: bytes
) -> tuple[list[Segment], set[int], list[Dropped], list[LineError]]:
    """Run the exact parser over the lines the vectorized path left, joining quoted newlines."""
    all_text = lines["text"]
    crlf: set[int] | None = None  # worked out on the first join only
    base = lines[LINE][0] if lines.height else 0
    consumed: set[int] = set()
    points: list[tuple[int, ScannedPoint]] = []
    errors: list[LineError] = []
    time_only = 0
    for number, text in left.iter_rows():
        if number in consumed:
            continue
        stripped = text.lstrip(" \t\0")
        if not stripped or stripped[0] == "#":
            continue
        idx = number - base
        while open_quote_at_end(text) and idx + 1 < len(all_text):
            # inside a quoted string a newline is data, and so is a \r before it
            if crlf is None:
                crlf = _lines_ending_in_cr(raw)
            text = text + ("\r\n" if idx in crlf else "\n") + all_text[idx + 1]
            idx += 1
            consumed.add(base + idx)
        try:
            point = scan_point(text, default_time, factor)
        except ScanError as e:
            errors.append(_line_error(number, text, e))
            continue
        if not point.fields:
            time_only += 1
            continue
        points.append((number, point))
    dropped = []
    if time_only:
        dropped.append(Dropped("invalid_field", 'input field "time" is invalid', time_only))
    return _segments(points), consumed, dropped, errors


def _line_error(number: int, text: str, e: ScanError) -> LineError:
    """Place an error on its physical line when a quoted string spans several."""
    before = text[: e.column]
    extra = before.count("\n")
    column = e.column - (before.rfind("\n") + 1 if extra else 0)
    return LineError(number + extra, column + 1, e.message, text)


def _segments(points: Iterable[tuple[int, ScannedPoint]]) -> list[Segment]:
    """Group exactly-parsed points into segments: per measurement, fields agreeing on type."""
    groups: list[tuple[str, dict[str, FieldType], list[tuple[int, ScannedPoint]]]] = []
    for number, p in points:
        for measurement, types, members in groups:
            if measurement == p.measurement and all(
                types.get(k, t) is t for k, t, _ in p.fields
            ):
                types.update((k, t) for k, t, _ in p.fields)
                members.append((number, p))
                break
        else:
            groups.append((p.measurement, {k: t for k, t, _ in p.fields}, [(number, p)]))
    return [_segment(m, types, members) for m, types, members in groups]


def _segment(
    measurement: str, types: dict[str, FieldType], members: list[tuple[int, ScannedPoint]]
) -> Segment:
    tag_keys = sorted({k for _, p in members for k, _ in p.tags})
    columns: dict[str, list[object]] = {LINE: [], TIME: []}
    columns.update({tag_column(k): [] for k in tag_keys})
    columns.update({field_column(k): [] for k in types})
    for number, p in members:
        columns[LINE].append(number)
        columns[TIME].append(p.time)
        tags = dict(p.tags)
        for k in tag_keys:
            columns[tag_column(k)].append(tags.get(k))
        values = {k: v for k, _, v in p.fields}
        for k in types:
            columns[field_column(k)].append(values.get(k))
    schema: dict[str, pl.DataType] = {LINE: pl.UInt32(), TIME: pl.Int64()}
    schema.update({tag_column(k): pl.String() for k in tag_keys})
    schema.update({field_column(k): t.dtype for k, t in types.items()})
    frame = pl.DataFrame(columns, schema=schema)
    return Segment(measurement, frame, tag_keys, dict(types))
