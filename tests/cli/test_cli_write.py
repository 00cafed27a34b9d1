"""`tsengine write`: from arguments, files (.gz too) and stdin; all-or-nothing syntax checks;
partial writes reported point by point."""

from __future__ import annotations

import gzip
import time

import pytest

T0 = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z


@pytest.fixture
def sensors(tse):
    tse.ok("bucket", "create", "sensors")
    return tse


def test_write_from_arguments(sensors):
    result = sensors.ok("write", "-b", "sensors",
                        f"cpu,host=b,dc=x usage=2,cores=8i {T0}",
                        f'cpu,host=a usage=1.5 {T0 + 1}')
    assert result.stderr == 'wrote 2 points to bucket "sensors"\n'
    assert result.stdout == ""
    # canonical: tags and fields sorted by key, every value typed, nanosecond timestamps
    assert sorted(sensors.export("sensors").splitlines()) == [
        f"cpu,dc=x,host=b cores=8i,usage=2.0 {T0}",
        f"cpu,host=a usage=1.5 {T0 + 1}",
    ]


def test_write_from_several_files_one_gzipped(sensors, tmp_path):
    (tmp_path / "a.lp").write_text(f"m,f=a v=1 {T0}\nm,f=a v=2 {T0 + 1}\n")
    (tmp_path / "b.lp.gz").write_bytes(gzip.compress(f"m,f=b v=3 {T0}\n\n# note\n".encode()))
    (tmp_path / "c.lp").write_text(f"m,f=c v=4 {T0}")  # no final newline
    result = sensors.ok("write", "-b", "sensors", "-f", str(tmp_path / "a.lp"),
                        "--file", str(tmp_path / "b.lp.gz"), "-f", str(tmp_path / "c.lp"))
    assert result.stderr == 'wrote 4 points to bucket "sensors"\n'
    assert sensors.export("sensors") == (
        f"m,f=a v=1.0 {T0}\nm,f=a v=2.0 {T0 + 1}\nm,f=b v=3.0 {T0}\nm,f=c v=4.0 {T0}\n")


def test_write_from_stdin(sensors):
    result = sensors.ok("write", "-b", "sensors",
                        input=f"m v=1i {T0}\r\nm v=2i {T0 + 5}\r\n")
    assert result.stderr == 'wrote 2 points to bucket "sensors"\n'
    assert sensors.export("sensors") == f"m v=1i {T0}\nm v=2i {T0 + 5}\n"


def test_precision(sensors):
    sensors.ok("write", "-b", "sensors", "-p", "s", "m v=1 1704067200")
    sensors.ok("write", "-b", "sensors", "--precision", "ms", "m v=2 1704067200001")
    sensors.ok("write", "-b", "sensors", "-p", "us", "m v=3 1704067200000002")
    assert sensors.export("sensors") == (  # one series: in time order
        f"m v=1.0 {T0}\nm v=3.0 {T0 + 2_000}\nm v=2.0 {T0 + 1_000_000}\n")


def test_a_point_without_timestamp_gets_now_truncated_to_the_precision(sensors):
    before = time.time_ns()
    sensors.ok("write", "-b", "sensors", "-p", "s", "m v=1")
    after = time.time_ns()
    stamp = int(sensors.export("sensors").split()[-1])
    assert stamp % 1_000_000_000 == 0
    assert before - 1_000_000_000 < stamp <= after


def test_later_inputs_win_duplicates_and_the_first_decides_a_field_type(sensors, tmp_path):
    """Line numbers restart in every file; the write still sees one request, in input order."""
    (tmp_path / "1.lp").write_text(f"m,h=a v=9 {T0}\nm,h=a v=2 {T0}\nm,h=a w=1 {T0}\n")
    (tmp_path / "2.lp").write_text(f"m,h=a v=1 {T0}\nm,h=b w=5i {T0}\n")
    result = sensors("write", "-b", "sensors", "-f", str(tmp_path / "1.lp"),
                     "-f", str(tmp_path / "2.lp"), f"m,h=a v=7 {T0 + 1}")
    # w is a float (1.lp, line 3) before it is an integer (2.lp, line 2)
    assert result.exit_code == 1
    assert 'dropped 1 point: field type conflict: input field "w" on measurement "m" is type ' \
           "integer, already exists as type float" in result.stderr
    assert sensors.export("sensors") == f"m,h=a v=1.0,w=1.0 {T0}\nm,h=a v=7.0 {T0 + 1}\n"


