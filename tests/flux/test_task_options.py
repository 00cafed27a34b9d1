"""`option task` extraction without running the script, with InfluxDB's rules and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsengine.errors import FluxSyntaxError, TaskError, TaskOptionsError
from tsengine.flux.parser import parse
from tsengine.flux.values import Duration
from tsengine.tasks.options import TaskOptions, task_options, with_options

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
S = 1_000_000_000
M = 60 * S
H = 60 * M


def task(body: str) -> str:
    return f"option task = {{{body}}}\nfrom(bucket: \"b\") |> range(start: -1h)\n"


def error(script: str) -> tuple[str, int, int]:
    with pytest.raises(TaskOptionsError) as err:
        task_options(script)
    return err.value.message, err.value.line, err.value.column


# -- the example pipeline ----------------------------------------------------------------------
def test_iot_sensor_rollup_options():
    assert task_options((EXAMPLES / "iot_sensor_rollup.flux").read_text()) == TaskOptions(
        name="iot_sensor_rollup", every=Duration(0, H), cron=None, offset=Duration(0, 5 * M),
        concurrency=None, retry=None)


def test_sensor_downsample_hourly_options():
    assert task_options((EXAMPLES / "sensor_downsample_hourly.flux").read_text()) == TaskOptions(
        name="sensor_downsample_hourly", every=Duration(0, H), cron=None,
        offset=Duration(0, 10 * M), concurrency=None, retry=None)


def test_options_from_a_parsed_file():
    file = parse(task('name: "t", every: 30s'))
    assert task_options(file) == TaskOptions(name="t", every=Duration(0, 30 * S))


# -- valid options -----------------------------------------------------------------------------
@pytest.mark.parametrize("cron", [
    "0 * * * *", "*/5 * * * *", "0 0 * * 1-5", "30 0 0 * * *", "@hourly", "@daily", "@yearly",
    "@every 1h", "@every 1h30m", "@every_minute", "@every_second", "@midnight", "@annually",
    "0 0 12 * * MON-FRI", "0 0 0 1 jan,Jul *", "0 0 0 1 1 * 2030-2040/2", "  0 *\t* * *  ",
    "0 0 * * 1-7", "@every 2hr1s"])
def test_cron(cron):
    options = task_options(task(f'name: "c", cron: "{cron}"'))
    assert (options.cron, options.every) == (cron, None)


@pytest.mark.parametrize("every, value", [
    ("1s", Duration(0, S)),
    ("1h30m", Duration(0, H + 30 * M)),
    ("1d", Duration(0, 24 * H)),
    ("2w", Duration(0, 14 * 24 * H)),
    ("1mo", Duration(1, 0)),
    ("1s500ms500ms", Duration(0, 2 * S)),
])
def test_every(every, value):
    assert task_options(task(f'name: "e", every: {every}')).every == value


def test_all_options_together():
    script = """option task = {
    name: "full",
    every: 1h,
    offset: -5m,
    concurrency: 100,
    retry: 10,
}
"""
    assert task_options(script) == TaskOptions(
        name="full", every=Duration(0, H), offset=Duration(0, -5 * M), concurrency=100, retry=10)


@pytest.mark.parametrize("offset, value", [
    ("0s", Duration()), ("10m", Duration(0, 10 * M)), ("-5m", Duration(0, -5 * M)),
    ("- 1h", Duration(0, -H)), ("1d", Duration(0, 24 * H)),
])
def test_offset(offset, value):
    assert task_options(task(f'name: "o", every: 1h, offset: {offset}')).offset == value


def test_other_statements_do_not_matter():
    script = ('import "strings"\noption v = {timeRangeStart: -1h}\nx = 1\n'
              'option task = {name: "late", cron: "@hourly"}\n')
    assert task_options(script).name == "late"


def test_the_script_is_not_run():
    # the query refers to things that do not exist; only the option is read
    options = task_options(task('name: "n", every: 1m') + "nope(x: undefined)\n")
    assert options.name == "n"


# -- errors, each with its line:column ---------------------------------------------------------
def test_both_every_and_cron():
    assert error(task('name: "a", every: 1h, cron: "@hourly"')) == (
        "task options need exactly one of 'every' or 'cron'", 1, 15)


def test_neither_every_nor_cron():
    assert error(task('name: "a", offset: 5m')) == (
        "task options need exactly one of 'every' or 'cron'", 1, 15)


@pytest.mark.parametrize("every", ['"1h"', "60", "1.5", "x", "now()", "-(x)"])
def test_every_must_be_a_duration_literal(every):
    assert error(task(f'name: "a", every: {every}')) == (
        "task option 'every' must be a duration literal, like 1h or 5m", 1, 34)


@pytest.mark.parametrize("every", ["500ms", "999ms", "0s", "-1h", "-1mo", "1ns"])
def test_every_at_least_a_second(every):
    assert error(task(f'name: "a", every: {every}')) == (
        "task option 'every' must be at least 1s", 1, 34)


@pytest.mark.parametrize("every", ["1s500ms", "1m1ms", "1h1us"])
def test_every_fractional_seconds(every):
    assert error(task(f'name: "a", every: {every}')) == (
        "task option 'every' must be a whole number of seconds", 1, 34)


def test_offset_fractional_seconds():
    assert error(task('name: "a", every: 1h, offset: 100ms')) == (
        "task option 'offset' must be a whole number of seconds", 1, 46)


def test_offset_must_be_a_duration():
    assert error(task('name: "a", every: 1h, offset: "5m"')) == (
        "task option 'offset' must be a duration literal, like 1h or 5m", 1, 46)


@pytest.mark.parametrize("key, value, message", [
    ("concurrency", "0", "task option 'concurrency' must be between 1 and 100"),
    ("concurrency", "101", "task option 'concurrency' must be between 1 and 100"),
    ("concurrency", "-1", "task option 'concurrency' must be an integer literal"),
    ("concurrency", "2.0", "task option 'concurrency' must be an integer literal"),
    ("retry", "0", "task option 'retry' must be between 1 and 10"),
    ("retry", "11", "task option 'retry' must be between 1 and 10"),
    ("retry", '"3"', "task option 'retry' must be an integer literal"),
])
def test_concurrency_and_retry_ranges(key, value, message):
    assert error(task(f'name: "a", every: 1h, {key}: {value}')) == (
        message, 1, 40 + len(key))


@pytest.mark.parametrize("name", ["n", '"a${n}"', "1", 'string(v: "x")'])
def test_name_must_be_a_string_literal(name):
    assert error(task(f"name: {name}, every: 1h")) == (
        "task option 'name' must be a string literal", 1, 22)


def test_name_required_and_not_empty():
    assert error(task("every: 1h")) == ("task option 'name' is required", 1, 15)
    assert error(task('name: "", every: 1h')) == ("task option 'name' must not be empty", 1, 22)


def test_shorthand_property_is_not_a_literal():
    assert error(task("name, every: 1h")) == ("task option 'name' needs a literal value", 1, 16)


@pytest.mark.parametrize("cron, reason", [
    ("61 * * * *", "minute 61 is outside 0-59"),
    ("* * *", "a cron needs 5, 6 or 7 fields, not 3"),
    ("every hour", "a cron needs 5, 6 or 7 fields, not 2"),
    ("* * * * * * * *", "a cron needs 5, 6 or 7 fields, not 8"),
    ("@fortnightly", "unknown cron macro '@fortnightly'"),
    ("@Hourly", "unknown cron macro '@Hourly'"),
    ("", "a cron needs 5, 6 or 7 fields, not 0"),
    ("0 0 * * 7", "day of week 7 is outside 0-6"),  # influxdata/cron: 7 only ends a range
    ("0 0 ? * *", "cannot read day of month '?'"),
    ("0 0 L * *", "day of month 'L' is not a number"),
    ("0 0 1 0 *", "month 0 is outside 1-12"),
    ("0 0 32 * *", "day of month 32 is outside 1-31"),
    ("* * 8 8 1 1 0", "year 0 is outside 1970-2099"),
    ("5-1 * * * *", "minute range '5-1' starts after it ends"),
    ("*/0 * * * *", "minute step 0 is outside 1-59"),
    ("* * * * 1/7", "day of week '1/7' matches nothing"),
    ("@every", "unknown cron macro '@every'"),
    ("@every -1s", "cannot read @every duration at '-1s'"),
    ("@every 1s food", "cannot read @every duration at 'food'"),
    ("@every 500ms", "@every needs a duration of at least 1s"),
])
def test_invalid_cron(cron, reason):
    assert error(task(f'name: "a", cron: "{cron}"')) == (
        f"invalid cron expression '{cron}': {reason}", 1, 33)


def test_cron_must_be_a_string():
    assert error(task('name: "a", cron: 5')) == ("task option 'cron' must be a string literal",
                                                 1, 33)


def test_duplicate_option_task():
    script = 'option task = {name: "a", every: 1h}\nx = 1\noption task = {name: "b", every: 1h}\n'
    assert error(script) == ("multiple task options defined", 3, 1)


def test_unknown_key():
    script = 'option task = {\n  name: "multi",\n  every: 1h,\n  bogus: 2,\n}\n'
    assert error(script) == ("unknown task option 'bogus'", 4, 3)


@pytest.mark.parametrize("init", ["t", '{t with name: "a"}', "[1]", 'f(name: "a")'])
def test_option_task_must_be_a_record_literal(init):
    assert error(f"option task = {init}\n") == ("option task must be a record literal", 1, 15)


def test_no_task_option():
    assert error('option v = {a: 1}\nfrom(bucket: "b")') == (
        "no task options defined: add option task = {name: ..., every: ...}", 0, 0)


def test_package_option_named_task_is_not_the_task():
    assert error('import "x"\noption x.task = {name: "a", every: 1h}\n')[0].startswith(
        "no task options defined")


def test_error_rendering_with_the_source():
    with pytest.raises(TaskOptionsError) as err:
        task_options('option task = {name: "a", every: 1h, cron: "@daily"}\n')
    assert str(err.value) == (
        "error at 1:15: task options need exactly one of 'every' or 'cron'\n"
        '  option task = {name: "a", every: 1h, cron: "@daily"}\n'
        "                ^")


def test_syntax_errors_come_first():
    with pytest.raises(FluxSyntaxError) as err:
        task_options('option task = {name: "a", every: 1h')
    assert (err.value.line, err.value.column) == (1, 36)


def test_concurrency_and_retry_unset_are_none():
    options = task_options(task('name: "a", every: 1h'))
    assert (options.concurrency, options.retry) == (None, None)
    options = task_options(task('name: "a", every: 1h, concurrency: 1, retry: 1'))
    assert (options.concurrency, options.retry) == (1, 1)


# -- with_options: the PATCH rewrite of the task option ----------------------------------------
SCRIPT = """import "strings"

