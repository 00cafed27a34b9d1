"""`from |> range` over storage gives InfluxDB's raw-read tables."""

from __future__ import annotations

from datetime import UTC, datetime

from tsengine.execute.source import stream_from_scan
from tsengine.flux.values import Time

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z


def test_one_table_per_series_and_field_with_bounds_and_sorted_tags(store):
    store.create_bucket("b")
    store.write("b", f"cpu,host=a,Zone=z usage=1,n=5i {T0}\ncpu,host=a,Zone=z usage=2 {T0 + 10}\n"
                     f"cpu,host=b usage=3 {T0 + 5}\nmem free=4i {T0}\n")
    stream = stream_from_scan(store.scan("b"), T0, T0 + 100)
    tables = list(stream.tables())
    described = [(t.key, t.key_values[2:], t.frame["_value"].to_list()) for t in tables]
    assert sorted(described, key=lambda d: d[1]) == sorted([
        (("_start", "_stop", "Zone", "_field", "_measurement", "host"), ("z", "usage", "cpu", "a"),
         [1.0, 2.0]),
        (("_start", "_stop", "_field", "_measurement", "host"), ("usage", "cpu", "b"), [3.0]),
        (("_start", "_stop", "Zone", "_field", "_measurement", "host"), ("z", "n", "cpu", "a"),
         [5]),
        (("_start", "_stop", "_field", "_measurement"), ("free", "mem"), [4]),
    ], key=lambda d: d[1])
    first = next(t for t in tables if t.key_values[2:] == ("z", "usage", "cpu", "a"))
    assert first.frame.columns == ["_start", "_stop", "_time", "_value", "Zone", "_field",
                                   "_measurement", "host"]
    assert [c for _, c in first.columns] == ["time", "time", "time", "float", "string", "string",
                                             "string", "string"]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert first.key_values[0] == Time(T0) and first.frame["_start"].to_list() == [start, start]
