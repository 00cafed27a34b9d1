"""toFloat toInt toUInt toString toBool toTime: the scalar conversions over `_value`, with
map's side effects (columns sorted, empty tables dropped) and upstream's errors."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import polars as pl
import pytest
from helpers import agree, bare_context, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TableStream
from tsengine.stdlib.universe.stream_conversions import Convert, run_convert

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"f,host=a v=1.5 {T0}", f"f,host=a v=-2.75 {T0 + S}", f"f,host=a v=1e21 {T0 + 2 * S}",
        f"f,host=a v=0 {T0 + 3 * S}",
        f"i,host=a v=1i {T0}", f"i,host=a v=-3i {T0 + S}",
        f"u,host=a v=1u {T0}", f"u,host=a v=18446744073709551615u {T0 + S}",
        f"b,host=a v=true {T0}", f"b,host=a v=false {T0 + S}",
        f's,host=a v="12" {T0}', f's,host=a v="-4" {T0 + S}',
        f'd,host=a v="2024-01-01T00:00:00.5+01:00" {T0}', f'd,host=a v="2024-02-03" {T0 + S}',
        f'n,host=a v="1e3" {T0}', f'n,host=a v="-Inf" {T0 + S}', f'n,host=a v=".5" {T0 + 2 * S}',
    ])


def convert(engine, measurement, fn):
    """The converted values of one series (rules on and off alike), and the result's type."""
    flux = RANGE + f' |> filter(fn: (r) => r._measurement == "{measurement}") |> {fn}()'
    (result,) = agree(engine, flux, lambda t: (t.frame.schema["_value"],
                                               t.frame["_value"].to_list()))
    return result


def test_to_float(engine):
    assert convert(engine, "i", "toFloat") == (pl.Float64, [1.0, -3.0])
    assert convert(engine, "u", "toFloat") == (pl.Float64, [1.0, 2.0**64])
    assert convert(engine, "b", "toFloat") == (pl.Float64, [1.0, 0.0])
    assert convert(engine, "n", "toFloat") == (pl.Float64, [1000.0, -math.inf, 0.5])


def test_to_int_truncates_floats_and_wraps_uints(engine):
    with pytest.raises(FluxRuntimeError, match="cannot convert float 1000000000000000000000 "
                                               "to int"):
        convert(engine, "f", "toInt")
    assert convert(engine, "u", "toInt") == (pl.Int64, [1, -1])
    assert convert(engine, "s", "toInt") == (pl.Int64, [12, -4])
    assert convert(engine, "b", "toInt") == (pl.Int64, [1, 0])


def test_to_uint_wraps_negative_ints(engine):
    assert convert(engine, "i", "toUInt") == (pl.UInt64, [1, 2**64 - 3])
    with pytest.raises(FluxRuntimeError, match='cannot convert string "-4" to uint due to '
                                               "invalid syntax"):
        convert(engine, "s", "toUInt")


def test_to_string_formats_as_flux(engine):
    assert convert(engine, "f", "toString") == (pl.String, ["1.5", "-2.75",
                                                            "1000000000000000000000", "0"])
    assert convert(engine, "b", "toString") == (pl.String, ["true", "false"])
    assert convert(engine, "u", "toString")[1] == ["1", "18446744073709551615"]


def test_to_bool(engine):
    assert convert(engine, "b", "toBool") == (pl.Boolean, [True, False])
    with pytest.raises(FluxRuntimeError, match="cannot convert uint 18446744073709551615 to "
                                               "bool, must be 0 or 1"):
        convert(engine, "u", "toBool")
    with pytest.raises(FluxRuntimeError, match="toBool: failed to evaluate map function: cannot "
                                               "convert int -3 to bool, must be 0 or 1"):
        convert(engine, "i", "toBool")
    with pytest.raises(FluxRuntimeError, match="cannot convert float 1.500000 to bool"):
        convert(engine, "f", "toBool")


def test_to_time_from_ints_and_rfc3339_text(engine):
    dtype, values = convert(engine, "d", "toTime")
    assert dtype == pl.Datetime("ns", "UTC")
    assert values == [datetime(2023, 12, 31, 23, 0, 0, 500000, tzinfo=UTC),
                      datetime(2024, 2, 3, tzinfo=UTC)]
    assert convert(engine, "i", "toTime")[1][0] == datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(FluxRuntimeError, match="cannot convert float to time"):
        convert(engine, "f", "toTime")
    with pytest.raises(FluxRuntimeError, match='cannot convert string "12" to time due to '
                                               "invalid syntax"):
        convert(engine, "s", "toTime")


def test_columns_come_out_sorted_as_map_sorts_them(engine):
    (table,) = engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "i") |> toFloat()'
                            )["_result"]
    assert table.frame.columns == ["_field", "_measurement", "_start", "_stop", "_time",
                                   "_value", "host"]
    assert table.key == ("_start", "_stop", "_field", "_measurement", "host")


def test_empty_tables_are_dropped(engine):
    kept = RANGE + ' |> filter(fn: (r) => false, onEmpty: "keep")'
    assert engine.query(kept)["_result"]
    assert engine.query(kept + " |> toString()")["_result"] == []


def test_a_missing_value_column_becomes_nulls_of_the_target_type(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._measurement == "i") |> drop(columns: ["_value"])'
    (table,) = engine.query(flux + " |> toUInt()")["_result"]
    assert table.frame.schema["_value"] == pl.UInt64
    assert table.frame["_value"].to_list() == [None, None]


# -- nulls and a _value key column, on frames built here ----------------------------------------
def run(values, target, key=("k",)):
    frame = pl.DataFrame({"k": ["a"] * len(values), "_value": values})
    out = run_convert(bare_context(), Convert(None, target, "to"),  # type: ignore[arg-type]
                      [TableStream.of(frame, key)])
    return [(t.key_record(), t.frame["_value"].to_list()) for t in out.tables()]


def test_null_converts_to_null():
    assert run([None, "7"], "int") == [({"k": "a"}, [None, 7])]
    # a null is never an error, even of a type the target does not convert
    assert run(pl.Series([None, None], dtype=pl.Float64), "time") == [({"k": "a"}, [None, None])]


def test_a_value_key_column_regroups_tables_that_now_share_a_value():
    assert run([1.2, 1.7, 2.5], "int", key=("_value",)) == [({"_value": 1}, [1, 1]),
                                                            ({"_value": 2}, [2])]


def test_float_texts_follow_go():
    assert run(pl.Series([1e-7, 123456789.125, -0.0, math.nan]), "string")[0][1] == [
        "0.0000001", "123456789.125", "-0", "NaN"]
    with pytest.raises(FluxRuntimeError, match='cannot convert string "0x10" to float'):
        run(["1", "0x10"], "float")
