"""Fixtures for the CLI tests: a fresh data directory and a runner that invokes `tsengine` in it."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner, Result

from tsengine.cli.main import cli


class Tse:
    """`tsengine --data-dir <dir> ...`, run in-process with click's CliRunner."""

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None) -> Result:
        return self.runner.invoke(cli, ["--data-dir", self.data_dir, *args], input=input, obj={})

    def ok(self, *args: str, input: str | bytes | None = None) -> Result:
        """Run and assert success."""
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result

    def fails(self, pattern: str, *args: str, input: str | bytes | None = None) -> Result:
        """Run and assert a user error (see `assert_error`)."""
        result = self(*args, input=input)
        assert_error(result, pattern)
        return result

    def export(self, bucket: str, *args: str) -> str:
        return self.ok("export", "-b", bucket, *args).stdout


def assert_error(result: Result, pattern: str) -> str:
    """Exit 1, no traceback, exactly one `Error: ...` line on stderr, the last, matching
    `pattern` (a regex searched in it); return that line."""
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # nothing uncaught
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert re.search(pattern, errors[0]), errors[0]
    return errors[0]


@pytest.fixture
def data_dir(tmp_path) -> str:
    return str(tmp_path / "data")


@pytest.fixture
def tse(data_dir) -> Tse:
    return Tse(data_dir)
