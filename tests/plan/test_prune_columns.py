"""prune_columns: a keep/drop by column list on a storage read is absorbed into the read.

Each query is checked three ways (rules on, prune_columns off, every rule off) for the same
annotated CSV, byte for byte, and its plan is checked before and after the rule.
"""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError
from tsengine.flux.values import Time

T0 = 1704067200000000000
S = 1_000_000_000
START, STOP = Time(T0), Time(T0 + 3600 * S)
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
READ = "StorageRead(bucket='b', start=2024-01-01T00:00:00Z, stop=2024-01-01T01:00:00Z"


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    # host a and b interleave in time; host c has no region; mem is another measurement
    engine.write("b", "\n".join([
        f"cpu,host=a,region=eu usage=1 {T0}",
        f"cpu,host=b,region=eu usage=2 {T0 + 1 * S}",
        f"cpu,host=a,region=eu usage=3 {T0 + 2 * S}",
        f"cpu,host=b,region=eu usage=4 {T0 + 3 * S}",
        f"cpu,host=c usage=5 {T0 + 1 * S}",
        f"cpu,host=a,region=us usage=6 {T0 + 1 * S}",
        f"mem,host=a free=7i {T0}",
    ]) + "\n")
    return engine


def both(engine, flux):
    """The tables, after checking that the rule changes nothing in the CSV."""
    on = engine.query_csv(flux)
    assert on == engine.query_csv(flux, disabled_rules=("prune_columns",))
    assert on == engine.query_csv(flux, disabled_rules=("all",))
    return [(t.key_record(), t.frame.columns, t.frame["_value"].to_list()
             if "_value" in t.frame.columns else t.frame.height)
            for t in engine.query(flux)["_result"]]


def plan(engine, flux, disabled=()):
    return [line.strip() for line in engine.explain(flux, disabled_rules=disabled).splitlines()]


CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'


def test_drop_of_a_tag_merges_series_series_by_series(engine):
    flux = CPU + ' |> drop(columns: ["host", "_start", "_stop"])'
    assert plan(engine, flux) == [
        "_result:",
        READ + ", predicate=_measurement == 'cpu', drop=['host', '_start', '_stop'])"]
    assert plan(engine, flux, ("prune_columns",))[1:] == [
        "Drop(columns=['host', '_start', '_stop'])", READ + ", predicate=_measurement == 'cpu')"]
    # a and b differ only in host: one table, rows of host a (by time), then host b
    assert both(engine, flux) == [
        ({"_field": "usage", "_measurement": "cpu"}, ["_time", "_value", "_field", "_measurement"],
         [5.0]),
        ({"_field": "usage", "_measurement": "cpu", "region": "eu"},
         ["_time", "_value", "_field", "_measurement", "region"], [1.0, 3.0, 2.0, 4.0]),
        ({"_field": "usage", "_measurement": "cpu", "region": "us"},
         ["_time", "_value", "_field", "_measurement", "region"], [6.0]),
    ]


def test_keep_of_time_and_value_merges_series_lacking_a_tag_too(engine):
    flux = CPU + ' |> keep(columns: ["_time", "_value"])'
    # _measurement is pinned by the predicate and dropped: the read never materializes it
    assert plan(engine, flux)[1] == (READ + ", predicate=_measurement == 'cpu', "
                                     "keep=['_time', '_value'], omit=['_measurement'])")
    (only,) = both(engine, flux)
    key, columns, values = only
    assert key == {} and columns == ["_time", "_value"]
    # series with region first (a/eu, a/us, b/eu by their tags), then c without region
    assert values == [1.0, 3.0, 6.0, 2.0, 4.0, 5.0]


def test_a_dropped_tag_pinned_by_the_predicate_is_omitted(engine):
    flux = (RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r.host == "a")'
            ' |> drop(columns: ["host", "_measurement"])')
    assert plan(engine, flux)[1] == (
        READ + ", predicate=(_measurement == 'cpu' and host == 'a'), "
        "drop=['host', '_measurement'], omit=['_measurement', 'host'])")
    assert both(engine, flux) == [
        ({"_start": START, "_stop": STOP, "_field": "usage", "region": "eu"},
         ["_start", "_stop", "_time", "_value", "_field", "region"], [1.0, 3.0]),
        ({"_start": START, "_stop": STOP, "_field": "usage", "region": "us"},
         ["_start", "_stop", "_time", "_value", "_field", "region"], [6.0]),
    ]


