"""Label literals `.name` and `."a name"` (newer Flux): parsed as the string of the name, as
upstream evaluates them; a dot with no name after it is a syntax error at the dot's follower."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxSyntaxError
from tsengine.flux import ast
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.parser import parse


def value(source: str):
    program = Interpreter().run(f"x = {source}")
    return program.scope.lookup("x")


@pytest.mark.parametrize("source, text", [
    (".host", "host"), ('."a label"', "a label"), (". spaced", "spaced"), (".true", "true")])
def test_a_label_is_its_name(source, text):
    (stmt,) = parse(f"x = {source}").body
    assert isinstance(stmt.init, ast.StringLit) and stmt.init.text == text


def test_labels_in_arrays_and_index_expressions():
    assert value("[.a, .b]") == ("a", "b")
    assert value('{a: 1, b: 2}[.b]') == 2


def test_a_member_after_a_label_reads_the_string():
    with pytest.raises(Exception, match="cannot access property"):
        value(".a.b")


@pytest.mark.parametrize("source, col", [(".", 6), (".1x", 5), (".and", 6), ('."${x}"', 6)])
def test_a_dot_needs_a_name(source, col):
    with pytest.raises(FluxSyntaxError) as raised:
        parse(f"x = {source}")
    assert raised.value.column == col
