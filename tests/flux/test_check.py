"""Static checks (`check()`) and the `tsengine check` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tsengine.cli.main import cli
from tsengine.errors import FluxSyntaxError, TaskOptionsError
from tsengine.flux.check import check

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.flux"))


def problems(source: str) -> list[tuple[str, int, int]]:
    return [(e.message, e.line, e.column) for e in check(source)]


# -- check() -----------------------------------------------------------------------------------
def test_examples_exist():
    assert [p.name for p in EXAMPLE_FILES] == ["hourly_rollup.flux", "iot_sensor_rollup.flux",
                                               "iot_sensor_rollup_test.flux",
                                               "kitchen.flux", "sensor_downsample_hourly.flux"]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_examples_are_clean(path):
    assert check(path.read_text()) == []


@pytest.mark.parametrize("source", [
    'import "strings"\nfrom(bucket: "a") |> range(start: -1h)\n'
    '  |> map(fn: (r) => ({r with x: strings.toUpper(v: r.x)}))',
    'import s "strings"\nx = s.trimSpace(v: " a ")',
    "f = (tables=<-, n) => tables |> limit(n)\n"
    'from(bucket: "a") |> range(start: -1h) |> f(n: 1)',
    'data = from(bucket: "a") |> range(start: -1h)\ndata |> yield(name: "raw")',
    "option v = {timeRangeStart: -1h}\nx = v.timeRangeStart",
    'option task = {name: "t", cron: "0 * * * *"}\nfrom(bucket: "a") |> range(start: -1h)',
    "x = (a, b=1) => a + b\ny = x(a: 1)\nz = x(a: 1, b: 2)",
    "f = () => { g = (n) => n\nreturn g(n: 1) }",
    'from(bucket: "a") |> range(start: -1h) |> aggregateWindow(every: 1m, fn: (column, tables=<-)'
    ' => tables |> mean(column))',
])
def test_good_scripts(source):
    assert problems(source) == []


def test_unknown_function():
    assert problems('from(bucket: "a")\n  |> rnage(start: -1h)') == [
        ("unknown function rnage()", 2, 6)]


def test_unknown_argument():
    assert problems('from(bucket: "a") |> range(start: -1h, sotp: now())') == [
        ("unknown argument 'sotp' for range()", 1, 40)]


def test_unknown_argument_of_a_script_function():
    assert problems("a = (r) => r.x\nb = a(r: {x: 1}, y: 2)") == [
        ("unknown argument 'y' for a()", 2, 18)]


def test_missing_argument():
    assert problems('from(bucket: "a") |> range()') == [
        ("missing required argument 'start' for range()", 1, 22)]
    assert problems("x = float()") == [("missing required argument 'v' for float()", 1, 5)]


def test_pipe_into_a_function_without_pipe_parameter():
    assert problems('x = "a" |> string(v: "b")') == [("string() does not take piped input", 1, 12)]


def test_bad_task_options():
    assert problems('option task = {name: "a"}\nfrom(bucket: "a") |> range(start: -1h)') == [
        ("task options need exactly one of 'every' or 'cron'", 1, 15)]
    [problem] = check('option task = {name: "a", every: "1h"}')
    assert isinstance(problem, TaskOptionsError)


def test_unknown_package():
    assert problems('import "strings"\nimport "nope/nope"') == [
        ('unknown package "nope/nope"', 2, 1)]


def test_unknown_package_member():
    assert problems('import "strings"\nx = strings.nope(v: "x")') == [
        ("unknown function strings.nope()", 2, 5)]
    assert problems('import s "strings"\nx = s.nope') == [
        ("undefined identifier s.nope", 2, 5)]


def test_arguments_of_package_functions():
    assert problems('import "strings"\nx = strings.toUpper(v: "x", w: 1)') == [
        ("unknown argument 'w' for strings.toUpper()", 2, 29)]
    assert problems('import "strings"\nx = strings.toUpper()') == [
        ("missing required argument 'v' for strings.toUpper()", 2, 5)]


def test_flux_written_package_members_are_known():
    source = ('import "influxdata/influxdb/schema"\n'
              'x = schema.tagValues(bucket: "b", tag: "t", n: 1)')
    assert problems(source) == [("unknown argument 'n' for schema.tagValues()", 2, 45)]
    assert problems('import "influxdata/influxdb/schema"\nx = schema.tagValues(bucket: "b", '
                    'tag: "t")') == []


def test_a_local_name_shadows_a_package():
    assert problems('import "strings"\nstrings = {nope: (v) => v}\nx = strings.nope(v: 1)') == []


def test_syntax_error_stops_the_check():
    [problem] = check('x = rnage(\ny = 1')
    assert isinstance(problem, FluxSyntaxError)
    assert (problem.message, problem.line, problem.column) == (
        "expected ',' or ')' in the call opened at 1:10, found '='", 2, 3)


def test_problems_render_with_their_source_line():
    found = check('from(bucket: "a")\n  |> range(start: -1h)\n  |> mena()\n')
    assert [str(e).splitlines() for e in found] == [
        ["error at 3:6: unknown function mena()", "    |> mena()", "       ^"]]


def test_problems_are_sorted_by_position():
    source = ('option task = {name: "a", every: 1h, retry: 0}\n'
              'from(bucket: "a")\n'
              '  |> range(strat: -1h)\n'
              '  |> mena()\n')
    assert problems(source) == [
        ("task option 'retry' must be between 1 and 10", 1, 45),
        ("missing required argument 'start' for range()", 3, 6),
        ("unknown argument 'strat' for range()", 3, 12),
        ("unknown function mena()", 4, 6),
    ]


def test_local_names_shadow_builtins():
    assert problems("mean = (x) => x\ny = mean(x: 1)") == []
    assert problems("mean = (x) => x\ny = mean(column: 1)") == [
        ("missing required argument 'x' for mean()", 2, 5),
        ("unknown argument 'column' for mean()", 2, 10),
    ]


def test_function_parameters_are_not_checked_as_functions():
    assert problems("apply = (f) => f(anything: 1)\nx = apply(f: (anything) => anything)") == []


def test_very_long_expressions_are_a_problem_not_a_crash():
    source = "x = " + " + ".join(["1"] * 3000)
    assert problems(source) == [("the script is nested too deeply to check", 1, 1)]


# -- the CLI -----------------------------------------------------------------------------------
def invoke(*args: str):
    return CliRunner().invoke(cli, ["check", *args], obj={})


def test_cli_ok_on_the_examples():
    """No errors; warnings (tests/flux/test_task_lint.py) print `ok (N warnings)` and pass."""
    result = invoke(*map(str, EXAMPLE_FILES))
    assert result.exit_code == 0, result.output
    assert [line.split(": ok")[0] for line in result.stdout.splitlines()] == [
        str(p) for p in EXAMPLE_FILES]
    assert ": error" not in result.stderr


def test_cli_reports_the_first_bad_file(tmp_path):
    bad = tmp_path / "bad.flux"
    bad.write_text('option task = {name: "a", every: 1h}\nfrom(bucket: "a") |> rnage(start: -1h)\n')
    good = EXAMPLE_FILES[0]
    result = invoke(str(good), str(bad), str(good))
    assert result.exit_code == 1
    assert result.stdout == f"{good}: ok\n"
    assert result.stderr == (
        f"{bad}: error at 2:22: unknown function rnage()\n"
        '  from(bucket: "a") |> rnage(start: -1h)\n'
        "                       ^\n"
        f"Error: {bad}: 1 problem found\n")


def test_cli_syntax_error(tmp_path):
    bad = tmp_path / "broken.flux"
    bad.write_text('from(bucket: "a"\n')
    result = invoke(str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"{bad}: error at 1:17: expected ')' to close the call opened at 1:5\n")


def test_cli_counts_problems(tmp_path):
    bad = tmp_path / "two.flux"
    bad.write_text('option task = {name: "a"}\nx = nope()\n')
    result = invoke(str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{bad}: error at 1:15: task options need exactly one of 'every' or 'cron'")
    assert result.stderr.splitlines()[-1] == f"Error: {bad}: 2 problems found"


def test_cli_missing_file(tmp_path):
    result = invoke(str(tmp_path / "nope.flux"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'nope.flux'}: cannot read:")


def test_cli_needs_a_file():
    result = invoke()
    assert result.exit_code == 2


def test_undefined_identifiers_are_reported_but_v_and_defined_names_are_not():
    problems = check(
        'import "strings"\n'
        "x = y + 1\n"
        "f = (a) => a + z\n"
        'g = strings.toUpper(v: "a")\n'
        'option task = {name: "t", every: 1h}\n'
        "q = task.every\n"
        "w = v.timeRangeStart\n"
        "h = (tables=<-) => tables |> limit(n: 1)\n"
    )
    assert [(p.line, p.column, p.message) for p in problems] == [
        (2, 5, "undefined identifier y"),
        (3, 16, "undefined identifier z"),
    ]


def test_registered_builtins_take_upstream_parameters():
    """Every implemented universe function takes exactly the parameters upstream declares."""
    from tsengine.flux.functions import Builtin
    from tsengine.flux.registry import REGISTRY
    from tsengine.flux.signatures import UNIVERSE

    checked = 0
    for name, value in REGISTRY.universe.items():
        if isinstance(value, Builtin) and name in UNIVERSE:
            sig = UNIVERSE[name]
            assert {p.name for p in value.params} == set(sig.params), name
            assert value.pipe_param == sig.pipe, name
            checked += 1
    assert checked >= 12