// hourly rollup
option task = {
    name: "rollup", // shown in the UI
    every: 1h,
    offset: 10m, // late data
    retry: 2,
}

option v = {timeRangeStart: -1h}
from(bucket: "b") |> range(start: -task.every)
"""
HEAD, TAIL = SCRIPT.split("option task")[0], SCRIPT.split("}\n", 1)[1]


def rewritten(script: str, **changes) -> tuple[str, TaskOptions]:
    out = with_options(script, **changes)
    return out, task_options(out)


def test_replace_every_keeps_everything_else():
    out, options = rewritten(SCRIPT, every=Duration(0, H + 30 * M))
    assert out == SCRIPT.replace("every: 1h,", "every: 1h30m,")
    assert options == TaskOptions(name="rollup", every=Duration(0, H + 30 * M),
                                  offset=Duration(0, 10 * M), retry=2)


def test_switch_every_to_cron_in_place():
    out, options = rewritten(SCRIPT, cron="0 */2 * * *")
    assert out == SCRIPT.replace("every: 1h,", 'cron: "0 */2 * * *",')
    assert (options.every, options.cron) == (None, "0 */2 * * *")
    back, options = rewritten(out, every=Duration(0, H))
    assert back == SCRIPT and options.every == Duration(0, H) and options.cron is None


def test_zero_offset_removes_the_property_and_its_line():
    out, options = rewritten(SCRIPT, offset=Duration())
    assert out == SCRIPT.replace("    offset: 10m, // late data\n", "")
    assert options.offset == Duration() and out.startswith(HEAD) and out.endswith(TAIL)


@pytest.mark.parametrize("before, after", [
    ('{name: "a", every: 1h, offset: 5m}', '{name: "a", every: 1h}'),
    ('{name: "a", offset: 5m, every: 1h}', '{name: "a", every: 1h}'),
    ('{name: "a", offset: 5m,every: 1h,}', '{name: "a", every: 1h,}'),
    ('{\n  name: "a",\n  every: 1h,\n  offset: 5m\n}', '{\n  name: "a",\n  every: 1h,\n}'),
    ('{name: "a", every: 1h}', '{name: "a", every: 1h}'),
])
def test_zero_offset_inline(before, after):
    tail = "\nx = 1 // offset: 5m\n"
    assert with_options(f"option task = {before}{tail}", offset=Duration()) == (
        f"option task = {after}{tail}")


@pytest.mark.parametrize("before, after", [
    ('{name: "a", every: 1h}', '{name: "a", every: 1h, offset: -5m}'),
    ('{name: "a", every: 1h,}', '{name: "a", every: 1h, offset: -5m,}'),
    ('{\n  name: "a",\n  every: 1h, // x\n}',
     '{\n  name: "a",\n  every: 1h, // x\n  offset: -5m,\n}'),
    ('{\n\tname: "a",\n\tevery: 1h // x\n}',
     '{\n\tname: "a",\n\tevery: 1h, // x\n\toffset: -5m\n}'),
    ('{name: "a",\n    every: 1h}', '{name: "a",\n    every: 1h, offset: -5m}'),
])
def test_add_offset_when_absent(before, after):
    out, options = rewritten(f"option task = {before}\n", offset=Duration(0, -5 * M))
    assert out == f"option task = {after}\n"
    assert options.offset == Duration(0, -5 * M)


def test_replace_offset_and_name():
    out, options = rewritten(SCRIPT, name='new "name" ${x}', offset=Duration(0, 90 * S))
    assert out == SCRIPT.replace('"rollup"', '"new \\"name\\" \\${x}"').replace(
        "offset: 10m", "offset: 1m30s")
    assert (options.name, options.offset) == ('new "name" ${x}', Duration(0, 90 * S))


def test_empty_values_change_nothing():
    assert with_options(SCRIPT) == SCRIPT
    assert with_options(SCRIPT, name="", cron="", every=Duration()) == SCRIPT


def test_months_and_days_are_written_as_flux_literals():
    out, options = rewritten(SCRIPT, every=Duration(14, 2 * 24 * H))
    assert "every: 1y2mo2d," in out and options.every == Duration(14, 2 * 24 * H)


def test_shorthand_property_gets_a_value():
    out = with_options('name = "n"\noption task = {name, every: 1h}\n', name="m")
    assert out == 'name = "n"\noption task = {name: "m", every: 1h}\n'


def test_cron_replaces_every_when_switching_adds_offset():
    out, options = rewritten('option task = {name: "a", every: 1h}\n', cron="@daily",
                             offset=Duration(0, M))
    assert out == 'option task = {name: "a", cron: "@daily", offset: 1m}\n'
    assert options == TaskOptions(name="a", cron="@daily", offset=Duration(0, M))


def test_both_every_and_cron_refused():
    with pytest.raises(TaskError, match="cannot specify both every and cron"):
        with_options(SCRIPT, every=Duration(0, H), cron="@daily")


def test_invalid_new_options_refused():
    with pytest.raises(TaskOptionsError, match="invalid cron expression '@sometimes'"):
        with_options(SCRIPT, cron="@sometimes")
    with pytest.raises(TaskOptionsError, match="'every' must be a whole number of seconds"):
        with_options(SCRIPT, every=Duration(0, S + 1))


def test_a_script_without_the_option_is_refused():
    with pytest.raises(TaskOptionsError, match="no task options defined"):
        with_options('from(bucket: "b")\n', every=Duration(0, H))
