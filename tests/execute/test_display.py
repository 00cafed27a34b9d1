"""display(), bytes(), today() and timeWeightedAvg() as upstream gives them."""

from __future__ import annotations

import pytest
from helpers import write_bucket

from tsengine.flux.interpreter import Interpreter
from tsengine.flux.values import Time
from tsengine.stdlib.universe.display import go_float


def _value(expression: str, now: int = 0):
    return Interpreter(now=lambda: now).run(f"x = {expression}")["x"]


@pytest.mark.parametrize("expression, text", [
    ("display(v: {a: 1, b: 2, c: 3})", "{a: 1, b: 2, c: 3}"),
    ("display(v: [1, 2, 3])", "[1, 2, 3]"),
    ('display(v: ["a": 1, "b": 2, "c": 3])', "[a: 1, b: 2, c: 3]"),
    ('display(v: bytes(v: "abc"))', "0x616263"),
    ('display(v: {bytes: bytes(v: "abc"), string: "str", array: [1, 2, 3],'
     ' dict: ["a": 1, "b": 2, "c": 3]})',
     "{\n    array: [1, 2, 3],\n    bytes: 0x616263,\n    dict: [a: 1, b: 2, c: 3],\n"
     "    string: str\n}"),
    ("display(v: [1, 2, 3, 4])", "[\n    1,\n    2,\n    3,\n    4\n]"),
    ("display(v: {a: [1, 2, 3, 4]})",
     "{a: [\n        1,\n        2,\n        3,\n        4\n    ]}"),
    ("display(v: 2024-01-01T00:00:01.500Z)", "2024-01-01T00:00:01.5Z"),
    ("display(v: 1h30m)", "1h30m"),
    ("display(v: 1000000.0)", "1e+06"),
    ("display(v: uint(v: 7))", "7"),
    ("display(v: true)", "true"),
])
def test_display_formats_as_upstream(expression, text):
    assert _value(expression) == text


@pytest.mark.parametrize("value, text", [  # each checked against Go's fmt.Println
    (0.0, "0"), (-0.0, "-0"), (1.5, "1.5"), (123456.0, "123456"), (1e6, "1e+06"),
    (1234567.0, "1.234567e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"), (1.25e-7, "1.25e-07"),
    (1e21, "1e+21"), (123456789.125, "1.23456789125e+08"), (-2.5e-5, "-2.5e-05"),
    (float("nan"), "NaN"), (float("-inf"), "-Inf"),
])
def test_floats_print_as_go_prints_them(value, text):
    assert go_float(value) == text


def test_bytes_of_strings_only_and_back():
    assert _value('bytes(v: "é")') == "é".encode()
    assert _value('string(v: bytes(v: "é"))') == "é"
    with pytest.raises(Exception, match="cannot convert int to bytes"):
        _value("bytes(v: 1)")


def test_today_is_the_utc_midnight_of_now():
    now = 1709632800 * 10**9  # 2024-03-05T10:00:00Z
    assert _value("today()", now) == Time(1709596800 * 10**9)


def test_time_weighted_average_extends_to_the_range_bounds(engine):
    write_bucket(engine, ["m,t=a v=1 1000000000", "m,t=a v=3 3000000000", "m,t=a v=5 5000000000"])
    (table,) = engine.query('from(bucket: "b") |> range(start: 0, stop: 1970-01-01T00:00:10Z)'
                            " |> timeWeightedAvg(unit: 1s)")["_result"]
    # linear from (0, 0) to (10, 10): the integral 50 over 10 s
    assert table.frame["_value"].to_list() == [5.0]
