"""tsengine.testing: discovering testcases, what each runs as, verdicts, selection, extends,
tags and parallel runs."""

from __future__ import annotations

import json

import pytest

from tsengine.testing import ERROR, FAIL, PASS, SKIP, collect, find_files, run

CSV = '''
#datatype,string,long,dateTime:RFC3339,double,string,string
#group,false,false,false,false,true,true
#default,_result,,,,,
,result,table,_time,_value,_field,_measurement
,,0,2024-01-01T00:00:00Z,1.0,f,m
,,0,2024-01-01T00:01:00Z,2.0,f,m
'''

HEAD = f'import "csv"\nimport "testing"\n\ndata = "{CSV}"\n'


def verdicts(*paths, **kwargs) -> dict[str, tuple[str, str]]:
    summary = run(paths, jobs=kwargs.pop("jobs", 1), **kwargs)
    return {r.name: (r.status, r.message) for r in summary.results}


def test_discovery_finds_test_files_below_directories(tmp_path, flux_file):
    flux_file("testcase a {}\n", "x/one_test.flux")
    flux_file("testcase b {}\n", "x/y/two_test.flux")
    flux_file("testcase c {}\n", "x/helper.flux")
    given = flux_file("testcase d {}\n", "plain.flux")
    assert [p.name for p in find_files([tmp_path / "x", given])] == [
        "one_test.flux", "two_test.flux", "plain.flux"]
    with pytest.raises(FileNotFoundError):
        find_files([tmp_path / "missing"])


def test_pass_and_fail(flux_file):
    path = flux_file(HEAD + '''
testcase same {
    testing.diff(got: csv.from(csv: data), want: csv.from(csv: data))
}

testcase different {
    got = csv.from(csv: data) |> map(fn: (r) => ({r with _value: r._value * 2.0}))
    testing.diff(got: got, want: csv.from(csv: data))
}
''')
    summary = run([path], jobs=1)
    assert [(r.name, r.status) for r in summary.results] == [("same", PASS), ("different", FAIL)]
    failed = summary.results[1]
    assert failed.message == f"{path}:19:5: the output differs from want (- want, + got)"
    assert [line.split() for line in failed.detail.splitlines()] == [
        ["table", "_field=f,", "_measurement=m"],
        ["_diff", "_time", "_value"],
        ["-", "2024-01-01T00:00:00Z", "1"],
        ["-", "2024-01-01T00:01:00Z", "2"],
        ["+", "2024-01-01T00:00:00Z", "2"],
        ["+", "2024-01-01T00:01:00Z", "4"]]
    assert summary.line() == "1 passed, 1 failed"
    assert not summary.ok


def test_errors_carry_line_and_column(flux_file):
    path = flux_file(HEAD + "\ntestcase broken {\n    x = 1\n    y = x + \"a\"\n}\n")
    [(status, message)] = verdicts(path).values()
    assert status == ERROR
    assert message.startswith(f"{path}:15:9: ")


def test_assertion_errors_are_failures(flux_file):
    path = flux_file(HEAD + '''
testcase eq {
    testing.assertEquals(name: "eq", got: csv.from(csv: data),
                         want: csv.from(csv: data) |> limit(n: 1))
}
testcase empty {
    csv.from(csv: data) |> testing.assertEmpty()
}
testcase raises {
    testing.shouldError(fn: () => 1, want: /x/)
}
testcase raises_other {
    testing.shouldError(fn: () => die(msg: "not this"), want: /that/)
}
''')
    found = verdicts(path)
    assert {name: status for name, (status, _) in found.items()} == {
        "eq": FAIL, "empty": FAIL, "raises": FAIL, "raises_other": FAIL}
    assert found["eq"][1].endswith("testing.assertEquals: test eq: tables not equal")


def test_a_file_that_does_not_parse_is_an_error(flux_file):
    path = flux_file("testcase a {\n    x = \n}\n")
    summary = run([path], jobs=1)
    [result] = summary.results
    assert (result.name, result.status) == ("<file>", ERROR)
    assert result.message.startswith(f"{path}:3:1: ")


