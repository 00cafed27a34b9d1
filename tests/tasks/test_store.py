"""TaskStore: tasks, runs and logs in catalog.duckdb, listed and ordered as InfluxDB does."""

from __future__ import annotations

import re
import threading

import pytest

from storage import Store, parse_time
from tsengine.errors import FluxError, RunNotFound, TaskError, TaskNotFound, TaskOptionsError
from tsengine.flux.values import Duration
from tsengine.tasks.model import LogEvent, Run, Task
from tsengine.tasks.store import TaskStore

S = 1_000_000_000
M = 60 * S
H = 60 * M
T0 = parse_time("2024-01-02T14:30:00Z")
ORG = "0000000000000001"


def script(name: str = "t", schedule: str = "every: 1h") -> str:
    return (f'option task = {{name: "{name}", {schedule}}}\n'
            'from(bucket: "b") |> range(start: -task.every)\n')


@pytest.fixture
def tasks(store: Store) -> TaskStore:
    return TaskStore(store)


def finish(tasks: TaskStore, run: Run, status: str = "success", at: int = T0) -> Run:
    tasks.update_run(run.task_id, run.id, status="started", now=at)
    return tasks.update_run(run.task_id, run.id, status=status, now=at + S)


# -- create / get --------------------------------------------------------------------------------
def test_create_fills_the_record_from_the_script(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script("cpu", "every: 1h, offset: 5m"), description="d",
                        now=T0 + 123_456_789)
    assert re.fullmatch(r"[0-9a-f]{16}", task.id) and int(task.id, 16) != 0
    assert (task.org_id, task.name, task.status, task.description) == (ORG, "cpu", "active", "d")
    assert task.created_at == task.updated_at == task.latest_scheduled == T0
    assert task.latest_completed is None and task.last_run_status is None
    assert task.every == Duration(0, H) and task.cron is None and task.offset == Duration(0, 5 * M)
    assert task.options.name == "cpu"
    assert tasks.get(task.id) == task


def test_create_cron_task_inactive(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script("c", 'cron: "0 * * * *"'), status="inactive", now=T0)
    assert (task.status, task.cron, task.every) == ("inactive", "0 * * * *", None)
    assert tasks.get(task.id).cron == "0 * * * *"


def test_create_refuses_bad_options_and_stores_nothing(tasks: TaskStore) -> None:
    with pytest.raises(TaskOptionsError) as err:
        tasks.create(ORG, 'option task = {name: "t", every: 1h, retry: 0}\n', now=T0)
    assert (err.value.line, err.value.column) == (1, 45)
    assert "1:45" in str(err.value)
    with pytest.raises(FluxError):
        tasks.create(ORG, 'option task = {name: "t", every: }\n', now=T0)
    with pytest.raises(TaskOptionsError):
        tasks.create(ORG, 'from(bucket: "b")\n', now=T0)
    assert tasks.find() == []


def test_create_refuses_bad_status(tasks: TaskStore) -> None:
    with pytest.raises(TaskError, match="invalid task status 'paused'"):
        tasks.create(ORG, script(), status="paused", now=T0)
    assert tasks.find() == []


def test_unknown_task(tasks: TaskStore) -> None:
    for call in (lambda: tasks.get("00000000000000ff"), lambda: tasks.delete("00000000000000ff"),
                 lambda: tasks.runs("00000000000000ff"),
                 lambda: tasks.create_run("00000000000000ff", T0, now=T0)):
        with pytest.raises(TaskNotFound, match="task 00000000000000ff not found"):
            call()


# -- find ----------------------------------------------------------------------------------------
def test_find_filters_and_pages_by_id(tasks: TaskStore) -> None:
    other = "0000000000000002"
    a = tasks.create(ORG, script("a"), now=T0)
    b = tasks.create(ORG, script("b"), status="inactive", now=T0)
    c = tasks.create(other, script("a"), now=T0)
    ids = sorted(t.id for t in (a, b, c))
    assert [t.id for t in tasks.find()] == ids
    assert {t.id for t in tasks.find(org_id=ORG)} == {a.id, b.id}
    assert {t.id for t in tasks.find(name="a")} == {a.id, c.id}
    assert [t.id for t in tasks.find(status="inactive")] == [b.id]
    assert [t.id for t in tasks.find(org_id=ORG, name="a", status="active")] == [a.id]
    assert [t.id for t in tasks.find(limit=2)] == ids[:2]
    assert [t.id for t in tasks.find(after=ids[0])] == ids[1:]
    assert [t.id for t in tasks.find(after=ids[1], limit=1)] == ids[2:]
    assert tasks.find(after=ids[2]) == []
    for bad in (0, 501):
        with pytest.raises(TaskError, match="limit"):
            tasks.find(limit=bad)


