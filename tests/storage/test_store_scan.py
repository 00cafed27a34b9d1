"""Scans: time range, predicates on measurement/field/tags, exact values per type, columns,
and retention hiding expired points before enforcement."""

from __future__ import annotations

import re

import polars as pl
import pytest
from scan_rows import CORE, T0, rows

from storage import And, Compare, FieldType, In, Not, Or, Predicate, Regex, Store, eq
from storage.timeutil import DAY, HOUR, MINUTE


def prepare(store: Store, state: str) -> None:
    if state == "cold":
        store.compact()


STATES = ["hot", "cold"]


# -- time range ----------------------------------------------------------------------------

@pytest.mark.parametrize("state", STATES)
def test_range_start_inclusive_stop_exclusive(store, state):
    store.create_bucket("b")
    store.write("b", "\n".join(f"m f={i} {T0 + t}" for i, t in enumerate(
        [-1, 0, 5, 9, 10, DAY - 1, DAY])))
    prepare(store, state)

    def times(start, stop):
        return [r[3] - T0 for r in rows(store, "b", start=start, stop=stop)]

    assert times(T0, T0 + 10) == [0, 5, 9]
    assert times(T0 + 5, T0 + 6) == [5]
    assert times(T0 + 5, T0 + 5) == []
    assert times(T0 + 6, T0 + 5) == []
    assert times(None, T0) == [-1]
    assert times(T0 + 10, None) == [10, DAY - 1, DAY]
    assert times(T0, T0 + DAY) == [0, 5, 9, 10, DAY - 1]
    assert times(None, None) == [-1, 0, 5, 9, 10, DAY - 1, DAY]


# -- predicates ----------------------------------------------------------------------------

DATA = [
    ("cpu", {"host": "a", "region": "eu"}, {"usage": 1.0, "n": 1, "st": "up"}),
    ("cpu", {"host": "b", "region": "us"}, {"usage": 2.0, "n": 2}),
    ("cpu", {"host": "c"}, {"usage": 3.0, "st": "down"}),
    ("cpu", {}, {"usage": 4.0}),
    ("mem", {"host": "a"}, {"used": 10.0, "n": 11}),
    ("mem", {"host": "ab", "region": "eu"}, {"used": 20.0}),
    ("disk", {"dev": "sda"}, {"free": 5, "ro": False}),
]


def _lp_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v}i"
    if isinstance(v, str):
        return f'"{v}"'
    return repr(v)


def _write_data(store: Store) -> None:
    lines = []
    for i, (m, tags, fields) in enumerate(DATA):
        key = ",".join([m, *(f"{k}={v}" for k, v in tags.items())])
        fs = ",".join(f"{k}={_lp_value(v)}" for k, v in fields.items())
        lines.append(f"{key} {fs} {T0 + i}")
    store.write("b", "\n".join(lines))


def _matches(pred: Predicate, record: dict[str, str]) -> bool:
    """Reference semantics: a comparison with a column the record lacks is false."""
    if isinstance(pred, And):
        return all(_matches(p, record) for p in pred.items)
    if isinstance(pred, Or):
        return any(_matches(p, record) for p in pred.items)
    if isinstance(pred, Not):
        return not _matches(pred.item, record)
    value = record.get(pred.column)  # type: ignore[attr-defined]
    if value is None:
        return False
    if isinstance(pred, Compare):
        return (value == pred.value) == (pred.op == "==")
    if isinstance(pred, In):
        return (value in pred.values) != pred.negate
    assert isinstance(pred, Regex)
    return (re.search(pred.pattern, value) is not None) != pred.negate


def _expected(pred: Predicate) -> list[tuple[str, str, int]]:
    out = []
    for i, (m, tags, fields) in enumerate(DATA):
        for f in fields:
            if _matches(pred, {"_measurement": m, "_field": f, **tags}):
                out.append((m, f, T0 + i))
    return sorted(out)


