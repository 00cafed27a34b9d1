"""Parser golden tests: scripts rendered as compact s-expressions and compared with the expected
tree, operator precedence, every syntax form, and the line:column spans of nodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsengine.errors import FluxSyntaxError
from tsengine.flux import ast
from tsengine.flux.parser import parse, parse_expression

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# -- the golden form ---------------------------------------------------------------------------
def sx(node: object) -> str:
    """A syntax tree as a compact s-expression: `(+ a (* b c))`, `(call f a: 1)`, ..."""
    if isinstance(node, ast.File):
        head = [f"(package {node.package})"] if node.package else []
        imports = [f'(import {i.alias + " " if i.alias else ""}"{i.path}")' for i in node.imports]
        return "\n".join(head + imports + [sx(s) for s in node.body])
    if isinstance(node, ast.Identifier):
        return node.name
    if isinstance(node, ast.IntegerLit):
        return str(node.value)
    if isinstance(node, ast.FloatLit):
        return repr(node.value)
    if isinstance(node, ast.BooleanLit):
        return "true" if node.value else "false"
    if isinstance(node, ast.StringLit):
        if node.is_plain:
            return _quote(node.text)
        return "(str " + " ".join(_quote(p) if isinstance(p, str) else sx(p)
                                  for p in node.parts) + ")"
    if isinstance(node, ast.RegexLit):
        return f"/{node.pattern}/"
    if isinstance(node, ast.DurationLit):
        return "".join(f"{n}{u}" for n, u in node.values)
    if isinstance(node, ast.DateTimeLit):
        return f"(time {node.text})"
    if isinstance(node, ast.ArrayExpr):
        return "[" + " ".join(sx(e) for e in node.elements) + "]"
    if isinstance(node, ast.DictExpr):
        return "(dict" + "".join(f" ({sx(k)} {sx(v)})" for k, v in node.items) + ")"
    if isinstance(node, ast.RecordExpr):
        base = f"{node.with_.name} with " if node.with_ else ""
        return "{" + base + ", ".join(_prop(p) for p in node.properties) + "}"
    if isinstance(node, ast.FunctionExpr):
        params = " ".join(
            p.name + ("=<-" if p.pipe else f"={sx(p.default)}" if p.default else "")
            for p in node.params)
        return f"(fn ({params}) {sx(node.body)})"
    if isinstance(node, ast.Block):
        return "(block " + " ".join(sx(s) for s in node.body) + ")"
    if isinstance(node, ast.CallExpr):
        return "(call " + " ".join([sx(node.callee)] + [_prop(a) for a in node.arguments]) + ")"
    if isinstance(node, ast.PipeExpr):
        return f"(|> {sx(node.argument)} {sx(node.call)})"
    if isinstance(node, ast.MemberExpr):
        key = node.property if node.property.isidentifier() else _quote(node.property)
        return f"(. {sx(node.object)} {key})"
    if isinstance(node, ast.IndexExpr):
        return f"(index {sx(node.object)} {sx(node.index)})"
    if isinstance(node, ast.UnaryExpr):
        return f"({node.operator} {sx(node.argument)})"
    if isinstance(node, ast.BinaryExpr | ast.LogicalExpr):
        return f"({node.operator} {sx(node.left)} {sx(node.right)})"
    if isinstance(node, ast.ConditionalExpr):
        return f"(if {sx(node.test)} {sx(node.consequent)} {sx(node.alternate)})"
    if isinstance(node, ast.VariableAssignment):
        return f"(= {node.name} {sx(node.init)})"
    if isinstance(node, ast.OptionStatement):
        name = f"{node.package}.{node.name}" if node.package else node.name
        return f"(option {name} {sx(node.init)})"
    if isinstance(node, ast.ExpressionStatement):
        return sx(node.expression)
    if isinstance(node, ast.ReturnStatement):
        return f"(return {sx(node.argument)})"
    if isinstance(node, ast.TestCaseStatement):
        return f"(testcase {node.name} {sx(node.body)})"
    raise TypeError(f"no s-expression for {type(node).__name__}")


def _prop(p: ast.Property) -> str:
    key = p.key if p.key.isidentifier() else _quote(p.key)
    return key if p.value is None else f"{key}: {sx(p.value)}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def statements(golden: str) -> list[str]:
    """Expected statements: each starts at column 0, indented lines continue it; whitespace runs
    count as one space, so long trees can be wrapped."""
    out: list[str] = []
    for line in golden.strip("\n").splitlines():
        if line[:1].isspace():
            out[-1] += " " + line.strip()
        else:
            out.append(line.strip())
    return [" ".join(s.split()) for s in out]


def assert_golden(source: str, golden: str) -> None:
    assert sx(parse(source)).splitlines() == statements(golden)


def test_golden_helper_renders_every_node_kind():
    source = ('package p\nimport "a/b"\nimport c "c"\noption o = 1\noption c.x = 2.5\n'
              'testcase t { x = [true, "q\\"", /r/, 1h, 2024-01-01, ["k": r["a b"]]] }')
    assert sx(parse(source)).splitlines() == [
        "(package p)", '(import "a/b")', '(import c "c")', "(option o 1)", "(option c.x 2.5)",
        '(testcase t (block (= x [true "q\\"" /r/ 1h (time 2024-01-01) '
        '(dict ("k" (. r "a b")))])))']


# -- the corpus: the product's example task scripts ----------------------------------------
def test_example_iot_sensor_rollup():
    assert_golden((EXAMPLES / "iot_sensor_rollup.flux").read_text(), """
