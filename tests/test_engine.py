"""The Engine, tsengine as a library: buckets, writes, exports, stats and maintenance."""

from __future__ import annotations

import io
import time

import pytest

from storage import (
    BucketExists,
    BucketNotFound,
    FieldType,
    FixedClock,
    InvalidArgument,
    LineProtocolError,
    parse_time,
)
from tsengine import Engine

T0 = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z; the fixture clock is a day later
S = 1_000_000_000
HOUR = 3600 * S


def test_readme_example(tmp_path, monkeypatch):
    """The README's Python example, as written there."""
    monkeypatch.chdir(tmp_path)
    with Engine.open("example-data") as engine:
        engine.create_bucket("sensors")  # keeps points forever; retention="7d" would expire them
        result = engine.write(
            "sensors",
            "env,room=kitchen temp=21.5,humidity=40i 1704067200000000000\n"
            "env,room=kitchen temp=21.7 1704067210000000000\n"
            "env,room=kitchen humidity=41.5 1704067220000000000\n",
        )
        assert (result.written, result.points_dropped) == (2, 1)
        assert result.dropped[0].message == (
            'field type conflict: input field "humidity" on measurement "env" is type float, '
            "already exists as type integer")
        assert engine.export("sensors", start="2024-01-01T00:00:00Z") == (
            "env,room=kitchen humidity=40i,temp=21.5 1704067200000000000\n"
            "env,room=kitchen temp=21.7 1704067210000000000\n")
    assert (tmp_path / "example-data" / "catalog.duckdb").exists()


def test_a_bucket_with_retention_and_reopening(tmp_path):
    now = time.time_ns()
    with Engine.open(tmp_path / "data") as engine:
        engine.create_bucket("sensors", retention="7d")
        result = engine.write("sensors", f"temp,room=kitchen celsius=21.5 {now}\n"
                                         f"temp,room=hall celsius=19 {now}\n"
                                         f"temp,room=hall celsius=18 {now - 8 * 24 * HOUR}\n")
        assert (result.written, result.points_dropped) == (2, 1)
        assert result.dropped[0].kind == "retention"
        assert engine.export("sensors") == (f"temp,room=hall celsius=19.0 {now}\n"
                                            f"temp,room=kitchen celsius=21.5 {now}\n")
        assert engine.export("sensors", start="-1h") == engine.export("sensors")
    with Engine.open(tmp_path / "data") as engine:  # and it is all still there
        assert [(b.name, b.retention) for b in engine.buckets()] == [("sensors", 7 * 24 * HOUR)]
        assert len(list(engine.export_lines("sensors"))) == 2


def test_buckets(engine):
    b = engine.create_bucket("sensors", retention="7d", description="raw")
    assert (b.name, b.retention, b.description) == ("sensors", 7 * 24 * HOUR, "raw")
    engine.create_bucket("logs", retention=2 * HOUR)
    assert sorted(x.name for x in engine.buckets()) == ["logs", "sensors"]
    assert engine.bucket("sensors").id == b.id
    updated = engine.update_bucket("sensors", new_name="devices", retention="30d")
    assert (updated.id, updated.name, updated.retention, updated.description) == (
        b.id, "devices", 30 * 24 * HOUR, "raw")
    with pytest.raises(BucketNotFound):
        engine.bucket("sensors")
    with pytest.raises(BucketExists):
        engine.create_bucket("logs")
    with pytest.raises(InvalidArgument):
        engine.create_bucket("short", retention="10m")
    engine.delete_bucket("logs")
    assert [x.name for x in engine.buckets()] == ["devices"]
    with pytest.raises(BucketNotFound):
        engine.delete_bucket("logs")


def test_write_and_export(engine):
    engine.create_bucket("b")
    result = engine.write("b", b"cpu,host=a usage=1,n=2i 1704067200\ncpu,host=b usage=2 1704067201",
                          precision="s")
    assert result.written == 2 and not result.partial
    text = engine.export("b")
    assert text == f"cpu,host=a n=2i,usage=1.0 {T0}\ncpu,host=b usage=2.0 {T0 + S}\n"
    assert list(engine.export_lines("b")) == text.splitlines()
    out = io.StringIO()
    assert engine.export_to(out, "b") == 2
    assert out.getvalue() == text
    # start inclusive, stop exclusive; ns, RFC3339 or relative to the engine's clock
    assert engine.export("b", start=T0 + 1) == f"cpu,host=b usage=2.0 {T0 + S}\n"
    assert engine.export("b", stop="2024-01-01T00:00:01Z") == f"cpu,host=a n=2i,usage=1.0 {T0}\n"
    assert engine.export("b", start="-23h59m59s") == f"cpu,host=b usage=2.0 {T0 + S}\n"
    assert engine.export("b", start="-24h") == text
    assert engine.export("b", start="-25h", stop=T0 + S) == f"cpu,host=a n=2i,usage=1.0 {T0}\n"


