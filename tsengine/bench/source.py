"""The points a run writes: generated telemetry or a line-protocol file, staged as a plain file
before the clock starts, then cut into batches of whole lines (where, found before the clock
starts too) as they are sent, so neither generation, decompression nor the search for line ends
is timed and no size of data sits in memory."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storage.timeutil import SECOND
from tsengine.bench.generate import TelemetrySpec, auto_chunk_intervals, telemetry_line_protocol

BLOCK = 16 * 1024 * 1024
PRECISION_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": SECOND}


@dataclass
class Span:
    """The time span of the written points, [start, stop) in nanoseconds."""

    start: int
    stop: int


@dataclass
class Staged:
    """A line-protocol file ready to be sent: its size in lines and bytes, and its span (from
    the spec, or from the first and last line of every batch of a file)."""

    path: Path
    lines: int
    bytes: int
    span: Span | None


def stage_generated(spec: TelemetrySpec, work_dir: Path,
                    progress: Iterator[None] | None = None) -> Staged:
    """Write the spec's telemetry to a plain file in `work_dir` (`progress` is advanced once
    per chunk)."""
    path = work_dir / "telemetry.lp"
    lines = size = 0
    with open(path, "wb") as out:
        for chunk in telemetry_line_protocol(spec, auto_chunk_intervals(spec)):
            data = chunk.encode()
            out.write(data)
            lines += data.count(b"\n")
            size += len(data)
            if progress is not None:
                next(progress, None)
    return Staged(path, lines, size, Span(spec.start, spec.start + spec.intervals * spec.interval))


def stage_file(path: Path, work_dir: Path, precision: str = "ns") -> Staged:
    """A line-protocol file as is, or gunzipped into `work_dir` first; its lines, bytes and
    span are counted by one pass over its batches."""
    if path.suffix == ".gz":
        plain = work_dir / path.stem
        with gzip.open(path, "rb") as src, open(plain, "wb") as out:
            shutil.copyfileobj(src, out, BLOCK)
        path = plain
    lines = size = 0
    span: Span | None = None
    for batch, count in batches(path, 5000):
        lines += count
        size += len(batch)
        span = _widen(span, batch, PRECISION_NS.get(precision, 1))
    return Staged(path, lines, size, span)


def batches(path: Path, lines: int) -> Iterator[tuple[bytes, int]]:
    """The file's content cut after every `lines`-th newline: (bytes, lines in them)."""
    return read_batches(path, batch_cuts(path, lines))


def batch_cuts(path: Path, lines: int) -> list[tuple[int, int]]:
    """Where the file's batches of `lines` lines end: (offset after the batch, its lines); a
    last line without its newline counts, a blank tail is no batch. Found before the clock
    starts, so that sending reads each batch whole, with no scan (read_batches)."""
    cuts: list[tuple[int, int]] = []
    count = 0  # newlines since the last cut
    offset = 0  # of the block in the file
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            closing = ends[lines - count - 1::lines]
            cuts += [(offset + int(end) + 1, lines) for end in closing]
            count += len(ends) - len(closing) * lines
            offset += len(block)
        start = cuts[-1][0] if cuts else 0
        f.seek(start)
        tail = f.read()
    if tail.strip():
        cuts.append((offset, count + (not tail.endswith(b"\n"))))
    return cuts


def read_batches(path: Path, cuts: list[tuple[int, int]]) -> Iterator[tuple[bytes, int]]:
    """The batches `batch_cuts` found: (bytes, lines in them), one read each."""
    start = 0
    with open(path, "rb") as f:
        for end, count in cuts:
            yield f.read(end - start), count
            start = end


def _widen(span: Span | None, batch: bytes, unit: int) -> Span | None:
    """The span grown by the timestamps of the batch's first and last line (points written in
    time order, as generated telemetry is, give the exact span)."""
    found = [t for t in (_timestamp(batch[:batch.find(b"\n")]),
                         _timestamp(batch.rstrip(b"\n").rsplit(b"\n", 1)[-1])) if t is not None]
    if not found:
        return span
    low, high = min(found) * unit, max(found) * unit + 1
    if span is None:
        return Span(low, high)
    return Span(min(span.start, low), max(span.stop, high))


def _timestamp(line: bytes) -> int | None:
    parts = line.strip().rsplit(b" ", 2)
    if len(parts) < 3:
        return None
    try:
        return int(parts[-1])
    except ValueError:
        return None