@pytest.mark.parametrize("where", ["first", "second", "gzip", "arguments", "stdin"])
def test_a_syntax_error_anywhere_writes_nothing(sensors, tmp_path, where):
    good = tmp_path / "good.lp"
    good.write_text(f"m v=1 {T0}\nm v=2 {T0 + 1}\nm v=3 {T0 + 2}\n")
    bad_text = f"m v=4 {T0}\n\nm,host=h usage= {T0}\nm v=5 {T0}\n"  # line 3, column 16
    bad = tmp_path / "bad.lp"
    bad.write_text(bad_text)
    gz = tmp_path / "bad.lp.gz"
    gz.write_bytes(gzip.compress(bad_text.encode()))
    args = {
        "first": ["-f", str(bad), "-f", str(good)],
        "second": ["-f", str(good), "-f", str(bad)],
        "gzip": ["-f", str(good), "-f", str(gz)],
        "arguments": ["-f", str(good), *bad_text.splitlines()],
        "stdin": [],
    }[where]
    source = {"first": str(bad), "second": str(bad), "gzip": str(gz), "arguments": "<arguments>",
              "stdin": "<stdin>"}[where]
    result = sensors.fails(
        "^Error: " + source.replace(".", r"\.") + ": line 3, column 16: "
        'missing field value for field key "usage"$',
        "write", "-b", "sensors", *args, input=bad_text if where == "stdin" else None)
    assert "wrote" not in result.stderr
    assert sensors.export("sensors") == ""


def test_every_bad_line_is_counted(sensors):
    sensors.fails(r'^Error: <stdin>: line 2, column 5: .* \(and 2 more bad lines\)$',
                  "write", "-b", "sensors", input="m v=1 1\nm v=x 1\nm\nm v=1 1 1\n")


def test_partial_write_type_conflict(sensors):
    sensors.ok("write", "-b", "sensors", f"cpu usage=1.5 {T0}")
    result = sensors("write", "-b", "sensors", f"cpu usage=2i {T0 + 1}", f"cpu usage=3i {T0 + 2}",
                     f"cpu usage=4 {T0 + 3}", f"cpu other=5i {T0 + 4}")
    assert result.stderr.splitlines() == [
        'wrote 2 points to bucket "sensors"',
        'dropped 2 points: field type conflict: input field "usage" on measurement "cpu" is '
        "type integer, already exists as type float",
        'Error: failed to write data: partial write: field type conflict: input field "usage" on '
        'measurement "cpu" is type integer, already exists as type float dropped=2',
    ]
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert sensors.export("sensors") == (
        f"cpu usage=1.5 {T0}\ncpu usage=4.0 {T0 + 3}\ncpu other=5i {T0 + 4}\n")


def test_partial_write_beyond_retention(tse):
    tse.ok("bucket", "create", "recent", "-r", "1h")
    now = time.time_ns()
    result = tse("write", "-b", "recent", f"m v=1 {T0}", f"m v=2 {now - 2 * 3600 * 10**9}",
                 f"m v=3 {now - 60 * 10**9}", "m v=4", f"old s=1i {T0}")
    assert result.stderr.splitlines() == [
        'wrote 2 points to bucket "recent"',
        "dropped 3 points outside retention policy of duration 1h0m0s",
        "Error: failed to write data: partial write: dropped 3 points outside retention policy "
        "of duration 1h0m0s dropped=3",
    ]
    assert result.exit_code == 1
    values = [line.split()[1] for line in tse.export("recent").splitlines()]
    assert values == ["v=3.0", "v=4.0"]


@pytest.mark.parametrize(("make", "pattern"), [
    (lambda p: ["-f", str(p / "missing.lp")], r"^Error: file \S+missing\.lp does not exist$"),
    (lambda p: ["-f", str(p / "notgz.gz")], r"^Error: \S+notgz\.gz: cannot decompress: "),
    (lambda p: ["-f", str(p / "cut.lp.gz")], r"^Error: \S+cut\.lp\.gz: cannot decompress: "),
])
def test_unreadable_files(sensors, tmp_path, make, pattern):
    (tmp_path / "notgz.gz").write_text("m v=1 1\n")
    (tmp_path / "cut.lp.gz").write_bytes(gzip.compress(b"m v=1 1\n" * 100)[:-12])
    sensors.fails(pattern, "write", "-b", "sensors", *make(tmp_path))
    assert sensors.export("sensors") == ""


def test_unknown_bucket(tse, tmp_path):
    tse.fails(r'^Error: bucket "nope" not found$', "write", "-b", "nope", "m v=1 1")
    (tmp_path / "a.lp").write_text("not line protocol at all\n")
    # the bucket is checked before the input is read or parsed
    tse.fails(r'^Error: bucket "nope" not found$', "write", "-b", "nope", "-f",
              str(tmp_path / "a.lp"))
