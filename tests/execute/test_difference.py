"""difference: previous non-null value per table, int for int and uint, nonNegative,
initialZero and keepFirst, and the type errors."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import agree, bare_context, column_lists, key_without_bounds, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TableStream
from tsengine.stdlib.universe.difference import Difference, run_difference

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"i,host=a v=1i {T0}", f"i,host=a v=3i {T0 + S}", f"i,host=a v=2i {T0 + 2 * S}",
        f"i,host=a v=7i {T0 + 3 * S}", f"i,host=b v=5i {T0}",
        f"u,host=a v=9u {T0}", f"u,host=a v=3u {T0 + S}", f"u,host=a v=4u {T0 + 2 * S}",
        f"f,host=a v=1.5 {T0}", f"f,host=a v=0.5 {T0 + S}", f"f,host=a v=2 {T0 + 2 * S}",
        f's,host=a v="x" {T0}',
    ])


def both(engine, flux):
    """(key record without bounds, _value type, values) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (key_without_bounds(t), t.frame.schema["_value"],
                                          t.frame["_value"].to_list()))


def series(engine, measurement, args=""):
    return both(engine, RANGE + f' |> filter(fn: (r) => r._measurement == "{measurement}")'
                                f" |> difference({args})")


def test_int_differences_drop_the_first_row_and_keep_one_row_tables_empty(engine):
    assert series(engine, "i") == [
        ({"_field": "v", "_measurement": "i", "host": "a"}, pl.Int64, [2, -1, 5]),
        ({"_field": "v", "_measurement": "i", "host": "b"}, pl.Int64, []),
    ]


def test_uint_differences_are_int_and_may_be_negative(engine):
    assert series(engine, "u")[0][1:] == (pl.Int64, [-6, 1])


def test_float_differences(engine):
    assert series(engine, "f")[0][1:] == (pl.Float64, [-1.0, 1.5])


def test_non_negative_turns_decreases_into_null(engine):
    assert series(engine, "i", "nonNegative: true")[0][2] == [2, None, 5]
    assert series(engine, "u", "nonNegative: true")[0][2] == [None, 1]


def test_initial_zero_gives_the_current_value_after_a_decrease(engine):
    assert series(engine, "i", "nonNegative: true, initialZero: true")[0][2] == [2, 2, 5]
    assert series(engine, "f", "nonNegative: true, initialZero: true")[0][2] == [0.5, 1.5]


def test_keep_first_keeps_the_first_row_null_or_zero(engine):
    assert series(engine, "i", "keepFirst: true")[0][2] == [None, 2, -1, 5]
    assert series(engine, "i", "keepFirst: true, initialZero: true")[0][2] == [0, 2, -1, 5]
    assert series(engine, "i", "keepFirst: true")[1][2] == [None]


def test_other_columns_are_kept_in_place(engine):
    (table, _) = engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "i")'
                              " |> difference()")["_result"]
    assert table.frame.columns == ["_start", "_stop", "_time", "_value", "_field",
                                   "_measurement", "host"]
    assert table.frame["_time"].dt.epoch("ns").to_list() == [T0 + S, T0 + 2 * S, T0 + 3 * S]


def test_a_listed_column_that_is_absent_is_ignored(engine):
    assert series(engine, "i", 'columns: ["nope"]')[0][2] == [3, 2, 7]


def test_string_and_time_columns_are_errors(engine):
    with pytest.raises(FluxRuntimeError,
                       match='difference: difference does not support column "_value" of type '
                             '"string"'):
        engine.query(RANGE + " |> difference()")
    with pytest.raises(FluxRuntimeError, match="difference does not support time columns"):
        engine.query(RANGE + ' |> difference(columns: ["_time"])')


def test_a_group_key_column_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match='group key column "host"'):
        engine.query(RANGE + ' |> difference(columns: ["host"])')


def test_bad_arguments(engine):
    with pytest.raises(FluxRuntimeError, match="nonNegative must be a bool"):
        engine.query(RANGE + " |> difference(nonNegative: 1)")
    with pytest.raises(FluxRuntimeError, match="columns must be an array of strings"):
        engine.query(RANGE + " |> difference(columns: [1])")


# -- null rules, on frames built here (storage never returns a null _value) ------------------
def run(values, dtype=pl.Int64, **options):
    frame = pl.DataFrame({"k": ["a"] * len(values), "v": pl.Series(values, dtype=dtype)})
    node = Difference(None, options.get("nonNegative", False), ("v",),  # type: ignore[arg-type]
                      options.get("keepFirst", False), options.get("initialZero", False))
    out = run_difference(bare_context(), node, [TableStream.of(frame, ["k"])])
    return column_lists(out, "v")


def test_a_null_stays_null_and_is_not_the_previous_value():
    assert run([1, None, 4, None, None, 10]) == [[None, 3, None, None, 6]]


def test_leading_nulls_make_the_first_value_null_or_zero():
    assert run([None, None, 5, 7]) == [[None, None, 2]]
    assert run([None, 5, 7], keepFirst=True) == [[None, None, 2]]
    assert run([None, 5, 7], keepFirst=True, initialZero=True) == [[None, 0, 2]]


def test_tables_are_computed_apart():
    frame = pl.DataFrame({"k": ["a", "a", "b", "b", "a"], "v": [1, 2, 10, 30, 4]})
    node = Difference(None, False, ("v",), False, False)  # type: ignore[arg-type]
    out = run_difference(bare_context(), node, [TableStream.of(frame, ["k"])])
    assert column_lists(out, "v") == [[1, 2], [20]]


def test_uint_wraps_as_int64_and_initial_zero_needs_a_value_below_2_63():
    big = 2**63 + 5
    assert run([big, 1], pl.UInt64) == [[2**63 - 4]]
    assert run([1, big], pl.UInt64) == [[2**63 + 4 - 2**64]]
    assert run([10, 3], pl.UInt64, nonNegative=True, initialZero=True) == [[3]]
    assert run([big + 2, big], pl.UInt64, nonNegative=True, initialZero=True) == [[None]]


def test_nan_is_not_at_least_zero():
    assert run([1.0, float("nan"), 2.0], pl.Float64, nonNegative=True) == [[None, None]]
