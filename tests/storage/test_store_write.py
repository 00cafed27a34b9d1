"""Writes: field types fixed per measurement, partial writes, retention, identity and
newest-wins."""

from __future__ import annotations

import pytest
from scan_rows import T0, rows

from storage import Dropped, FieldType, LineProtocolError, Store
from storage.timeutil import DAY, HOUR, SECOND


def points(store: Store, bucket: str) -> int:
    return sum(s.points for s in store.stats(bucket))


# -- field types ---------------------------------------------------------------------------

def test_field_type_fixed_by_first_write(store):
    store.create_bucket("b")
    assert store.write("b", f"m f=1.5 {T0}").written == 1
    result = store.write("b", f"m,h=a f=2i {T0 + 1}\n"
                              f"m,h=b f=3 {T0 + 2}\n"
                              f"m,h=c f=4i,g=\"x\" {T0 + 3}\n"
                              f"other f=5i {T0 + 4}\n")
    assert result.written == 2
    assert result.dropped == [Dropped(
        "type_conflict",
        'field type conflict: input field "f" on measurement "m" is type integer, '
        "already exists as type float", 2)]
    assert result.points_dropped == 2 and result.partial
    assert result.message() == (
        'partial write: field type conflict: input field "f" on measurement "m" is type '
        "integer, already exists as type float dropped=2")
    # the conflicting points are dropped whole: g of h=c was not written either
    assert rows(store, "b") == [
        ("m", (), "f", T0, 1.5, FieldType.FLOAT),
        ("m", (("h", "b"),), "f", T0 + 2, 3.0, FieldType.FLOAT),
        ("other", (), "f", T0 + 4, 5, FieldType.INTEGER),
    ]


@pytest.mark.parametrize("when", ["hot", "compacted", "reopened"])
def test_field_type_remembered(tmp_path, clock, when):
    path = tmp_path / "d"
    store = Store.open(path, clock=clock)
    store.create_bucket("b")
    store.write("b", f"m s=\"text\",n=1u {T0}")
    if when != "hot":
        store.compact()
    if when == "reopened":
        store.close()
        store = Store.open(path, clock=clock)
    with store:
        result = store.write("b", f"m s=true {T0 + 1}\nm n=2i {T0 + 2}\nm n=3u {T0 + 3}")
        assert result.written == 1
        assert [(d.message, d.count) for d in result.dropped] == [
            ('field type conflict: input field "s" on measurement "m" is type boolean, '
             "already exists as type string", 1),
            ('field type conflict: input field "n" on measurement "m" is type integer, '
             "already exists as type unsigned", 1),
        ]
        assert [r[2:5] for r in rows(store, "b")] == [
            ("n", T0, 1), ("n", T0 + 3, 3), ("s", T0, "text")]


def test_first_occurrence_in_request_decides(store):
    store.create_bucket("b")
    result = store.write("b", f"n,a=1 x=1i,y=1 {T0}\n"
                              f"n y=2i {T0 + 1}\n"
                              f"n x=2.5 {T0 + 2}\n"
                              f"n x=7i,y=8 {T0 + 3}\n")
    assert result.written == 2
    assert sorted((d.message, d.count) for d in result.dropped) == [
        ('field type conflict: input field "x" on measurement "n" is type float, '
         "already exists as type integer", 1),
        ('field type conflict: input field "y" on measurement "n" is type integer, '
         "already exists as type float", 1),
    ]
    assert sorted(r[2:5] for r in rows(store, "b")) == [
        ("x", T0, 1), ("x", T0 + 3, 7), ("y", T0, 1.0), ("y", T0 + 3, 8.0)]


def test_first_occurrence_decides_even_when_a_later_type_comes_first_in_a_group(store):
    """The float line comes first; many integer lines later must not take over the field."""
    store.create_bucket("b")
    body = [f"m,h=x v=0.5 {T0}"] + [f"m,h=y{i} v={i}i {T0 + i}" for i in range(1, 30)]
    result = store.write("b", "\n".join(body))
    assert result.written == 1
    assert result.dropped[0].count == 29
    assert "is type integer, already exists as type float" in result.dropped[0].message
    assert store.stats("b")[0].fields == {"v": FieldType.FLOAT}