PREDICATES = {
    "meas==": eq("_measurement", "cpu"),
    "meas!=": Compare("_measurement", "!=", "cpu"),
    "field==": eq("_field", "n"),
    "field!=": Compare("_field", "!=", "usage"),
    "tag==": eq("host", "a"),
    "tag!=": Compare("host", "!=", "a"),
    "tag-in": In("host", ("a", "c", "zz")),
    "tag-not-in": In("host", ("a", "c"), negate=True),
    "field-in": In("_field", ("used", "st")),
    "meas-in": In("_measurement", ("mem", "disk")),
    "regex-tag": Regex("host", "^a"),
    "regex-tag-neg": Regex("host", "^a", negate=True),
    "regex-meas": Regex("_measurement", "^(cpu|disk)$"),
    "regex-field-unanchored": Regex("_field", "se"),
    "and": eq("_measurement", "cpu") & eq("region", "eu"),
    "and-field": And((eq("_measurement", "cpu"), eq("_field", "usage"), eq("host", "b"))),
    "or": eq("host", "c") | eq("_measurement", "mem"),
    "or-fields": Or((eq("_field", "free"), eq("_field", "st"))),
    "not-tag": Not(eq("host", "a")),
    "not-meas": ~eq("_measurement", "cpu"),
    "not-in-or": Not(Or((eq("region", "eu"), eq("_field", "usage")))),
    "nested": And((Or((eq("_measurement", "mem"), eq("_field", "st"))),
                   Not(Regex("host", "b$")))),
    "unknown-tag": eq("nosuch", "x"),
    "not-unknown-tag": Not(eq("nosuch", "x")),
    "unknown-meas": eq("_measurement", "nope"),
    "tag-and-tag": And((Regex("host", "a"), eq("region", "eu"))),
    "mixed-field-tag-or": Or((And((eq("_field", "n"), eq("host", "b"))), eq("dev", "sda"))),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(PREDICATES))
def test_predicates(store, state, name):
    store.create_bucket("b")
    _write_data(store)
    prepare(store, state)
    pred = PREDICATES[name]
    got = sorted((r[0], r[2], r[3]) for r in rows(store, "b", predicate=pred))
    assert got == _expected(pred)


def test_predicates_are_not_trivially_empty():
    """Guard for the table above: each predicate selects something and not everything."""
    everything = _expected(Or((eq("_measurement", "x"), Not(eq("_measurement", "x")))))
    assert len(everything) == 13
    for name, pred in PREDICATES.items():
        if name.startswith("unknown"):
            assert _expected(pred) == []
        elif name == "not-unknown-tag":
            assert _expected(pred) == everything
        else:
            assert 0 < len(_expected(pred)) < len(everything), name


@pytest.mark.parametrize("state", STATES)
def test_predicate_with_time_range_and_duplicates(store, state):
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {T0}\nm,h=b f=2 {T0}\nm,h=a f=3 {T0 + 1}")
    prepare(store, state)
    store.write("b", f"m,h=a f=9 {T0}")  # overwrite in the hot tier
    got = rows(store, "b", start=T0, stop=T0 + 1, predicate=eq("h", "a"))
    assert [(r[1], r[4]) for r in got] == [((("h", "a"),), 9.0)]


# -- values of every type ------------------------------------------------------------------

@pytest.mark.parametrize("state", ["hot", "cold", "both"])
def test_mixed_types_exact(store, state):
    store.create_bucket("b")
    body = "\n".join([
        f"v,k=f x=1.5,y=-0.0,z=1e300 {T0}",
        f"v,k=f x=0.1,y=-1.7976931348623157e308,z=5e-324 {T0 + 1}",
        f"v,k=i a=-9223372036854775808i,b=9223372036854775807i,c=0i {T0}",
        f"v,k=u p=18446744073709551615u,q=9223372036854775808u,r=0u {T0}",
        f"v,k=s s=\"he said \\\"hi\\\", ok\",t=\"\",w=\"ünï ☃\" {T0}",
        f"v,k=b t1=t,t2=FALSE,t3=True,t4=f {T0}",
    ])
    if state == "both":
        store.write("b", body)
        store.compact()
        store.write("b", f"v,k=u p=18446744073709551614u {T0 + 5}")
        store.write("b", f"v,k=u q=9223372036854775809u {T0}")  # overwrites in the hot tier
    else:
        store.write("b", body)
        prepare(store, state)
    frames = {t: lf.collect() for t, lf in store.scan("b").items()}
    assert {t: f["_value"].dtype for t, f in frames.items()} == {
        FieldType.FLOAT: pl.Float64, FieldType.INTEGER: pl.Int64,
        FieldType.UNSIGNED: pl.UInt64, FieldType.STRING: pl.String,
        FieldType.BOOLEAN: pl.Boolean}
    got = {(r[2], r[3] - T0): r[4] for r in rows(store, "b")}
    expected = {
        ("x", 0): 1.5, ("y", 0): -0.0, ("z", 0): 1e300,
        ("x", 1): 0.1, ("y", 1): -1.7976931348623157e308, ("z", 1): 5e-324,
        ("a", 0): -(2**63), ("b", 0): 2**63 - 1, ("c", 0): 0,
        ("p", 0): 2**64 - 1, ("q", 0): 2**63, ("r", 0): 0,
        ("s", 0): 'he said "hi", ok', ("t", 0): "", ("w", 0): "ünï ☃",
        ("t1", 0): True, ("t2", 0): False, ("t3", 0): True, ("t4", 0): False,
    }
    if state == "both":
        expected[("p", 5)] = 2**64 - 2
        expected[("q", 0)] = 2**63 + 1
    assert got == expected
    for key, value in expected.items():  # 1 == 1.0 == True in Python: compare types too
        assert type(got[key]) is type(value), key
    assert str(got[("y", 0)]) == "-0.0"


