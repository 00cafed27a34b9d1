"""Ingest: batches of whole lines sent by N concurrent clients (threads, each with its own
connection), each waiting for its batch's acknowledgement before sending the next. The clock
runs from the first send to the last acknowledgement; the writers are open before it starts."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from tsengine.bench.progress import Bar, Progress, no_progress
from tsengine.bench.results import BatchTiming, IngestResult
from tsengine.bench.stats import Latency
from tsengine.bench.targets import Target, Writer

_DONE = None


def run_ingest(target: Target, batches: Iterator[tuple[bytes, int]], *, total_batches: int,
               concurrency: int = 2, precision: str = "ns",
               progress: Progress = no_progress) -> IngestResult:
    """Send every batch and time it; a refused batch stops the run (status failed)."""
    writers = [target.writer() for _ in range(max(1, concurrency))]
    work: queue.Queue[tuple[bytes, int] | None] = queue.Queue(maxsize=4 * len(writers))
    stop = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    timeline: list[BatchTiming] = []
    sent = {"points": 0, "bytes": 0, "batches": 0}
    errors: list[str] = []

    def feed() -> None:
        """Read ahead of the writers (a bounded queue: at most a few batches in memory)."""
        try:
            for item in batches:
                while not stop.is_set():
                    try:
                        work.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except Exception as e:  # noqa: BLE001 - a source that cannot be read ends the run
            with lock:
                errors.append(f"reading the points: {type(e).__name__}: {e}")
            stop.set()
        finally:
            for _ in writers:
                work.put(_DONE)

    def send(writer: Writer) -> None:
        while (item := work.get()) is not _DONE:
            if stop.is_set():
                continue  # drain, so the feeder's last puts never block
            body, lines = item
            began = time.perf_counter()
            try:
                writer.write(body, precision)
            except Exception as e:  # noqa: BLE001 - reported in the result, ends the run
                with lock:
                    errors.append(f"{type(e).__name__}: {e}")
                stop.set()
                continue
            done = time.perf_counter()
            took = done - began
            with lock:
                latencies.append(took)
                timeline.append(BatchTiming(done - started, took, lines))  # set before any send
                sent["points"] += lines
                sent["bytes"] += len(body)
                sent["batches"] += 1

    threads = [threading.Thread(target=send, args=(w,), name=f"bench-writer-{i}")
               for i, w in enumerate(writers)]
    feeder = threading.Thread(target=feed, name="bench-feeder")
    try:
        with progress("ingest", total_batches) as bar:
            started = time.perf_counter()
            feeder.start()
            for t in threads:
                t.start()
            shown = 0
            for t in threads:
                while t.is_alive():
                    t.join(timeout=0.2)
                    shown = _advance(bar, shown, sent["batches"])
            seconds = time.perf_counter() - started
            _advance(bar, shown, sent["batches"])
        feeder.join()
    finally:
        stop.set()
        for w in writers:
            w.close()
    return IngestResult(
        status="failed" if errors else "ok", error=errors[0] if errors else None,
        points=sent["points"], bytes=sent["bytes"], batches=sent["batches"], seconds=seconds,
        points_per_second=sent["points"] / seconds if seconds else 0.0,
        bytes_per_second=sent["bytes"] / seconds if seconds else 0.0,
        latency=Latency.of(latencies), peak_rss_bytes=target.peak_rss(),
        batch_timeline=timeline)


def _advance(bar: Bar, shown: int, done: int) -> int:
    if done > shown:
        bar.update(done - shown)
    return done
