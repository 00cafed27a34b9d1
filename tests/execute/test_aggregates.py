"""count sum mean median quantile stddev spread: one row per table, as upstream computes it."""

from __future__ import annotations

import math

import polars as pl
import pytest

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.values import Time
from tsengine.stdlib.universe.aggregates import (
    Count,
    Mean,
    Spread,
    Stddev,
    Sum,
    run_aggregate,
    welford_stddev,
)
from tsengine.stdlib.universe.quantile import Quantile, tdigest_quantile

T0 = 1704067200000000000
MIN = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.write("b", "\n".join([
        f"cpu,host=a usage=1.5 {T0}", f"cpu,host=a usage=2.5 {T0 + MIN}",
        f"cpu,host=a usage=4 {T0 + 2 * MIN}", f"cpu,host=b usage=3 {T0}",
        f"mem,host=a used=10i {T0}", f"mem,host=a used=13i {T0 + MIN}",
        f"disk,host=a io=5u {T0}", f"disk,host=a io=9u {T0 + MIN}",
        f'log,host=a msg="x" {T0}',
    ]) + "\n")
    return engine


def both(engine, flux):
    """(key, columns, _value list) per table; the same with the planner's rules on and off."""
    def run(disabled):
        return [(t.key_record(), t.frame.columns, t.frame["_value"].to_list())
                for t in engine.query(flux, disabled_rules=disabled)["_result"]]
    on = run(())
    assert repr(on) == repr(run(("all",)))  # repr: NaN equals itself
    return on


def values(result):
    return {(k["_measurement"], k.get("host")): v for k, _, v in result}


def run_on(node, frame: pl.DataFrame, key=("k",), empty=()) -> list[tuple]:
    """Run an aggregate node's implementation on one frame: (key values..., value) rows."""
    stream = TableStream([TableFrame(frame, tuple(key), list(empty))])
    out = run_aggregate(None, node, [stream])
    return sorted(row for tf in out.frames for row in tf.frame.rows())


# -- layout: storage push-down vs generic Flux ---------------------------------------------
def test_bare_count_on_a_storage_read_has_storages_layout(engine):
    result = both(engine, CPU + " |> count()")
    assert [r[1] for r in result] == [["_start", "_stop", "_value", "_field", "_measurement",
                                       "host"]] * 2
    assert values(result) == {("cpu", "a"): [3], ("cpu", "b"): [1]}


def test_aggregate_after_another_transformation_has_key_then_value(engine):
    result = both(engine, CPU + ' |> set(key: "u", value: "%") |> mean()')
    assert result[0][1] == ["_start", "_stop", "_field", "_measurement", "host", "_value"]
    assert values(result) == {("cpu", "a"): [8 / 3], ("cpu", "b"): [3.0]}


@pytest.mark.parametrize("call", ["stddev()", "spread()", "median()", 'count(column: "_time")'])
def test_other_functions_and_columns_are_never_pushed(engine, call):
    if "_time" in call:  # count takes no time column; the error comes from Flux, not storage
        with pytest.raises(FluxRuntimeError, match="unsupported aggregate column type time"):
            engine.query(CPU + f" |> {call}")
        return
    result = both(engine, CPU + f" |> {call}")
    assert result[0][1] == ["_start", "_stop", "_field", "_measurement", "host", "_value"]


def test_an_explicit_value_column_is_pushed_too(engine):
    result = both(engine, CPU + ' |> sum(column: "_value")')
    assert result[0][1][:3] == ["_start", "_stop", "_value"]


def test_a_function_can_be_called_as_aggregate_window_calls_it(engine):
    result = both(engine, f'sum(column: "_value", tables: {CPU})')
    assert values(result) == {("cpu", "a"): [8.0], ("cpu", "b"): [3.0]}



# -- window |> aggregate on a storage read (InfluxDB's PushDownWindowAggregateRule) ----------
STORAGE = ["_start", "_stop", "_value", "_field", "_measurement", "host"]
GENERIC = ["_start", "_stop", "_field", "_measurement", "host", "_value"]


@pytest.mark.parametrize("fn", ["count()", "sum()", "mean()", 'sum(column: "_value")'])
def test_an_aggregate_of_windows_storage_can_make_has_storages_layout(engine, fn):
    result = both(engine, CPU + f" |> window(every: 2m) |> {fn}")
    assert [r[1] for r in result] == [STORAGE] * 3  # a: two windows, b: one