def test_dropped_point_fixes_no_type(store):
    """A point dropped for one field's type must not fix the type of its other, new fields."""
    store.create_bucket("b")
    store.write("b", f"n f=1.0 {T0}")
    result = store.write("b", f"n f=1i,g=1i {T0 + 1}\nn g=2.5 {T0 + 2}")
    assert result.written == 1
    assert [(d.message, d.count) for d in result.dropped] == [
        ('field type conflict: input field "f" on measurement "n" is type integer, '
         "already exists as type float", 1)]
    assert store.stats("b")[0].fields == {"f": FieldType.FLOAT, "g": FieldType.FLOAT}
    assert [r[2:5] for r in rows(store, "b")] == [("f", T0, 1.0), ("g", T0 + 2, 2.5)]


def test_point_dropped_inside_request_fixes_no_type(store):
    store.create_bucket("b")
    result = store.write("b", f"k a=1i {T0}\n"
                              f"k a=2.5,c=\"x\" {T0 + 1}\n"
                              f"k c=3i {T0 + 2}\n"
                              f"k c=\"y\" {T0 + 3}\n")
    assert result.written == 2
    assert [(d.message, d.count) for d in result.dropped] == [
        ('field type conflict: input field "a" on measurement "k" is type float, '
         "already exists as type integer", 1),
        ('field type conflict: input field "c" on measurement "k" is type string, '
         "already exists as type integer", 1),
    ]
    assert store.stats("b")[0].fields == {"a": FieldType.INTEGER, "c": FieldType.INTEGER}
    assert [r[2:5] for r in rows(store, "b")] == [("a", T0, 1), ("c", T0 + 2, 3)]


def test_only_dropped_points_create_no_field(store):
    store.create_bucket("b")
    store.write("b", f"n f=1.0 {T0}")
    result = store.write("b", f"n f=1i,g=1i,h=\"s\" {T0 + 1}")
    assert result.written == 0
    assert store.stats("b")[0].fields == {"f": FieldType.FLOAT}
    # g and h are still free to take any type
    assert store.write("b", f"n g=true,h=2u {T0 + 2}").written == 1
    assert store.stats("b")[0].fields == {
        "f": FieldType.FLOAT, "g": FieldType.BOOLEAN, "h": FieldType.UNSIGNED}


def test_first_reason_is_the_first_dropped_line(store):
    store.create_bucket("b")
    store.write("b", f"m x=1,y=1 {T0}\nz v=1 {T0}")
    result = store.write("b", f"m,t=1 x=2,y=\"a\" {T0 + 1}\n"
                              f"z v=1i {T0 + 1}\n"
                              f"m x=\"b\" {T0 + 2}\n"
                              f"m,t=2 y=\"c\" {T0 + 3}\n")
    assert [(d.message.split(": ", 1)[1], d.count) for d in result.dropped] == [
        ('input field "y" on measurement "m" is type string, already exists as type float', 2),
        ('input field "v" on measurement "z" is type integer, already exists as type float', 1),
        ('input field "x" on measurement "m" is type string, already exists as type float', 1),
    ]
    assert result.message().startswith('partial write: field type conflict: input field "y"')
    assert result.message().endswith("dropped=4")


def test_conflicting_points_among_kept_ones(store):
    store.create_bucket("b")
    store.write("b", f"m f=1.0 {T0}")
    result = store.write("b", f"m f=true,g=1 {T0 + 1}\nm g=2 {T0 + 2}\nm f=3 {T0 + 3}\n"
                              f"m f=\"s\",g=4 {T0 + 4}\nm g=5,h=1i {T0 + 5}")
    assert result.written == 3 and result.points_dropped == 2
    assert sorted(r[2:5] for r in rows(store, "b")) == [
        ("f", T0, 1.0), ("f", T0 + 3, 3.0), ("g", T0 + 2, 2.0), ("g", T0 + 5, 5.0),
        ("h", T0 + 5, 1)]


