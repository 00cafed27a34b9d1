"""Every command and group documents itself: help text, option help, `--help` output."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest

from tsengine.cli.main import cli

EXPECTED = {
    "", "bucket", "bucket create", "bucket list", "bucket update", "bucket delete",
    "bucket stats", "write", "export", "compact", "retention", "retention enforce", "check",
    "query", "task", "task create", "task list", "task find", "task update", "task delete",
    "task run", "task run list", "task run start", "task run retry", "task retry-failed",
    "task log", "task log list", "task backfill", "scheduler", "scheduler tick",
    "scheduler run", "serve", "setup", "auth", "auth create", "auth list", "auth delete",
    "bench", "bench generate", "bench run", "bench scale", "bench compare", "test",
}


def walk(cmd: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(path), cmd
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            yield from walk(sub, (*path, name))


COMMANDS = dict(walk(cli))


def test_the_command_tree_is_complete():
    assert set(COMMANDS) == EXPECTED


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_every_command_and_option_has_help(path, tse):
    cmd = COMMANDS[path]
    assert cmd.help and cmd.help.strip(), f"{path or 'tsengine'} has no help text"
    assert cmd.get_short_help_str(limit=80).strip()
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.opts} of {path or 'tsengine'} has no help"
    result = tse.ok(*path.split(), "--help")
    assert result.stdout.startswith(f"Usage: {' '.join(['cli', *path.split()])} ")
    assert " ".join(cmd.help.split()[:4]) in " ".join(result.stdout.split())
    if isinstance(cmd, click.Group):
        listed = result.stdout.split("Commands:")[1]
        for name, sub in cmd.commands.items():
            assert f"  {name}  " in listed and sub.help.split()[0] in listed


def test_version(tse):
    result = tse.ok("--version")
    assert "version" in result.stdout and "0.1.0" in result.stdout
