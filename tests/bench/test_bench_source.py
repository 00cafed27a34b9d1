"""Batches are whole lines and every line is sent exactly once; staging finds a file's span."""

from __future__ import annotations

import gzip
from pathlib import Path

from tsengine.bench.source import batches, stage_file


def test_batches_cut_after_every_nth_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tsengine.bench.source.BLOCK", 64)  # lines straddle the read blocks
    lines = [f"m,k=v{i} f={i}i {1000 + i}\n".encode() for i in range(103)]
    path = tmp_path / "in.lp"
    path.write_bytes(b"".join(lines))
    got = list(batches(path, 10))
    assert [n for _, n in got] == [10] * 10 + [3]
    assert [b.count(b"\n") for b, _ in got] == [10] * 10 + [3]
    assert b"".join(b for b, _ in got) == path.read_bytes()


def test_last_line_without_newline_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "in.lp"
    path.write_bytes(b"m f=1 1\nm f=2 2")
    assert list(batches(path, 5)) == [(b"m f=1 1\nm f=2 2", 2)]


def test_stage_gzip_file_counts_and_span(tmp_path: Path) -> None:
    path = tmp_path / "in.lp.gz"
    body = b"".join(f"m,k=a f={i} {(5 + i) * 10**9}\n".encode() for i in range(12))
    path.write_bytes(gzip.compress(body))
    staged = stage_file(path, tmp_path)
    assert (staged.lines, staged.bytes) == (12, len(body))
    assert staged.path.read_bytes() == body
    assert staged.span is not None
    assert (staged.span.start, staged.span.stop) == (5 * 10**9, 16 * 10**9 + 1)
    seconds = tmp_path / "s.lp"
    seconds.write_bytes(b"m f=1 7\nm f=2 9\n")
    span = stage_file(seconds, tmp_path, "s").span
    assert span is not None and (span.start, span.stop) == (7 * 10**9, 9 * 10**9 + 1)


def test_batches_spanning_many_blocks_keep_every_line(tmp_path, monkeypatch):
    from tsengine.bench import source

    monkeypatch.setattr(source, "BLOCK", 7)  # every batch spans several blocks
    lines = [b"m v=%di %d" % (i, i) for i in range(23)]
    path = tmp_path / "in.lp"
    path.write_bytes(b"\n".join(lines))  # the last line without its newline
    got = list(source.batches(path, 5))
    assert [n for _, n in got] == [5, 5, 5, 5, 3]
    assert b"".join(b for b, _ in got) == path.read_bytes()
    assert got[1][0] == b"\n".join(lines[5:10]) + b"\n"