def test_same_field_other_measurement_other_type_is_fine(store):
    store.create_bucket("b")
    result = store.write("b", f"a f=1 {T0}\nb f=1i {T0}\nc f=\"s\" {T0}\nd f=t {T0}")
    assert result.written == 4 and not result.dropped
    assert {s.name: s.fields["f"] for s in store.stats("b")} == {
        "a": FieldType.FLOAT, "b": FieldType.INTEGER, "c": FieldType.STRING,
        "d": FieldType.BOOLEAN}


def test_syntax_error_writes_nothing(store):
    store.create_bucket("b")
    with pytest.raises(LineProtocolError):
        store.write("b", f"m f=1 {T0}\nm f= {T0}\nm f=2 {T0 + 1}")
    assert store.scan("b") == {}
    assert store.hot_rows() == 0


# -- retention on write --------------------------------------------------------------------

def test_points_outside_retention_dropped(store, clock):
    store.create_bucket("b", retention="7d")
    now = clock.now()
    cutoff = now - 7 * DAY
    result = store.write("b", f"m f=1 {cutoff - DAY}\n"
                              f"m f=2 {cutoff - 1}\n"
                              f"m f=3 {cutoff}\n"
                              f"m f=4 {now}\n"
                              f"m f=5 {now + HOUR}\n")
    assert result.written == 3
    assert result.dropped == [Dropped(
        "retention", "dropped 2 points outside retention policy of duration 168h0m0s", 2)]
    assert result.message() == (
        "partial write: dropped 2 points outside retention policy of duration 168h0m0s "
        "dropped=2")
    assert [r[3:5] for r in rows(store, "b")] == [(cutoff, 3.0), (now, 4.0), (now + HOUR, 5.0)]


def test_retention_and_type_conflict_in_one_request(store, clock):
    store.create_bucket("b", retention="1h30m")
    now = clock.now()
    store.write("b", f"m f=1 {now}")
    result = store.write("b", f"m f=1i {now - 2 * HOUR}\nm f=2i {now - HOUR}\nm f=3 {now - 1}")
    assert result.written == 1
    assert [(d.kind, d.message, d.count) for d in result.dropped] == [
        ("retention", "dropped 1 points outside retention policy of duration 1h30m0s", 1),
        ("type_conflict", 'field type conflict: input field "f" on measurement "m" is type '
                          "integer, already exists as type float", 1),
    ]
    assert result.points_dropped == 2


def test_infinite_retention_keeps_old_points(store):
    store.create_bucket("b")
    result = store.write("b", "m f=1 0\nm f=2 -1000000000")
    assert result.written == 2 and not result.dropped
    assert [r[3:5] for r in rows(store, "b")] == [(-SECOND, 2.0), (0, 1.0)]


# -- identity and newest-wins, hot, cold and both ------------------------------------------

REQUESTS = [
    f"m,host=a,dc=x f=1,g=10i {T0}\nm,host=b f=2 {T0}\nm,host=a,dc=x f=1.5 {T0 + 1}",
    f"m,dc=x,host=a f=3 {T0}\nm,host=b s=\"hi\" {T0}",
    f"m,host=a,dc=x g=20i {T0}\nm,host=a,dc=x f=1.5 {T0 + 1}\nm,host=a,dc=x f=1.5 {T0 + 1}",
    f"m,host=b f=2.5 {T0 + DAY}\nm,dc=x,host=a b=true {T0}",
]
AB = (("dc", "x"), ("host", "a"))
B = (("host", "b"),)
EXPECTED = sorted([
    ("m", AB, "b", T0, True, FieldType.BOOLEAN),
    ("m", AB, "f", T0, 3.0, FieldType.FLOAT),
    ("m", AB, "g", T0, 20, FieldType.INTEGER),
    ("m", AB, "f", T0 + 1, 1.5, FieldType.FLOAT),
    ("m", B, "f", T0, 2.0, FieldType.FLOAT),
    ("m", B, "s", T0, "hi", FieldType.STRING),
    ("m", B, "f", T0 + DAY, 2.5, FieldType.FLOAT),
], key=lambda r: r[:4])


