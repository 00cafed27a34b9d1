"""The scheduler: which runs are due, and starting them in order within the limits.

`tick(now)` does everything due up to `now` and returns: the runs each active task's schedule
has due since its last scheduled time (every one of them, up to the catch-up limit), queued
manual runs whose scheduledFor has come, and retries whose backoff has passed, in the order
they are due. Limits hold while it works: at most `max_concurrent_runs` at once, a task's runs
at most its `concurrency` at once and always started in schedule order, and a failed run is
retried up to the task's attempts with a doubling backoff.

Chains: a task that reads a bucket another task writes waits, run by run, until the upstream
runs whose windows overlap its window have succeeded (a window never aggregated before its
upstream is complete); it fails, without running, when one of them failed for good.

A tick can simulate time: `simulate=True` stamps each run with the time it was due (a chained
run: not before its upstream runs finished; retries come due at that time plus the backoff),
so replaying a day of schedules with `tsengine scheduler tick --now` records what a scheduler
running all day would have.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from storage import Clock, format_time
from tsengine.errors import TaskError
from tsengine.tasks.executor import TaskExecutor, window
from tsengine.tasks.lineage import lineage
from tsengine.tasks.model import Run, Task
from tsengine.tasks.schedule import Schedule
from tsengine.tasks.store import TaskStore, truncate_seconds

SECOND = 1_000_000_000


@dataclass(frozen=True)
class SchedulerSettings:
    """Instance-wide limits; a task's `concurrency` and `retry` options override theirs."""

    max_concurrent_runs: int = 4
    concurrency: int = 1            # runs of one task at once
    retry_attempts: int = 3         # tries per scheduled time (1: never retry)
    retry_backoff: int = 30 * SECOND  # before the second try; doubles after each failure
    catch_up: bool = True           # run the schedules missed while no scheduler ran
    catch_up_limit: int = 100       # per task and tick: older missed schedules are skipped
    history_limit: int = 1000       # finished runs kept per task

    def attempts(self, task: Task) -> int:
        return task.options.retry or self.retry_attempts

    def task_concurrency(self, task: Task) -> int:
        return task.options.concurrency or self.concurrency

    def backoff(self, failed_attempt: int) -> int:
        """The wait after the `failed_attempt`-th try failed."""
        return self.retry_backoff * 2 ** (failed_attempt - 1)


@dataclass(order=True)
class _Item:
    """A run to start: scheduled (no record yet) or queued (a manual run, a retry)."""

    due: int
    seq: int
    task_id: str = field(compare=False)
    scheduled_for: int = field(compare=False)
    run: Run | None = field(compare=False, default=None)  # the record, when already queued
    note: str | None = field(compare=False, default=None)  # a log line for its first run


