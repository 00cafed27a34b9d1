"""TableFrame: tables split by group-key values, empty tables kept, Flux types of columns."""

from __future__ import annotations

import polars as pl
import pytest

from tsengine.execute.table import (
    TIME_DTYPE,
    SchemaError,
    TableFrame,
    TableStream,
    flux_type,
    key_values,
    merge_same_keys,
)
from tsengine.flux.values import Time


def test_tables_by_key_values_with_empty_ones_in_key_order():
    frame = pl.DataFrame({"_time": [1, 2, 3], "host": ["b", "a", "b"], "_value": [1.0, 2.0, 3.0]})
    frame = frame.with_columns(pl.col("_time").cast(TIME_DTYPE))
    stream = TableStream([TableFrame(frame, ("host",), empty=[("c",), (None,)])])
    tables = list(stream.tables())
    assert [(t.key_values, t.frame["_value"].to_list()) for t in tables] == [
        ((None,), []), (("a",), [2.0]), (("b",), [1.0, 3.0]), (("c",), [])]
    assert tables[1].columns == [("_time", "time"), ("host", "string"), ("_value", "float")]
    assert tables[2].key_record() == {"host": "b"}


def test_a_frame_without_key_is_one_table_and_nothing_when_empty():
    frame = pl.DataFrame({"_value": [1, 2]})
    assert [t.frame.height for t in TableStream.of(frame, []).tables()] == [2]
    assert list(TableStream.of(frame.head(0), []).tables()) == []


def test_key_columns_must_exist_and_types_must_be_flux_types():
    with pytest.raises(SchemaError, match="not in the table"):
        TableFrame(pl.DataFrame({"a": [1]}), ("b",))
    assert [flux_type(t) for t in (pl.Boolean(), pl.Int64(), pl.UInt64(), pl.Float64(),
                                   pl.String(), TIME_DTYPE)] == [
        "bool", "int", "uint", "float", "string", "time"]
    with pytest.raises(SchemaError, match="not supported"):
        flux_type(pl.List(pl.Int64))


def test_time_key_values_keep_their_nanoseconds():
    ns = 1_704_067_200_123_456_789
    frame = pl.DataFrame({"_start": [ns, ns], "_value": [1, 2]}).with_columns(
        pl.col("_start").cast(TIME_DTYPE))
    (table,) = TableStream.of(frame, ["_start"]).tables()
    assert table.key_values == (Time(ns),)
    assert key_values(frame, ("_start",)) == {(Time(ns),)}


def test_frames_sharing_key_values_merge_and_type_collisions_fail():
    a = pl.DataFrame({"host": ["a"], "_value": [1.0]})
    b = pl.DataFrame({"host": ["a", "b"], "_value": [2.0, 3.0], "extra": ["x", "y"]})
    c = pl.DataFrame({"host": ["c"], "_value": [4.0]})
    merged = merge_same_keys([TableFrame(a, ("host",)), TableFrame(b, ("host",)),
                              TableFrame(c, ("host",))])
    assert len(merged) == 2  # c shares no key value: it stays apart
    tables = {t.key_values: t.frame.to_dict(as_series=False)
              for t in TableStream(merged).tables()}
    assert tables[("a",)] == {"host": ["a", "a"], "_value": [1.0, 2.0], "extra": [None, "x"]}
    clash = pl.DataFrame({"host": ["a"], "_value": ["s"]})
    with pytest.raises(SchemaError, match='column "_value" is both of type float and string'):
        merge_same_keys([TableFrame(a, ("host",)), TableFrame(clash, ("host",))])


def test_table_ids_name_each_table_by_one_integer():
    import polars as pl

    from tsengine.execute.pertable import table_ids

    contiguous = pl.DataFrame({"h": ["a", "a", "b", None, None], "v": [1, 2, 3, 4, 5]})
    ids, tables = table_ids(contiguous, ["h"])
    assert ids.to_list() == [0, 0, 1, 2, 2]
    assert tables.rows() == [(0, "a"), (1, "b"), (2, None)]
    interleaved = pl.DataFrame({"h": ["b", "a", "b", None], "z": [1, 1, 1, 1]})
    ids, tables = table_ids(interleaved, ["h", "z"])
    ids = ids.to_list()
    assert ids[0] == ids[2] and len({ids[0], ids[1], ids[3]}) == 3
    # one row per table, in order of first appearance
    assert tables.rows() == [(ids[0], "b", 1), (ids[1], "a", 1), (ids[3], None, 1)]
    ids, tables = table_ids(interleaved, [])
    assert ids.to_list() == [0, 0, 0, 0] and tables.rows() == [(0,)]
    assert table_ids(interleaved.head(0), [])[1].height == 0


def test_a_null_key_first_and_again_later_is_one_table():
    import polars as pl

    from tsengine.execute.pertable import table_ids

    frame = pl.DataFrame({"h": [None, "a", None]}, schema={"h": pl.String})
    ids = table_ids(frame, ["h"])[0].to_list()
    assert ids[0] == ids[2] != ids[1]