@pytest.mark.parametrize("window", [
    "window(every: 2m, offset: 1m)", "window(every: inf)", "window(every: 1mo)",
    "window(every: 2m, createEmpty: true)"])
def test_other_windows_storage_makes(engine, window):
    result = both(engine, CPU + f" |> {window} |> count()")
    assert {tuple(r[1]) for r in result} == {tuple(STORAGE)}


def test_the_values_of_windowed_aggregates(engine):
    result = both(engine, CPU + " |> window(every: 2m) |> mean()")
    assert [(k["host"], (k["_start"].ns - T0) // MIN, v) for k, _, v in result] == [
        ("a", 0, [2.0]), ("b", 0, [3.0]), ("a", 2, [4.0])]
    empty = both(engine, CPU + ' |> filter(fn: (r) => r.host == "b")'
                 " |> window(every: 2m, createEmpty: true) |> count()")
    assert [v for _, _, v in empty] == [[1]] + [[0]] * 29


@pytest.mark.parametrize("window", [
    "window(every: 2m, period: 4m)", "window(every: 2m, offset: -1m)",
    "window(period: 2m, every: 1m)", 'window(every: 2m, location: {zone: "UTC", offset: 1h})',
    'window(every: 2m, timeColumn: "_time", startColumn: "s")'])
def test_windows_storage_cannot_make_have_key_then_value(engine, window):
    result = both(engine, CPU + f" |> {window} |> sum()")
    assert all(r[1][-1] == "_value" for r in result)


def test_windows_off_the_storage_read_have_key_then_value(engine):
    result = both(engine, CPU + ' |> set(key: "u", value: "%") |> window(every: 2m) |> count()')
    assert result[0][1][-1] == "_value"


def test_selectors_of_windows_keep_the_read_layout(engine):
    result = both(engine, CPU + " |> window(every: 2m) |> last()")
    assert {tuple(r[1]) for r in result} == {
        ("_start", "_stop", "_time", "_value", "_field", "_measurement", "host")}


def test_storages_error_for_a_windowed_sum_of_strings(engine):
    with pytest.raises(FluxRuntimeError, match="unsupported input type for sum aggregate: string"):
        engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "log")'
                     " |> window(every: 2m) |> sum()")


# -- float sums: one value after another --------------------------------------------------
def test_sums_add_in_row_order_as_upstreams_loop():
    # Polars' grouped sum() gives 0.6 here; adding left to right gives ...01, as Go does
    frame = pl.DataFrame({"k": ["a", "a", "a", "a"], "_value": [0.1, None, 0.2, 0.3]})
    assert run_on(Sum(None), frame) == [("a", 0.6000000000000001)]
    assert run_on(Mean(None), frame) == [("a", 0.6000000000000001 / 3)]
    other_order = frame.with_columns(pl.Series("_value", [0.3, 0.2, None, 0.1]))
    assert run_on(Sum(None), other_order) == [("a", 0.6)]


def test_a_sum_of_negative_zeros_is_zero_as_from_go():
    frame = pl.DataFrame({"k": ["a"], "_value": [-0.0]})
    ((_, total),) = run_on(Sum(None), frame)
    assert math.copysign(1.0, total) == 1.0


def test_sums_in_row_order_pushed_down_or_not(engine):
    engine.write("b", "\n".join(f"sums,host=a x={v} {T0 + i * MIN}"
                                 for i, v in enumerate([0.1, 0.2, 0.3])) + "\n")
    q = RANGE + ' |> filter(fn: (r) => r._measurement == "sums")'
    assert "StorageAggregate(fn=sum" in engine.explain(q + " |> sum()")
    assert values(both(engine, q + " |> sum()")) == {("sums", "a"): [0.6000000000000001]}
    assert values(both(engine, q + " |> mean()")) == {("sums", "a"): [0.6000000000000001 / 3]}
    assert values(both(engine, q + " |> window(every: 1h) |> sum()")) == {
        ("sums", "a"): [0.6000000000000001]}


# -- types -----------------------------------------------------------------------------------
def by_field(engine, flux):
    """{(field, host): (dtype, values)} of the result tables."""
    both(engine, flux)
    return {(t.key_record()["_field"], t.key_record()["host"]):
            (t.frame.schema["_value"], t.frame["_value"].to_list())
            for t in engine.query(flux)["_result"]}


