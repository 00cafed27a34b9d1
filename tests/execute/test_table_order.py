"""Splitting frames into tables in the canonical key order: tables already in key order are
taken as they come, others are sorted (nulls first, strings bytewise), whether the producer
gave where tables start (and their key values) or not, over one frame or several."""

from __future__ import annotations

import polars as pl
import pytest

from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.values import Time


def _frame(hosts: list[str | None], values: list[float], start: int = 5) -> pl.DataFrame:
    return pl.DataFrame({"_start": [start] * len(hosts), "host": hosts, "_value": values},
                        schema_overrides={"host": pl.String}
                        ).with_columns(pl.col("_start").cast(TIME_DTYPE))


def _described(stream: TableStream) -> list[tuple[tuple[object, ...], list[float]]]:
    return [(t.key_values, t.frame["_value"].to_list()) for t in stream.tables()]


@pytest.mark.parametrize("known", [False, True])
def test_tables_out_of_key_order_are_sorted_nulls_first_bytewise(known):
    hosts = ["b", "b", "a", None, "é", "Z", "z"]
    frame = _frame(hosts, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    starts = [0, 2, 3, 4, 5, 6] if known else None
    stream = TableStream([TableFrame(frame, ("_start", "host"), starts=starts)])
    five = Time(5)
    assert _described(stream) == [
        ((five, None), [4.0]), ((five, "Z"), [6.0]), ((five, "a"), [3.0]),
        ((five, "b"), [1.0, 2.0]), ((five, "z"), [7.0]), ((five, "é"), [5.0])]


def test_tables_in_key_order_with_their_key_values_given():
    frame = _frame(["a", "a", "b", "c"], [1.0, 2.0, 3.0, 4.0], start=7)
    firsts = frame[[0, 2, 3]].select("_start", "host")
    stream = TableStream([TableFrame(frame, ("_start", "host"), starts=[0, 2, 3],
                                     firsts=firsts)])
    assert _described(stream) == [
        ((Time(7), "a"), [1.0, 2.0]), ((Time(7), "b"), [3.0]), ((Time(7), "c"), [4.0])]


@pytest.mark.parametrize("known", [False, True])
def test_tables_of_several_frames_of_one_key_interleave_in_key_order(known):
    floats = _frame(["a", "c"], [1.0, 3.0])
    ints = pl.DataFrame({"_start": [5, 5], "host": ["b", "d"], "_value": [2, 4]}
                        ).with_columns(pl.col("_start").cast(TIME_DTYPE))
    stream = TableStream([
        TableFrame(floats, ("_start", "host"), starts=[0, 1] if known else None),
        TableFrame(ints, ("_start", "host"), starts=[0, 1] if known else None)])
    assert [(t.key_values[1], t.frame["_value"].to_list()) for t in stream.tables()] == [
        ("a", [1.0]), ("b", [2]), ("c", [3.0]), ("d", [4])]


def test_float_keys_with_nan_and_bool_keys_sort_as_polars_does():
    frame = pl.DataFrame({"k": [float("nan"), 1.0, -2.0], "b": [True, False, True],
                          "_value": [1, 2, 3]})
    by_float = [t.frame["_value"].to_list() for t in TableFrame(frame, ("k",)).tables()]
    assert by_float == [[3], [2], [1]]  # NaN last, as Polars orders it
    by_bool = [t.key_values for t in TableFrame(frame, ("b",)).tables()]
    assert by_bool == [(False,), (True,)]
