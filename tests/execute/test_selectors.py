"""first last min max: one whole input row per table; empty tables stay, empty."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.values import Time
from tsengine.stdlib.universe.selectors import First, Last, Max, Min, run_selector

T0 = 1704067200000000000
MIN = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
RAW = ["_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.write("b", "\n".join([
        f"cpu,host=a usage=2 {T0}", f"cpu,host=a usage=1 {T0 + MIN}",
        f"cpu,host=a usage=5 {T0 + 2 * MIN}", f"cpu,host=a usage=1 {T0 + 3 * MIN}",
        f"cpu,host=b usage=3 {T0}", f'log,host=a msg="x" {T0}',
    ]) + "\n")
    return engine


def both(engine, flux):
    """(host, columns, rows as (minute, value)) per table, with the planner's rules on and off."""
    def run(disabled):
        out = []
        for t in engine.query(flux, disabled_rules=disabled)["_result"]:
            minutes = [(ts - datetime(2024, 1, 1, tzinfo=UTC)).seconds // 60
                       for ts in t.frame["_time"].to_list()]
            out.append((t.key_record()["host"], t.frame.columns,
                        list(zip(minutes, t.frame["_value"].to_list(), strict=True))))
        return out
    on = run(())
    assert on == run(("all",))
    return on


def test_first_and_last(engine):
    assert both(engine, CPU + " |> first()") == [("a", RAW, [(0, 2.0)]), ("b", RAW, [(0, 3.0)])]
    assert both(engine, CPU + " |> last()") == [("a", RAW, [(3, 1.0)]), ("b", RAW, [(0, 3.0)])]


def test_min_and_max_keep_the_first_of_ties(engine):
    assert both(engine, CPU + " |> min()")[0] == ("a", RAW, [(1, 1.0)])
    assert both(engine, CPU + " |> max()")[0] == ("a", RAW, [(2, 5.0)])


def test_min_and_max_of_the_time_column(engine):
    assert both(engine, CPU + ' |> max(column: "_time")')[0] == ("a", RAW, [(3, 1.0)])
    assert both(engine, CPU + ' |> min(column: "_time")')[0] == ("a", RAW, [(0, 2.0)])


def test_selectors_take_strings_but_min_and_max_do_not(engine):
    log = RANGE + ' |> filter(fn: (r) => r._measurement == "log")'
    assert both(engine, log + " |> last()") == [("a", RAW, [(0, "x")])]
    with pytest.raises(FluxRuntimeError, match=r"min: invalid use of function: "
                       r"\*universe.MinSelector has no implementation for type string"):
        engine.query(log + " |> min()")


def test_a_missing_column_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match='first: no column "nope" exists'):
        engine.query(CPU + ' |> set(key: "u", value: "%") |> first(column: "nope")')


def test_empty_tables_stay_empty(engine):
    q = CPU + ' |> filter(fn: (r) => r._value > 100.0, onEmpty: "keep") |> max()'
    assert both(engine, q) == [("a", RAW, []), ("b", RAW, [])]


def test_a_key_column_may_be_selected(engine):
    assert both(engine, CPU + ' |> last(column: "host")')[0] == ("a", RAW, [(3, 1.0)])


# -- nulls (straight on the implementation: storage reads have none) ---------------------------
FRAME = pl.DataFrame({
    "k": ["a", "a", "a", "a", "b"],
    "_value": [None, 2.0, 1.0, None, None],
    "n": [10, None, None, 40, 50],
    "s": ["w", None, None, "z", "v"],
    "t": pl.Series("t", [1, None, None, 4, 5], pl.Int64).cast(TIME_DTYPE),
})


def select(node, frame=FRAME, key=("k",)):
    stream = TableStream([TableFrame(frame, key)])
    (out,) = run_selector(None, node, [stream]).frames
    return out


def test_first_and_last_skip_nulls_and_all_null_tables_become_empty():
    first = select(First(None))
    assert first.frame.select("k", "_value", "n", "s").rows() == [("a", 2.0, None, None)]
    assert first.empty == [("b",)]
    assert select(Last(None)).frame["_value"].to_list() == [1.0]


def test_last_min_max_give_other_null_cells_as_zero_values_as_upstream_does():
    for node in (Last(None), Min(None), Max(None)):
        row = select(node).frame.row(0, named=True)
        assert (row["n"], row["s"], row["t"]) == (0, "", datetime(1970, 1, 1, tzinfo=UTC))
    assert select(Min(None)).frame["_value"].to_list() == [1.0]
    assert select(Max(None)).frame["_value"].to_list() == [2.0]


def test_uint_and_no_key():
    frame = pl.DataFrame({"_value": pl.Series("_value", [3, 1, 2], pl.UInt64)})
    assert select(Min(None), frame, ()).frame["_value"].to_list() == [1]
    assert select(Last(None), frame, ()).frame["_value"].to_list() == [2]


def test_bool_min_is_an_error():
    frame = pl.DataFrame({"k": ["a"], "_value": [True]})
    from tsengine.execute.executor import ExecContext
    from tsengine.flux.interpreter import Interpreter
    from tsengine.flux.registry import REGISTRY
    ctx = ExecContext(None, Interpreter(REGISTRY))
    with pytest.raises(FluxRuntimeError, match="MaxSelector has no implementation for type bool"):
        run_selector(ctx, Max(None), [TableStream([TableFrame(frame, ("k",))])])


def test_tables_left_without_a_row_keep_their_exact_key_values():
    # time key values to the nanosecond, null key values, and the input's own empty tables
    frame = pl.DataFrame({
        "t": pl.Series("t", [T0 + 1, T0 + 1, T0 + 2, None], pl.Int64).cast(TIME_DTYPE),
        "h": ["a", "a", None, None],
        "_value": [1.0, None, None, None],
    })
    stream = TableStream([TableFrame(frame, ("t", "h"), [(Time(T0 + 9), "z")])])
    (out,) = run_selector(None, Last(None), [stream]).frames
    assert out.frame["_value"].to_list() == [1.0]
    assert sorted(out.empty, key=repr) == sorted(
        [(Time(T0 + 9), "z"), (Time(T0 + 2), None), (None, None)], key=repr)
    assert [t.key_values for t in out.tables()][-1] == (Time(T0 + 9), "z")


def test_many_tables_with_rows_leave_no_empty_ones():
    n = 10_000
    frame = pl.DataFrame({"k": list(range(n)), "_value": [1.0] * n})
    (out,) = run_selector(None, First(None), [TableStream([TableFrame(frame, ("k",))])]).frames
    assert out.frame.height == n and out.empty == []
