"""relativeStrengthIndex: upstream's averages (running mean, then Wilder's smoothing), nulls,
short tables, several columns."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import bare_context, column_lists

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TableStream
from tsengine.stdlib.universe.rsi import RelativeStrengthIndex, run_relative_strength_index


def rsi(frame, n, columns=("_value",)):
    out = run_relative_strength_index(
        bare_context(), RelativeStrengthIndex(None, n, columns),  # type: ignore[arg-type]
        [TableStream.of(frame, ["k"])])
    return out


def values(vals, dtype=pl.Int64):
    return pl.DataFrame({"k": ["a"] * len(vals), "_value": pl.Series(vals, dtype=dtype)})


def test_upstreams_values():
    out = rsi(values(list(range(1, 16)) + [14, 13, 12]), 10)
    assert column_lists(out, "_value") == [[100.0] * 5 + [90.0, 81.0, 72.9]]


def test_a_short_table_gives_one_row_from_the_means():
    assert column_lists(rsi(values([3, 1, 6]), 4), "_value") == [[80.0]]


def test_nulls_leave_the_averages_and_give_null_before_any_value():
    out = column_lists(rsi(values([None, None, None, 4, 2]), 2), "_value")
    assert out == [[None, 100.0, 100 - 100 / (1 + (4 * 0.5) / (2 * 0.5))]]


def test_listed_columns_only_and_types():
    frame = values([1, 2, 3]).with_columns(pl.Series("x", [1.0, 0.5, 0.25]))
    out = rsi(frame, 1, ("x", "nope"))
    (table,) = out.tables()
    assert table.frame["_value"].to_list() == [2, 3] and table.frame["x"].to_list() == [0.0, 0.0]
    with pytest.raises(FluxRuntimeError, match="cannot take relative strength index"):
        rsi(values(["a"], pl.String), 1)