def test_only_equality_pins_a_tag(engine):
    for pred in ('r.host != "a"', 'r.host =~ /a/', 'r.host == "a" or r.host == "b"'):
        flux = (RANGE + f' |> filter(fn: (r) => r._measurement == "cpu" and ({pred}))'
                ' |> drop(columns: ["host"])')
        assert "omit=['host']" not in plan(engine, flux)[1]
        both(engine, flux)


def test_keep_without_value_still_has_every_row(engine):
    flux = CPU + ' |> keep(columns: ["_time", "region"])'
    assert plan(engine, flux)[1].endswith(
        "keep=['_time', 'region'], omit=['_measurement', '_value'])")
    assert both(engine, flux) == [
        ({}, ["_time"], 1),  # host c has no region: only _time is left
        ({"region": "eu"}, ["_time", "region"], 4),
        ({"region": "us"}, ["_time", "region"], 1),
    ]


def test_keep_and_drop_by_function_stay_in_the_plan(engine):
    for flux in (CPU + ' |> keep(fn: (column) => column == "_value" or column == "host")',
                 CPU + ' |> drop(fn: (column) => column == "host")'):
        assert plan(engine, flux) == plan(engine, flux, ("prune_columns",))
        assert plan(engine, flux)[1].endswith("(fn=<function>)")
        both(engine, flux)


def test_keep_after_a_filter_storage_cannot_take_stays_in_the_plan(engine):
    flux = CPU + ' |> filter(fn: (r) => r._value > 1.5) |> keep(columns: ["_value", "host"])'
    assert plan(engine, flux)[1] == "Keep(columns=['_value', 'host'])"
    assert plan(engine, flux)[2].startswith("Filter(")
    assert both(engine, flux) == [
        ({"host": "a"}, ["_value", "host"], [3.0, 6.0]),
        ({"host": "b"}, ["_value", "host"], [2.0, 4.0]),
        ({"host": "c"}, ["_value", "host"], [5.0]),
    ]


def test_a_filter_after_the_keep_is_not_pushed_into_the_read(engine):
    # after the drop there is no host column: r.host is null, no row passes
    flux = CPU + ' |> drop(columns: ["host"]) |> filter(fn: (r) => r.host == "a")'
    assert plan(engine, flux)[1].startswith("Filter(")
    assert "drop=['host']" in plan(engine, flux)[2]
    assert both(engine, flux) == []


def test_only_the_first_of_two_keeps_is_absorbed(engine):
    flux = CPU + ' |> drop(columns: ["region"]) |> keep(columns: ["_value", "_field"])'
    assert plan(engine, flux)[1:] == [
        "Keep(columns=['_value', '_field'])",
        READ + ", predicate=_measurement == 'cpu', drop=['region'])"]
    assert both(engine, flux) == [({"_field": "usage"}, ["_value", "_field"],
                                   [1.0, 3.0, 6.0, 2.0, 4.0, 5.0])]


def test_keeping_nothing_that_exists_gives_no_tables(engine):
    flux = CPU + ' |> keep(columns: ["nope"])'
    assert "keep=['nope']" in plan(engine, flux)[1]
    assert both(engine, flux) == []


def test_merge_errors_name_the_keep_and_where_it_was_called(engine):
    engine.write("b", f"disk,host=a,region=eu usage=9i {T0}\n")
    flux = (RANGE + ' |> filter(fn: (r) => r.host == "a" and r.region == "eu")'
            ' |> drop(columns: ["_measurement"])')
    assert "drop=['_measurement']" in plan(engine, flux)[1]
    messages = []
    for disabled in ((), ("prune_columns",), ("all",)):
        with pytest.raises(FluxRuntimeError, match="schema collision") as raised:
            engine.query(flux, disabled_rules=disabled)
        messages.append(str(raised.value))
    assert "drop: schema collision" in messages[0] and "1:" in messages[0]
    assert messages[0] == messages[1] == messages[2]



def test_a_point_without_a_field_gives_no_row_when_value_is_pruned(engine):
    engine.write("b", f"disk,host=a used=1,free=2 {T0}\ndisk,host=a used=3 {T0 + S}\n")
    flux = (RANGE + ' |> filter(fn: (r) => r._measurement == "disk")'
            ' |> keep(columns: ["_time", "_field"])')
    assert "omit=['_measurement', '_value']" in plan(engine, flux)[1]
    assert both(engine, flux) == [({"_field": "free"}, ["_time", "_field"], 1),
                                  ({"_field": "used"}, ["_time", "_field"], 2)]