@pytest.mark.parametrize("compact_after", [
    (), (0,), (1,), (2,), (3,), (0, 1, 2, 3), (0, 2), (1, 3),
], ids=lambda c: "compact-after-" + "-".join(map(str, c)) if c else "hot-only")
def test_identity_and_newest_wins(store, compact_after):
    store.create_bucket("b")
    for i, body in enumerate(REQUESTS):
        store.write("b", body)
        if i in compact_after:
            store.compact()
    assert rows(store, "b") == EXPECTED
    assert points(store, "b") == 4  # one row per measurement + tag set + time
    # the same once everything is compacted
    store.compact()
    assert store.hot_rows() == 0
    assert rows(store, "b") == EXPECTED
    assert points(store, "b") == 4


def test_point_written_twice_stored_once(store):
    store.create_bucket("b")
    line = f"m,t=1 f=1,i=2i {T0}"
    store.write("b", line)
    store.write("b", line)
    assert len(rows(store, "b")) == 2
    assert points(store, "b") == 1
    store.compact()
    store.write("b", line)
    assert points(store, "b") == 1
    store.compact()
    assert points(store, "b") == 1
    assert sum(p.rows for p in store.catalog.partitions(store.bucket("b").id)) == 1


def test_later_line_in_one_request_wins(store):
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {T0}\nm,h=a f=2,g=1 {T0}\nm,h=a f=3 {T0}")
    assert [r[2:5] for r in rows(store, "b")] == [("f", T0, 3.0), ("g", T0, 1.0)]


def test_tag_order_irrelevant(store):
    store.create_bucket("b")
    store.write("b", f"m,b=2,a=1,c=3 f=1 {T0}")
    store.write("b", f"m,c=3,a=1,b=2 f=5 {T0}")
    store.compact()
    store.write("b", f"m,a=1,c=3,b=2 g=6 {T0}")
    assert rows(store, "b") == [
        ("m", (("a", "1"), ("b", "2"), ("c", "3")), "f", T0, 5.0, FieldType.FLOAT),
        ("m", (("a", "1"), ("b", "2"), ("c", "3")), "g", T0, 6.0, FieldType.FLOAT),
    ]


def test_missing_tag_is_another_series(store):
    store.create_bucket("b")
    store.write("b", f"m f=1 {T0}\nm,h=a f=2 {T0}")
    store.compact()
    store.write("b", f"m f=3 {T0}")
    assert [(r[1], r[4]) for r in rows(store, "b")] == [((), 3.0), ((("h", "a"),), 2.0)]


def test_new_tag_after_compaction(store):
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {T0}")
    store.compact()
    store.write("b", f"m,h=a,z=9 f=2 {T0}\nm,h=a f=3 {T0}")
    expected = [("m", (("h", "a"),), "f", T0, 3.0, FieldType.FLOAT),
                ("m", (("h", "a"), ("z", "9")), "f", T0, 2.0, FieldType.FLOAT)]
    assert rows(store, "b") == expected
    store.compact()
    assert rows(store, "b") == expected


def test_acknowledged_write_survives_reopen(tmp_path, clock):
    with Store.open(tmp_path / "d", clock=clock) as s:
        s.create_bucket("b")
        s.write("b", REQUESTS[0])
        s.compact()
        for body in REQUESTS[1:]:
            s.write("b", body)
    with Store.open(tmp_path / "d", clock=clock) as s:
        assert rows(s, "b") == EXPECTED
        assert s.hot_rows() > 0