# -- update --------------------------------------------------------------------------------------
def test_update_flux_renames(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script("old"), now=T0)
    updated = tasks.update(task.id, flux=script("new", "every: 5m"), now=T0 + 90 * S + 7)
    assert (updated.name, updated.every) == ("new", Duration(0, 5 * M))
    assert updated.updated_at == T0 + 90 * S and updated.created_at == T0
    assert updated.latest_scheduled == T0
    assert tasks.get(task.id) == updated
    assert tasks.find(name="new") == [updated] and tasks.find(name="old") == []


def test_update_bad_flux_refused(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    with pytest.raises(TaskOptionsError):
        tasks.update(task.id, flux='option task = {name: "x"}\n', description="d", now=T0 + S)
    assert tasks.get(task.id) == task


def test_update_description_and_status(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    assert tasks.update(task.id, description="about", now=T0 + S).description == "about"
    off = tasks.update(task.id, status="inactive", now=T0 + 2 * S)
    assert (off.status, off.latest_scheduled, off.updated_at) == ("inactive", T0, T0 + 2 * S)
    # reactivation does not backfill: scheduling restarts from now, whole seconds
    on = tasks.update(task.id, status="active", now=T0 + 5 * H + 500)
    assert (on.status, on.latest_scheduled, on.updated_at) == ("active", T0 + 5 * H, T0 + 5 * H)
    # unchanged status: nothing moves
    same = tasks.update(task.id, status="active", now=T0 + 6 * H)
    assert same == on


def test_update_refusals(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    with pytest.raises(TaskError, match="cannot update task without content"):
        tasks.update(task.id, now=T0)
    with pytest.raises(TaskError, match="invalid task status"):
        tasks.update(task.id, status="on", now=T0)
    with pytest.raises(TaskNotFound):
        tasks.update("00000000000000ff", description="x", now=T0)


# -- progress ------------------------------------------------------------------------------------
def test_set_progress(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    t = tasks.set_progress(task.id, latest_scheduled=T0 + H, latest_completed=T0 + H,
                           last_run_status="failed", last_run_error="boom")
    assert (t.latest_scheduled, t.latest_completed) == (T0 + H, T0 + H)
    assert (t.last_run_status, t.last_run_error) == ("failed", "boom")
    # both checkpoints only move forward
    t = tasks.set_progress(task.id, latest_scheduled=T0, latest_completed=T0)
    assert (t.latest_scheduled, t.latest_completed) == (T0 + H, T0 + H)
    assert t.last_run_error == "boom"
    t = tasks.set_progress(task.id, latest_completed=T0 + 2 * H, last_run_status="success")
    assert (t.latest_completed, t.last_run_status, t.last_run_error) == (
        T0 + 2 * H, "success", None)
    assert tasks.get(task.id) == t
    with pytest.raises(TaskError, match="last run status"):
        tasks.set_progress(task.id, last_run_status="started")


# -- delete --------------------------------------------------------------------------------------
def test_delete_cascades(tasks: TaskStore, store: Store) -> None:
    keep = tasks.create(ORG, script("keep"), now=T0)
    gone = tasks.create(ORG, script("gone"), now=T0)
    for task in (keep, gone):
        run = tasks.create_run(task.id, T0 + H, now=T0)
        tasks.add_log(task.id, run.id, T0, "hello")
    tasks.delete(gone.id)
    with pytest.raises(TaskNotFound):
        tasks.get(gone.id)
    with store.metadata() as con:
        for table in ("task_runs", "task_logs"):
            (left,) = con.execute(f"SELECT count(*) FROM {table} WHERE task_id = ?",
                                  [gone.id]).fetchone()
            assert left == 0
    assert len(tasks.runs(keep.id)) == 1 and len(tasks.logs(keep.id)) == 1


# -- runs ----------------------------------------------------------------------------------------
def test_run_lifecycle(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    run = tasks.create_run(task.id, T0 + H, now=T0 + H)
    assert re.fullmatch(r"[0-9a-f]{16}", run.id)
    assert (run.task_id, run.status, run.scheduled_for, run.attempt) == (
        task.id, "scheduled", T0 + H, 1)
    assert (run.started_at, run.finished_at, run.requested_at, run.error) == (None,) * 4
    started = tasks.update_run(task.id, run.id, status="started", now=T0 + H + 5)
    assert (started.status, started.started_at, started.finished_at) == (
        "started", T0 + H + 5, None)
    failed = tasks.update_run(task.id, run.id, status="failed", now=T0 + H + 9, error="boom")
    assert (failed.status, failed.started_at, failed.finished_at, failed.error) == (
        "failed", T0 + H + 5, T0 + H + 9, "boom")
    assert tasks.run(task.id, run.id) == failed


def test_run_transitions_refused(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    run = tasks.create_run(task.id, T0, now=T0)
    canceled = tasks.update_run(task.id, run.id, status="canceled", now=T0 + S)
    assert (canceled.started_at, canceled.finished_at) == (None, T0 + S)
    for status in ("started", "success", "failed", "canceled", "scheduled"):
        with pytest.raises(TaskError, match="cannot go from canceled"):
            tasks.update_run(task.id, run.id, status=status, now=T0 + 2 * S)
    other = tasks.create_run(task.id, T0, now=T0)
    with pytest.raises(TaskError, match="invalid run status"):
        tasks.update_run(task.id, other.id, status="done", now=T0)
    with pytest.raises(TaskError, match="needs the time"):
        tasks.update_run(task.id, other.id, status="started")
    with pytest.raises(RunNotFound, match="run 00000000000000ff of task"):
        tasks.update_run(task.id, "00000000000000ff", status="started", now=T0)
    # a run belongs to its task only
    second = tasks.create(ORG, script("two"), now=T0)
    with pytest.raises(RunNotFound):
        tasks.run(second.id, other.id)


def test_manual_and_retried_runs(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    first = finish(tasks, tasks.create_run(task.id, T0 + H, now=T0 + H), "failed")
    retry = tasks.create_run(task.id, T0 + H, now=T0 + 2 * H, requested_at=T0 + 2 * H + 7,
                             attempt=2)
    assert (retry.requested_at, retry.attempt) == (T0 + 2 * H + 7, 2)
    assert tasks.find_run(task.id, T0 + H) == [first, retry]
    assert tasks.find_run(task.id, T0) == []
    recorded = tasks.create_run(task.id, T0, now=T0 + 4, status="canceled")
    assert (recorded.started_at, recorded.finished_at) == (None, T0 + 4)
    with pytest.raises(TaskError, match="attempt"):
        tasks.create_run(task.id, T0, now=T0, attempt=0)


def test_runs_order(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    done_1 = finish(tasks, tasks.create_run(task.id, T0 + H, now=T0))
    done_3 = finish(tasks, tasks.create_run(task.id, T0 + 3 * H, now=T0), "failed")
    retry_3 = finish(tasks, tasks.create_run(task.id, T0 + 3 * H, now=T0, attempt=2))
    done_2 = finish(tasks, tasks.create_run(task.id, T0 + 2 * H, now=T0), "canceled")
    running = tasks.create_run(task.id, T0 + 4 * H, now=T0)
    tasks.update_run(task.id, running.id, status="started", now=T0)
    queued_6 = tasks.create_run(task.id, T0 + 6 * H, now=T0)
    queued_5 = tasks.create_run(task.id, T0 + 5 * H, now=T0)
    order = [queued_5.id, queued_6.id, running.id, retry_3.id, done_3.id, done_2.id, done_1.id]
    assert [r.id for r in tasks.runs(task.id)] == order
    assert [r.id for r in tasks.runs(task.id, limit=3)] == order[:3]
    assert [r.id for r in tasks.runs(task.id, status="success")] == [retry_3.id, done_1.id]
    # afterTime / beforeTime: exclusive bounds on scheduledFor
    assert [r.id for r in tasks.runs(task.id, after_time=T0 + 2 * H)] == order[:5]
    assert [r.id for r in tasks.runs(task.id, before_time=T0 + 3 * H)] == [done_2.id, done_1.id]
    assert [r.id for r in tasks.runs(task.id, after_time=T0 + H, before_time=T0 + 4 * H)] == [
        retry_3.id, done_3.id, done_2.id]
    with pytest.raises(TaskError, match="beforeTime must be later than afterTime"):
        tasks.runs(task.id, after_time=T0 + H, before_time=T0 + H)
    with pytest.raises(TaskError, match="invalid run status"):
        tasks.runs(task.id, status="queued")


def test_runs_after_cursor(tasks: TaskStore) -> None:
    """As InfluxDB: `after` keeps finished runs whose id is greater; unfinished ones stay."""
    task = tasks.create(ORG, script(), now=T0)
    done = [finish(tasks, tasks.create_run(task.id, T0 + i * H, now=T0)) for i in range(6)]
    queued = tasks.create_run(task.id, T0 + 9 * H, now=T0)
    cut = sorted(r.id for r in done)[2]
    expected = [r.id for r in reversed(done) if r.id > cut]
    assert [r.id for r in tasks.runs(task.id, after=cut)] == [queued.id, *expected]


# -- logs ----------------------------------------------------------------------------------------
def test_logs_per_run_and_task(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    old = finish(tasks, tasks.create_run(task.id, T0 + H, now=T0))
    new = finish(tasks, tasks.create_run(task.id, T0 + 2 * H, now=T0))
    queued = tasks.create_run(task.id, T0 + 3 * H, now=T0)
    tasks.add_log(task.id, old.id, T0 + 10, "old 1")
    tasks.add_log(task.id, new.id, T0 + 30, "new 1")
    tasks.add_log(task.id, old.id, T0 + 5, "old 2")  # insertion order, not time order
    tasks.add_log(task.id, queued.id, T0 + 40, "queued 1")
    tasks.add_log(task.id, new.id, T0 + 20, "new 2")
    assert tasks.logs(task.id, old.id) == [LogEvent(old.id, T0 + 10, "old 1"),
                                           LogEvent(old.id, T0 + 5, "old 2")]
    assert [e.message for e in tasks.logs(task.id)] == [
        "queued 1", "new 1", "new 2", "old 1", "old 2"]
    empty = tasks.create(ORG, script("e"), now=T0)
    assert tasks.logs(empty.id) == []
    with pytest.raises(RunNotFound):
        tasks.logs(task.id, "00000000000000ff")
    with pytest.raises(RunNotFound):
        tasks.add_log(empty.id, old.id, T0, "wrong task")


def test_task_logs_cover_the_first_100_runs(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    for i in range(101):
        run = tasks.create_run(task.id, T0 + i * H, now=T0, status="success")
        tasks.add_log(task.id, run.id, T0, f"run {i}")
    messages = [e.message for e in tasks.logs(task.id)]
    assert messages == [f"run {i}" for i in range(100, 0, -1)]


# -- prune ---------------------------------------------------------------------------------------
def test_prune_keeps_the_newest_finished(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    done = [finish(tasks, tasks.create_run(task.id, T0 + i * H, now=T0)) for i in range(5)]
    for run in done:
        tasks.add_log(task.id, run.id, T0, run.id)
    queued = tasks.create_run(task.id, T0 - H, now=T0)  # older, but unfinished
    assert tasks.prune(task.id, 2) == 3
    assert [r.id for r in tasks.runs(task.id)] == [queued.id, done[4].id, done[3].id]
    assert [e.message for e in tasks.logs(task.id)] == [done[4].id, done[3].id]
    assert tasks.prune(task.id, 2) == 0
    assert tasks.prune(task.id, 0) == 2
    assert tasks.runs(task.id) == [queued]
    with pytest.raises(TaskError):
        tasks.prune(task.id, -1)


# -- persistence and concurrency -----------------------------------------------------------------
def test_survives_reopen(tmp_path) -> None:
    with Store.open(tmp_path / "data") as store:
        tasks = TaskStore(store)
        task = tasks.create(ORG, script("kept"), now=T0)
        task = tasks.set_progress(task.id, latest_completed=T0 + H, last_run_status="failed",
                                  last_run_error="boom")
        run = finish(tasks, tasks.create_run(task.id, T0 + H, now=T0, requested_at=T0 + 3),
                     "failed")
        tasks.add_log(task.id, run.id, T0, "first")
        tasks.add_log(task.id, run.id, T0, "second")
    with Store.open(tmp_path / "data") as store:
        tasks = TaskStore(store)
        assert tasks.get(task.id) == task
        assert tasks.runs(task.id) == [run]
        assert [e.message for e in tasks.logs(task.id, run.id)] == ["first", "second"]
        tasks.add_log(task.id, run.id, T0, "third")  # the log sequence carries on
        assert [e.message for e in tasks.logs(task.id)] == ["first", "second", "third"]


def test_concurrent_use(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(10):
                run = tasks.create_run(task.id, T0 + (worker * 10 + i) * S, now=T0)
                tasks.update_run(task.id, run.id, status="started", now=T0)
                for j in range(3):
                    tasks.add_log(task.id, run.id, T0 + j, f"{worker}-{i}-{j}")
                tasks.update_run(task.id, run.id, status="success", now=T0 + S)
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    runs = tasks.runs(task.id)
    assert len(runs) == 40 and all(r.status == "success" for r in runs)
    assert [r.scheduled_for for r in runs] == [T0 + i * S for i in range(39, -1, -1)]
    for run in runs:
        assert [e.message for e in tasks.logs(task.id, run.id)] == [
            f"{(run.scheduled_for - T0) // S // 10}-{(run.scheduled_for - T0) // S % 10}-{j}"
            for j in range(3)]


def test_task_record_is_frozen(tasks: TaskStore) -> None:
    task = tasks.create(ORG, script(), now=T0)
    assert isinstance(task, Task)
    with pytest.raises(AttributeError):
        task.name = "x"  # type: ignore[misc]
