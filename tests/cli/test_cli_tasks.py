"""`tsengine task ...` and `tsengine scheduler ...`, end to end on a data directory.

The system clock is fixed at 2024-01-01T00:30:00Z (tasks record their creation time from it), so
schedules are known: the hourly rollup first runs for 01:00.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest

from storage import parse_time
from storage.timeutil import Clock
from tsengine.cli.main import cli

EXAMPLE = Path(__file__).parents[2] / "examples" / "iot_sensor_rollup.flux"
TSENGINE = Path(sys.executable).parent / "tsengine"
NOW = parse_time("2024-01-01T00:30:00Z")
POINTS = [
    "environmental_sensors,device=a temp=1 1704069600",  # 00:40
    "environmental_sensors,device=a temp=3 1704071700",  # 01:15
    "environmental_sensors,device=a temp=5 1704075000",  # 02:10
]
MISSING = """option task = {name: "needs_nope", every: 1h}

from(bucket: "nope")
  |> range(start: -task.every)
  |> to(bucket: "aggregated_telemetry")
"""


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(Clock, "now", lambda self: NOW)


@pytest.fixture
def rollup(tse) -> str:
    """The example rollup task on its buckets, with three raw points; its id."""
    tse.ok("bucket", "create", "raw_telemetry")
    tse.ok("bucket", "create", "aggregated_telemetry")
    tse.ok("write", "-b", "raw_telemetry", "-p", "s", *POINTS)
    out = tse.ok("task", "create", "-f", str(EXAMPLE)).stdout
    return rows(out)[1][0]


def rows(stdout: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line) for line in stdout.splitlines()]


def tasks_json(tse, *args: str) -> list[dict]:
    return json.loads(tse.ok("task", "list", "--json", *args).stdout)


def runs_json(tse, task_id: str, *args: str) -> list[dict]:
    return json.loads(tse.ok("task", "run", "list", "--task-id", task_id, "--json", *args).stdout)


def test_create_list_find_update(tse, rollup):
    assert re.fullmatch(r"[0-9a-f]{16}", rollup)
    header, row = rows(tse.ok("task", "list").stdout)
    assert header == ["ID", "Name", "Organization ID", "Organization", "Status", "Every", "Cron",
                      "Offset", "LatestCompleted", "LastRunStatus"]
    assert row[0] == rollup and row[1] == "iot_sensor_rollup" and row[4:7] == ["active", "1h", "5m"]
    [task] = tasks_json(tse)
    assert {k: task[k] for k in ("id", "name", "status", "every", "offset", "createdAt")} == {
        "id": rollup, "name": "iot_sensor_rollup", "status": "active", "every": "1h",
        "offset": "5m", "createdAt": "2024-01-01T00:30:00Z"}
    assert task["flux"] == EXAMPLE.read_text() and task["org"] and len(task["orgID"]) == 16
    assert "latestCompleted" not in task and "cron" not in task
    assert tasks_json(tse, "--name", "iot_sensor_rollup") == [task]
    assert tasks_json(tse, "--status", "inactive") == []
    assert json.loads(tse.ok("task", "find", "--id", rollup, "--json").stdout) == [task]

    out = tse.ok("task", "update", "--id", rollup, "--status", "inactive").stdout
    assert rows(out)[1][4] == "inactive"
    assert [t["id"] for t in tasks_json(tse, "--status", "inactive")] == [rollup]
    tse.ok("task", "update", "--id", rollup, "--every", "30m", "-d", "half-hourly")
    [task] = tasks_json(tse)
    assert (task["every"], task["description"]) == ("30m", "half-hourly")
    assert 'option task = {name: "iot_sensor_rollup", every: 30m, offset: 5m}' in task["flux"]
    out = tse.ok("task", "update", "-i", rollup, "--cron", "0 * * * *", "--offset", "0s", "--json")
    updated = json.loads(out.stdout)
    assert (updated["cron"], "every" in updated, "offset" in updated) == ("0 * * * *", False, False)
    tse.fails(r"cannot update task without content", "task", "update", "--id", rollup)
    tse.fails(r"every and cron are mutually exclusive",
              "task", "update", "--id", rollup, "--every", "1h", "--cron", "0 * * * *")


def test_create_from_stdin_and_argument(tse):
    script = ('option task = {name: "t", cron: "0 */2 * * *"}\n'
              'from(bucket: "b") |> range(start: -2h)')
    out = tse.ok("task", "create", "-f", "-", "--status", "inactive", "--json", input=script)
    created = json.loads(out.stdout)
    assert (created["name"], created["status"], created["cron"]) == ("t", "inactive", "0 */2 * * *")
    assert created["flux"] == script and "every" not in created
    tse.ok("task", "create", script.replace('"t"', '"u"'), "-d", "second")
    assert sorted((t["name"], t["status"], t.get("description")) for t in tasks_json(tse)) == [
        ("t", "inactive", None), ("u", "active", "second")]


def test_bad_script_is_an_error_with_line_and_column(tse):
    result = tse("task", "create", 'option task = {name: "x", every: 1h}\nfrom(bucket: "a") |>')
    assert result.exit_code == 1 and result.stdout == ""
    assert re.match(r"Error: error at 2:\d+: ", result.stderr)
    result = tse("task", "create", 'option task = {name: "x", every: 1h, foo: 1}')
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: error at 1:38: unknown task option 'foo'")
    tse.fails(r"give the Flux script", "task", "create")
    tse.fails(r"^Error: task 0000000000000001 not found$", "task", "find", "--id",
              "0000000000000001")


def test_tick_runs_what_is_due_and_run_list_and_logs_show_it(tse, data_dir, rollup):
    result = tse.ok("scheduler", "tick", "--now", "2024-01-01T03:10:00Z")
    assert result.stdout == (
        "iot_sensor_rollup\t2024-01-01T01:00:00Z\tsuccess\n"
        "iot_sensor_rollup\t2024-01-01T02:00:00Z\tsuccess\n"
        "iot_sensor_rollup\t2024-01-01T03:00:00Z\tsuccess\n")
    assert result.stderr == "3 runs: 3 succeeded, 0 failed\n"
    assert tse.ok("scheduler", "tick", "--now", "2024-01-01T03:10:00Z").stderr == (
        "0 runs: 0 succeeded, 0 failed\n")
    runs = runs_json(tse, rollup)
    assert [(r["scheduledFor"], r["startedAt"], r["status"]) for r in runs] == [
        ("2024-01-01T03:00:00Z", "2024-01-01T03:05:00Z", "success"),
        ("2024-01-01T02:00:00Z", "2024-01-01T02:05:00Z", "success"),
        ("2024-01-01T01:00:00Z", "2024-01-01T01:05:00Z", "success")]
    assert all(r["taskID"] == rollup and "requestedAt" not in r for r in runs)
    assert runs[1]["log"][-1]["message"] == "Completed(success)"
    header, *table = rows(tse.ok("task", "run", "list", "--task-id", rollup).stdout)
    assert header == ["ID", "TaskID", "Status", "ScheduledFor", "StartedAt", "FinishedAt",
                      "RequestedAt", "Error"]
    assert [r[3] for r in table] == ["2024-01-01T03:00:00Z", "2024-01-01T02:00:00Z",
                                     "2024-01-01T01:00:00Z"]
    after = runs_json(tse, rollup, "--after", "2024-01-01T01:30:00Z", "--limit", "1")
    assert [r["scheduledFor"] for r in after] == ["2024-01-01T03:00:00Z"]
    [task] = tasks_json(tse)
    assert (task["latestCompleted"], task["lastRunStatus"]) == ("2024-01-01T03:00:00Z", "success")
    # the rollup wrote the 10-minute means of the raw points, at their windows' starts
    assert tse.export("aggregated_telemetry").splitlines() == [
        "environmental_sensors,device=a temp=1.0 1704069600000000000",
        "environmental_sensors,device=a temp=3.0 1704071400000000000",
        "environmental_sensors,device=a temp=5.0 1704075000000000000"]

    run_id = runs[1]["id"]
    logs = json.loads(tse.ok("task", "log", "list", "--task-id", rollup, "--run-id", run_id,
                             "--json").stdout)
    assert [e["message"] for e in logs[1:]] == [
        "Window 2024-01-01T01:00:00Z to 2024-01-01T02:00:00Z", "Read 1 points, wrote 1 points",
        "Completed(success)"]
    assert {(e["runID"], e["time"]) for e in logs} == {(run_id, "2024-01-01T02:05:00Z")}
    header, *table = rows(tse.ok("task", "log", "list", "--task-id", rollup).stdout)
    assert header == ["RunID", "Time", "Message"] and len(table) == 12
    tse.fails(r"run 0000000000000001 of task \w+ not found",
              "task", "log", "list", "--task-id", rollup, "--run-id", "0000000000000001")


def test_tick_without_catch_up_runs_only_the_newest_due_schedule(tse, rollup):
    result = tse.ok("scheduler", "tick", "--now", "2024-01-01T05:10:00Z", "--no-catch-up")
    assert result.stdout == "iot_sensor_rollup\t2024-01-01T05:00:00Z\tsuccess\n"
    assert result.stderr == (
        "1 runs: 1 succeeded, 0 failed, 4 missed schedules skipped (catch-up disabled)\n")
    result = tse.ok("scheduler", "tick", "--now", "2024-01-01T09:10:00Z", "--catch-up-limit", "2")
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == [
        "2024-01-01T08:00:00Z", "2024-01-01T09:00:00Z"]
    assert result.stderr.endswith(", 2 missed schedules skipped (catch-up limit 2)\n")


def test_run_start_and_backfill(tse, rollup):
    result = tse.ok("task", "run", "start", "--task-id", rollup,
                    "--scheduled-for", "2024-01-01T02:00:00Z", "--json")
    run = json.loads(result.stdout)
    assert (run["status"], run["scheduledFor"], run["requestedAt"]) == (
        "success", "2024-01-01T02:00:00Z", "2024-01-01T00:30:00Z")
    assert "Read 1 points, wrote 1 points" in [e["message"] for e in run["log"]]

    result = tse.ok("task", "backfill", "--task-id", rollup, "--start", "2024-01-01T00:00:00Z",
                    "--stop", "2024-01-01T03:00:00Z")
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(status, sf) for status, sf, _ in lines] == [
        ("success", "2024-01-01T01:00:00Z"), ("success", "2024-01-01T02:00:00Z"),
        ("success", "2024-01-01T03:00:00Z")]
    assert "backfill" in result.stderr
    assert len(tse.export("aggregated_telemetry").splitlines()) == 3
    assert len(runs_json(tse, rollup)) == 4
    tse.fails(r"backfill needs a start before its stop", "task", "backfill", "--task-id", rollup,
              "--start", "2024-01-01T03:00:00Z", "--stop", "2024-01-01T00:00:00Z")
    tse.fails(r"invalid time 'yesterday'", "task", "run", "start", "--task-id", rollup,
              "--scheduled-for", "yesterday")


def test_a_failed_run_names_the_bucket_and_retry_failed_retries_it(tse, rollup):
    task_id = rows(tse.ok("task", "create", MISSING).stdout)[1][0]
    tse.fails(r'failed: could not execute task run: error at 3:1: from: could not find bucket '
              r'"nope"', "task", "run", "start", "--task-id", task_id,
              "--scheduled-for", "2024-01-01T01:00:00Z")
    result = tse.ok("scheduler", "tick", "--now", "2024-01-01T02:00:00Z", "--retry-attempts", "1")
    assert sorted(result.stdout.splitlines()) == [  # in the order they finished
        "iot_sensor_rollup\t2024-01-01T01:00:00Z\tsuccess",
        'needs_nope\t2024-01-01T01:00:00Z\tfailed\tcould not execute task run: error at 3:1: '
        'from: could not find bucket "nope"',
        "needs_nope\t2024-01-01T02:00:00Z\tfailed\tcould not execute task run: error at 3:1: "
        'from: could not find bucket "nope"']
    assert result.stderr == "3 runs: 1 succeeded, 2 failed\n"
    failed = runs_json(tse, task_id, "--status", "failed")
    assert [r["scheduledFor"] for r in failed] == [
        "2024-01-01T02:00:00Z", "2024-01-01T01:00:00Z", "2024-01-01T01:00:00Z"]
    assert 'could not find bucket "nope"' in rows(
        tse.ok("task", "run", "list", "--task-id", task_id).stdout)[1][-1]

    result = tse.ok("task", "retry-failed", "--dry-run")
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [
        f"Would retry run {failed[1]['id']} of task {task_id} scheduled for 2024-01-01T01:00:00Z",
        f"Would retry run {failed[0]['id']} of task {task_id} scheduled for 2024-01-01T02:00:00Z"]
    assert "2 runs of 1 tasks to retry" in result.stderr
    tse.fails(r"2 of 2 retried runs failed", "task", "retry-failed", "--task-id", task_id)

    tse.ok("bucket", "create", "nope")
    result = tse.ok("task", "retry-failed")
    assert [line.rsplit(": ", 1)[1] for line in result.stdout.splitlines()] == [
        "success", "success"]
    assert result.stderr == "2 runs retried: 2 succeeded, 0 failed\n"
    assert tse.ok("task", "retry-failed").stderr == "0 runs retried: 0 succeeded, 0 failed\n"

    # a single run retried by id
    old = runs_json(tse, task_id, "--status", "success")[0]
    result = tse.ok("task", "run", "retry", "-i", task_id, "-r", old["id"], "--json")
    retried = json.loads(result.stdout)
    assert (retried["status"], retried["scheduledFor"]) == ("success", old["scheduledFor"])
    assert result.stderr == (f"Retry for task {task_id}'s run {old['id']} queued as run "
                             f"{retried['id']}.\n")


def test_delete(tse, rollup):
    tse.ok("scheduler", "tick", "--now", "2024-01-01T01:10:00Z")
    result = tse.ok("task", "delete", "--id", rollup)
    assert rows(result.stdout)[1][0] == rollup
    assert result.stderr == f'deleted task "iot_sensor_rollup" ({rollup})\n'
    assert tasks_json(tse) == []
    tse.fails(rf"^Error: task {rollup} not found$", "task", "find", "--id", rollup)
    tse.fails(rf"^Error: task {rollup} not found$", "task", "run", "list", "--task-id", rollup)


def test_settings_options_are_checked(tse):
    result = tse("scheduler", "tick", "--retry-attempts", "11")
    assert result.exit_code == 2 and "--retry-attempts" in result.stderr
    result = tse("scheduler", "tick", "--retry-backoff", "soon")
    assert result.exit_code == 2 and "invalid duration 'soon'" in result.stderr
    tse.fails(r"invalid time", "scheduler", "tick", "--now", "tomorrow")
    assert tse.ok("scheduler", "tick", "--retry-backoff", "5m", "--max-concurrent-runs", "2",
                  "--history-limit", "10").stderr == "0 runs: 0 succeeded, 0 failed\n"


def test_every_task_and_scheduler_command_has_help():
    for group in ("task", "scheduler"):
        todo = [cli.commands[group]]
        while todo:
            cmd = todo.pop()
            assert cmd.help and cmd.help.strip(), cmd.name
            assert all(p.help for p in cmd.params if isinstance(p, click.Option)), cmd.name
            if isinstance(cmd, click.Group):
                todo.extend(cmd.commands.values())


@pytest.mark.skipif(not TSENGINE.exists(), reason="console script not installed")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_scheduler_run_stops_cleanly_on_a_signal(tmp_path, signum):
    env = {**os.environ, "TSENGINE_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([str(TSENGINE), "scheduler", "run", "--no-catch-up"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr.readline().startswith("scheduler running on ")
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert (proc.returncode, stdout, stderr) == (0, "", "scheduler stopped\n")
