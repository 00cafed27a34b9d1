"""`tsengine test PATH... [--run PATTERN] [-j N] [--tags TAG]`: one line per testcase, the
summary, the exit status."""

from __future__ import annotations

from click.testing import CliRunner

from tsengine.cli.main import cli

FILE = '''import "array"
import "testing"

testcase good {
    testing.assertEqualValues(got: 1 + 1, want: 2)
}

testcase bad {
    testing.diff(got: array.from(rows: [{v: 1}]), want: array.from(rows: [{v: 2}]))
}

testcase oops {
    x = undefinedThing
}
'''


def tse(*args: str):
    return CliRunner().invoke(cli, ["test", *args], obj={})


def test_one_line_per_testcase_and_the_summary(flux_file):
    path = flux_file(FILE)
    result = tse(str(path), "-j", "1")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"PASS  {path}::good"
    assert lines[1] == f"FAIL  {path}::bad"
    assert lines[2].strip() == f"{path}:9:5: the output differs from want (- want, + got)"
    assert [line.split() for line in lines[3:7]] == [
        ["table", "(no", "group", "key)"], ["_diff", "v"], ["-", "2"], ["+", "1"]]
    assert lines[7] == f"ERROR {path}::oops"
    assert lines[8].strip() == f"{path}:13:9: undefined identifier undefinedThing"
    assert lines[-1] == "1 passed, 1 failed, 1 error"


def test_run_selects_and_success_exits_zero(flux_file):
    path = flux_file(FILE)
    result = tse(str(path), "--run", "goo", "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"PASS  {path}::good", "1 passed, 0 failed"]


def test_nothing_found_is_an_error(flux_file, tmp_path):
    flux_file(FILE)
    result = tse(str(tmp_path), "--run", "nothing-like-this")
    assert result.exit_code == 1
    assert "no testcases found matching 'nothing-like-this'" in result.stderr
    result = tse(str(tmp_path), "--run", "(")
    assert result.exit_code == 1
    assert "--run: invalid regular expression" in result.stderr


def test_listed_in_help():
    result = CliRunner().invoke(cli, ["--help"], obj={})
    assert "test" in result.stdout.split("Commands:")[1].split()
