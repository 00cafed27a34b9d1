"""The Flux form of the conformance cases (tests/flux/testcases, written by its convert.py) and
the example task's test (examples/), run as `tsengine test` runs them."""

from __future__ import annotations

from pathlib import Path

from tsengine.testing import FAIL, PASS, run

ROOT = Path(__file__).resolve().parents[2]
TESTCASES = ROOT / "tests" / "flux" / "testcases"


def test_conformance_cases_in_flux_form_all_pass():
    summary = run([TESTCASES, ROOT / "examples"], jobs=2)
    failures = [f"{r.id}: {r.message}\n{r.detail}" for r in summary.results if r.status != PASS]
    assert not failures, "\n".join(failures)
    assert len([r for r in summary.results if r.path.startswith(str(TESTCASES))]) >= 40


def test_a_changed_expectation_fails_with_the_diff(tmp_path):
    text = (TESTCASES / "agg_count_generic_test.flux").read_text()
    changed = text.replace("usage,cpu,a,3\n", "usage,cpu,a,4\n")  # in outData
    assert changed != text
    (tmp_path / "changed_test.flux").write_text(changed)
    [result] = run([tmp_path], jobs=1).results
    assert result.status == FAIL
    marks = [line.split()[0] for line in result.detail.splitlines()
             if line.strip().startswith(("-", "+"))]
    assert marks == ["-", "+"]