(option task {name: "iot_sensor_rollup", every: 1h, offset: 5m})
(|> (|> (|> (|> (call from bucket: "raw_telemetry")
                (call range start: (. v timeRangeStart) stop: (. v timeRangeStop)))
            (call filter fn: (fn (r) (and (== (. r _measurement) "environmental_sensors")
                                          (!= (. r _field) "status")))))
        (call aggregateWindow every: 10m fn: mean timeSrc: "_start" createEmpty: false))
    (call to bucket: "aggregated_telemetry"))
""")


def test_example_sensor_downsample_hourly():
    assert_golden((EXAMPLES / "sensor_downsample_hourly.flux").read_text(), """
(option task {name: "sensor_downsample_hourly", every: 1h, offset: 10m})
(|> (|> (|> (|> (|> (call from bucket: "raw_telemetry")
                    (call range start: (. v timeRangeStart) stop: (. v timeRangeStop)))
                (call filter fn: (fn (r) (== (. r _measurement) "machine_vibration"))))
            (call aggregateWindow every: 1h fn: last createEmpty: false))
        (call keep columns: ["_time" "_measurement" "_field" "_value" "machine_id" "location"]))
    (call to bucket: "hourly_rollups"))
""")


# -- the corpus: scripts in the style of InfluxDB's task and downsampling docs --------------
def test_downsampling_task():
    assert_golden("""\
option task = {name: "downsample_cpu", every: 1h, offset: 10m}

data = from(bucket: "telegraf")
    |> range(start: -task.every)
    |> filter(fn: (r) => r._measurement == "cpu" and r._field == "usage_user")

data
    |> aggregateWindow(every: 5m, fn: mean, createEmpty: false)
    |> set(key: "_measurement", value: "cpu_5m")
    |> to(bucket: "telegraf_downsampled", org: "my-org")
""", """
(option task {name: "downsample_cpu", every: 1h, offset: 10m})
(= data (|> (|> (call from bucket: "telegraf") (call range start: (- (. task every))))
            (call filter fn: (fn (r) (and (== (. r _measurement) "cpu")
                                          (== (. r _field) "usage_user"))))))
(|> (|> (|> data (call aggregateWindow every: 5m fn: mean createEmpty: false))
        (call set key: "_measurement" value: "cpu_5m"))
    (call to bucket: "telegraf_downsampled" org: "my-org"))
