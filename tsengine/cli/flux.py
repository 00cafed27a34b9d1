"""`tsengine check`: validate Flux files (syntax, calls, arguments, task options) in CI."""

from __future__ import annotations

from pathlib import Path

import click

from tsengine.cli.context import fail
from tsengine.flux.check import check as check_source


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Parse and statically check Flux FILES; exit 1 at the first file with a problem.

    Finds syntax errors, calls to unknown functions, unknown or missing named arguments and
    malformed `option task` records, each reported with its line:column.
    """
    import tsengine.stdlib  # noqa: F401  (registers the builtins the checker knows)

    for name in files:
        path = Path(name)
        try:
            source = path.read_text()
        except (OSError, UnicodeDecodeError) as e:
            raise fail(f"{name}: cannot read: {e}") from None
        problems = check_source(source)
        if problems:
            for problem in problems:
                click.echo(f"{name}: {problem}", err=True)
            count = len(problems)
            raise fail(f"{name}: {count} problem{'s' if count > 1 else ''} found")
        click.echo(f"{name}: ok")