NOT_LOG = RANGE + ' |> filter(fn: (r) => r._measurement != "log")'


def test_sum_keeps_the_column_type(engine):
    assert by_field(engine, NOT_LOG + " |> sum()") == {
        ("usage", "a"): (pl.Float64, [8.0]), ("usage", "b"): (pl.Float64, [3.0]),
        ("used", "a"): (pl.Int64, [23]), ("io", "a"): (pl.UInt64, [14])}


def test_mean_is_a_float(engine):
    assert by_field(engine, NOT_LOG + " |> mean()") == {
        ("usage", "a"): (pl.Float64, [8 / 3]), ("usage", "b"): (pl.Float64, [3.0]),
        ("used", "a"): (pl.Float64, [11.5]), ("io", "a"): (pl.Float64, [7.0])}


def test_count_takes_any_field_type(engine):
    assert values(both(engine, RANGE + " |> count()"))[("log", "a")] == [1]


def test_spread_keeps_the_type(engine):
    assert by_field(engine, NOT_LOG + " |> spread()") == {
        ("usage", "a"): (pl.Float64, [2.5]), ("usage", "b"): (pl.Float64, [0.0]),
        ("used", "a"): (pl.Int64, [3]), ("io", "a"): (pl.UInt64, [4])}


# -- nulls and empty tables -----------------------------------------------------------------
NULLS = pl.DataFrame({"k": ["a", "a", "a", "b"], "_value": [1.0, None, 3.0, None]})


def test_count_counts_nulls_and_the_others_skip_them():
    assert run_on(Count(None), NULLS) == [("a", 3), ("b", 1)]
    assert run_on(Sum(None), NULLS) == [("a", 4.0), ("b", None)]
    assert run_on(Mean(None), NULLS) == [("a", 2.0), ("b", None)]
    assert run_on(Spread(None), NULLS) == [("a", 2.0), ("b", None)]
    assert run_on(Stddev(None), NULLS) == [("a", math.sqrt(2)), ("b", None)]
    assert run_on(Quantile(None), NULLS) == [("a", 2.0), ("b", None)]


def test_tables_without_rows_give_zero_or_null():
    frame = NULLS.head(0)
    assert run_on(Count(None), frame, empty=[("x",)]) == [("x", 0)]
    assert run_on(Mean(None), frame, empty=[("x",)]) == [("x", None)]
    assert run_on(Quantile(None, method="exact_mean"), frame, empty=[("x",)]) == [("x", None)]


def test_time_key_values_of_empty_tables_are_kept_exactly():
    frame = pl.DataFrame(schema={"t": TIME_DTYPE, "_value": pl.Float64})
    stream = TableStream([TableFrame(frame, ("t",), [(Time(T0 + 1),)])])
    (table,) = run_aggregate(None, Count(None), [stream]).tables()
    assert table.key_values == (Time(T0 + 1),) and table.frame["_value"].to_list() == [0]


def test_no_key_gives_one_row():
    frame = pl.DataFrame({"_value": [1, 2, 3]})
    assert run_on(Sum(None), frame, key=()) == [(6,)]
    assert run_on(Count(None), frame.head(0), key=(), empty=[()]) == [(0,)]


def test_filter_keep_empty_then_count_and_mean(engine):
    q = CPU + ' |> filter(fn: (r) => r._value > 100.0, onEmpty: "keep")'
    assert values(both(engine, q + " |> count()")) == {("cpu", "a"): [0], ("cpu", "b"): [0]}
    assert values(both(engine, q + " |> mean()")) == {("cpu", "a"): [None], ("cpu", "b"): [None]}


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "message"), [
    (RANGE + ' |> mean(column: "nope")', 'mean: column "nope" does not exist'),
    (RANGE + ' |> sum(column: "host")', "cannot aggregate columns that are part of the group key"),
    (RANGE + ' |> filter(fn: (r) => r._measurement == "log") |> set(key: "u", value: "%")'
     " |> mean()", "mean: unsupported aggregate column type string"),
    (RANGE + ' |> filter(fn: (r) => r._measurement == "log") |> mean()',
     "unsupported input type for mean aggregate: string"),
    (RANGE + ' |> filter(fn: (r) => r._measurement == "log") |> sum()',
     "unsupported input type for sum aggregate: string"),
    (RANGE + ' |> filter(fn: (r) => r._measurement == "mem")'
     ' |> quantile(q: 0.5, method: "exact_mean")', "unsupported aggregate column type int"),
    (RANGE + ' |> stddev(mode: "x")', '"x" is not a valid standard deviation mode'),
    (RANGE + " |> quantile(q: 1.5)", "quantile must be between 0 and 1"),
    (RANGE + ' |> quantile(q: 0.5, method: "nope")', "unknown method nope"),
    (RANGE + ' |> quantile(q: 0.5, method: "exact_mean", compression: 5.0)',
     "compression parameter is only valid for method estimate_tdigest"),
])
def test_errors(engine, query, message):
    with pytest.raises(FluxRuntimeError, match=message.replace("(", r"\(")):
        engine.query(query)


