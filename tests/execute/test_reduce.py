"""reduce: sums and counts over whole frames agree with the row-by-row fold; sequential float
sums; tables without rows give the identity; key overrides; null and argument errors."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.stdlib.universe import reduce as reduce_module

T0 = 1704067200000000000
M = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
SUM_COUNT = ('reduce(fn: (r, accumulator) => ({sum: r._value + accumulator.sum, '
             'count: accumulator.count + 1}), identity: {sum: 0.5, count: 0})')


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=0.1 {T0}",
        f"cpu,host=a usage=0.2 {T0 + M}",
        f"cpu,host=a usage=0.3 {T0 + 2 * M}",
        f"cpu,host=b usage=3 {T0}",
    ])


def folded(engine, flux, column):
    return both(engine, flux, column)


def test_sums_and_counts_are_computed_over_frames_as_the_fold_computes_them(engine,
                                                                            monkeypatch):
    monkeypatch.setattr(reduce_module, "_row_by_row", _fail)
    vectorized = folded(engine, f"{CPU} |> {SUM_COUNT}", "sum")
    monkeypatch.undo()
    monkeypatch.setattr(reduce_module, "_vectorized", lambda *a: None)
    assert folded(engine, f"{CPU} |> {SUM_COUNT}", "sum") == vectorized
    # added one after another from the identity: ((0.5 + 0.1) + 0.2) + 0.3
    assert [r[2] for r in vectorized] == [[((0.5 + 0.1) + 0.2) + 0.3], [3.5]]
    assert vectorized[0][1] == ["_start", "_stop", "_field", "_measurement", "host", "count",
                                "sum"]


def test_unchanged_and_last_row_properties(engine, monkeypatch):
    monkeypatch.setattr(reduce_module, "_row_by_row", _fail)
    flux = (f"{CPU} |> reduce(fn: (r, accumulator) => ({{k: accumulator.k, t: r._time, "
            f"n: 1 + accumulator.n}}), identity: {{k: \"x\", t: 2000-01-01T00:00:00Z, n: 0}})")
    result = folded(engine, flux, "n")
    assert [r[2] for r in result] == [[3], [1]]


def test_other_functions_fold_row_by_row(engine):
    flux = (f"{CPU} |> reduce(fn: (r, accumulator) => ({{m: if r._value > accumulator.m then "
            f"r._value else accumulator.m, s: accumulator.s + r.host}}), "
            f"identity: {{m: 0.0, s: \"\"}})")
    assert [r[2] for r in folded(engine, flux, "m")] == [[0.3], [3.0]]
    assert [r[2] for r in folded(engine, flux, "s")] == [["aaa"], ["b"]]


def test_a_table_without_rows_gives_the_identity(engine):
    flux = f'{CPU} |> filter(fn: (r) => r._value > 1.0, onEmpty: "keep") |> {SUM_COUNT}'
    assert [(r[0]["host"], r[2]) for r in folded(engine, flux, "sum")] == [
        ("a", [0.5]), ("b", [3.5])]


def test_an_accumulator_property_named_like_a_key_column_sets_its_value(engine):
    flux = (f'{CPU} |> reduce(fn: (r, accumulator) => ({{host: "h" + r.host, '
            f'n: accumulator.n + 1}}), identity: {{host: "", n: 0}})')
    assert [(r[0]["host"], r[2]) for r in folded(engine, flux, "n")] == [("ha", [3]), ("hb", [1])]


@pytest.mark.parametrize(("reduce", "message"), [
    ('reduce(fn: (r, accumulator) => ({host: "x", n: 1}), identity: {host: "", n: 0})',
     "two reducers writing result to the same table"),
    ("reduce(fn: (r, accumulator) => ({x: r.nope}), identity: {x: 0.0})",
     'null values are not supported for "x" in the reduce'),
    ("reduce(fn: (r, accumulator) => ({x: accumulator.x + r.host}), identity: {x: 1})",
     "failed to evaluate reduce function"),
    ("reduce(fn: (r, accumulator) => 1, identity: {x: 1})", "must return a record"),
    ("reduce(fn: (r, acc) => acc, identity: {x: 1})", "fn must be a function of r and"),
    ("reduce(fn: (r, accumulator) => accumulator, identity: 1)",
     "identity must be an object, got int"),
])
def test_errors(engine, reduce, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(f"{CPU} |> {reduce}")


def _fail(*args, **kwargs):
    raise AssertionError("folded row by row")
