"""`tsengine write` and `tsengine export`: line protocol in and out, after `influx write`."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import click

from storage import PointBatch, parse
from storage.lineprotocol import PRECISIONS
from tsengine.cli.context import fail, open_engine

PROGRESS_THRESHOLD = 4 * 1024 * 1024
CHUNK_BYTES = 16 * 1024 * 1024


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
    with open_engine(ctx) as engine:
        now = engine.store.clock.now()
        batch = PointBatch()
        for source, data in _inputs(files, lines):
            part = _parse(data, precision, now, source)
            batch.segments += part.segments
            batch.dropped += part.dropped
        result = engine.write(bucket, batch, precision)
    click.echo(f'wrote {result.written} points to bucket "{bucket}"', err=True)
    if result.dropped:
        for d in result.dropped:
            click.echo(f"dropped {d.count} points: {d.message}", err=True)
        raise fail(f"failed to write data: {result.message()}")


def _inputs(files: tuple[str, ...], lines: tuple[str, ...]) -> list[tuple[str, bytes]]:
    out = []
    for name in files:
        path = Path(name)
        if not path.exists():
            raise fail(f"file {name} does not exist")
        raw = path.read_bytes()
        if name.endswith(".gz"):
            try:
                raw = gzip.decompress(raw)
            except OSError as e:
                raise fail(f"{name}: cannot decompress: {e}") from None
        out.append((name, raw))
    if lines:
        out.append(("<arguments>", "\n".join(lines).encode()))
    if not files and not lines:
        out.append(("<stdin>", sys.stdin.buffer.read()))
    return out


def _parse(data: bytes, precision: str, now: int, source: str) -> PointBatch:
    """Parse one input; large ones in chunks at line boundaries, with a progress bar."""
    if len(data) <= PROGRESS_THRESHOLD:
        return parse(data, precision, now, source=source)
    batch = PointBatch()
    with click.progressbar(length=len(data), label=f"parsing {source}", file=sys.stderr) as bar:
        pos, line = 0, 1
        while pos < len(data):
            end = data.find(b"\n", min(pos + CHUNK_BYTES, len(data)) - 1)
            end = len(data) if end < 0 else end + 1
            chunk = data[pos:end]
            try:
                part = parse(chunk, precision, now, first_line=line, source=source)
            except Exception:
                if b'"' in chunk:  # a quoted string may span the chunk boundary: parse whole
                    return parse(data, precision, now, source=source)
                raise
            batch.segments += part.segments
            batch.dropped += part.dropped
            line += chunk.count(b"\n")
            bar.update(end - pos)
            pos = end
    return batch


@click.command("export")
@click.option("-b", "--bucket", required=True, help="The bucket to export.")
@click.option("--start", help="Earliest time (RFC3339, integer ns, or -7d from now).")
@click.option("--stop", help="Time to stop before (exclusive).")
@click.pass_context
def export(ctx: click.Context, bucket: str, start: str | None, stop: str | None) -> None:
    """Print a bucket's points as line protocol, so `export | write` round-trips."""
    with open_engine(ctx) as engine:
        count = engine.export_to(sys.stdout, bucket, start, stop)
    click.echo(f"exported {count} points", err=True)
