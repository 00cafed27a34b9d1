"""`group(columns: tags) |> aggregateWindow(fn: count|sum|mean)` answered from the wide rows:
the same tables (keys, columns, types, values to the last digit) as the plain plan, over
several days' files, several fields and measurements, series lacking a tag, and hot rows."""

from __future__ import annotations

import random

import pytest
from helpers import write_bucket

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 10**9
QUERY = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-03T00:00:00Z)'
         ' |> filter(fn: (r) => {filter}) |> group(columns: {columns})'
         ' |> aggregateWindow(every: {every}, fn: {fn}, createEmpty: {empty})')


def _lines(seed: int) -> list[str]:
    """Sensors over two days (so two files per measurement), values of many magnitudes so
    the order of the additions shows in the last digits; shared and jittered timestamps."""
    rng = random.Random(seed)
    lines = []
    for s in range(12):
        tags = f"sensor=s{s:02d},region=r{s % 3}" + ("" if s == 7 else f",site=x{s % 2}")
        for i in range(rng.randint(20, 60)):
            t = T0 + rng.choice([0, 1, 2]) * 43_200 * SEC + i * 600 * SEC + \
                rng.choice([0, 0, 0, 1, 7]) * SEC
            value = rng.uniform(-1, 1) * 10 ** rng.randint(-3, 6)
            lines.append(f"env,{tags} temp={value!r},hum={rng.randint(0, 100)}i {t}")
            if s % 4 == 0:
                lines.append(f"env,{tags} pres={rng.uniform(900, 1100)!r} {t}")
    for s in range(3):
        lines.append(f"other,region=r{s},site=x0 temp={rng.uniform(0, 9)!r} {T0 + s * SEC}")
    rng.shuffle(lines)
    return lines


def _tables(engine, flux, **kwargs):
    return [(t.key_record(), t.frame.columns, [str(d) for d in t.frame.dtypes],
             [repr(r) for r in t.frame.rows()])
            for t in engine.query(flux, **kwargs)["_result"]]


CASES = [
    ('r._measurement == "env" and r._field == "temp"', '["region"]', "1h", "mean", "false"),
    ('r._measurement == "env" and r._field == "temp"', '["region", "sensor"]', "3h", "sum",
     "true"),
    ('r._field == "temp"', '["region"]', "90m", "mean", "true"),  # two measurements
    ('r._measurement == "env" and r._field != "hum"', '["site"]', "1h", "mean", "false"),
    ('r._measurement == "env" and r._field != "hum"', "[]", "6h", "count", "true"),
    ('r._measurement == "env" and r._field == "hum"', '["region"]', "2h", "sum", "false"),
]


@pytest.mark.parametrize(("filter_", "columns", "every", "fn", "empty"), CASES)
def test_group_window_matches_the_plain_plan(engine, filter_, columns, every, fn, empty):
    write_bucket(engine, _lines(1))
    flux = QUERY.format(filter=filter_, columns=columns, every=every, fn=fn, empty=empty)
    hot = _tables(engine, flux)
    assert hot == _tables(engine, flux, disabled_rules=("all",))
    engine.compact()
    assert "StorageGroupWindow" in engine.explain(flux)
    compacted = _tables(engine, flux)
    assert compacted == _tables(engine, flux, disabled_rules=("all",))
    assert compacted == hot
    assert compacted and all(len(t[3]) for t in compacted)


def test_group_window_values(engine):
    write_bucket(engine, [f"m,g=a,s=1 v=0.1 {T0}", f"m,g=a,s=2 v=0.2 {T0}",
                          f"m,g=a,s=1 v=0.3 {T0 + 60 * SEC}", f"m,g=b,s=3 v=5.0 {T0}"])
    engine.compact()
    flux = QUERY.format(filter='r._measurement == "m"', columns='["g"]', every="1h", fn="sum",
                        empty="false")
    assert "StorageGroupWindow" in engine.explain(flux)
    tables = engine.query(flux)["_result"]
    assert [t.key_record()["g"] for t in tables] == ["a", "b"]
    assert tables[0].frame.columns == ["_time", "_start", "_stop", "g", "_value"]
    assert tables[0].frame["_value"].to_list() == [0.1 + 0.2 + 0.3]
    assert tables[1].frame["_value"].to_list() == [5.0]


def test_fields_of_two_types_in_a_group_are_the_plain_plans_error(engine):
    from tsengine.errors import FluxRuntimeError

    write_bucket(engine, _lines(2))
    engine.compact()
    flux = QUERY.format(filter='r._measurement == "env"', columns='["region"]', every="1h",
                        fn="count", empty="false")
    for rules in ((), ("all",)):
        with pytest.raises(FluxRuntimeError, match="cannot group float and integer types"):
            engine.query(flux, disabled_rules=rules)
