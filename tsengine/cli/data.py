"""`tsengine write` and `tsengine export`: line protocol in and out, after `influx write`."""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import click
import polars as pl

from storage import Dropped, LineProtocolError, PointBatch, parse
from storage.lineprotocol import PRECISIONS
from storage.lineprotocol.model import LINE
from tsengine.cli.context import fail, open_engine

# Inputs larger than this are parsed in chunks of CHUNK_BYTES (cut at line ends) behind a
# progress bar; the chunk is no larger than the threshold, so the bar always moves.
PROGRESS_THRESHOLD = 4 * 1024 * 1024
CHUNK_BYTES = 4 * 1024 * 1024
# Seconds to wait for a data directory another process holds, when writing from stdin.
STDIN_LOCK_WAIT = 2.0


@click.command("write")
@click.option("-b", "--bucket", required=True, help="The bucket to write to.")
@click.option("-p", "--precision", type=click.Choice(list(PRECISIONS)), default="ns",
              show_default=True, help="Unit of the timestamps.")
@click.option("-f", "--file", "files", multiple=True, type=click.Path(dir_okay=False),
              help="A line-protocol file to read (repeatable; .gz is decompressed).")
@click.argument("lines", nargs=-1)
@click.pass_context
def write(ctx: click.Context, bucket: str, precision: str, files: tuple[str, ...],
          lines: tuple[str, ...]) -> None:
    """Write line protocol from files, from the arguments, or from standard input.

    Every input is parsed before anything is written: a syntax error anywhere writes nothing.
    Points refused one by one (type conflict, beyond retention) are reported; the exit status
    is then 1, as `influx write` does.
    """
    for name in files:
        if not Path(name).exists():
            raise fail(f"file {name} does not exist")
    stdin = None
    if not files and not lines:
        if sys.stdin.isatty():
            raise fail("no input: give line protocol as arguments, with -f FILE, or on stdin")
        # Read all of stdin before opening the data directory: in `tsengine export | tsengine
        # write` the exporting process holds the directory until its output is complete.
        stdin = sys.stdin.buffer.read()
    with open_engine(ctx, wait=STDIN_LOCK_WAIT if stdin is not None else 0) as engine:
        engine.bucket(bucket)  # an unknown bucket fails before any file is read
        now = engine.store.clock.now()
        batch = PointBatch()
        offset = 0
        for source, data in _inputs(files, lines, stdin):
            part = _parse(data, precision, now, source)
            # Line numbers restart in every input; shift them so that across inputs, too, the
            # later point wins a duplicate and the first occurrence decides a new field's type.
            if offset:
                for seg in part.segments:
                    seg.frame = seg.frame.with_columns((pl.col(LINE) + offset).cast(pl.UInt32))
            offset += data.count(b"\n") + 1
            batch.segments += part.segments
            batch.dropped = _merge(batch.dropped + part.dropped)
        result = engine.write(bucket, batch, precision)
    click.echo(f'wrote {_points(result.written)} to bucket "{bucket}"', err=True)
    if result.dropped:
        for d in result.dropped:
            reason = d.message if d.message.startswith("dropped ") else (
                f"dropped {_points(d.count)}: {d.message}")
            click.echo(reason, err=True)
        raise fail(f"failed to write data: {result.message()}")


def _inputs(files: tuple[str, ...], lines: tuple[str, ...], stdin: bytes | None
            ) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every input in order, read one at a time."""
    for name in files:
        try:
            raw = Path(name).read_bytes()
        except OSError as e:
            raise fail(f"{name}: cannot read: {e.strerror or e}") from None
        if name.endswith(".gz"):
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error) as e:
                raise fail(f"{name}: cannot decompress: {e}") from None
        yield name, raw
    if lines:
        yield "<arguments>", "\n".join(lines).encode()
    if stdin is not None:
        yield "<stdin>", stdin


def _parse(data: bytes, precision: str, now: int, source: str) -> PointBatch:
    """Parse one input; large ones in chunks cut at line ends, with a progress bar."""
    if len(data) <= PROGRESS_THRESHOLD:
        return parse(data, precision, now, source=source)
    batch = PointBatch()
    with click.progressbar(length=len(data), label=f"parsing {source}",
                           file=sys.stderr) as bar:
        pos, line = 0, 1
        while pos < len(data):
            end = data.find(b"\n", min(pos + CHUNK_BYTES, len(data)) - 1)
            end = len(data) if end < 0 else end + 1
            try:
                part = parse(data[pos:end], precision, now, first_line=line, source=source)
            except LineProtocolError:
                if end == len(data):
                    raise
                # A string field may hold a newline, so the cut may have split a point. Parse
                # the rest in one piece: that either succeeds or reports every bad line of it,
                # numbered as in the whole input (the chunks before it had none).
                end = len(data)
                part = parse(data[pos:], precision, now, first_line=line, source=source)
            batch.segments += part.segments
            batch.dropped += part.dropped
            line += data.count(b"\n", pos, end)
            bar.update(end - pos)
            pos = end
    return batch


def _merge(dropped: list[Dropped]) -> list[Dropped]:
    """One entry per reason, however many inputs or chunks reported it."""
    merged: dict[tuple[str, str], int] = {}
    for d in dropped:
        merged[d.kind, d.message] = merged.get((d.kind, d.message), 0) + d.count
    return [Dropped(kind, message, count) for (kind, message), count in merged.items()]


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


@click.command("export")
@click.option("-b", "--bucket", required=True, help="The bucket to export.")
@click.option("--start", help="Earliest time (RFC3339, integer ns, or -7d from now).")
@click.option("--stop", help="Time to stop before (exclusive).")
@click.pass_context
def export(ctx: click.Context, bucket: str, start: str | None, stop: str | None) -> None:
    """Print a bucket's points as line protocol, so `export | write` round-trips."""
    with open_engine(ctx) as engine:
        count = engine.export_to(sys.stdout, bucket, start, stop)
    click.echo(f"exported {_points(count)}", err=True)