""")


def test_filter_and_or_map_with_strings_package():
    assert_golden("""\
import "strings"

from(bucket: "app")
    |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
    |> filter(fn: (r) => r._measurement == "requests" and (r.method == "GET" or r.method == "PUT"))
    |> filter(fn: (r) => r.host =~ /^web-\\d+$/ and not exists r.ignored)
    |> map(fn: (r) => ({r with method: strings.toUpper(v: r.method), _value: r._value * 100.0}))
    |> yield(name: "requests")
""", """
(import "strings")
(|> (|> (|> (|> (|> (call from bucket: "app")
                    (call range start: (. v timeRangeStart) stop: (. v timeRangeStop)))
                (call filter fn: (fn (r) (and (== (. r _measurement) "requests")
                                              (or (== (. r method) "GET")
                                                  (== (. r method) "PUT"))))))
            (call filter fn: (fn (r) (and (=~ (. r host) /^web-\\d+$/)
                                          (not (exists (. r ignored)))))))
        (call map fn: (fn (r) {r with method: (call (. strings toUpper) v: (. r method)),
                                      _value: (* (. r _value) 100.0)})))
    (call yield name: "requests"))
""")


def test_option_v_now_alias_import_and_conditionals():
    assert_golden("""\
import s "strings"
import "influxdata/influxdb/schema"

option v = {timeRangeStart: -1h, timeRangeStop: now(), windowPeriod: 10s}
option now = () => 2024-01-01T00:00:00Z

threshold = 90.0
label = (v) => if v > threshold then "crit" else if v > 70.0 then "warn" else "ok"

from(bucket: "sys")
    |> range(start: v.timeRangeStart)
    |> aggregateWindow(every: v.windowPeriod, fn: max)
    |> map(fn: (r) => ({r with level: label(v: r._value), name: s.trimSpace(v: r.name)}))
""", """
(import s "strings")
(import "influxdata/influxdb/schema")
(option v {timeRangeStart: (- 1h), timeRangeStop: (call now), windowPeriod: 10s})
(option now (fn () (time 2024-01-01T00:00:00Z)))
(= threshold 90.0)
(= label (fn (v) (if (> v threshold) "crit" (if (> v 70.0) "warn" "ok"))))
(|> (|> (|> (call from bucket: "sys") (call range start: (. v timeRangeStart)))
        (call aggregateWindow every: (. v windowPeriod) fn: max))
    (call map fn: (fn (r) {r with level: (call label v: (. r _value)),
                                  name: (call (. s trimSpace) v: (. r name))})))
""")


def test_custom_functions_with_pipe_parameter_and_block_body():
    assert_golden("""\
package main

// a custom transformation, as the "custom functions" docs write them
multByX = (tables=<-, x=2.0) => tables
    |> map(fn: (r) => ({r with _value: r._value * x}))

topN = (tables=<-, n, column="_value") => {
    sorted = tables |> sort(columns: [column], desc: true)

    return sorted |> limit(n: n)
}

from(bucket: "b")
    |> range(start: -1d)
    |> multByX(x: 10.0)
    |> topN(n: 3)
""", """
(package main)
(= multByX (fn (tables=<- x=2.0)
               (|> tables (call map fn: (fn (r) {r with _value: (* (. r _value) x)})))))
(= topN (fn (tables=<- n column="_value")
            (block (= sorted (|> tables (call sort columns: [column] desc: true)))
                   (return (|> sorted (call limit n: n))))))
(|> (|> (|> (call from bucket: "b") (call range start: (- 1d))) (call multByX x: 10.0))
    (call topN n: 3))
""")


def test_package_options_and_member_calls():
    assert_golden("""\
import "influxdata/influxdb/tasks"
import "timezone"

option tasks.lastSuccessTime = 2024-01-01T00:00:00Z
option location = timezone.fixed(offset: -5h)