def test_run_pattern_selects_testcases(flux_file):
    path = flux_file("testcase alpha {}\ntestcase beta {}\ntestcase alphabet {}\n")
    assert list(verdicts(path, pattern="^alpha")) == ["alpha", "alphabet"]
    assert list(verdicts(path, pattern="bet")) == ["beta", "alphabet"]


def test_statements_outside_testcases_run_first_wherever_they_are(flux_file):
    """As upstream: the file's other statements, then the body (options may be set in it)."""
    path = flux_file('''import "array"
import "testing"

testcase uses_later_definition {
    option now = () => 2030-01-01T00:00:00Z
    testing.diff(got: array.from(rows: [{t: now()}]), want: want)
}

want = array.from(rows: [{t: 2030-01-01T00:00:00Z}])
''')
    assert verdicts(path) == {"uses_later_definition": (PASS, "")}


def test_each_testcase_has_a_fresh_engine_with_its_buckets(flux_file):
    """A testcase writes its input with to() and reads it back; the next testcase does not see
    it. Streams run mid-script (findRecord) see what earlier statements wrote."""
    path = flux_file(HEAD + '''
testcase writes {
    csv.from(csv: data) |> to(bucket: "raw") |> yield(name: "load")
    last = from(bucket: "raw") |> range(start: 2024-01-01T00:00:00Z) |> last()
        |> findRecord(fn: (key) => true, idx: 0)
    testing.assertEqualValues(got: last._value, want: 2.0)
}

testcase reads_nothing {
    from(bucket: "raw") |> range(start: 2024-01-01T00:00:00Z) |> testing.assertEmpty()
}
''')
    assert verdicts(path) == {"writes": (PASS, ""), "reads_nothing": (PASS, "")}


def test_extends_runs_the_parent_testcase_at_super(tmp_path, flux_file):
    (tmp_path / "fluxtest.root").write_text(json.dumps({"name": "mine", "tags": []}))
    flux_file('''import "array"
import "testing"

base = array.from(rows: [{v: 1}])

testcase parent {
    want = array.from(rows: [{v: 1}])
}
''', "pkg/parent_test.flux")
    child = flux_file('''import "testing"

testcase child extends "mine/pkg/parent_test.parent" {
    super()
    testing.diff(got: base, want: want)
}

testcase unknown_module extends "flux/testing/testing_test.test_option" {
    super()
}

testcase missing_parent extends "mine/pkg/parent_test.nope" {
    super()
}
''', "child_test.flux")
    found = verdicts(child)
    assert found["child"] == (PASS, "")
    assert found["unknown_module"][0] == SKIP
    assert 'test module "flux" not found' in found["unknown_module"][1]
    assert found["missing_parent"][0] == ERROR
    assert "no testcase 'nope'" in found["missing_parent"][1]


def test_tagged_testcases_run_only_when_asked_for(flux_file):
    path = flux_file('''import "testing"

testcase tagged {
    option testing.tags = ["slow"]
}

testcase plain {}
''')
    found = verdicts(path)
    assert found["plain"] == (PASS, "")
    assert found["tagged"] == (SKIP, "tagged slow (run with --tags slow)")
    assert verdicts(path, tags=["slow"])["tagged"] == (PASS, "")
    summary = run([path], jobs=1)
    assert summary.line() == "1 passed, 0 failed, 1 skipped"
    assert summary.ok


def test_collect_lists_cases_in_file_order(flux_file):
    path = flux_file("testcase b {}\ntestcase a {}\n")
    cases, broken = collect([path])
    assert [(c.name, c.line, c.column) for c in cases] == [("b", 1, 1), ("a", 2, 1)]
    assert broken == []


def test_parallel_run_gives_the_same_verdicts_in_order(flux_file):
    path = flux_file(HEAD + "".join(
        f"testcase t{i} {{\n    testing.assertEqualValues(got: {i} % 3, want: 0)\n}}\n"
        for i in range(9)))  # enough for two worker processes (PROCESS_MINIMUM)
    one = [(r.name, r.status) for r in run([path], jobs=1).results]
    threads = [(r.name, r.status) for r in run([path], jobs=2).results]
    processes = [(r.name, r.status) for r in run([path], jobs=2, processes=True).results]
    assert one == threads == processes == [
        (f"t{i}", PASS if i % 3 == 0 else FAIL) for i in range(9)]
