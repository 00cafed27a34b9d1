"""`tsengine export`: canonical line protocol, time ranges, and `export | write` round trips."""

from __future__ import annotations

import pytest

T0 = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z
S = 1_000_000_000

TRICKY = (
    # escapes in measurement, tag keys and values, field keys; every value type
    "my\\ cpu,zone=eu\\ west,host=a\\,b usage=1.5,idle=-0.25,n=-3i,u=7u,ok=t,bad=FALSE "
    f"{T0}\n"
    f"my\\ cpu,host=a\\,b,zone=eu\\ west usage=2e3,n=1i,u=0u,ok=true,bad=f {T0 + S}\n"
    'quotes,k\\=ey=v\\=al s="he said \\"hi\\" \\\\ back, ok",t="line1\nline2" '
    f"{T0 + 2 * S}\n"
    f"weird\\,meas f\\=x=1,big=1.7976931348623157e308,neg=-0.0 {T0 + 3 * S}\n"
    f"plain v=1 {T0 - S}\n"
)

CANONICAL = (
    "my\\ cpu,host=a\\,b,zone=eu\\ west "
    f"bad=false,idle=-0.25,n=-3i,ok=true,u=7u,usage=1.5 {T0}\n"
    "my\\ cpu,host=a\\,b,zone=eu\\ west "
    f"bad=false,n=1i,ok=true,u=0u,usage=2000.0 {T0 + S}\n"
    f"plain v=1.0 {T0 - S}\n"
    'quotes,k\\=ey=v\\=al s="he said \\"hi\\" \\\\ back, ok",t="line1\nline2" '
    f"{T0 + 2 * S}\n"
    f"weird\\,meas big=1.7976931348623157e+308,f\\=x=1.0,neg=-0.0 {T0 + 3 * S}\n"
)


@pytest.fixture
def loaded(tse):
    tse.ok("bucket", "create", "a")
    tse.ok("write", "-b", "a", input=TRICKY)
    return tse


def by_measurement(text: str) -> list[str]:
    """Points of an export, in a stable order (a string field may hold a newline)."""
    points = text.replace('"line1\nline2"', '"line1<NL>line2"').splitlines()
    return sorted(p.replace("<NL>", "\n") for p in points)


def test_export_prints_canonical_line_protocol(loaded):
    result = loaded.ok("export", "-b", "a")
    assert by_measurement(result.stdout) == by_measurement(CANONICAL)
    assert result.stderr == "exported 5 points\n"


def test_export_of_an_empty_bucket(tse):
    tse.ok("bucket", "create", "empty")
    result = tse.ok("export", "-b", "empty")
    assert (result.stdout, result.stderr) == ("", "exported 0 points\n")


def test_export_write_round_trip(loaded):
    exported = loaded.export("a")
    loaded.ok("bucket", "create", "b")
    assert loaded.ok("write", "-b", "b", input=exported).stderr == 'wrote 5 points to bucket "b"\n'
    assert loaded.export("b") == exported
    assert loaded.ok("bucket", "stats", "b").stdout == loaded.ok("bucket", "stats", "a").stdout


def test_export_omits_an_absent_boolean(tse):
    tse.ok("bucket", "create", "a")
    tse.ok("write", "-b", "a", f"m ok=true,v=1 {T0}", f"m v=2 {T0 + 1}")
    assert tse.export("a") == f"m ok=true,v=1.0 {T0}\nm v=2.0 {T0 + 1}\n"


def test_export_omits_absent_fields_of_other_types(tse):
    tse.ok("bucket", "create", "a")
    tse.ok("write", "-b", "a", f'm i=1i,u=2u,s="x",f=1.5 {T0}', f"m v=2 {T0 + 1}")
    assert tse.export("a") == f'm f=1.5,i=1i,s="x",u=2u {T0}\nm v=2.0 {T0 + 1}\n'


TIME_RANGES = [
    ([], [-1, 0, 1, 2, 3]),
    (["--start", "2024-01-01T00:00:01Z"], [1, 2, 3]),
    (["--stop", "2024-01-01T00:00:01Z"], [-1, 0]),  # stop is exclusive
    (["--start", str(T0), "--stop", str(T0 + 3 * S)], [0, 1, 2]),
    (["--start", "2024-01-01T01:00:00+01:00", "--stop", "2024-01-01T00:00:02.5Z"], [0, 1, 2]),
    (["--start", "2024-01-01"], [0, 1, 2, 3]),
    (["--start", "2030-01-01T00:00:00Z"], []),
    (["--start", "-1h"], []),  # relative to the real clock: nothing that recent
]


def test_export_time_range(loaded):
    for args, times in TIME_RANGES:
        exported = by_measurement(loaded.export("a", *args))
        stamps = sorted(int(p.rsplit(" ", 1)[1]) for p in exported)
        assert stamps == [T0 + t * S for t in times], args


def test_export_errors(loaded):
    loaded.fails(r'^Error: bucket "nope" not found$', "export", "-b", "nope")
    loaded.fails(r"^Error: invalid time 'yesterday'", "export", "-b", "a", "--start", "yesterday")
    loaded.fails(r"^Error: invalid time '2024-13-01", "export", "-b", "a",
                 "--stop", "2024-13-01T00:00:00Z")
