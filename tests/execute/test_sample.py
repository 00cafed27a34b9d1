"""sample: every n-th row from pos; a random start per table without pos."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"m,t=a v={i}i {T0 + i * S}" for i in range(10)]
                        + [f"m,t=b v={i}i {T0 + i * S}" for i in range(2)])


def test_every_nth_from_pos(engine):
    result = both(engine, RANGE + " |> sample(n: 3, pos: 1)")
    assert [r[2] for r in result] == [[1, 4, 7], [1]]
    assert [r[2] for r in both(engine, RANGE + " |> sample(n: 4, pos: 0)")] == [[0, 4, 8], [0]]


def test_random_start_is_one_per_table(engine):
    for _ in range(5):
        tables = engine.query(RANGE + " |> sample(n: 3)")["_result"]
        a = tables[0].frame["_value"].to_list()
        assert a in ([0, 3, 6, 9], [1, 4, 7], [2, 5, 8])


def test_a_table_past_pos_stays_empty(engine):
    tables = engine.query(RANGE + " |> sample(n: 3, pos: 2)")["_result"]
    assert [t.frame["_value"].to_list() for t in tables] == [[2, 5, 8], []]


@pytest.mark.parametrize(("args", "message"), [
    ("n: 0", "n must be a positive integer, but was 0"),
    ("n: 2, pos: 2", "pos must be less than n, but 2 >= 2"),
    ('n: 2, column: "nope"', 'no column "nope" exists'),
])
def test_errors(engine, args, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(RANGE + f" |> sample({args})")
