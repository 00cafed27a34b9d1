"""from |> range |> filter |> yield end to end: results, pushdown plans, and the same tables
with every planner rule off."""

from __future__ import annotations

import pytest
from helpers import key_without_bounds, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z; the fixture clock is a day later
DATA = (
    f"cpu,host=a,region=eu usage=1 {T0}\n"
    f"cpu,host=b usage=2 {T0}\n"
    f"cpu,host=a,region=us usage=3 {T0 + 10**10}\n"
    f"cpu,host=a,region=us usage=4 {T0 + 2 * 10**10}\n"
    f"mem,host=a free=5i {T0}\n"
    f'log,host=a msg="hi" {T0}\n'
)
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, DATA)


def tables(engine, flux, **kw):
    """Each table as (group-key record without bounds, values)."""
    out = {}
    for name, ts in engine.query(flux, **kw).items():
        out[name] = [(key_without_bounds(t), t.frame["_value"].to_list()) for t in ts]
    return out


def both_ways(engine, flux):
    """The results with the planner's rules on and off; they must agree."""
    on = tables(engine, flux)
    off = tables(engine, flux, disabled_rules=("all",))
    assert on == off
    return on


def test_range_gives_one_table_per_series_and_field(engine):
    result = both_ways(engine, RANGE)["_result"]
    assert result == [
        ({"_field": "free", "_measurement": "mem", "host": "a"}, [5]),
        ({"_field": "msg", "_measurement": "log", "host": "a"}, ["hi"]),
        ({"_field": "usage", "_measurement": "cpu", "host": "a", "region": "eu"}, [1.0]),
        ({"_field": "usage", "_measurement": "cpu", "host": "a", "region": "us"}, [3.0, 4.0]),
        ({"_field": "usage", "_measurement": "cpu", "host": "b"}, [2.0]),
    ]
    (first, *_) = engine.query(RANGE)["_result"]
    assert first.frame.columns == ["_start", "_stop", "_time", "_value", "_field",
                                   "_measurement", "host"]
    assert first.key == ("_start", "_stop", "_field", "_measurement", "host")


def test_filter_is_pushed_and_a_missing_tag_compares_as_empty(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r.region != "eu")'
    assert both_ways(engine, flux)["_result"] == [
        ({"_field": "usage", "_measurement": "cpu", "host": "a", "region": "us"}, [3.0, 4.0]),
        ({"_field": "usage", "_measurement": "cpu", "host": "b"}, [2.0]),  # no region: kept
    ]
    plan = engine.explain(flux)
    assert "predicate=(_measurement == 'cpu' and region != 'eu')" in plan
    assert "Filter" not in plan and "Range" not in plan
    assert "Range(start=2024-01-01T00:00:00Z" in engine.explain(flux, disabled_rules=("all",))


def test_what_storage_cannot_evaluate_stays_in_the_filter(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r._value > 2.5)'
    assert both_ways(engine, flux)["_result"] == [
        ({"_field": "usage", "_measurement": "cpu", "host": "a", "region": "us"}, [3.0, 4.0]),
    ]
    plan = engine.explain(flux).splitlines()
    assert plan[1].strip().startswith("Filter(") and "predicate=_measurement == 'cpu'" in plan[2]


def test_a_filter_after_a_wholly_pushable_one_is_on_the_read_too(engine):
    # InfluxDB pushes `_value > 1.5` as well, so the second filter sits on the read: "" semantics
    flux = (RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r._value > 1.5)'
            ' |> filter(fn: (r) => r.region != "eu")')
    assert both_ways(engine, flux)["_result"] == [
        ({"_field": "usage", "_measurement": "cpu", "host": "a", "region": "us"}, [3.0, 4.0]),
        ({"_field": "usage", "_measurement": "cpu", "host": "b"}, [2.0]),
    ]


def test_flux_null_semantics_after_a_filter_storage_cannot_take(engine):
    # `r._value * 2.0 > 3.0` stays in Flux, so the next filter is not on the read: null != "eu"
    flux = (RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r._value * 2.0 > 3.0)'
            ' |> filter(fn: (r) => r.region != "eu")')
    assert both_ways(engine, flux)["_result"] == [
        ({"_field": "usage", "_measurement": "cpu", "host": "a", "region": "us"}, [3.0, 4.0]),
    ]


def test_on_empty_keep_keeps_empty_tables(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r._value > 3.5,' \
                   ' onEmpty: "keep")'
    result = both_ways(engine, flux)["_result"]  # not pushed: every table stays, most empty
    assert [v for _, v in result] == [[], [], [], [4.0], []]


def test_block_bodied_functions_run_row_by_row(engine):
    flux = (RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
            ' |> filter(fn: (r) => { x = r._value * 2.0\n return x > 5.0 })')
    assert both_ways(engine, flux)["_result"] == [
        ({"_field": "usage", "_measurement": "cpu", "host": "a", "region": "us"}, [3.0, 4.0]),
    ]


def test_regex_exists_or_and_closure_constants(engine):
    flux = ('wanted = "us"\n' + RANGE + ' |> filter(fn: (r) => r.host =~ /^a$/'
            ' and (r.region == wanted or not exists r.region))')
    assert [k.get("_measurement") for k, _ in both_ways(engine, flux)["_result"]] == [
        "mem", "log", "cpu"]


def test_yield_names_results_and_relative_ranges(engine):
    flux = ('from(bucket: "b") |> range(start: -2d) |> filter(fn: (r) => r._field == "free")'
            ' |> yield(name: "mem")\n'
            'from(bucket: "b") |> range(start: 1704067200, stop: 1704067205)'
            ' |> filter(fn: (r) => r.host == "b") |> yield(name: "b")')
    assert both_ways(engine, flux) == {
        "mem": [({"_field": "free", "_measurement": "mem", "host": "a"}, [5])],
        "b": [({"_field": "usage", "_measurement": "cpu", "host": "b"}, [2.0])],
    }


@pytest.mark.parametrize(("flux", "message"), [
    ('from(bucket: "b")', "cannot submit unbounded read"),
    ('from(bucket: "nope") |> range(start: -1h)', 'could not find bucket "nope"'),
    (RANGE + "\n" + RANGE, 'more than one result with the name "_result"'),
    ('from(bucket: "b") |> range(start: -1h, stop: -2h)', "cannot query an empty range"),
    (RANGE + ' |> filter(fn: (r) => { x = r._value * 2.0\n return x > 5.0 })',
     "cannot apply \\* to (int|string) and float"),  # other tables' values, as in Flux
    (RANGE + ' |> filter(fn: (r) => r._value > "a")', "cannot compare"),
    (RANGE + ' |> filter(fn: (r) => r._measurement == "cpu" and r._value * 2 > 1.0)',
     "cannot apply \\* to float and int"),
    (RANGE + ' |> filter(fn: (r) => r._value, onEmpty: "x")', 'onEmpty must be "drop"'),
    (RANGE + ' |> filter(fn: (r) => { return 1 })', "fn must return a bool"),
    (RANGE + ' |> filter(fn: (r, s) => true)', "fn must take exactly one parameter"),
])
def test_errors(engine, flux, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(flux)


def test_from_takes_org_by_name(engine):
    flux = ('from(bucket: "b", org: "default") |> range(start: -2d)'
            ' |> filter(fn: (r) => r.host == "b")')
    assert [v for _, v in tables(engine, flux)["_result"]] == [[2.0]]
