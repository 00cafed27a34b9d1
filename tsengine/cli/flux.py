"""`tsengine check`: validate Flux files (syntax, calls, arguments, task options) in CI, and warn
about task pitfalls."""

from __future__ import annotations

from pathlib import Path

import click

from tsengine.cli.context import fail
from tsengine.flux.check import check as check_source
from tsengine.flux.check import warnings_across


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True,
              help="Fail on warnings too: a file with a warning fails as one with an error.")
def check(files: tuple[str, ...], strict: bool) -> None:
    """Parse and statically check Flux FILES; exit 1 at the first file with a problem.

    Finds syntax errors, calls to unknown functions, unknown or missing named arguments and
    malformed `option task` records, each reported with its line:column.

    Warns about task scripts that run but likely not as meant: a range() not bounded by the
    run's window, windows that straddle runs, to() fed tables without the columns it needs, and
    (across the FILES given) a task reading a bucket another task writes whose offset is not
    after the writer's. Warnings go to stderr and do not fail the check unless --strict.
    """
    import tsengine.stdlib  # noqa: F401  (registers the builtins the checker knows)

    sources: dict[str, str] = {}
    unreadable: dict[str, str] = {}
    for name in files:
        try:
            sources[name] = Path(name).read_text()
        except (OSError, UnicodeDecodeError) as e:
            unreadable[name] = str(e)
    warned = warnings_across(sources)
    for name in files:
        if name in unreadable:
            raise fail(f"{name}: cannot read: {unreadable[name]}")
        problems = check_source(sources[name])
        if problems:
            for problem in problems:
                click.echo(f"{name}: {problem}", err=True)
            raise fail(f"{name}: {_count(len(problems), 'problem')} found")
        found = warned.get(name, [])
        for warning in found:
            click.echo(f"{name}: {warning}", err=True)
        if found and strict:
            raise fail(f"{name}: {_count(len(found), 'warning')} found (--strict)")
        click.echo(f"{name}: ok ({_count(len(found), 'warning')})" if found else f"{name}: ok")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"
