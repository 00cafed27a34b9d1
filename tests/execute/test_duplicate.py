"""duplicate: a column copied under another name, appended or overwriting in place."""

from __future__ import annotations

import pytest
from helpers import write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, f"cpu,host=a,dc=x usage=1 {T0}\ncpu,host=b,dc=x usage=2 {T0 + 1}\n")


def test_the_copy_is_appended_outside_the_key(engine):
    tables = engine.query(RANGE + ' |> duplicate(column: "host", as: "server")')["_result"]
    assert [t.frame.columns[-1] for t in tables] == ["server", "server"]
    assert [t.frame["server"].to_list() for t in tables] == [["a"], ["b"]]
    assert all("server" not in t.key for t in tables)


def test_overwriting_a_key_column_with_a_key_column_changes_the_key(engine):
    (table,) = engine.query(RANGE + ' |> duplicate(column: "dc", as: "host")',
                            disabled_rules=("all",))["_result"]
    assert table.key_record()["host"] == "x" and table.frame["_value"].to_list() == [1.0, 2.0]
    assert table.frame.columns[-2:] == ["dc", "host"]  # overwritten in place, not appended


def test_a_missing_source_column_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match='duplicate: column "nope" does not exist'):
        engine.query(RANGE + ' |> duplicate(column: "nope", as: "x")')