from(bucket: "b") |> range(start: tasks.lastSuccess(orTime: -1h))
""", """
(import "influxdata/influxdb/tasks")
(import "timezone")
(option tasks.lastSuccessTime (time 2024-01-01T00:00:00Z))
(option location (call (. timezone fixed) offset: (- 5h)))
(|> (call from bucket: "b") (call range start: (call (. tasks lastSuccess) orTime: (- 1h))))
""")


def test_every_expression_form():
    assert_golden("""\
counts = ["a": 1, "b": 2]
empty = [:]
xs = [1, 2, 3]
none = []
first = xs[0]
host = r["host"]
spaced = r["a b"]
key = r[name]
rec = {a: 1, "b c": 2.5, d}
ext = {rec with a: 2, e: "x"}
neg = -5m
t = 2024-01-01T00:00:00Z
day = 2024-01-01
f = (r, n=1) => r.x + n
call = f(r: {x: 1})
short = f(r)
nested = a.b.c[0](x: 1)
msg = "host ${r.host} is at ${r._value * 100.0}%"
ok = exists r.x and not r.y
""", """
(= counts (dict ("a" 1) ("b" 2)))
(= empty (dict))
(= xs [1 2 3])
(= none [])
(= first (index xs 0))
(= host (. r host))
(= spaced (. r "a b"))
(= key (index r name))
(= rec {a: 1, "b c": 2.5, d})
(= ext {rec with a: 2, e: "x"})
(= neg (- 5m))
(= t (time 2024-01-01T00:00:00Z))
(= day (time 2024-01-01))
(= f (fn (r n=1) (+ (. r x) n)))
(= call (call f r: {x: 1}))
(= short (call f r))
(= nested (call (index (. (. a b) c) 0) x: 1))
(= msg (str "host " (. r host) " is at " (* (. r _value) 100.0) "%"))
(= ok (and (exists (. r x)) (not (. r y))))
""")


def test_trailing_commas():
    assert_golden('a = [1, 2,]\nb = {x: 1,}\nc = ["k": 1,]\nd = f(a: 1,)\ne = (x, y,) => x',
                  """
(= a [1 2])
(= b {x: 1})
(= c (dict ("k" 1)))
(= d (call f a: 1))
(= e (fn (x y) x))
""")


def test_statements_need_no_separator():
    assert_golden("x = 1 y = 2 f(a: x) option z = y", """
(= x 1)
(= y 2)
(call f a: x)
(option z y)
""")


def test_empty_script():
    file = parse("// nothing but a comment\n")
    assert (file.package, file.imports, file.body) == (None, (), ())


def test_comments_everywhere():
    assert_golden("""\
// header
x = 1 // the first
// between
y = f( // open
  a: x, // arg
) // close
""", """
(= x 1)
(= y (call f a: x))
""")


def test_return_in_nested_block_bodies():
    assert_golden("""\
outer = (a) => {
    inner = (b) => {
        c = a + b
        return c * 2
    }
    return inner(b: a)
}
""", """
(= outer (fn (a) (block (= inner (fn (b) (block (= c (+ a b)) (return (* c 2)))))
                        (return (call inner b: a)))))