# -- columns -------------------------------------------------------------------------------

@pytest.mark.parametrize("state", STATES)
def test_columns_restrict_tags(store, state):
    store.create_bucket("b")
    _write_data(store)
    prepare(store, state)
    scan = store.scan("b", columns=["host"])
    for frame in scan.values():
        assert frame.collect_schema().names() == [*CORE, "host"]
    floats = scan[FieldType.FLOAT].collect()
    assert floats.height == 6
    assert sorted(floats["host"].to_list(), key=str) == [None, "a", "a", "ab", "b", "c"]

    none = store.scan("b", columns=[])
    assert all(f.collect_schema().names() == list(CORE) for f in none.values())
    assert sum(f.collect().height for f in none.values()) == 13

    # a tag used by the predicate filters but is not returned unless asked for
    eu = store.scan("b", predicate=eq("region", "eu"), columns=["host"])
    got = eu[FieldType.FLOAT].collect().sort("_value")
    assert got.columns == [*CORE, "host"]
    assert got["_value"].to_list() == [1.0, 20.0]
    assert got["host"].to_list() == ["a", "ab"]

    # all tags of every measurement when no columns are given, sorted, null where absent
    all_tags = store.scan("b")
    assert all_tags[FieldType.INTEGER].collect_schema().names() == [
        *CORE, "dev", "host", "region"]
    disk = all_tags[FieldType.BOOLEAN].collect()
    assert disk.row(0)[4:] == ("sda", None, None)


def test_columns_with_unknown_tag(store):
    store.create_bucket("b")
    _write_data(store)
    frame = store.scan("b", columns=["dev", "nosuch"])[FieldType.INTEGER].collect()
    assert frame.columns == [*CORE, "dev"]
    assert sorted(frame["dev"].to_list(), key=str) == [None, None, None, "sda"]


# -- retention hides expired points before enforcement --------------------------------------

@pytest.mark.parametrize("state", STATES)
def test_expired_points_never_returned(store, clock, state):
    store.create_bucket("b", retention="1h")
    now = clock.now()
    store.write("b", f"m,h=a f=1 {now - 50 * MINUTE}\nm,h=a f=2 {now - 10 * MINUTE}\n"
                     f"m,h=a f=3 {now + 30 * MINUTE}")
    prepare(store, state)
    assert [r[4] for r in rows(store, "b")] == [1.0, 2.0, 3.0]
    clock.set(now + 20 * MINUTE)  # cutoff now - 40m: the first point expired
    assert [r[4] for r in rows(store, "b")] == [2.0, 3.0]
    assert [r[4] for r in rows(store, "b", start=now - HOUR, stop=now)] == [2.0]
    assert [r[4] for r in rows(store, "b", predicate=eq("h", "a"))] == [2.0, 3.0]
    assert sum(s.points for s in store.stats("b")) == 2
    assert sum(s.frame.height for s in store.segments("b")) == 2
    clock.set(now + 2 * HOUR)
    assert store.scan("b") == {} or all(f.collect().height == 0
                                        for f in store.scan("b").values())
    clock.set(now)  # nothing was deleted: moving back shows everything again
    assert [r[4] for r in rows(store, "b")] == [1.0, 2.0, 3.0]


def test_expired_partitions_not_planned(store, clock):
    store.create_bucket("b", retention="1d")
    now = clock.now()
    store.write("b", f"m f=1 {now - DAY + HOUR}\nm f=2 {now}")
    store.compact()
    assert len(store.plan_scan("b").files) == 2
    clock.set(now + 2 * HOUR)  # the whole first day is older than the retention now
    assert len(store.plan_scan("b").files) == 1
    assert [r[4] for r in rows(store, "b")] == [2.0]


