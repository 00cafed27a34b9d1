"""chandeMomentumOscillator, kaufmansER and kaufmansAMA: upstream's running sums to the bit,
nulls read as 0, uint differences wrapping, short tables empty."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import bare_context, both, column_lists, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TableStream
from tsengine.stdlib.universe.momentum import (
    ChandeMomentumOscillator,
    KaufmansAMA,
    run_chande_momentum_oscillator,
    run_kaufmans_ama,
)

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
UP_DOWN = list(range(1, 16)) + list(range(14, 0, -1))


def cmo(values, n, dtype=pl.Int64, key=None):
    key = key or ["a"] * len(values)
    frame = pl.DataFrame({"k": key, "_value": pl.Series(values, dtype=dtype)})
    out = run_chande_momentum_oscillator(
        bare_context(), ChandeMomentumOscillator(None, n, ("_value",)),  # type: ignore[arg-type]
        [TableStream.of(frame, ["k"])])
    return column_lists(out, "_value")


def test_cmo_over_the_last_n_differences():
    assert cmo(UP_DOWN, 10)[0][:5] == [100.0] * 5
    assert cmo([1, 2, 1, 3], 2) == [[0.0, 33.333333333333336]]
    assert cmo([1, 1, 1], 2) != [[0.0]]  # 0 / 0: NaN


def test_cmo_reads_nulls_as_zero_and_keeps_tables_apart():
    assert cmo([4, None, 4], 1) == [[-100.0, 100.0]]
    assert cmo([1, 5, 2, 7, 3], 1, key=["a", "b", "a", "b", "a"]) == [[100.0, 100.0], [100.0]]


def test_cmo_of_a_uint_decrease_wraps_as_upstream():
    assert cmo([5, 3, 8], 2, pl.UInt64) == [[100.0]]


def test_cmo_of_a_string_column_is_an_error():
    frame = pl.DataFrame({"k": ["a"], "_value": ["x"]})
    with pytest.raises(FluxRuntimeError, match="cannot take chande momentum oscillator"):
        run_chande_momentum_oscillator(
            bare_context(), ChandeMomentumOscillator(None, 1, ("_value",)),  # type: ignore[arg-type]
            [TableStream.of(frame, ["k"])])


def kama(values, n):
    frame = pl.DataFrame({"k": ["a"] * len(values), "_value": values})
    out = run_kaufmans_ama(bare_context(), KaufmansAMA(None, n, "_value"),  # type: ignore[arg-type]
                           [TableStream.of(frame, ["k"])])
    return column_lists(out, "_value")


def test_kama_is_upstreams_to_the_bit():
    (got,) = kama(UP_DOWN, 10)
    assert got[:2] == [10.444444444444445, 11.135802469135802]
    assert got[-3:] == [4.727736717272135, 3.515409287373408, 2.3974496040963373]
    assert kama([1, 2], 2) == [[]]


def test_kama_period_must_be_positive():
    with pytest.raises(FluxRuntimeError, match="cannot take KaufmansAMA with a period of 0"):
        kama([1, 2], 0)


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"m,host=a v={v}i {T0 + i * S}" for i, v in enumerate(UP_DOWN)])


def test_kaufmans_er_is_the_mapped_absolute_cmo(engine):
    (table,) = both(engine, RANGE + " |> kaufmansER(n: 10)")
    assert table[1] == sorted(table[1])  # as upstream's row-by-row map: sorted by label
    assert table[2][:5] == [1.0] * 5 and all(0 <= v <= 1 for v in table[2])