""")


def test_record_returned_from_arrow_needs_parentheses():
    # `(r) => ({...})` returns a record; `(r) => {...}` is a block body
    assert sx(parse_expression("(r) => ({r with x: 1})")) == "(fn (r) {r with x: 1})"
    assert sx(parse_expression("(r) => { return {r with x: 1} }")) == (
        "(fn (r) (block (return {r with x: 1})))")


def test_pipe_parameter_and_defaults():
    assert sx(parse_expression('(tables=<-, n, column="_value", f=(x) => x) => tables')) == (
        '(fn (tables=<- n column="_value" f=(fn (x) x)) tables)')


def test_string_interpolation_nesting():
    assert sx(parse_expression('"a${"b${c}" + "d"}e"')) == (
        '(str "a" (+ (str "b" c) "d") "e")')
    assert sx(parse_expression(r'"\${not} ${x}"')) == '(str "${not} " x)'


def test_regex_with_escaped_slash():
    assert sx(parse_expression(r'r.path =~ /^\/api\/v2/')) == "(=~ (. r path) /^/api/v2/)"


# -- precedence ----------------------------------------------------------------------------
@pytest.mark.parametrize("source, tree", [
    ("a + b * c", "(+ a (* b c))"),
    ("a * b + c", "(+ (* a b) c)"),
    ("a - b - c", "(- (- a b) c)"),
    ("a / b * c % d", "(% (* (/ a b) c) d)"),
    ("a * b ^ c", "(* a (^ b c))"),
    ("a ^ b * c", "(* (^ a b) c)"),
    ("2 ^ 3 ^ 2", "(^ (^ 2 3) 2)"),
    ("a == b + c", "(== a (+ b c))"),
    ("a + b == c - d", "(== (+ a b) (- c d))"),
    ("a < b < c", "(< (< a b) c)"),
    ("a != b or c >= d", "(or (!= a b) (>= c d))"),
    ("a <= b and c > d", "(and (<= a b) (> c d))"),
    ("a =~ /x/ and b !~ /y/", "(and (=~ a /x/) (!~ b /y/))"),
    ("not a == b", "(not (== a b))"),
    ("not a and b", "(and (not a) b)"),
    ("not not a", "(not (not a))"),
    ("a or b and c", "(or a (and b c))"),
    ("a and b or c", "(or (and a b) c)"),
    ("a or b or c", "(or (or a b) c)"),
    ("exists r.x and r.y", "(and (exists (. r x)) (. r y))"),
    ("not exists r.x", "(not (exists (. r x)))"),
    ("exists r.x == false", "(exists (== (. r x) false))"),
    ("-x |> f()", "(|> (- x) (call f))"),
    ("x |> f() ^ 2", "(^ (|> x (call f)) 2)"),
    ("a * x |> f()", "(* a (|> x (call f)))"),
    ("x |> f() |> g(n: 1)", "(|> (|> x (call f)) (call g n: 1))"),
    ("-a.b", "(- (. a b))"),
    ("-a * b", "(* (- a) b)"),
    ("- -a", "(- (- a))"),
    ("+a - -b", "(- (+ a) (- b))"),
    ("(a + b) * c", "(* (+ a b) c)"),
    ("a.b(c: 1).d", "(. (call (. a b) c: 1) d)"),
    ("f()()", "(call (call f))"),
    ("a[0][1]", "(index (index a 0) 1)"),
    ("x[i + 1]", "(index x (+ i 1))"),
    ("if a then b else c or d", "(if a b (or c d))"),
    ("if a or b then 1 else 2", "(if (or a b) 1 2)"),
    ("if a then if b then 1 else 2 else 3", "(if a (if b 1 2) 3)"),
    ("if not a then -1 else +1", "(if (not a) (- 1) (+ 1))"),
    ("(r) => r._value > 0 and r.x", "(fn (r) (and (> (. r _value) 0) (. r x)))"),
])
def test_precedence(source, tree):
    assert sx(parse_expression(source)) == tree


def test_pipe_into_parenthesized_callee():
    assert sx(parse_expression("x |> (f)(a: 1)")) == "(|> x (call f a: 1))"


# -- literal values ------------------------------------------------------------------------
def test_literal_values():
    lit = parse_expression
    assert lit("42") == ast.IntegerLit(42, span=lit("0").span)
    assert lit("9223372036854775807").value == 2**63 - 1
    assert lit(".5").value == 0.5 and lit("1.").value == 1.0
    assert lit("1h30m").values == ((1, "h"), (30, "m"))
    assert lit("1y2mo").values == ((1, "y"), (2, "mo"))
    assert lit("1µs").values == ((1, "µs"),)
    assert lit("2024-01-01").value == 1_704_067_200_000_000_000
    assert lit("2024-01-01T00:00:00Z").value == 1_704_067_200_000_000_000
    assert lit("2024-01-01T01:30:00.5+01:30").value == 1_704_067_200_500_000_000
    assert lit("1970-01-01T00:00:00.000000001Z").value == 1
    assert lit("true").value is True and lit("false").value is False


def test_integer_out_of_range():
    with pytest.raises(FluxSyntaxError) as err:
        parse("x = 9223372036854775808")
    assert err.value.message == "integer literal 9223372036854775808 is out of range"
    assert (err.value.line, err.value.column) == (1, 5)


def test_date_time_out_of_range():
    with pytest.raises(FluxSyntaxError) as err:
        parse("t = 9999-12-31T00:00:00Z")
    assert err.value.message == (
        "date-time literal 9999-12-31T00:00:00Z is out of range "
        "(a time is 1677-09-21T00:12:43Z to 2262-04-11T23:47:16Z)")
    assert (err.value.line, err.value.column) == (1, 5)


def test_invalid_calendar_date():
    with pytest.raises(FluxSyntaxError) as err:
        parse("t = 2024-02-30")
    assert err.value.message.startswith("invalid date-time literal: ")
    assert (err.value.line, err.value.column) == (1, 5)


# -- spans ---------------------------------------------------------------------------------
def span(node: ast.Node) -> str:
    s = node.span
    return f"{s.line}:{s.col}-{s.end_line}:{s.end_col}"


def test_spans_of_the_example_script():
    file = parse((EXAMPLES / "iot_sensor_rollup.flux").read_text())
    option, stmt = file.body
    assert span(option) == "1:1-1:65"
    assert span(option.init) == "1:15-1:65"
    every = option.init.properties[1]
    assert (every.key, span(every), span(every.value)) == ("every", "1:43-1:52", "1:50-1:52")
    pipe = stmt.expression
    assert span(stmt) == span(pipe) == "3:1-7:40"
    assert span(pipe.call) == "7:6-7:40"          # to(bucket: "aggregated_telemetry")
    assert span(pipe.call.arguments[0]) == "7:9-7:39"
    filter_call = pipe.argument.argument.call
    fn = filter_call.arguments[0].value
    assert span(filter_call) == "5:6-5:91"
    assert span(fn) == "5:17-5:90"
    assert span(fn.params[0]) == "5:18-5:19"
    assert span(fn.body) == "5:24-5:90"
    measurement = fn.body.left                    # r._measurement == "environmental_sensors"
    assert span(measurement) == "5:24-5:65"
    assert span(measurement.left) == "5:24-5:38"  # r._measurement
    assert span(measurement.right) == "5:42-5:65"  # "environmental_sensors"
    assert span(fn.body.right) == "5:70-5:90"     # r._field != "status"
    assert span(pipe.argument.argument.argument.argument) == "3:1-3:30"  # from(...)


def test_spans_of_nested_expressions():
    file = parse('x = 1\nf = (a, b=2) => {\n  c = a * -b\n  return c\n}\n')
    fn = file.body[1].init
    assert span(file.body[1]) == "2:1-5:2"
    assert span(fn) == "2:5-5:2"
    assert span(fn.params[1]) == "2:9-2:12"
    assert span(fn.params[1].default) == "2:11-2:12"
    assert span(fn.body) == "2:17-5:2"
    assign, ret = fn.body.body
    assert span(assign) == "3:3-3:13"
    assert span(assign.init) == "3:7-3:13"
    assert span(assign.init.right) == "3:11-3:13"  # -b
    assert span(ret) == "4:3-4:11"


def test_spans_of_imports_options_and_strings():
    file = parse('import s "strings"\noption s.x = "a${b}c"\n')
    assert span(file.imports[0]) == "1:1-1:19"
    option = file.body[0]
    assert span(option) == "2:1-2:22"
    assert span(option.init) == "2:14-2:22"
    assert span(option.init.parts[1]) == "2:18-2:19"  # the interpolated `b`