def test_a_syntax_error_writes_nothing(engine):
    engine.create_bucket("b")
    with pytest.raises(LineProtocolError) as caught:
        engine.write("b", "m v=1 1\nm v=2 2\nm v=oops 3\n")
    assert (caught.value.first.line, caught.value.first.column) == (3, 5)
    assert engine.export("b") == ""


def test_partial_writes(engine):
    engine.create_bucket("b", retention="1h")
    now = engine.store.clock.now()
    engine.write("b", f"m v=1 {now}")
    result = engine.write("b", f"m v=2i {now + 1}\nm v=3 {now + 2}\nm v=4 {now - 2 * HOUR}\n")
    assert result.written == 1 and result.points_dropped == 2
    assert sorted(d.kind for d in result.dropped) == ["retention", "type_conflict"]
    assert result.message().startswith("partial write: ")
    assert engine.export("b") == f"m v=1.0 {now}\nm v=3.0 {now + 2}\n"


def test_a_new_field_only_on_expired_points(engine):
    engine.create_bucket("b", retention="1h")
    now = engine.store.clock.now()
    result = engine.write("b", f"m v=1 {now}\nm s=1i {T0 - HOUR}\n")
    assert (result.written, result.points_dropped) == (1, 1)


def test_stats(engine):
    engine.create_bucket("b")
    engine.write("b", f"cpu,host=a usage=1 {T0}\ncpu,host=b usage=2 {T0 + S}\n"
                      f'cpu,host=a usage=3,ok=true {T0 + 2 * S}\nlog msg="x" {T0}\n')
    stats = {s.name: s for s in engine.stats("b")}
    cpu = stats["cpu"]
    assert (cpu.series, cpu.points, cpu.first, cpu.last, cpu.tags) == (
        2, 3, T0, T0 + 2 * S, ["host"])
    assert cpu.fields == {"usage": FieldType.FLOAT, "ok": FieldType.BOOLEAN}
    assert (stats["log"].series, stats["log"].points, stats["log"].tags) == (1, 1, [])
    assert stats["log"].fields == {"msg": FieldType.STRING}


def test_compact_and_retention(tmp_path):
    clock = FixedClock(T0 + HOUR)
    with Engine.open(tmp_path / "data", clock=clock) as engine:
        engine.create_bucket("b", retention="1h")
        engine.create_bucket("keep")
        for bucket in ("b", "keep"):
            engine.write(bucket, f"m,t=old v=1 {T0 + 10 * S}\nm,t=new v=2 {T0 + HOUR}\n")
        before = engine.export("b")
        result = engine.compact()
        assert (result.rows_in, result.files_written) == (4, 2)
        assert engine.store.hot_rows() == 0
        assert engine.export("b") == before
        # the clock moves on: expired points vanish from exports at once, from disk on enforcing
        clock.set(T0 + HOUR + 30 * S)
        assert engine.export("b") == f"m,t=new v=2.0 {T0 + HOUR}\n"
        assert engine.enforce_retention().partitions_dropped == 0  # the day still has a point
        assert engine.enforce_retention(now="2024-01-01T03:00:00Z").partitions_dropped == 1
        clock.set(T0)
        assert engine.export("b") == ""  # gone for good
        assert len(engine.export("keep").splitlines()) == 2
        engine.write("b", f"m v=3 {T0}")
        assert engine.enforce_retention(T0 + 2 * HOUR).hot_rows_deleted == 1


def test_compact_threshold_compacts_on_write(tmp_path):
    with Engine.open(tmp_path / "data", clock=FixedClock(T0), compact_threshold=3) as engine:
        engine.create_bucket("b")
        engine.write("b", f"m v=1 {T0}\nm v=2 {T0 + 1}\n")
        assert engine.store.hot_rows() == 2
        engine.write("b", f"m v=3 {T0 + 2}\nm v=4 {T0 + 3}\n")
        assert engine.store.wait_for_compaction(30)  # a thread of the store's compacts
        assert engine.store.hot_rows() == 0
        assert len(engine.export("b").splitlines()) == 4


def test_engine_times_are_parsed(engine):
    engine.create_bucket("b")
    engine.write("b", f"m v=1 {T0}")
    with pytest.raises(InvalidArgument):
        engine.export("b", start="tomorrow")
    assert engine._time("2024-01-01T00:00:00Z") == T0
    assert engine._time("-1h") == parse_time("2024-01-01T23:00:00Z")
    assert engine._time(5) == 5 and engine._time(None) is None