@dataclass
class TickReport:
    """What a tick did: finished runs in the order they finished, and the scheduled times
    left waiting for an upstream run that is not due yet."""

    runs: list[Run] = field(default_factory=list)
    waiting: list[tuple[str, int]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


class Scheduler:
    """Decides what is due and runs it through the executor."""

    def __init__(self, tasks: TaskStore, executor: TaskExecutor, settings: SchedulerSettings,
                 clock: Clock) -> None:
        self.tasks = tasks
        self.executor = executor
        self.settings = settings
        self.clock = clock
        self._seq = itertools.count()

    # -- the entry points --------------------------------------------------------------------
    def tick(self, now: int, *, simulate: bool = False) -> TickReport:
        """Run everything due up to `now`, in the order it is due, then return."""
        report = TickReport()
        tasks = {t.id: t for t in self.tasks.every_task()}
        items = self._scheduled(tasks, now, report) + self._queued(tasks, now)
        _Dispatch(self, tasks, now, simulate, report).run(items)
        return report

    def start(self, now: int) -> None:
        """A scheduler process starts: without catch-up, as InfluxDB, schedules missed while
        none ran are dropped (each active task continues from `now`)."""
        if self.settings.catch_up:
            return
        for task in self.tasks.every_task():
            if task.active:
                self.tasks.set_progress(task.id, latest_scheduled=truncate_seconds(now))

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Tick on the clock until `stop` is set (`tsengine scheduler run`, the server)."""
        self.start(self.clock.now())
        while not stop.is_set():
            try:
                self.tick(self.clock.now())
            except Exception as e:  # noqa: BLE001  the next tick may well work: keep scheduling
                print(f"tsengine scheduler: tick failed: {e!r}", file=sys.stderr)
            stop.wait(poll_seconds)

    # -- what is due ---------------------------------------------------------------------------
    def _scheduled(self, tasks: dict[str, Task], now: int, report: TickReport) -> list[_Item]:
        """Each active task's schedules due since its last scheduled time, the newest
        `catch_up_limit` of them when more are due (a log line on the first says so)."""
        items = []
        limit = max(1, self.settings.catch_up_limit)
        for task in tasks.values():
            if not task.active:
                continue
            schedule = Schedule.of(task.options)
            kept: deque[int] = deque(maxlen=limit)
            count = 0
            first_due = last_dropped = None
            for sf in schedule.due(task.latest_scheduled, now):
                if first_due is None:
                    first_due = sf
                if len(kept) == limit:
                    last_dropped = kept[0]
                kept.append(sf)
                count += 1
            note = None
            if last_dropped is not None:
                report.skipped[task.id] = count - limit
                note = (f"Catch-up limit of {limit} runs reached: skipped {count - limit} "
                        f"scheduled runs from {format_time(first_due)} to "
                        f"{format_time(last_dropped)}")
            for i, sf in enumerate(kept):
                items.append(_Item(schedule.run_at(sf), next(self._seq), task.id, sf,
                                   note=note if i == 0 else None))
        return items

    def _queued(self, tasks: dict[str, Task], now: int) -> list[_Item]:
        """Recorded runs waiting to start: manual runs (due at their scheduledFor) and
        retries (due when the backoff after the failed try has passed)."""
        items = []
        for task in tasks.values():
            for run in self.tasks.runs(task.id, status="scheduled", limit=500):
                due = self._queued_due(run)
                if due <= now:
                    items.append(_Item(due, next(self._seq), task.id, run.scheduled_for, run))
        return items

    def _queued_due(self, run: Run) -> int:
        """A run someone asked for (manual, or a retry through the API) is due at its
        scheduledFor; an automatic retry when the backoff after the failed try has passed."""
        if run.attempt == 1 or run.requested_at is not None:
            return run.scheduled_for
        tries = self.tasks.find_run(run.task_id, run.scheduled_for)
        before = [r for r in tries if r.attempt == run.attempt - 1 and r.finished_at is not None]
        if not before:
            return run.scheduled_for
        return before[-1].finished_at + self.settings.backoff(run.attempt - 1)  # type: ignore


class _Dispatch:
    """One tick's work: a heap of items started in due order as the limits allow."""

    def __init__(self, scheduler: Scheduler, tasks: dict[str, Task], now: int, simulate: bool,
                 report: TickReport) -> None:
        self.s = scheduler
        self.tasks = tasks
        self.now = now
        self.simulate = simulate
        self.report = report
        self.heap: list[_Item] = []
        self.running: dict[Future[Run], _Item] = {}
        self.per_task: Counter[str] = Counter()
        self.deferred: set[str] = set()  # tasks whose next run waits for a later tick
        self.upstreams = _upstreams(tasks.values())

    def run(self, items: Iterable[_Item]) -> None:
        for item in items:
            heapq.heappush(self.heap, item)
        workers = max(1, self.s.settings.max_concurrent_runs)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="task-run") as pool:
            while self.heap or self.running:
                while len(self.running) < workers and self._start_next(pool):
                    pass
                if not self.running:
                    break  # what is left waits for runs that cannot happen in this tick
                done, _ = wait(list(self.running), return_when=FIRST_COMPLETED)
                for future in done:
                    item = self.running.pop(future)
                    try:
                        run = future.result()
                    except TaskError:  # deleted or canceled while it ran: nothing to record
                        self.per_task[item.task_id] -= 1
                        continue
                    self._finished(item, run)
        for item in sorted(self.heap):
            self.report.waiting.append((item.task_id, item.scheduled_for))

    # -- starting ----------------------------------------------------------------------------
    def _start_next(self, pool: ThreadPoolExecutor) -> bool:
        """Start the earliest item that may start now; False when none may."""
        held: set[str] = set()  # tasks with an earlier item that cannot start yet
        for item in sorted(self.heap):
            task = self.tasks[item.task_id]
            if task.id in held:
                continue
            if task.id in self.deferred:
                continue
            if self.per_task[task.id] >= self.s.settings.task_concurrency(task):
                held.add(task.id)
                continue
            state, reason = self._upstream_state(task, item)
            if state == "wait":
                held.add(task.id)
                continue
            if state == "later":
                self.deferred.add(task.id)
                continue
            self.heap.remove(item)
            heapq.heapify(self.heap)
            if item.run is not None and not self._still_queued(item.run):
                return True  # canceled (or started elsewhere) since the tick began
            if self.simulate and task.id in self.upstreams:
                item.due = max(item.due, self._upstreams_finished(task, item))
            run = self._record(task, item)
            if state == "failed":
                self.report.runs.append(self._fail_without_running(task, run, item, reason))
                return True
            self.per_task[task.id] += 1
            stamp = self._stamp(item)
            self.running[pool.submit(self.s.executor.execute, task, run, stamp)] = item
            return True
        return False

    def _still_queued(self, run: Run) -> bool:
        try:
            return self.s.tasks.run(run.task_id, run.id).status == "scheduled"
        except TaskError:
            return False

    def _record(self, task: Task, item: _Item) -> Run:
        """The item's run record: created now for a scheduled time, which the task has then
        been scheduled up to."""
        if item.run is not None:
            return item.run
        run = self.s.tasks.create_run(task.id, item.scheduled_for, now=self._stamp(item)())
        self.s.tasks.set_progress(task.id, latest_scheduled=item.scheduled_for)
        if item.note:
            self.s.tasks.add_log(task.id, run.id, self._stamp(item)(), item.note)
        return run

    def _stamp(self, item: _Item) -> Callable[[], int]:
        """The clock a run records: the wall clock, or when simulating, the time the run was
        due (a manual run: not before it was requested)."""
        if not self.simulate:
            return self.s.clock.now
        at = max(item.due, (item.run.requested_at or item.due) if item.run else item.due)
        return lambda: at

    def _fail_without_running(self, task: Task, run: Run, item: _Item, reason: str) -> Run:
        stamp = self._stamp(item)
        self.s.tasks.update_run(task.id, run.id, status="started", now=stamp())
        return self.s.executor.finish(task, run, stamp, reason)

    # -- finishing ---------------------------------------------------------------------------
    def _finished(self, item: _Item, run: Run) -> None:
        task = self.tasks[item.task_id]
        self.per_task[task.id] -= 1
        self.report.runs.append(run)
        settings = self.s.settings
        if run.status == "failed" and run.attempt < settings.attempts(task):
            wait_ns = settings.backoff(run.attempt)
            stamp = self._stamp(item)
            retry = self.s.tasks.create_run(task.id, run.scheduled_for, now=stamp(),
                                            attempt=run.attempt + 1)
            self.s.tasks.add_log(task.id, run.id, stamp(),
                                 f"Retrying: attempt {run.attempt + 1} of "
                                 f"{settings.attempts(task)} in {wait_ns // SECOND}s")
            due = (run.finished_at or stamp()) + wait_ns
            if due <= self.now:
                heapq.heappush(self.heap, _Item(due, next(self.s._seq), task.id,
                                                run.scheduled_for, retry))
        self.s.tasks.prune(task.id, settings.history_limit)

    # -- chains ------------------------------------------------------------------------------
    def _upstream_state(self, task: Task, item: _Item) -> tuple[str, str]:
        """"ok" to start; "wait" for an upstream run of this tick; "later" when an upstream
        run is not due yet; "failed" (with the reason) when one failed for good."""
        upstreams = self.upstreams.get(task.id, ())
        if not upstreams:
            return "ok", ""
        start, stop = window(task, item.scheduled_for)
        pending = {(i.task_id, i.scheduled_for) for i in [*self.heap, *self.running.values()]}
        for up_id in upstreams:
            up = self.tasks[up_id]
            for u in _overlapping(up, start, stop):
                if (up.id, u) in pending:
                    return "wait", ""
                state = self._slot_state(up, u)
                if state == "later":
                    return "later", ""
                if state.startswith("failed"):
                    return "failed", (f'upstream task "{up.name}" ({up.id}) failed its run '
                                      f"scheduled for {format_time(u)}: {state[7:]}")
        return "ok", ""

    def _upstreams_finished(self, task: Task, item: _Item) -> int:
        """When the upstream runs an item waited for finished: a simulated run starts no
        earlier, as on a scheduler running all along (per slot: its first success, else its
        last try)."""
        start, stop = window(task, item.scheduled_for)
        latest = 0
        for up_id in self.upstreams.get(task.id, ()):
            for u in _overlapping(self.tasks[up_id], start, stop):
                tries = [r for r in self.s.tasks.find_run(up_id, u) if r.finished]
                won = [r for r in tries if r.status == "success"]
                decided = won[0] if won else tries[-1] if tries else None
                if decided is not None and decided.finished_at is not None:
                    latest = max(latest, decided.finished_at)
        return latest

    def _slot_state(self, up: Task, u: int) -> str:
        tries = self.s.tasks.find_run(up.id, u)
        if any(r.status == "success" for r in tries):
            return "ok"
        if any(not r.finished for r in tries):
            return "later"  # a queued retry, or a run of another process
        if tries:  # every try finished, none succeeded
            return f"failed:{tries[-1].error or tries[-1].status}"
        schedule = Schedule.of(up.options)
        if u > up.latest_scheduled and schedule.run_at(u) > self.now:
            return "later"  # not due yet
        return "ok"  # never scheduled (before the upstream existed, or skipped): nothing to wait


