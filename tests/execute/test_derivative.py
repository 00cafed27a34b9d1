"""derivative: rate per unit between non-null values, repeated times dropped, nonNegative and
initialZero, and the time and type errors."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import agree, bare_context, column_lists, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TIME_DTYPE, TableStream
from tsengine.stdlib.universe.derivative import Derivative, run_derivative

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"i,host=a v=1i {T0}", f"i,host=a v=3i {T0 + 10 * S}", f"i,host=a v=2i {T0 + 20 * S}",
        f"i,host=a v=7i {T0 + 30 * S}", f"i,host=b v=5i {T0}",
        f"u,host=a v=9u {T0}", f"u,host=a v=3u {T0 + 60 * S}",
        f"f,host=a v=1.5 {T0}", f"f,host=a v=0.5 {T0 + 4 * S}", f"f,host=a v=2 {T0 + 5 * S}",
        f's,host=a v="x" {T0}',
    ])


def both(engine, flux):
    """(host, _value type, values) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key_record()["host"], t.frame.schema["_value"],
                                          t.frame["_value"].to_list()))


def series(engine, measurement, args=""):
    return both(engine, RANGE + f' |> filter(fn: (r) => r._measurement == "{measurement}")'
                                f" |> derivative({args})")


def test_rate_per_second_is_float_and_drops_the_first_row(engine):
    assert series(engine, "i") == [("a", pl.Float64, [0.2, -0.1, 0.5]),
                                   ("b", pl.Float64, [])]


def test_unit_scales_the_rate_with_ieee_division(engine):
    assert series(engine, "i", "unit: 1m")[0][2] == [12.0, -6.0, 30.0]
    assert series(engine, "f", "unit: 1m")[0][2] == [-15.0, 90.0]


def test_uint_decrease_gives_a_negative_rate(engine):
    assert series(engine, "u", "unit: 1m")[0][2] == [-6.0]


def test_non_negative_gives_null_or_zero_with_initial_zero(engine):
    assert series(engine, "i", "nonNegative: true")[0][2] == [0.2, None, 0.5]
    assert series(engine, "i", "nonNegative: true, initialZero: true")[0][2] == [0.2, 0.0, 0.5]


def test_the_previous_value_after_a_decrease_is_the_decreased_one(engine):
    # 1.5 -> 0.5 (null under nonNegative) -> 2: the rate is from 0.5, over 1s
    assert series(engine, "f", "nonNegative: true")[0][2] == [None, 1.5]


def test_other_columns_keep_their_types_and_order(engine):
    (table, _) = engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "i")'
                              " |> derivative()")["_result"]
    assert table.frame.columns == ["_start", "_stop", "_time", "_value", "_field",
                                   "_measurement", "host"]
    assert table.frame["_time"].dt.epoch("ns").to_list() == [T0 + 10 * S, T0 + 20 * S,
                                                             T0 + 30 * S]


def test_rows_with_a_repeated_time_are_removed(engine):
    # every row of a table has the same _start: all but the first go, then the first
    assert [t[2] for t in series(engine, "i", 'timeColumn: "_start"')] == [[], []]


def test_errors(engine):
    with pytest.raises(FluxRuntimeError, match="derivative: unsupported derivative column type "
                                               "_value:string"):
        engine.query(RANGE + " |> derivative()")
    with pytest.raises(FluxRuntimeError, match='no column "nope" exists'):
        engine.query(RANGE + ' |> derivative(timeColumn: "nope")')
    with pytest.raises(FluxRuntimeError, match='time column "_value" is type float and not time'):
        engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "f")'
                             ' |> derivative(timeColumn: "_value")')
    with pytest.raises(FluxRuntimeError, match="unit must be a duration"):
        engine.query(RANGE + " |> derivative(unit: 1)")


# -- null and time rules, on frames built here ---------------------------------------------------
def run(values, times, dtype=pl.Int64, **options):
    frame = pl.DataFrame({"k": ["a"] * len(values), "v": pl.Series(values, dtype=dtype),
                          "_time": pl.Series(times, dtype=pl.Int64).cast(TIME_DTYPE)})
    node = Derivative(None, options.get("unit", S), options.get("nonNegative", False),  # type: ignore[arg-type]
                      ("v",), "_time", options.get("initialZero", False))
    out = run_derivative(bare_context(), node, [TableStream.of(frame, ["k"])])
    return column_lists(out, "v")


def test_a_null_value_gives_null_and_the_rate_spans_back_to_the_last_value():
    assert run([1, None, 5], [0, S, 2 * S]) == [[None, 2.0]]
    assert run([None, None, 4, 10], [0, S, 2 * S, 5 * S]) == [[None, None, 2.0]]


def test_a_repeated_time_is_skipped_with_its_value():
    assert run([1, 100, 3], [0, 0, 2 * S]) == [[1.0]]


def test_decreasing_and_null_times_are_errors():
    with pytest.raises(FluxRuntimeError, match="derivative found out-of-order times"):
        run([1, 2], [S, 0])
    with pytest.raises(FluxRuntimeError, match="derivative found null time"):
        run([1, 2], [0, None])


def test_large_uint_values_do_not_wrap():
    assert run([2**64 - 1, 1], [0, S], pl.UInt64) == [[-(2.0**64 - 2)]]
