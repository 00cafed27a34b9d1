"""group: by/except/no columns, key order as upstream, arrival order, merges, InfluxDB's
ReadGroup key (`_start, _stop` kept) directly on a storage read."""

from __future__ import annotations

import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
NOT_ON_READ = ' |> filter(fn: (r) => r._value == r._value)'  # not pushable


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a,dc=x usage=1 {T0}",
        f"cpu,host=a,dc=x usage=2 {T0 + 2 * S}",
        f"cpu,host=b,dc=x usage=3 {T0 + S}",
        f"cpu,host=b,dc=y usage=4 {T0}",
        f"mem,host=a used=5 {T0}",
        f"mem,host=b used=6 {T0 + S}",
    ])


def run(engine, flux, column="_value"):
    """(key, key values, columns, values of `column`) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key, t.key_values, t.frame.columns,
                                          t.frame[column].to_list()))


def test_group_by_a_tag_in_flux(engine):
    result = run(engine, RANGE + NOT_ON_READ + ' |> group(columns: ["host"])')
    assert [(r[0], r[1]) for r in result] == [(("host",), ("a",)), (("host",), ("b",))]
    # arrival order: old tables in key order (_field, _measurement, dc, host), rows in order
    assert [r[3] for r in result] == [[1.0, 2.0, 5.0], [3.0, 4.0, 6.0]]


def test_group_on_a_storage_read_keeps_start_and_stop(engine):
    result = run(engine, RANGE + ' |> group(columns: ["host", "_measurement"])')
    assert [r[0] for r in result] == [("_start", "_stop", "host", "_measurement")] * 4
    result = run(engine, RANGE + " |> group()")
    assert [r[0] for r in result] == [("_start", "_stop")]


def test_group_on_time_is_not_read_group(engine):
    result = run(engine, RANGE + ' |> group(columns: ["_time"])', "host")
    assert [r[0] for r in result] == [("_time",)] * 3


def test_group_with_no_columns_merges_everything(engine):
    (only,) = run(engine, RANGE + NOT_ON_READ + ' |> group() |> sort(columns: ["_time"])')
    assert only[0] == ()
    assert sorted(only[3]) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    # union of columns: mem tables have no dc column
    assert set(only[2]) == {"_start", "_stop", "_time", "_value", "_field", "_measurement",
                            "dc", "host"}


def test_key_order_sorted_when_all_columns_were_keys(engine):
    result = run(engine, RANGE + NOT_ON_READ + ' |> group(columns: ["host", "_measurement"])')
    assert result[0][0] == ("_measurement", "host")


def test_key_order_follows_columns_when_grouping_by_a_non_key_column(engine):
    result = run(engine, RANGE + NOT_ON_READ + ' |> group(columns: ["host", "_time"])')
    assert result[0][0] == ("_time", "host")


def test_absent_columns_are_skipped(engine):
    result = run(engine, RANGE + NOT_ON_READ + ' |> group(columns: ["dc", "nope"])')
    assert [(r[0], r[1]) for r in result] == [((), ()), (("dc",), ("x",)), (("dc",), ("y",))]


def test_except(engine):
    result = run(engine, RANGE + ' |> group(columns: ["_time", "_value", "host", "_start",'
                 ' "_stop"], mode: "except")')
    assert sorted(set(r[0] for r in result)) == [("_field", "_measurement"),
                                                 ("_field", "_measurement", "dc")]
    assert [r[3] for r in result if r[1] == ("usage", "cpu", "x")] == [[1.0, 2.0, 3.0]]


def test_empty_tables_take_their_new_key(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._value > 100.0, onEmpty: "keep")'
    result = run(engine, flux + ' |> group(columns: ["_measurement"])')
    assert [(r[0], r[1], r[3]) for r in result] == [(("_measurement",), ("cpu",), []),
                                                   (("_measurement",), ("mem",), [])]
    assert run(engine, flux + ' |> group(columns: ["_value"])') == []


def test_type_clash_is_a_schema_collision(engine):
    engine.write("b", f'log,host=a msg="x" {T0}\n')
    with pytest.raises(FluxRuntimeError, match='group: schema collision detected: column '
                                               '"_value" is both of type'):
        engine.query(RANGE + NOT_ON_READ + " |> group()")
    # on the storage read, InfluxDB's storage engine words it
    with pytest.raises(FluxRuntimeError, match="group: schema collision: cannot group"):
        engine.query(RANGE + " |> group()")


def test_invalid_mode(engine):
    with pytest.raises(FluxRuntimeError, match='invalid group mode: must be "by" or "except"'):
        engine.query(RANGE + ' |> group(mode: "all")')


def test_storage_group_series_lacking_a_listed_tag_form_their_own_table(engine):
    result = run(engine, RANGE + ' |> group(columns: ["dc"]) |> sort(columns: ["_time"])')
    keys = sorted((r[0], r[1]) for r in result)
    assert [k for k, _ in keys] == [("_start", "_stop"), ("_start", "_stop", "dc"),
                                    ("_start", "_stop", "dc")]
    # the mem series have no dc: their table has no dc column (upstream keys it on "")
    (mem,) = [r for r in result if "dc" not in r[0]]
    assert "dc" not in mem[2] and sorted(mem[3]) == [5.0, 6.0]


def test_storage_group_orders_columns_and_fills_tags_a_series_lacks(engine):
    engine.write("b", f"cpu,host=a,dc=x,rack=r1 usage=9 {T0 + 5 * S}\n")
    tables = engine.query(RANGE + ' |> group(columns: ["dc"])')["_result"]
    (x,) = [t for t in tables if t.key_values[2:] == ("x",)]
    assert x.frame.columns == ["_start", "_stop", "_time", "_value", "_field", "_measurement",
                               "dc", "host", "rack"]
    assert sorted(x.frame["rack"].to_list()) == ["", "", "", "r1"]


def test_merged_tables_take_only_the_columns_of_their_parts(engine):
    engine.write("b", f"cpu,host=c,dc=z,rack=r1 usage=7 {T0}\n")
    flux = RANGE + NOT_ON_READ + ' |> group(columns: ["host"])'
    tables = {t.key_values: t.frame.columns for t in engine.query(flux)["_result"]}
    assert "rack" in tables[("c",)] and "rack" not in tables[("a",)]
