"""`testing.assertEquals`, `assertEmpty`, `assertEqualValues`, `shouldError`, `load`, and the
pass-throughs of `internal/debug` and `testing/expect`."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError

HEAD = 'import "array"\nimport "testing"\n'
A = "array.from(rows: [{v: 1}, {v: 2}])"
B = "array.from(rows: [{v: 1}, {v: 3}])"


def test_assert_equals_passes_got_on(engine):
    [table] = engine.query(HEAD + f'testing.assertEquals(name: "same", got: {A}, want: {A})'
                           )["_result"]
    assert table.frame["v"].to_list() == [1, 2]


def test_assert_equals_names_the_test_and_shows_the_diff(engine):
    with pytest.raises(FluxRuntimeError) as raised:
        engine.query(HEAD + f'{A} |> testing.assertEquals(name: "mine", want: {B})')
    message = raised.value.message
    assert message.startswith("testing.assertEquals: test mine: tables not equal\n")
    assert [line.split() for line in message.splitlines()[2:]] == [
        ["_diff", "v"], ["1"], ["-", "3"], ["+", "2"]]
    assert (raised.value.line, raised.value.column) == (3, len(A) + 5)  # the call


def test_assert_equals_other_group_keys_fail(engine):
    query = HEAD + (f'testing.assertEquals(name: "k", got: {A}, '
                    f'want: {A} |> group(columns: ["v"]))')
    with pytest.raises(FluxRuntimeError, match="testing.assertEquals: test k: "):
        engine.query(query)


def test_assert_empty(engine):
    assert engine.query(HEAD + f"{A} |> filter(fn: (r) => r.v > 5) |> testing.assertEmpty()"
                        ) == {"_result": []}
    with pytest.raises(FluxRuntimeError, match="found 1 tables that were not empty"):
        engine.query(HEAD + f"{A} |> testing.assertEmpty()")


def test_assert_equal_values(engine):
    assert engine.query(HEAD + "testing.assertEqualValues(got: 1 + 1, want: 2)"
                        ) == {"errorOutput": []}
    [table] = engine.query(HEAD + 'testing.assertEqualValues(got: "a", want: "b")'
                           )["errorOutput"]
    assert table.frame.rows() == [("-", "b"), ("+", "a")]


def test_should_error_matching_message_is_empty(engine):
    query = HEAD + 'testing.shouldError(fn: () => die(msg: "boom 42"), want: /boom \\d+/)'
    assert engine.query(query) == {"errorOutput": []}


def test_should_error_catches_errors_of_the_stream_fn_returns(engine):
    query = HEAD + ('testing.shouldError(fn: () => array.from(rows: [{v: "x"}]) '
                    '|> map(fn: (r) => ({v: int(v: r.v)})), want: /int/)')
    assert engine.query(query) == {"errorOutput": []}


def test_should_error_other_message_is_an_error_output_row(engine):
    query = HEAD + 'testing.shouldError(fn: () => die(msg: "boom"), want: /bang/)'
    [table] = engine.query(query)["errorOutput"]
    assert table.frame.rows() == [("boom",)]


def test_should_error_without_an_error_fails(engine):
    with pytest.raises(FluxRuntimeError, match="testing.shouldError: shouldError expected an "
                                               "error"):
        engine.query(HEAD + "testing.shouldError(fn: () => 1, want: /x/)")


def test_catch(engine):
    query = ('import "experimental"\nimport "array"\n'
             'e = experimental.catch(fn: () => die(msg: "no"))\n'
             'ok = experimental.catch(fn: () => 7)\n'
             'array.from(rows: [{msg: e.msg, code: e.code, value: ok.value, none: exists ok.msg}])')
    [table] = engine.query(query)["_result"]
    assert table.frame.rows() == [("no", 3, 7, False)]


def test_load_is_a_pass_through_and_an_option(engine):
    assert engine.query(HEAD + f"{A} |> testing.load()")["_result"][0].frame.height == 2
    query = HEAD + (f"option testing.load = (tables=<-) => tables |> limit(n: 1)\n"
                    f"{A} |> testing.load()")
    assert engine.query(query)["_result"][0].frame.height == 1


def test_debug_pass_throughs(engine):
    query = ('import "array"\nimport "internal/debug"\n'
             f"{A} |> debug.pass() |> debug.opaque() |> debug.slurp() "
             '|> map(fn: (r) => ({r with n: exists debug.null(type: "int")}))')
    [table] = engine.query(query)["_result"]
    assert table.frame.select("v", "n").rows() == [(1, False), (2, False)]
    assert engine.query(f'import "array"\nimport "internal/debug"\n{A} |> debug.sink()'
                        ) == {"_result": []}
    with pytest.raises(FluxRuntimeError, match="Invalid null type `nope`"):
        engine.query('import "internal/debug"\nx = debug.null(type: "nope")')


def test_expect_planner_is_accepted(engine):
    query = ('import "testing/expect"\nimport "array"\n'
             'expect.planner(rules: ["PushDownRangeRule": 1])\n' + A)
    assert engine.query(query)["_result"][0].frame.height == 2


def test_internal_testing_helpers(engine):
    head = 'import "internal/testing"\n'
    assert engine.query(head + 'testing.assertMatches(got: "abc", want: /b/)'
                        ) == {"errorOutput": []}
    assert engine.query(head + 'testing.shouldErrorWithCode(fn: () => die(msg: "bad"), '
                        'want: /ba/, code: uint(v: 3))') == {"errorOutput": []}
    with pytest.raises(FluxRuntimeError, match="Regex `z` does not match `abc`"):
        engine.query('import "internal/testing"\ntesting.assertMatches(got: "abc", want: /z/)')
