"""filter: a predicate that compiles to a constant keeps or drops every row of every frame,
whatever the frames' chunking; onEmpty "keep" with frames lacking the tested column."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)'
MINUTE = 60_000_000_000


@pytest.fixture
def engine(engine):
    # two writes: a series read back as more than one chunk
    write_bucket(engine, [f"s,host=a v={v} {T0 + i * MINUTE}" for i, v in enumerate([1, 5, 6])])
    engine.write("b", "".join(f"s,host=a v={v} {T0 + (3 + i) * MINUTE}\n"
                              for i, v in enumerate([2, 7, 3, 4])))
    engine.write("b", f"s,host=b v=9 {T0}\ns,host=b v=9 {T0 + 1}\ns,id=a v=0 {T0}\n")
    return engine


def test_a_constant_true_predicate_keeps_every_row(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r.nope == "x" or true)')
    assert [len(values) for _, _, values in result] == [7, 2, 1]


def test_a_constant_false_predicate_drops_every_table(engine):
    assert both(engine, RANGE + ' |> filter(fn: (r) => r.nope == "x")') == []


def test_on_empty_keep_with_frames_lacking_the_column(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r.id == "a", onEmpty: "keep")')
    assert [(key.get("host"), key.get("id"), values) for key, _, values in result] == [
        ("a", None, []), ("b", None, []), (None, "a", [0.0])]


def test_a_table_empty_before_the_filter_is_dropped_unless_kept(engine):
    # range on a non-storage source keeps the table it empties; filter drops it as upstream
    # does (an empty table goes through the predicate as an empty chunk)
    source = ('import "array"\narray.from(rows: [{_time: 2024-01-01T00:00:00Z, t: "a", _value: 1},'
              ' {_time: 2024-01-01T02:00:00Z, t: "b", _value: 2}])\n  |> group(columns: ["t"])\n'
              '  |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)\n')
    dropped = both(engine, source + '  |> filter(fn: (r) => true)')
    assert [(key["t"], values) for key, _, values in dropped] == [("a", [1])]
    kept = both(engine, source + '  |> filter(fn: (r) => true, onEmpty: "keep")')
    assert [(key["t"], values) for key, _, values in kept] == [("a", [1]), ("b", [])]
