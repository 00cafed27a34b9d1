"""`tsengine write` of inputs above the progress threshold: chunked parsing behind a progress bar,
with the same points, line numbers and newest-wins order as one whole parse."""

from __future__ import annotations

import gzip

import pytest

import tsengine.cli.data as data_cmd
from tsengine.bench.generate import TelemetrySpec, telemetry_line_protocol

SPEC = TelemetrySpec(sensors=100, intervals=280)  # 28,000 points, ~5 MB
T0 = SPEC.start


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "telemetry.lp"
    with path.open("w") as fh:
        for chunk in telemetry_line_protocol(SPEC, chunk_intervals=140):
            fh.write(chunk)
    size = path.stat().st_size
    assert data_cmd.PROGRESS_THRESHOLD < size < 6 * 1024 * 1024
    assert size > data_cmd.CHUNK_BYTES  # so it takes at least two chunks
    return path


@pytest.fixture
def parse_calls(monkeypatch):
    """Record (bytes, first_line) of every parse the write command makes."""
    calls: list[tuple[int, int]] = []
    real = data_cmd.parse

    def spy(data, *args, first_line=1, **kwargs):
        calls.append((len(data), first_line))
        return real(data, *args, first_line=first_line, **kwargs)

    monkeypatch.setattr(data_cmd, "parse", spy)
    return calls


def test_a_large_file_is_written_in_chunks_with_every_point(tse, big, parse_calls):
    tse.ok("bucket", "create", "telemetry")
    result = tse.ok("write", "-b", "telemetry", "-f", str(big))
    assert f"parsing {big}" in result.stderr  # the progress bar's label
    assert result.stderr.endswith('wrote 28000 points to bucket "telemetry"\n')
    raw = big.read_bytes()
    assert len(parse_calls) >= 2
    assert sum(n for n, _ in parse_calls) == len(raw)
    first_size = parse_calls[0][0]
    assert parse_calls[0][1] == 1
    assert parse_calls[1][1] == 1 + raw[:first_size].count(b"\n")  # numbering continues
    assert tse.ok("bucket", "stats", "telemetry").stdout.splitlines()[0] == (
        "environmental_sensors: 100 series, 28000 points, "
        "2024-01-01T00:00:00Z .. 2024-01-01T00:46:30Z")
    # the generator writes canonical line protocol, so the export holds exactly its lines
    exported = tse.export("telemetry").splitlines()
    assert sorted(exported) == sorted(raw.decode().splitlines())


def test_a_large_gzipped_file_with_other_inputs(tse, big, tmp_path):
    tse.ok("bucket", "create", "telemetry")
    gz = tmp_path / "telemetry.lp.gz"
    gz.write_bytes(gzip.compress(big.read_bytes(), compresslevel=1))
    newest = f"environmental_sensors,location=x,region=y,sensor_id=z battery=1i {T0}"
    result = tse.ok("write", "-b", "telemetry", "-f", str(gz), newest)
    assert f"parsing {gz}" in result.stderr
    assert result.stderr.endswith('wrote 28001 points to bucket "telemetry"\n')
    assert "series, 28001 points" in tse.ok("bucket", "stats", "telemetry").stdout


def test_a_syntax_error_in_a_later_chunk_names_the_right_line(tse, big, tmp_path):
    tse.ok("bucket", "create", "telemetry")
    lines = big.read_bytes().split(b"\n")
    bad_line = 27_001
    offset = sum(len(line) + 1 for line in lines[: bad_line - 1])
    assert offset > data_cmd.CHUNK_BYTES  # not in the first chunk
    lines[bad_line - 1] = b"environmental_sensors,sensor_id=x battery=1i,humidity=1x 1"
    path = tmp_path / "bad.lp"
    path.write_bytes(b"\n".join(lines))
    tse.fails(rf"^Error: \S+bad\.lp: line {bad_line}, column 55: "
              r'invalid number "1x" for field "humidity"$',
              "write", "-b", "telemetry", "-f", str(path))
    assert tse.export("telemetry") == ""
    # errors in two chunks: the first is named, the other counted
    lines[9] = b"environmental_sensors battery=1x 1"
    path.write_bytes(b"\n".join(lines))
    tse.fails(r"^Error: \S+bad\.lp: line 10, column 31: .*\(and 1 more bad line\)$",
              "write", "-b", "telemetry", "-f", str(path))
    assert tse.export("telemetry") == ""


def test_a_string_with_a_newline_across_a_chunk_cut(tse, tmp_path, monkeypatch):
    monkeypatch.setattr(data_cmd, "PROGRESS_THRESHOLD", 1000)
    monkeypatch.setattr(data_cmd, "CHUNK_BYTES", 500)
    head = "".join(f"m,k=a v={i}i {T0 + i}\n" for i in range(12))
    assert len(head) < 499
    start = 'm,k=b s="'
    pad = 499 - len(head) - len(start) + 5
    text = (head + start + "x" * pad + '\nsecond" ' + f"{T0}\n"
            + "".join(f"m,k=c v={i}i {T0 + i}\n" for i in range(60))
            + f"m,k=a v=99i {T0}\n")  # same series and time as line 1: the later one wins
    assert text.index("\n", 499) == len(head) + len(start) + pad  # the cut falls in the string
    path = tmp_path / "strings.lp"
    path.write_text(text)
    tse.ok("bucket", "create", "b")
    result = tse.ok("write", "-b", "b", "-f", str(path))
    assert result.stderr.endswith('wrote 74 points to bucket "b"\n')
    exported = tse.export("b")
    assert f'm,k=b s="{"x" * pad}\nsecond" {T0}\n' in exported
    assert f"m,k=a v=99i {T0}\n" in exported and f"m,k=a v=0i {T0}\n" not in exported
    assert exported.count("\n") == 73 + 1  # 73 points (one overwritten), a newline in a string
