"""`Store.segments` (what export reads) goes day by day, across hot and cold tiers."""

from __future__ import annotations

from storage import format_lines
from storage.timeutil import DAY, parse_time

T0 = parse_time("2024-01-01T00:00:00Z")


def test_segments_come_one_day_at_a_time(store):
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {T0}\nm,h=b f=2 {T0 + 1}\nm,h=a f=3 {T0 + DAY}")
    store.compact()
    store.write("b", f"m,h=a f=4 {T0 + 2 * DAY}\nm,h=a f=5 {T0 + DAY}")  # hot; one overwrite
    segs = list(store.segments("b"))
    assert [s.height for s in segs] == [2, 1, 1]
    assert format_lines(segs).splitlines() == [
        f"m,h=a f=1.0 {T0}",
        f"m,h=b f=2.0 {T0 + 1}",
        f"m,h=a f=5.0 {T0 + DAY}",
        f"m,h=a f=4.0 {T0 + 2 * DAY}",
    ]
    # a range inside one day reads only that day
    assert [s.height for s in store.segments("b", T0 + DAY, T0 + 2 * DAY)] == [1]


def test_stats_span_all_days(store):
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {T0}\nm,h=b f=2 {T0 + DAY}\nm,h=a f=3 {T0 + 2 * DAY}")
    store.compact()
    store.write("b", f"m,h=c f=4 {T0 + 3 * DAY}")
    (stats,) = store.stats("b")
    assert (stats.series, stats.points, stats.first, stats.last) == (3, 4, T0, T0 + 3 * DAY)
