"""cumulativeSum: running sums per table, types kept, nulls add nothing, other types passed."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import agree, bare_context, column_lists, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TableStream
from tsengine.stdlib.universe.cumulative_sum import CumulativeSum, run_cumulative_sum

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"i,host=a v=1i {T0}", f"i,host=a v=3i {T0 + S}", f"i,host=a v=-2i {T0 + 2 * S}",
        f"i,host=b v=5i {T0}",
        f"u,host=a v=9u {T0}", f"u,host=a v=3u {T0 + S}",
        f"f,host=a v=1.5 {T0}", f"f,host=a v=0.25 {T0 + S}",
        f's,host=a v="x" {T0}', f's,host=a v="y" {T0 + S}',
    ])


def both(engine, flux):
    """(measurement, host, _value type, values) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key_record()["_measurement"], t.key_record()["host"],
                                          t.frame.schema["_value"], t.frame["_value"].to_list()))


def test_running_sums_keep_the_type_and_restart_per_table(engine):
    assert both(engine, RANGE + " |> cumulativeSum()") == [
        ("f", "a", pl.Float64, [1.5, 1.75]),
        ("i", "a", pl.Int64, [1, 4, 2]),
        ("i", "b", pl.Int64, [5]),
        ("s", "a", pl.String, ["x", "y"]),  # not a number: passed through
        ("u", "a", pl.UInt64, [9, 12]),
    ]


def test_absent_columns_are_ignored(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._measurement == "i")'
                                  ' |> cumulativeSum(columns: ["nope"])')
    assert [r[3] for r in result] == [[1, 3, -2], [5]]


def test_columns_keep_their_place(engine):
    (table, *_) = engine.query(RANGE + " |> cumulativeSum()")["_result"]
    assert table.frame.columns == ["_start", "_stop", "_time", "_value", "_field",
                                   "_measurement", "host"]


def test_a_string_key_column_is_passed_through(engine):
    assert len(engine.query(RANGE + ' |> cumulativeSum(columns: ["host"])')["_result"]) == 5
    with pytest.raises(FluxRuntimeError, match="columns must be an array of strings"):
        engine.query(RANGE + ' |> cumulativeSum(columns: "x")')


def test_a_numeric_key_column_is_an_error():
    frame = pl.DataFrame({"v": [1, 1]})
    with pytest.raises(FluxRuntimeError, match='group key column "v"'):
        run_cumulative_sum(bare_context(), CumulativeSum(None, ("v",)),  # type: ignore[arg-type]
                           [TableStream.of(frame, ["v"])])


def run(values, dtype=pl.Int64):
    frame = pl.DataFrame({"k": ["a"] * len(values), "v": pl.Series(values, dtype=dtype)})
    out = run_cumulative_sum(bare_context(), CumulativeSum(None, ("v",)),  # type: ignore[arg-type]
                             [TableStream.of(frame, ["k"])])
    return column_lists(out, "v")


def test_a_null_row_gets_the_sum_so_far():
    assert run([None, 2, None, 3]) == [[0, 2, 2, 5]]
    assert run([None, 1.5], pl.Float64) == [[0.0, 1.5]]
    assert run([None, None], pl.UInt64) == [[0, 0]]
