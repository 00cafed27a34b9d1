"""Every class of Flux error: its message, its line:column, and the rendering with the source
line and a caret."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxError, FluxRuntimeError, FluxSyntaxError
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.parser import parse, parse_expression
from tsengine.flux.values import Record


def syntax_error(source: str) -> FluxSyntaxError:
    with pytest.raises(FluxSyntaxError) as err:
        parse(source)
    return err.value


def runtime_error(source: str, **extern) -> FluxRuntimeError:
    with pytest.raises(FluxRuntimeError) as err:
        Interpreter(now=lambda: 0).run(source, extern=extern)
    return err.value


def where(e: FluxError) -> tuple[str, int, int]:
    return e.message, e.line, e.column


# -- rendering ---------------------------------------------------------------------------------
def test_caret_rendering_of_an_unclosed_call():
    source = ('option task = {name: "t", every: 1h}\n'
              '\n'
              'from(bucket: "b"\n'
              '  |> range(start: -1h)\n')
    # `from(bucket: "b" |> range(...)` is a valid argument, so the call runs to the end
    e = syntax_error(source.replace("-1h)", "-1h"))
    assert where(e) == ("expected ')' to close the call opened at 4:11", 4, 22)
    e = syntax_error(source.replace('"b"\n', '"b",\n  x: 1\n  y: 2\n'))
    assert str(e) == ("error at 4:7: expected ')' to close the call opened at 3:5\n"
                      "    x: 1\n"
                      "        ^")


def test_caret_rendering_points_at_the_column():
    e = syntax_error("x = 1\ny = f(a: 1 b: 2)\nz = 3")
    assert str(e) == ("error at 2:12: expected ',' or ')' in the call opened at 2:6, "
                      "found identifier 'b'\n"
                      "  y = f(a: 1 b: 2)\n"
                      "             ^")


def test_caret_rendering_of_a_runtime_error():
    e = runtime_error('a = 1\nb = a + 2.0\n')
    assert str(e) == (
        "error at 2:5: cannot apply + to int and float: operands must have the same type "
        "(convert with float(v:), int(v:), ...)\n"
        "  b = a + 2.0\n"
        "      ^")


def test_rendering_without_a_position_or_source():
    assert str(FluxError("boom")) == "error: boom"
    assert str(FluxError("boom", 2, 3)) == "error at 2:3: boom"
    assert str(FluxError("boom", 9, 1, "one line")) == "error at 9:1: boom"
    assert str(FluxError("boom", 1, 3).with_source("abcdef")) == (
        "error at 1:3: boom\n  abcdef\n    ^")


def test_error_classes_are_flux_errors():
    assert issubclass(FluxSyntaxError, FluxError)
    assert issubclass(FluxRuntimeError, FluxError)


# -- syntax errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("source, message, line, column", [
    ("x = f(a: 1", "expected ')' to close the call opened at 1:6", 1, 11),
    ("x = f(", "expected ')' to close the call opened at 1:6", 1, 7),
    ("x = f(a: 1,", "expected ')' to close the call opened at 1:6", 1, 12),
    ("x = f(a: 1\ny = 2", "expected ')' to close the call opened at 1:6", 1, 11),
    ("x = [1, 2", "expected ']' to close the array opened at 1:5", 1, 10),
    ("x = [1, 2 3]", "expected ',' or ']' in the array opened at 1:5, found integer '3'",
     1, 11),
    ('x = ["a": 1', "expected ']' to close the dictionary opened at 1:5", 1, 12),
    ('x = ["a": 1, "b" 2]',
     "expected ':' after a key in the dictionary opened at 1:5, found integer '2'", 1, 18),
    ("x = {a: 1", "expected '}' to close the record opened at 1:5", 1, 10),
    ("x = {a: 1 b: 2}", "expected ',' or '}' in the record opened at 1:5, found identifier 'b'",
     1, 11),
    ("x = (1 + 2", "expected ')' to close the parenthesis opened at 1:5", 1, 11),
    ("x = (1 + 2 3)", "expected ')' in the parenthesis opened at 1:5, found integer '3'", 1, 12),
    ("x = a[1", "expected ']' to close the index opened at 1:6", 1, 8),
    ("f = (r) => {\n  return r\n", "expected '}' to close the block opened at 1:12", 2, 11),
    ("f = (a b) => a",
     "expected ',' or ')' in the parameter list opened at 1:5, found identifier 'b'", 1, 8),
    # without its `) =>` an unclosed parameter list reads as a parenthesized expression
    ("f = (a,\nb => a", "expected ')' in the parenthesis opened at 1:5, found ','", 1, 7),
])
def test_unclosed_brackets(source, message, line, column):
    assert where(syntax_error(source)) == (message, line, column)


def test_unterminated_string():
    assert where(syntax_error('x = 1\ny = "abc')) == ("string literal is not terminated", 2, 5)


def test_bad_escape():
    assert where(syntax_error('s = "tab\\z"')) == ("invalid escape sequence \\z", 1, 9)


@pytest.mark.parametrize("source, message, line, column", [
    ("x = )", "expected an expression, found ')'", 1, 5),
    ("x = 1 +", "expected an expression, found end of input", 1, 8),
    ("x = 1 +\n", "expected an expression, found end of input", 2, 1),
    ("x = if a then b", "expected 'else', found end of input", 1, 16),
    ("x = if a b else c", "expected 'then', found identifier 'b'", 1, 10),
    ("x = a.", "expected a member name after '.', found end of input", 1, 7),
    ("x = a.(b)", "expected a member name after '.', found '('", 1, 7),
    ("option = 1", "expected an option name, found '='", 1, 8),
    ("option x.y.z = 1", "expected '=' after option y, found '.'", 1, 11),
    ("import 5", "expected an import path string, found integer '5'", 1, 8),
    ("x = 1\nimport \"strings\"", "imports must come before any other statement", 2, 1),
    ("package 1", "expected a package name, found integer '1'", 1, 9),
    ("builtin x : int", "builtin declarations are not supported in scripts", 1, 1),
    ("f = () => { option x = 1\nreturn x }",
     "options can only be set at the top level of a script", 1, 13),
    ("x = {1: 2}", "expected a property name or '}' in the record opened at 1:5, found "
                   "integer '1'", 1, 6),
    ('x = {"a" 1}', "expected ':' after property 'a'", 1, 10),
    ('x = "a" $', "unexpected character '$'", 1, 9),
    ("x = 1 2 = 3", "expected an expression, found '='", 1, 9),
])
def test_unexpected_tokens(source, message, line, column):
    assert where(syntax_error(source)) == (message, line, column)


@pytest.mark.parametrize("source, column", [("x = y |> 1", 10), ("x = y |> f", 10),
                                            ("x = y |> f.g", 10), ("x = 5 |> (a) => a", 10),
                                            ('x = y |> "f"', 10)])
def test_pipe_into_a_non_call(source, column):
    assert where(syntax_error(source)) == ("the right side of |> must be a function call", 1,
                                           column)


def test_return_at_top_level():
    assert where(syntax_error("x = 1\nreturn x")) == (
        "return is only allowed inside a function body", 2, 1)


def test_duplicate_argument():
    assert where(syntax_error("f(a: 1, b: 2,\n  a: 3)")) == ("duplicate argument 'a'", 2, 3)
    assert where(syntax_error("f(a, a: 1)")) == ("duplicate argument 'a'", 1, 6)


def test_duplicate_property():
    assert where(syntax_error('x = {a: 1, "a": 2}')) == ("duplicate property 'a'", 1, 6)
    assert where(syntax_error("x = {r with b: 1, b: 2}")) == ("duplicate property 'b'", 1, 13)


def test_duplicate_parameter():
    assert where(syntax_error("f = (a, b, a=1) => a")) == ("duplicate parameter 'a'", 1, 6)


def test_two_pipe_parameters():
    assert where(syntax_error("f = (t=<-, u=<-) => t")) == (
        "a function can have only one pipe parameter (<-)", 1, 12)


def test_invalid_regex():
    assert where(syntax_error('x = "a" =~ /(b/')) == (
        "invalid regular expression /(b/: missing ), unterminated subpattern", 1, 12)


def test_interpolation_errors():
    assert where(syntax_error('x = "${}"')) == ("empty string interpolation", 1, 8)
    assert where(syntax_error('x = "${1 +}"')) == ("expected an expression, found end of input",
                                                   1, 11)
    assert where(syntax_error('x = "${a b}"')) == ("unexpected identifier 'b'", 1, 10)


def test_nesting_too_deep():
    e = syntax_error("x = " + "(" * 100 + "1" + ")" * 100)
    assert where(e) == ("the script is nested too deeply (more than 80 levels)", 1, 85)
    assert parse("x = " + "[" * 70 + "]" * 70).body[0].name == "x"


def test_parse_expression_rejects_trailing_tokens():
    with pytest.raises(FluxSyntaxError) as err:
        parse_expression("1 + 2 3")
    assert where(err.value) == ("unexpected integer '3'", 1, 7)


# -- runtime errors ----------------------------------------------------------------------------
def test_unknown_identifier():
    assert where(runtime_error("x = 1\ny = x + zz")) == ("undefined identifier zz", 2, 9)


def test_unknown_identifier_in_a_function_body_is_found_when_called():
    source = "f = (r) => r + nope\ny = 1\nz = f(r: y)"
    assert where(runtime_error(source)) == ("undefined identifier nope", 1, 16)


def test_type_mismatch_int_plus_float():
    assert where(runtime_error("f = (x) => {\n  y = x + 1.0\n  return y\n}\nz = f(x: 1)")) == (
        "cannot apply + to int and float: operands must have the same type "
        "(convert with float(v:), int(v:), ...)", 2, 7)


@pytest.mark.parametrize("expression, message", [
    ('"a" * "b"', "cannot apply * to string values"),
    ("true + false", "cannot apply + to bool values"),
    ('1 == "1"', "cannot compare int with string"),
    ("{a: 1} < {a: 2}", "cannot order record values with <"),
    ('1 =~ /a/', "=~ needs a string on the left and a regex on the right, found int and regexp"),
    ('-"a"', "cannot negate a string"),
    ("+true", "cannot apply unary + to a bool"),
    ("not 1", "the operand of not must be a bool, found int"),
    ("1 and true", "the left side of and must be a bool, found int"),
    ("true and 1", "the right side of and must be a bool, found int"),
    ("false or 1", "the right side of or must be a bool, found int"),
    ("1mo - 1d", "cannot compute 1mo - 1d: a duration's months and nanoseconds must have the "
                 "same sign"),
    ("2262-04-11T23:47:16.854775807Z + 1ns",
     "time out of range: 2262-04-11T23:47:16.854775807Z + 1ns is outside 1677-09-21..2262-04-11"),
])
def test_operator_errors(expression, message):
    assert where(runtime_error(f"x = {expression}")) == (message, 1, 5)


def test_condition_must_be_bool():
    assert where(runtime_error("x = if 1 then 2 else 3")) == (
        "an if condition must be a bool, found int", 1, 8)


def test_unknown_argument():
    source = "f = (a, b=2) => a + b\nx = f(a: 1, c: 3)"
    assert where(runtime_error(source)) == (
        "unknown argument 'c' for f() (parameters: a, b)", 2, 13)


def test_unknown_argument_of_a_builtin():
    assert where(runtime_error("x = now(at: 1)")) == (
        "unknown argument 'at' for now() (parameters: none)", 1, 9)


def test_missing_argument():
    assert where(runtime_error("f = (a, b) => a + b\nx = f(b: 1)")) == (
        "missing required argument 'a' for f()", 2, 5)
    assert where(runtime_error("x = int()")) == ("missing required argument 'v' for int()", 1, 5)


def test_missing_piped_input():
    source = "f = (tables=<-, n) => tables\nx = f(n: 1)"
    assert where(runtime_error(source)) == ("f() needs piped input (|>) for 'tables'", 2, 5)


def test_pipe_into_a_function_without_pipe_parameter():
    assert where(runtime_error("f = (x) => x\ny = 1 |> f(x: 2)")) == (
        "f() does not take piped input", 2, 10)


def test_argument_both_piped_and_given():
    assert where(runtime_error("f = (t=<-) => t\ny = 1 |> f(t: 2)")) == (
        "argument 't' is both piped and given", 2, 10)


def test_integer_division_by_zero():
    assert where(runtime_error("a = 0\nx = 10 / a")) == ("cannot divide by zero", 2, 5)
    assert where(runtime_error("x = 10 % 0")) == (
        "cannot take a remainder of division by zero", 1, 5)
    assert where(runtime_error("x = uint(v: 1) / uint(v: 0)")) == ("cannot divide by zero", 1, 5)


def test_index_out_of_bounds():
    assert where(runtime_error("xs = [1, 2, 3]\ny = xs[3]")) == (
        "index out of bounds: 3 (array length 3)", 2, 8)
    assert where(runtime_error("y = [1][-1]")) == ("index out of bounds: -1 (array length 1)",
                                                   1, 9)


def test_index_errors():
    assert where(runtime_error('y = [1]["a" + ""]')) == (
        "array index must be an int, found string", 1, 9)
    assert where(runtime_error("y = 5[0]")) == ("cannot index an int", 1, 5)


def test_missing_property_of_a_literal_record():
    assert where(runtime_error("r = {a: 1}\ny = r.b")) == ("record has no property 'b'", 2, 5)
    assert where(runtime_error("y = (1.5).b")) == ("cannot access property 'b' of a float", 1, 6)


def test_calling_a_non_function():
    assert where(runtime_error("x = 1\ny = x()")) == ("cannot call an int", 2, 5)
    assert where(runtime_error('y = "f"(a: 1)')) == ("cannot call a string", 1, 5)


def test_interpolating_null():
    e = runtime_error('s = "v=${r.missing}"', r=Record({}, row=True))
    assert where(e) == ("interpolated expression produced a null value", 1, 10)


def test_interpolating_a_composite():
    assert where(runtime_error('s = "${[1]}"')) == ("cannot interpolate an array into a string",
                                                    1, 8)
    assert where(runtime_error('s = "${{a: 1}}"')) == (
        "cannot interpolate a record into a string", 1, 8)


def test_redefining_a_variable():
    assert where(runtime_error("x = 1\nx = 2")) == (
        "variable 'x' is already defined in this block", 2, 1)


def test_function_body_without_return():
    assert where(runtime_error("f = (r) => { a = r }\ny = f(r: 1)")) == (
        "function body ended without a return statement", 1, 12)


def test_unknown_package():
    assert where(runtime_error('import "nope/pkg"\nx = 1')) == ('unknown package "nope/pkg"', 1, 1)


def test_a_package_tsengine_lacks_imports_and_its_members_are_named_as_unsupported():
    import tsengine.stdlib  # noqa: F401

    assert where(runtime_error('import "experimental/mqtt"\nx = 1\ny = mqtt.to(topic: "t")')) == (
        "mqtt.to is not supported by tsengine", 3, 5)
    assert where(runtime_error('import "not/a/flux/package"')) == (
        'unknown package "not/a/flux/package"', 1, 1)


def test_an_unsupported_function_is_named_with_its_position():
    import tsengine.stdlib  # noqa: F401  (the registered builtins and packages)

    source = 'import "experimental"\nx = 1\ny = [1] |> experimental.integral(unit: 1s)'
    assert where(runtime_error(source)) == (
        "experimental.integral is not supported by tsengine", 3, 12)
    assert where(runtime_error('import "experimental"\n\n  experimental.preview()')) == (
        "experimental.preview is not supported by tsengine", 3, 3)
    assert where(runtime_error('import e "experimental"\nx = e.preview()')) == (
        "e.preview is not supported by tsengine", 2, 5)


def test_a_record_shadowing_a_package_has_no_property():
    import tsengine.stdlib  # noqa: F401

    source = 'import "strings"\nf = (strings) => strings.nope\nx = f(strings: {a: 1})'
    assert where(runtime_error(source)) == ("record has no property 'nope'", 2, 18)


def test_an_unsupported_function_fails_a_query_with_its_position(engine):
    engine.create_bucket("b")
    with pytest.raises(FluxRuntimeError) as err:
        engine.query('import "experimental"\nfrom(bucket: "b")\n  |> range(start: -1h)\n'
                     '  |> experimental.integral(unit: 1s)')
    assert str(err.value).startswith(
        "error at 4:6: experimental.integral is not supported by tsengine")


def test_package_option_on_something_not_imported():
    assert where(runtime_error("option foo.bar = 1")) == ("'foo' is not an imported package",
                                                          1, 1)


def test_conversion_errors():
    assert where(runtime_error('x = int(v: "12x")')) == (
        'cannot convert string "12x" to int due to invalid syntax', 1, 5)
    assert where(runtime_error('x = bool(v: "yes")')) == (
        'cannot convert string "yes" to bool', 1, 5)
    assert where(runtime_error("x = bool(v: 2)")) == ("cannot convert int 2 to bool", 1, 5)
    assert where(runtime_error('x = time(v: "NotATime")')) == (
        'cannot convert string "NotATime" to time due to invalid syntax', 1, 5)
    assert where(runtime_error("x = int(v: [1])")) == ("cannot convert array to int", 1, 5)


def test_option_now_must_return_a_time():
    interp = Interpreter(now=lambda: 0)
    interp.run('option now = () => "soon"\nx = 1')
    with pytest.raises(FluxRuntimeError) as err:
        interp.now()  # as builtins (range's default stop) read it
    assert where(err.value) == ("option now must return a time, returned string", 1, 14)


def test_runtime_error_carries_the_source():
    e = runtime_error("x = 1\ny = [x][2]")
    assert e.source == "x = 1\ny = [x][2]"
    assert str(e).splitlines()[1:] == ["  y = [x][2]", "          ^"]
