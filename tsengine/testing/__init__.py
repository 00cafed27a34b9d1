"""Flux unit tests: `testcase` blocks in `*_test.flux` files, run as `tsengine test` runs them.

    from tsengine.testing import run
    summary = run(["tests/"], pattern="rollup", jobs=2)
    assert summary.ok, summary.line()

See tsengine.testing.discover (what a testcase runs as) and tsengine.testing.runner (verdicts).
"""

from tsengine.testing.discover import TestCase, find_files
from tsengine.testing.runner import (
    ERROR,
    FAIL,
    PASS,
    SKIP,
    CaseResult,
    Summary,
    collect,
    run,
    run_case,
)

__all__ = ["ERROR", "FAIL", "PASS", "SKIP", "CaseResult", "Summary", "TestCase", "collect",
           "find_files", "run", "run_case"]
