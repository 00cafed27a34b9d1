"""`tsengine compact`, `tsengine retention enforce`, and where the data directory comes from."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner

from storage import format_time
from tsengine import Engine
from tsengine.cli.context import DEFAULT_DATA_DIR, default_data_dir
from tsengine.cli.main import cli

T0 = 1_704_067_200_000_000_000
S = 1_000_000_000
MINUTE = 60 * S


def parquet_files(data_dir: str) -> list[Path]:
    return sorted(Path(data_dir, "buckets").rglob("*.parquet"))


def test_compact_moves_points_to_parquet_and_keeps_the_export(tse, data_dir):
    tse.ok("bucket", "create", "b")
    tse.ok("write", "-b", "b", f"cpu,host=a v=1 {T0}", f"cpu,host=b v=2 {T0}",
           f"cpu,host=a v=3 {T0 + 86_400 * S}", f"mem free=1i {T0}")
    before = tse.export("b")
    assert parquet_files(data_dir) == []
    result = tse.ok("compact")
    assert result.stderr == "compacted 4 rows into 3 partition files\n"  # cpu: 2 days; mem
    assert len(parquet_files(data_dir)) == 3
    assert tse.export("b") == before
    # a newer value of a compacted point wins, before and after the next compaction
    tse.ok("write", "-b", "b", f"cpu,host=a v=9 {T0}")
    after = before.replace(f"cpu,host=a v=1.0 {T0}", f"cpu,host=a v=9.0 {T0}")
    assert after != before
    assert tse.export("b") == after
    assert tse.ok("compact").stderr == "compacted 1 rows into 1 partition files\n"
    assert tse.export("b") == after
    assert len(parquet_files(data_dir)) == 3  # the day's file was replaced, not added to
    assert tse.ok("compact").stderr == "compacted 0 rows into 0 partition files\n"


def test_retention_enforce_deletes_expired_points(tse, data_dir):
    now = time.time_ns()
    old, new = now - 50 * MINUTE, now - 5 * MINUTE
    tse.ok("bucket", "create", "recent", "-r", "1h")
    tse.ok("bucket", "create", "forever")
    for bucket in ("recent", "forever"):
        tse.ok("write", "-b", bucket, f"m,age=old v=1 {old}", f"m,age=new v=2 {new}")
    assert len(tse.export("recent").splitlines()) == 2
    # as of 30 minutes from now, the 1h bucket keeps only what is younger than 30 minutes
    result = tse.ok("retention", "enforce", "--now", format_time(now + 30 * MINUTE))
    assert result.stderr == "deleted 1 hot rows and 0 partitions\n"
    assert tse.export("recent") == f"m,age=new v=2.0 {new}\n"
    assert len(tse.export("forever").splitlines()) == 2
    # once compacted, whole expired partitions are dropped
    tse.ok("compact")
    result = tse.ok("retention", "enforce", "--now", str(now + 3 * 60 * MINUTE))
    assert result.stderr.startswith("deleted 0 hot rows and ")
    assert not result.stderr.startswith("deleted 0 hot rows and 0 ")
    assert tse.export("recent") == ""
    assert len(tse.export("forever").splitlines()) == 2
    # without --now, as of the real clock: nothing more to delete
    assert tse.ok("retention", "enforce").stderr == "deleted 0 hot rows and 0 partitions\n"
    assert len(tse.export("forever").splitlines()) == 2


def test_retention_enforce_bad_time(tse):
    tse.fails(r"^Error: invalid time 'soon'", "retention", "enforce", "--now", "soon")


def test_the_data_directory_comes_from_the_environment(tmp_path, monkeypatch):
    env_dir = str(tmp_path / "from-env")
    runner = CliRunner()
    result = runner.invoke(cli, ["bucket", "create", "envbucket"], obj={},
                           env={"TSENGINE_DATA_DIR": env_dir})
    assert result.exit_code == 0, result.output
    with Engine.open(env_dir) as engine:
        assert [b.name for b in engine.buckets()] == ["envbucket"]
    result = runner.invoke(cli, ["bucket", "list"], obj={}, env={"TSENGINE_DATA_DIR": env_dir})
    assert "envbucket" in result.stdout
    # --data-dir wins over the environment
    other = str(tmp_path / "other")
    result = runner.invoke(cli, ["--data-dir", other, "bucket", "list"], obj={},
                           env={"TSENGINE_DATA_DIR": env_dir})
    assert result.exit_code == 0 and "envbucket" not in result.stdout
    monkeypatch.setenv("TSENGINE_DATA_DIR", env_dir)
    assert default_data_dir() == env_dir
    monkeypatch.delenv("TSENGINE_DATA_DIR")
    assert default_data_dir() == str(DEFAULT_DATA_DIR)


def test_a_data_dir_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "file"
    path.write_text("")
    result = CliRunner().invoke(cli, ["--data-dir", str(path), "bucket", "list"], obj={})
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert "Traceback" not in result.output


def test_an_unexpected_failure_is_one_error_line(tse, monkeypatch):
    def boom(self):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(Engine, "compact", boom)
    tse.fails(r"^Error: unexpected RuntimeError: disk on fire$", "compact")
