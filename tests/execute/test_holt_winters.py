"""holtWinters: the fit bit for bit as upstream's (its test's slope case), Go's pow and sort
orders the optimizer depends on, the bucketing (rounding, first row wins, null buckets, leading
nulls), output columns and times, empty tables and errors."""

from __future__ import annotations

import math

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.stdlib.math import go_pow
from tsengine.stdlib.universe.holt_winters import fit_forecast, go_int_powers
from tsengine.stdlib.universe.nelder_mead import go_sort

T0 = 1704067200000000000
MIN = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
SLOPE = [2.4750000000057724, 3.5041666666582914, 2.2541666666724955, 1.9586597766247285,
         2.1250000000035167, 1.5291029540443428, 3.204300179169086, 3.88317153452289,
         2.1294328457749447, 2.212131311446779, 2.6789434213814647, 1.9212335903300701,
         2.1872265966730393, 1.7298874531100965, 2.5666666666631417, 2.9506147113993393,
         1.8538576903864667, 1.1666666666648478, 1.3835062716186677, 0.8625000000012369]


def test_the_fit_is_upstreams_to_the_bit():
    values, sse = fit_forecast(SLOPE, [True] * len(SLOPE), 10, 0, False)
    assert values == [2.215855576602894] * 10
    # upstream's test expects ...028, one ulp away (its expectation was made where Go fuses
    # multiply-adds); gonum on amd64 gives ...026, as here
    assert sse == 10.929087808715026


def test_too_little_data_gives_nothing():
    assert fit_forecast([1.0], [True], 5, 0, False) == ([], 0.0)
    assert fit_forecast([1.0, 2.0, 3.0], [True] * 3, 5, 4, False) == ([], 0.0)
    assert fit_forecast([1.0, 2.0, 3.0], [True] * 3, 0, 0, True) == ([], 0.0)


@pytest.mark.parametrize("x", [0.3, 0.7, 0.999, 0.5, 1e-3, 1e-200, 0.0, 1.0])
def test_integer_powers_are_gos(x):
    powers = go_int_powers(x, 700)
    assert all(powers[t] == go_pow(x, float(t)) for t in range(1, 700))


def test_ties_are_left_in_gos_sort_order():
    # the permutations Go's sort.Sort (pdqsort) leaves for these values, from Go 1.19
    want = {7: [1, 6, 4, 2, 0, 5, 3],
            19: [1, 16, 11, 6, 9, 14, 4, 12, 7, 2, 17, 10, 5, 0, 15, 8, 13, 3, 18]}
    for n, order in want.items():
        values = [float((i * 7 + 3) % 5) for i in range(n)]
        ids = [[float(i)] for i in range(n)]
        go_sort(values, ids)
        assert [int(i[0]) for i in ids] == order
        assert values == sorted(values)


@pytest.fixture
def engine(engine):
    lines = [f"m,host=a v=10.0 {T0 + 10_000_000_000}", f"m,host=a v=14.0 {T0 + 20_000_000_000}",
             f"m,host=a v=12.0 {T0 + 100_000_000_000}", f"m,host=a v=15.0 {T0 + 3 * MIN}",
             f"m,host=a v=16.0 {T0 + 4 * MIN}", f"m,host=b v=1.0 {T0}"]
    return write_bucket(engine, lines)


def test_buckets_times_and_columns(engine):
    result = both(engine, RANGE + " |> holtWinters(n: 2, interval: 1m, withFit: true)")
    (key, columns, values), (key_b, _, empty) = result
    assert columns == ["_start", "_stop", "_field", "_measurement", "host", "_time", "_value"]
    # buckets: 00:00 (10; 14 is the same bucket), 00:01 none, 00:02 (12: 01:40 rounds up),
    # 00:03, 00:04; the fit of those five and two more
    y = [10.0, 0.0, 12.0, 15.0, 16.0]
    want, _ = fit_forecast(y, [True, False, True, True, True], 2, 0, True)
    assert values == want and values[0] == 10.0 and key["host"] == "a"
    assert key_b["host"] == "b" and empty == []  # one bucket: an empty table
    table = engine.query(RANGE + " |> holtWinters(n: 2, interval: 1m, withFit: true)")[
        "_result"][0]
    times = table.frame["_time"].dt.epoch("ns").to_list()
    assert times == [T0 + 10_000_000_000 + i * MIN for i in range(7)]


def test_forecast_times_follow_the_last_bucket_and_min_sse(engine):
    flux = RANGE + ' |> filter(fn: (r) => r.host == "a")' \
        ' |> holtWinters(n: 3, interval: 1m, withMinSSE: true)'
    (table,) = engine.query(flux)["_result"]
    assert table.frame["_time"].dt.epoch("ns").to_list() == [T0 + (5 + i) * MIN for i in range(3)]
    sse = table.frame["minSSE"].to_list()
    assert len(set(sse)) == 1 and math.isfinite(sse[0])


def test_a_string_column_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match="only on numerical types, got string"):
        engine.query(RANGE + ' |> holtWinters(n: 2, interval: 1m, column: "host")')


def test_nan_in_the_input_is_an_error(engine):
    flux = RANGE + ' |> map(fn: (r) => ({r with _value: r._value / 0.0 * 0.0}))' \
        ' |> holtWinters(n: 2, interval: 1m)'
    with pytest.raises(FluxRuntimeError, match="NaN/Inf in input"):
        engine.query(flux)


def test_a_missing_column_and_a_bad_interval_are_errors(engine):
    with pytest.raises(FluxRuntimeError, match="cannot find column nope"):
        engine.query(RANGE + ' |> holtWinters(n: 2, interval: 1m, column: "nope")')
    with pytest.raises(FluxRuntimeError, match="interval must be positive"):
        engine.query(RANGE + " |> holtWinters(n: 2, interval: 0s)")