def test_retention_change_applies_to_reads(store, clock):
    store.create_bucket("b")
    now = clock.now()
    store.write("b", f"m f=1 {now - 3 * DAY}\nm f=2 {now - HOUR}")
    assert len(rows(store, "b")) == 2
    store.update_bucket("b", retention="2d")
    assert [r[4] for r in rows(store, "b")] == [2.0]
    store.update_bucket("b", retention="0")
    assert len(rows(store, "b")) == 2


@pytest.mark.parametrize("pattern", ["(", "[a", "(?=a)", "a{2,1}", r"\1"])
def test_bad_regex_is_invalid_argument(store, pattern):
    from storage import InvalidArgument, StorageError

    store.create_bucket("b")
    _write_data(store)
    with pytest.raises(InvalidArgument, match="invalid regular expression") as info:
        store.scan("b", predicate=Regex("host", pattern))
    assert isinstance(info.value, StorageError)
    with pytest.raises(InvalidArgument):
        Regex("_measurement", pattern)


def test_bad_comparison_is_invalid_argument():
    from storage import InvalidArgument

    with pytest.raises(InvalidArgument, match="unsupported comparison"):
        Compare("host", "<", "a")


@pytest.mark.parametrize("state", STATES)
def test_empty_in(store, state):
    store.create_bucket("b")
    _write_data(store)
    prepare(store, state)
    assert rows(store, "b", predicate=In("host", ())) == []
    got = rows(store, "b", predicate=In("host", (), negate=True))
    assert len(got) == 10  # every value of a series that has a host tag
    assert sorted((r[0], r[2], r[3]) for r in got) == _expected(In("host", (), negate=True))
    assert rows(store, "b", predicate=In("_field", ())) == []


def test_in_accepts_a_list(store):
    store.create_bucket("b")
    _write_data(store)
    pred = In("host", ["a", "c"])  # type: ignore[arg-type]
    assert pred == In("host", ("a", "c"))
    got = sorted((r[0], r[2], r[3]) for r in rows(store, "b", predicate=pred))
    assert got == _expected(In("host", ("a", "c")))


@pytest.mark.parametrize("state", STATES)
def test_odd_names_round_trip(store, state):
    store.create_bucket("b")
    store.write("b", 'my\\ m\\,x,t\\=k=a\\ b\\,c,host=ü f\\ 1=1,"q"=2i,sel\\=ect=3 '
                     f"{T0}\nmy\\ m\\,x,t\\=k=a\\ b\\,c,host=ü f\\ 1=4 {T0 + 1}")
    prepare(store, state)
    assert rows(store, "b", predicate=eq("t=k", "a b,c") & eq("_measurement", "my m,x")) == [
        ("my m,x", (("host", "ü"), ("t=k", "a b,c")), '"q"', T0, 2, FieldType.INTEGER),
        ("my m,x", (("host", "ü"), ("t=k", "a b,c")), "f 1", T0, 1.0, FieldType.FLOAT),
        ("my m,x", (("host", "ü"), ("t=k", "a b,c")), "f 1", T0 + 1, 4.0, FieldType.FLOAT),
        ("my m,x", (("host", "ü"), ("t=k", "a b,c")), "sel=ect", T0, 3.0, FieldType.FLOAT),
    ]
    assert [r[2] for r in rows(store, "b", predicate=Regex("_field", "^f "))] == ["f 1", "f 1"]


@pytest.mark.parametrize("state", ["hot", "cold"])
def test_missing_tag_compared_as_empty_string_on_request(store, state):
    """InfluxDB's storage reads a missing tag as "": `region != "eu"` keeps series without it."""
    store.create_bucket("b")
    store.write("b", f"m,region=eu f=1 {T0}\nm,region=us f=2 {T0}\nm,host=h f=3 {T0}\n"
                     f"n g=4 {T0}")
    prepare(store, state)

    def values(pred, **kw):
        return sorted(r[4] for r in rows(store, "b", predicate=pred, **kw))

    ne = Compare("region", "!=", "eu")
    assert values(ne) == [2.0]
    assert values(ne, missing_tag="") == [2.0, 3.0, 4.0]
    assert values(Regex("region", "^$"), missing_tag="") == [3.0, 4.0]
    assert values(eq("region", ""), missing_tag="") == [3.0, 4.0]
    assert values(Not(eq("region", "eu")), missing_tag="") == [2.0, 3.0, 4.0]
