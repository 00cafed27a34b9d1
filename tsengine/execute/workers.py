"""A shared pool of threads for NumPy work that releases the GIL (array copies, ufunc loops):
independent parts of one query's placement or sums then run on all cores, as Polars' and
DuckDB's own work does, instead of on one."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None  # the process that made it, the pool


def cores() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1


def run_all(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """Each job's result, in the jobs' order; they run at once on the pool's threads (one
    per core) when there are several jobs and cores, else one after another here. A job
    must not call run_all itself (the pool's threads could all be waiting)."""
    if len(jobs) < 2 or cores() < 2:
        return [job() for job in jobs]
    return list(_the_pool().map(lambda job: job(), jobs))


def _the_pool() -> ThreadPoolExecutor:
    """The pool, made anew in a forked child (whose copy of the parent's has no threads)."""
    global _pool
    with _lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(cores(), thread_name_prefix="tsengine"))
        return _pool[1]