def _upstreams(tasks: Iterable[Task]) -> dict[str, tuple[str, ...]]:
    """For each active task, the active tasks that write a bucket it reads (cycles cut)."""
    active = [t for t in tasks if t.active]
    flows = {t.id: lineage(t.flux) for t in active}
    writers: dict[str, list[str]] = {}
    for t in active:
        for bucket in flows[t.id].writes:
            writers.setdefault(bucket, []).append(t.id)
    graph = {t.id: tuple(sorted({w for b in flows[t.id].reads for w in writers.get(b, ())
                                 if w != t.id})) for t in active}
    return {t: tuple(u for u in ups if not _reaches(graph, u, t)) for t, ups in graph.items()
            if ups}


def _reaches(graph: dict[str, tuple[str, ...]], source: str, target: str) -> bool:
    """Whether `target` is upstream of `source` (a dependency on it would be a cycle)."""
    seen, todo = set(), [source]
    while todo:
        node = todo.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def _overlapping(up: Task, start: int, stop: int) -> list[int]:
    """The upstream's scheduled times whose windows overlap [start, stop), from its first."""
    schedule = Schedule.of(up.options)
    first = schedule.first_after(up.created_at)
    out = []
    u = schedule.first_after(start)
    while schedule.previous(u) < stop:
        if u >= first:
            out.append(u)
        u = schedule.next_after(u)
    return out
