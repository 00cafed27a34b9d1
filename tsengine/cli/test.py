"""`tsengine test PATH...`: run the `testcase` blocks of Flux test files, as upstream's
`flux test` does, each in a fresh engine of its own."""

from __future__ import annotations

import re

import click

from tsengine.cli.context import fail
from tsengine.testing.runner import ERROR, FAIL, PASS, SKIP, CaseResult, run

_LABELS = {PASS: "PASS ", FAIL: "FAIL ", ERROR: "ERROR", SKIP: "SKIP "}


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--run", "pattern", metavar="PATTERN",
              help="Run only the testcases whose name this regular expression finds.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core).")
@click.option("--tags", "tags", multiple=True, metavar="TAG",
              help="Also run testcases tagged TAG (`option testing.tags`); a tagged testcase "
                   "runs only when all its tags are given.")
@click.option("-v", "--verbose", is_flag=True, help="Show each testcase's time.")
def test(paths: tuple[str, ...], pattern: str | None, jobs: int | None, tags: tuple[str, ...],
         verbose: bool) -> None:
    """Run every testcase in the Flux test files PATHS (`*_test.flux` below a directory).

    A testcase runs as its file's imports and top-level statements followed by its body, in an
    empty engine of its own where the buckets it names exist. It fails when a testing.diff
    finds a difference (shown as a table: `-` rows are want's, `+` rows got's) or an
    assertion fails; any other error is reported with its line:column. Prints one line per
    testcase and a summary; the exit status is 1 when any testcase failed or errored.
    """
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as e:
            raise fail(f"--run: invalid regular expression {pattern!r}: {e}") from None

    def show(result: CaseResult) -> None:
        took = f" ({result.seconds:.2f}s)" if verbose else ""
        line = f"{_LABELS[result.status]} {result.id}{took}"
        if result.message:
            line += f"\n       {result.message}"
        click.echo(line)
        if result.detail and result.status in (FAIL, ERROR):
            click.echo(_indent(result.detail))

    summary = run(paths, pattern, jobs, on_result=show, tags=tags, processes=True)
    if not summary.results:
        raise fail("no testcases found" + (f" matching {pattern!r}" if pattern else ""))
    click.echo(summary.line())
    if not summary.ok:
        raise click.exceptions.Exit(1)


def _indent(text: str) -> str:
    return "\n".join(f"       {line}" if line else "" for line in text.rstrip().splitlines())
