"""The installed `tsengine` console script, run as real processes with real pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tsengine import Engine

TSENGINE = Path(sys.executable).parent / "tsengine"
T0 = 1_704_067_200_000_000_000

pytestmark = pytest.mark.skipif(not TSENGINE.exists(), reason="console script not installed")


def run(*args: str, data_dir: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TSENGINE_DATA_DIR": data_dir}
    env.pop("TSENGINE_DEBUG", None)
    return subprocess.run([str(TSENGINE), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=60)


def test_export_piped_into_write_round_trips(tmp_path):
    """`tsengine export | tsengine write` on one data directory, which a process holds while it
    is open: write reads all of stdin before opening it."""
    data_dir = str(tmp_path / "data")
    lines = "".join(f"cpu,host=h{i % 3} usage={i}.5,n={i}i {T0 + i}\n" for i in range(50))
    with Engine.open(data_dir) as engine:
        engine.create_bucket("a")
        engine.create_bucket("b")
        engine.write("a", lines + 'log msg="a \\"quoted\\" line" 1\n')
    env = {**os.environ, "TSENGINE_DATA_DIR": data_dir}
    export = subprocess.Popen([str(TSENGINE), "export", "-b", "a"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env)
    write = subprocess.run([str(TSENGINE), "--data-dir", data_dir, "write", "-b", "b"],
                           stdin=export.stdout, capture_output=True, text=True, timeout=60)
    export.stdout.close()
    assert export.wait(timeout=60) == 0
    assert export.stderr.read() == b"exported 51 points\n"
    export.stderr.close()
    assert (write.returncode, write.stderr) == (0, 'wrote 51 points to bucket "b"\n')
    with Engine.open(data_dir) as engine:
        a, b = engine.export("a"), engine.export("b")
    assert a == b and len(a.splitlines()) == 51
    assert 'log msg="a \\"quoted\\" line" 1\n' in a


def test_errors_are_one_line_without_traceback(tmp_path):
    data_dir = str(tmp_path / "data")
    result = run("write", "-b", "nope", "m v=1", data_dir=data_dir)
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", 'Error: bucket "nope" not found\n')
    with Engine.open(data_dir):  # another process holds the data directory
        result = run("bucket", "list", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: data directory {data_dir} is in use by another tsengine process\n")