# -- stddev ----------------------------------------------------------------------------------
def test_stddev_is_upstreams_welford_pass_to_the_last_digit():
    assert welford_stddev([1.5, 2.5, 4.0], 1) == 1.2583057392117918  # Polars gives ...916
    assert welford_stddev([1.5, 2.5, 4.0], 0) == 1.0274023338281628
    assert math.isnan(welford_stddev([1.5], 1)) and welford_stddev([1.5], 0) == 0.0
    assert welford_stddev([], 1) is None


def test_stddev_of_one_value_is_nan(engine):
    (value,) = values(both(engine, CPU + " |> stddev()"))[("cpu", "b")]
    assert math.isnan(value)


# -- quantile / median -----------------------------------------------------------------------
UPSTREAM_FLOATS = [-61.68790887989735, -6.3173755351186465, -26.049728557657513,
                   114.285955884979, 16.140262630578995, 29.50336437998469]


@pytest.mark.parametrize(("values_", "q", "compression", "want"), [
    # expectations of upstream's quantile_tdigest, median and median_compression tests
    (UPSTREAM_FLOATS, 0.75, 1000.0, 29.50336437998469),
    ([17, -44, -99, -85, 18, 99], 0.75, 1000.0, 18.0),
    ([79, 33, 97, 90, 96, 10], 0.75, 1000.0, 96.0),
    (UPSTREAM_FLOATS, 0.5, 1000.0, 4.911443547730174),
    ([55, 15, 25, 5, 105, 45], 0.5, 1.0, 41.666666666666664),
])
def test_tdigest_gives_upstreams_estimates(values_, q, compression, want):
    assert tdigest_quantile([float(v) for v in values_], q, compression) == want


def test_tdigest_over_many_values_stays_close_to_the_true_quantile():
    vs = [float((i * 7919) % 10007) for i in range(50_000)]
    assert tdigest_quantile(vs, 0.5, 1000.0) == pytest.approx(sorted(vs)[25_000], rel=1e-3)


def test_median_and_quantile_methods(engine):
    q = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r.host == "a")'
    assert values(both(engine, q + " |> median()")) == {("cpu", "a"): [2.5]}
    assert values(both(engine, q + ' |> quantile(q: 0.75, method: "exact_mean")')) == {
        ("cpu", "a"): [3.25]}
    (only,) = both(engine, q + ' |> quantile(q: 0.75, method: "exact_selector")')
    assert only[2] == [4.0] and "_time" in only[1]


def test_exact_selector_sorts_stably_and_takes_ceil_q_n_minus_one():
    from tsengine.stdlib.universe.quantile import QuantileSelector, run_quantile_selector
    frame = pl.DataFrame({"k": ["a"] * 6, "_value": [False, True, False, True, False, True],
                          "i": [0, 1, 2, 3, 4, 5]})
    stream = TableStream([TableFrame(frame, ("k",))])
    out = run_quantile_selector(None, QuantileSelector(None, "_value", 0.75), [stream])
    assert out.frames[0].frame.rows() == [("a", True, 3)]


def test_exact_selector_of_an_empty_table_is_a_row_of_nulls():
    from tsengine.stdlib.universe.quantile import QuantileSelector, run_quantile_selector
    frame = pl.DataFrame({"k": ["a"], "_value": [None], "i": [1]},
                         schema_overrides={"_value": pl.Float64})
    stream = TableStream([TableFrame(frame.head(0), ("k",), [("b",)]),
                          TableFrame(frame, ("k",))])
    out = run_quantile_selector(None, QuantileSelector(None, "_value", 0.5), [stream])
    assert sorted(r for tf in out.frames for r in tf.frame.rows()) == [
        ("a", None, None), ("b", None, None)]
