"""The README's examples run, and print what the README says they print."""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import shlex
import shutil
import time
from pathlib import Path

from click.testing import CliRunner

from tsengine.cli.main import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _expected_output(block: str) -> str:
    """The comments that follow each print(...): what the README claims is printed."""
    out, in_print = [], False
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("print("):
            in_print = True
            if "#" in line:
                out.append(line.split("#", 1)[1])
        elif in_print and stripped.startswith("#"):
            out.append(stripped[1:])
        else:
            in_print = False
    return " ".join(" ".join(out).split())


def test_python_examples_print_what_they_claim(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in _blocks("python"):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
        assert " ".join(buf.getvalue().split()) == _expected_output(block)


def test_cli_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    now = int(time.time())  # the README's bucket keeps 30 days: write recent points
    Path("readings.lp").write_text(f"env,room=hall temp=19.5 {now - 60}\n")
    Path("more.lp.gz").write_bytes(gzip.compress(f"env,room=hall temp=19.75 {now}\n".encode()))
    runner = CliRunner()
    commands = [line[2:] for block in _blocks("console") for line in block.splitlines()
                if line.startswith("$ tsengine ")]
    assert len(commands) >= 8
    for command in commands:
        args = shlex.split(command.split(" #")[0].split(" >")[0])[1:]
        result = runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *args])
        assert result.exit_code == 0, (command, result.output)
