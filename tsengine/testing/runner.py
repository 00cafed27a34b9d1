"""Running testcases: each in a fresh engine of its own, several at once.

A testcase's program runs as a query does (tsengine.execute.query), against an empty data
directory of its own in which every bucket the script names (`from(bucket: "x")`,
`to(bucket: "x")`) exists. Each result runs when its statement is reached, so a test can write
its input with `to()` and then read it. The verdict, as upstream's test runner gives it:

- pass: the script ran and its `errorOutput` results (testing.diff, shouldError) have no rows;
- fail: an `errorOutput` has rows (shown as a table), or an assertion (assertEquals,
  assertEmpty, shouldError) raised its error;
- error: any other error, with the line:column it points at;
- skip: the testcase cannot run here (an `extends` whose test module is not found), or its
  `option testing.tags` were not asked for.

Parallel runs use threads (the executor's Polars work and the data directories' I/O overlap),
or processes (`tsengine test` uses them: Python itself runs in parallel too).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from tsengine.engine import Engine
from tsengine.errors import FluxError
from tsengine.flux import ast
from tsengine.testing.discover import BadTest, TestCase, Unsupported, find_files, load, script

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"
PROCESS_MINIMUM = 4  # testcases per worker below which threads are used instead of processes


@dataclass(frozen=True)
class CaseResult:
    """A testcase's verdict; `detail` is the diff table or the error's rendering."""

    path: str
    name: str
    status: str
    message: str = ""
    detail: str = ""
    seconds: float = 0.0

    @property
    def id(self) -> str:
        return f"{self.path}::{self.name}"


@dataclass
class Summary:
    """Counts of a run's verdicts."""

    results: list[CaseResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def ok(self) -> bool:
        return not self.count(FAIL) and not self.count(ERROR)

    def line(self) -> str:
        """`N passed, N failed` and the errors and skips there were."""
        parts = [f"{self.count(PASS)} passed", f"{self.count(FAIL)} failed"]
        if self.count(ERROR):
            parts.append(f"{self.count(ERROR)} error{'s' if self.count(ERROR) != 1 else ''}")
        if self.count(SKIP):
            parts.append(f"{self.count(SKIP)} skipped")
        return ", ".join(parts)


def collect(paths: Iterable[str | Path], pattern: str | None = None
            ) -> tuple[list[TestCase], list[CaseResult]]:
    """The testcases to run, and an error result for each file that does not parse."""
    cases: list[TestCase] = []
    broken: list[CaseResult] = []
    for path in find_files(paths):
        found = load(path, pattern)
        if found.error is not None:
            e = found.error
            broken.append(CaseResult(found.path, "<file>", ERROR,
                                     f"{found.path}:{e.line}:{e.column}: {e.message}", str(e)))
        cases.extend(found.cases)
    return cases, broken


def run(paths: Iterable[str | Path], pattern: str | None = None, jobs: int | None = None,
        on_result: Callable[[CaseResult], None] | None = None,
        tags: Iterable[str] = (), processes: bool = False) -> Summary:
    """Run every testcase under `paths` (`pattern`: a regex the names must contain) with
    `jobs` threads or, with `processes`, worker processes (default: one per core; see
    run_cases); `on_result` sees each verdict as it comes, in file order. A testcase with
    `option testing.tags` runs only when every one of its tags is in `tags` (as upstream's
    `flux test --tags`)."""
    cases, broken = collect(paths, pattern)
    allowed = set(tags)
    verdicts = run_cases([c for c in cases if allowed.issuperset(c.tags)], jobs, processes)
    summary = Summary()
    for case_or_result in [*broken, *cases]:
        if isinstance(case_or_result, CaseResult):
            result = case_or_result
        elif allowed.issuperset(case_or_result.tags):
            result = next(verdicts)
        else:
            result = _untagged(case_or_result)
        summary.results.append(result)
        if on_result is not None:
            on_result(result)
    verdicts.close()  # ends the worker pool
    return summary


def _untagged(case: TestCase) -> CaseResult:
    wanted = " ".join(f"--tags {t}" for t in case.tags)
    return CaseResult(case.path, case.name, SKIP, f"tagged {', '.join(case.tags)} (run with "
                      f"{wanted})")


def run_cases(cases: list[TestCase], jobs: int | None = None, processes: bool = False
              ) -> Iterator[CaseResult]:
    """Verdicts in the order of `cases`, computed by `jobs` threads (1: one at a time), or
    worker processes with `processes`: those run Python in parallel but each starts by
    importing tsengine (a second or so), and a script calling this needs the
    `if __name__ == "__main__":` guard that spawned processes require."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(cases)))
    if jobs == 1:
        yield from map(run_case, cases)
        return
    if not processes or len(cases) < PROCESS_MINIMUM * jobs:  # too few to pay for starting
        with ThreadPoolExecutor(jobs) as threads:
            yield from threads.map(run_case, cases)
        return
    # spawned workers: forking a process that runs Polars' thread pool can deadlock
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn"),
                             initializer=_warm) as pool:
        yield from pool.map(run_case, cases, chunksize=1)


def _warm() -> None:
    import tsengine.stdlib  # noqa: F401  (each worker registers the builtins once)


def run_case(case: TestCase) -> CaseResult:
    """One testcase, in a data directory of its own."""
    started = time.perf_counter()
    result = _verdict(case)
    return CaseResult(case.path, case.name, result[0], result[1], result[2],
                      time.perf_counter() - started)


def _verdict(case: TestCase) -> tuple[str, str, str]:
    from tsengine.stdlib.testing.assert_ import ASSERTION_ERRORS

    try:
        program, source = script(Path(case.path), case.name)
    except Unsupported as e:
        return SKIP, str(e), ""
    except BadTest as e:
        return ERROR, f"{case.path}:{case.line}:{case.column}: {e}", ""
    try:
        failures = _execute(program, source)
    except FluxError as e:
        where = f"{case.path}:{e.line}:{e.column}" if e.line else case.path
        first, _, rest = e.message.partition("\n")
        if e.message.startswith(ASSERTION_ERRORS):
            return FAIL, f"{where}: {first}", rest
        return ERROR, f"{where}: {first}", _source_lines(e)
    except Exception as e:  # noqa: BLE001 - a bug in tsengine is this test's error, not the run's
        trace = traceback.format_exc() if os.environ.get("TSENGINE_DEBUG") else ""
        return ERROR, f"{case.path}: internal error: {type(e).__name__}: {e}", trace
    if failures:
        (line, column), shown = failures
        return FAIL, f"{case.path}:{line}:{column}: the output differs from want " \
                     f"(- want, + got)", shown
    return PASS, "", ""


def _source_lines(e: FluxError) -> str:
    """The line an error points at, with its caret (its rendering without the message)."""
    rendered = e.render().splitlines()
    at = next((i for i, line in enumerate(rendered) if line.startswith("  ")), len(rendered))
    return "\n".join(rendered[at:])


def _execute(program: ast.File, source: str) -> tuple[tuple[int, int], str] | None:
    """Run the program; where the first `errorOutput` with rows was yielded, and all such
    tables as text (None: there were none)."""
    from tsengine.stdlib.testing.diff import ERROR_OUTPUT
    from tsengine.stdlib.testing.format import format_tables
    from tsengine.testing.program import run_program

    shown: list[str] = []
    where = (0, 0)
    with _engine(buckets_named(program)) as engine:
        for result in run_program(engine.store, program, source):
            if result.name != ERROR_OUTPUT:
                continue
            tables = [t for t in result.stream.tables() if t.frame.height]
            if tables:
                span = result.plan.span
                if not shown and span is not None:
                    where = (span.line, span.col)
                shown.append(format_tables(tables))
    return (where, "\n".join(shown)) if shown else None


@contextmanager
def _engine(buckets: set[str]) -> Iterator[Engine]:
    """A fresh engine in a temporary data directory holding `buckets`. A script that names no
    bucket cannot write (to() needs one that exists): it shares this process's empty engine,
    which saves opening a data directory per test."""
    global _EMPTY
    if not buckets:
        with _EMPTY_LOCK:
            if _EMPTY is None:
                data = tempfile.mkdtemp(prefix="tsengine-test-")
                _EMPTY = Engine.open(Path(data) / "data")
                atexit.register(_drop, _EMPTY, data)
        yield _EMPTY
        return
    with tempfile.TemporaryDirectory(prefix="tsengine-test-") as data, \
            Engine.open(Path(data) / "data") as engine:
        for bucket in sorted(buckets):
            engine.create_bucket(bucket)
        yield engine


_EMPTY: Engine | None = None
_EMPTY_LOCK = threading.Lock()


def _drop(engine: Engine, data: str) -> None:
    engine.close()
    shutil.rmtree(data, ignore_errors=True)


def buckets_named(program: ast.File) -> set[str]:
    """Buckets the script names by a literal `bucket:` argument (from, to and the like)."""
    names = set()
    for node in ast.walk(program):
        if isinstance(node, ast.CallExpr):
            for prop in node.arguments:
                if (prop.key == "bucket" and isinstance(prop.value, ast.StringLit)
                        and prop.value.is_plain):
                    names.add(prop.value.text)
    return names
