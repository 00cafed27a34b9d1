"""date and timezone: parts of a time on a location's wall clock (named zones with DST, fixed
offsets), durations relative to now(), calendar add/sub, truncate as window() places windows;
the UTC expression forms equal to the row evaluator."""

from __future__ import annotations

import polars as pl
import pytest
from pkgcalls import both_ways, closure

from storage import parse_time
from tsengine.errors import FluxRuntimeError
from tsengine.flux.values import Time

NY = 'timezone.location(name: "America/New_York")'


def value(expr: str):
    fn, interp = closure(f"() => {expr}", "date timezone")
    return interp.call(fn, {}, fn.node)


def t(text: str) -> Time:
    return Time(parse_time(text))


@pytest.mark.parametrize("expr, want", [
    ("date.second(t: 2024-03-10T12:34:56.789123456Z)", 56),
    ("date.millisecond(t: 2024-03-10T12:34:56.789123456Z)", 789),
    ("date.microsecond(t: 2024-03-10T12:34:56.789123456Z)", 789123),
    ("date.nanosecond(t: 2024-03-10T12:34:56.789123456Z)", 789123456),
    ("date.minute(t: 2024-03-10T12:34:56Z)", 34),
    ("date.hour(t: 2024-03-10T12:34:56Z)", 12),
    (f"date.hour(t: 2024-03-10T12:34:56Z, location: {NY})", 8),  # EDT
    (f"date.hour(t: 2024-03-09T12:34:56Z, location: {NY})", 7),  # EST
    ("date.hour(t: 2024-03-10T12:34:56Z, location: timezone.fixed(offset: -13h))", 23),
    ("date.weekDay(t: 2024-03-10T12:00:00Z)", 0),  # a Sunday
    ("date.weekDay(t: 2024-03-10T02:00:00Z, location: timezone.fixed(offset: -5h))", 6),
    ("date.monthDay(t: 2024-02-29T00:00:00Z)", 29),
    ("date.yearDay(t: 2024-12-31T00:00:00Z)", 366),
    ("date.month(t: 2024-12-31T23:00:00Z, location: timezone.fixed(offset: 1h))", 1),
    ("date.year(t: 2024-12-31T23:00:00Z, location: timezone.fixed(offset: 1h))", 2025),
    ("date.quarter(t: 2024-06-30T00:00:00Z)", 2),
    ("date.week(t: 2024-12-30T00:00:00Z)", 1),  # ISO week
    ("date.hour(t: -3h)", 21),  # now() is 2024-01-02T00:00:00Z
    ("date.Saturday", 6), ("date.December", 12),
])
def test_parts(expr, want):
    assert value(expr) == want


@pytest.mark.parametrize("expr, want", [
    ("date.truncate(t: 2024-03-10T12:34:56Z, unit: 1h)", "2024-03-10T12:00:00Z"),
    ("date.truncate(t: 2024-03-10T12:34:56Z, unit: 1w)", "2024-03-07T00:00:00Z"),  # Thursday
    ("date.truncate(t: 2024-03-10T12:34:56Z, unit: 1mo)", "2024-03-01T00:00:00Z"),
    ("date.truncate(t: 2024-03-10T12:34:56Z, unit: 1y)", "2024-01-01T00:00:00Z"),
    (f"date.truncate(t: 2024-03-10T12:34:56Z, unit: 1d, location: {NY})",
     "2024-03-10T05:00:00Z"),  # local midnight, still EST
    (f"date.truncate(t: 2024-03-11T12:34:56Z, unit: 1d, location: {NY})",
     "2024-03-11T04:00:00Z"),  # EDT
    ("date.truncate(t: 2024-03-10T02:34:56Z, unit: 1d, location: timezone.fixed(offset: -5h))",
     "2024-03-09T05:00:00Z"),
    ("date.add(d: 1mo, to: 2024-01-31T00:00:00Z)", "2024-02-29T00:00:00Z"),
    (f"date.add(d: 1d, to: 2024-03-09T12:00:00Z, location: {NY})", "2024-03-10T11:00:00Z"),
    ("date.add(d: 1d, to: 2024-03-09T12:00:00Z)", "2024-03-10T12:00:00Z"),
    ("date.sub(d: 1mo, from: 2024-03-31T00:00:00Z)", "2024-02-29T00:00:00Z"),
    (f"date.sub(d: 1d, from: 2024-03-10T11:00:00Z, location: {NY})", "2024-03-09T12:00:00Z"),
    (f"date.time(t: 2024-06-01T12:00:00Z, location: {NY})", "2024-06-01T08:00:00Z"),
])
def test_times(expr, want):
    assert value(expr) == t(want)


def test_scale_and_bad_units():
    assert value("date.scale(d: 1h, n: 3)") == value("3h")
    with pytest.raises(FluxRuntimeError, match="cannot mix month and nanosecond"):
        value("date.truncate(t: 2024-01-01T00:00:00Z, unit: 1mo1d)")
    with pytest.raises(FluxRuntimeError, match="unknown time zone"):
        value('timezone.location(name: "Mars/Base")')


def test_the_location_option_is_the_default():
    fn, interp = closure("() => date.hour(t: 2024-01-01T12:00:00Z)", "date timezone")
    program = interp.run('import "date"\nimport "timezone"\n'
                         "option location = timezone.fixed(offset: 2h)\n"
                         "x = date.hour(t: 2024-01-01T12:00:00Z)")
    assert program["x"] == 14


FRAME = pl.DataFrame({"t": [parse_time(s) for s in (
    "2024-03-10T12:34:56.789123456Z", "2023-12-31T23:59:59Z", "1969-12-31T23:00:00.5Z",
    "2024-02-29T06:00:00Z")] + [None]}, schema={"t": pl.Int64}).with_columns(
    pl.col("t").cast(pl.Datetime("ns", "UTC")))


@pytest.mark.parametrize("expr", [
    "date.second(t: r.t)", "date.millisecond(t: r.t)", "date.microsecond(t: r.t)",
    "date.nanosecond(t: r.t)", "date.minute(t: r.t)", "date.hour(t: r.t)",
    "date.weekDay(t: r.t)", "date.monthDay(t: r.t)", "date.yearDay(t: r.t)",
    "date.month(t: r.t)", "date.year(t: r.t)", "date.week(t: r.t)", "date.quarter(t: r.t)",
    "date.hour(t: r.t, location: timezone.fixed(offset: -5h))",
    "date.year(t: r.t, location: timezone.fixed(offset: 1h))",
    "date.truncate(t: r.t, unit: 1h)", "date.truncate(t: r.t, unit: 1w)",
    "date.truncate(t: r.t, unit: 1d, location: timezone.fixed(offset: -5h))",
])
def test_expression_forms_equal_the_row_evaluator(expr):
    values, guarded = both_ways(expr, FRAME, "date timezone")
    assert not any(guarded[:-1]) and isinstance(values[-1], FluxRuntimeError)
