"""Errors inside stdlib functions written in Flux are placed at the script's call of them,
not at positions of the stdlib's own source."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.write("b", "m,t=a v=1 1000000000\nm,t=a v=2 2000000000\n")
    return engine


@pytest.mark.parametrize("script, line, col, message", [
    ('from(bucket: "b")\n  |> range(start: 0)\n  |> median(column: "nope")', 3, 6,
     'column "nope" does not exist'),
    ('from(bucket: "b") |> range(start: 0)\n  |> highestMax(n: "x")', 2, 6,
     "n must be an int"),
    ('import "influxdata/influxdb/schema"\n\nschema.tagValues(bucket: "nope", tag: "t")', 3, 1,
     'could not find bucket "nope"'),
])
def test_errors_point_at_the_call_in_the_script(engine, script, line, col, message):
    with pytest.raises(FluxRuntimeError, match=message) as info:
        engine.query(script)
    assert (info.value.line, info.value.column) == (line, col)


def test_a_user_function_passed_in_keeps_its_own_position(engine):
    script = ('from(bucket: "b") |> range(start: 0)\n'
              '  |> stateCount(\n'
              '      fn: (r) => r._value + "x" > 1.0)')
    with pytest.raises(FluxRuntimeError) as info:
        engine.query(script)
    assert (info.value.line, info.value.column) == (3, 18)
