"""`tsengine bucket create|list|update|delete|stats`: output and errors."""

from __future__ import annotations

import re

from tsengine import Engine


def table(stdout: str) -> list[list[str]]:
    """`bucket list` output as rows of cells (columns are separated by two or more spaces)."""
    return [re.split(r"\s{2,}", line) for line in stdout.splitlines()]


def test_create_prints_id_name_and_retention(tse):
    out = tse.ok("bucket", "create", "sensors", "-r", "7d", "-d", "my sensors").stdout
    bucket_id, name, retention = out.rstrip("\n").split("\t")
    assert re.fullmatch(r"[0-9a-f]{16}", bucket_id)
    assert (name, retention) == ("sensors", "7d")
    out = tse.ok("bucket", "create", "forever").stdout
    assert out.rstrip("\n").split("\t")[1:] == ["forever", "infinite"]
    out = tse.ok("bucket", "create", "mixed", "--retention", "1h30m").stdout
    assert out.rstrip("\n").split("\t")[1:] == ["mixed", "1h30m"]


def test_list_shows_every_bucket(tse):
    assert table(tse.ok("bucket", "list").stdout) == [["ID", "Name", "Retention", "Description"]]
    ids = {}
    for args in (["sensors", "-r", "7d", "-d", "my sensors"], ["logs", "-r", "12h"]):
        ids[args[0]] = tse.ok("bucket", "create", *args).stdout.split("\t")[0]
    rows = table(tse.ok("bucket", "list").stdout)
    assert rows[0] == ["ID", "Name", "Retention", "Description"]
    assert sorted(rows[1:]) == sorted([
        [ids["sensors"], "sensors", "7d", "my sensors"],
        [ids["logs"], "logs", "12h"],
    ])


def test_update_renames_and_changes_retention_and_description(tse, data_dir):
    bucket_id = tse.ok("bucket", "create", "sensors", "-r", "7d").stdout.split("\t")[0]
    out = tse.ok("bucket", "update", "sensors", "-n", "devices", "-r", "30d", "-d", "new").stdout
    assert out.rstrip("\n").split("\t") == [bucket_id, "devices", "30d"]
    assert table(tse.ok("bucket", "list").stdout)[1:] == [[bucket_id, "devices", "30d", "new"]]
    # only what is given changes
    out = tse.ok("bucket", "update", "devices", "-r", "0").stdout
    assert out.rstrip("\n").split("\t") == [bucket_id, "devices", "infinite"]
    with Engine.open(data_dir) as engine:
        b = engine.bucket("devices")
        assert (b.id, b.retention, b.description) == (bucket_id, 0, "new")
    tse.fails(r'^Error: bucket "sensors" not found$', "bucket", "stats", "sensors")


def test_delete_removes_the_bucket_and_its_points(tse):
    tse.ok("bucket", "create", "sensors")
    tse.ok("bucket", "create", "other")
    tse.ok("write", "-b", "sensors", "cpu v=1 1")
    result = tse.ok("bucket", "delete", "sensors")
    assert result.stderr == 'deleted bucket "sensors"\n'
    assert [r[1] for r in table(tse.ok("bucket", "list").stdout)[1:]] == ["other"]
    tse.fails(r'^Error: bucket "sensors" not found$', "export", "-b", "sensors")
    # a new bucket of the same name starts empty
    tse.ok("bucket", "create", "sensors")
    assert tse.export("sensors") == ""


def test_stats(tse):
    tse.ok("bucket", "create", "sensors")
    assert tse.ok("bucket", "stats", "sensors").stdout == 'bucket "sensors" holds no points\n'
    tse.ok("write", "-b", "sensors", "-p", "s",
           "cpu,host=a,dc=x usage=1.5,cores=4i 1704067200",
           "cpu,host=b,dc=x usage=2.5 1704067260",
           "cpu,host=a,dc=x usage=3.5 1704067320",
           'mem free=10u,ok=true,note="fine" 1704067200')
    assert tse.ok("bucket", "stats", "sensors").stdout == (
        "cpu: 2 series, 3 points, 2024-01-01T00:00:00Z .. 2024-01-01T00:02:00Z\n"
        "  tags:   dc, host\n"
        "  fields: cores (integer), usage (float)\n"
        "mem: 1 series, 1 points, 2024-01-01T00:00:00Z .. 2024-01-01T00:00:00Z\n"
        "  tags:   (none)\n"
        "  fields: free (unsigned), note (string), ok (boolean)\n"
    )


BUCKET_ERRORS = [
    (["bucket", "create", "dup"], r"^Error: bucket with name dup already exists$"),
    (["bucket", "create", "x", "-r", "bogus"], r"^Error: invalid duration 'bogus'"),
    (["bucket", "create", "x", "-r", "30m"], r"^Error: retention must be at least 1h"),
    (["bucket", "create", "x", "-r", "-1h"], r"^Error: invalid duration '-1h'"),
    (["bucket", "create", "_system"], r"^Error: bucket name '_system' is invalid"),
    (["bucket", "update", "nope", "-r", "2h"], r'^Error: bucket "nope" not found$'),
    (["bucket", "update", "dup", "-n", "other"], r"^Error: bucket with name other already exists"),
    (["bucket", "update", "dup", "-r", "1m"], r"^Error: retention must be at least 1h"),
    (["bucket", "delete", "nope"], r'^Error: bucket "nope" not found$'),
    (["bucket", "stats", "nope"], r'^Error: bucket "nope" not found$'),
]


def test_bucket_errors_change_nothing(tse):
    tse.ok("bucket", "create", "dup")
    tse.ok("bucket", "create", "other")
    before = tse.ok("bucket", "list").stdout
    for args, pattern in BUCKET_ERRORS:
        tse.fails(pattern, *args)
    assert tse.ok("bucket", "list").stdout == before
    rows = table(before)[1:]
    assert sorted((r[1], r[2]) for r in rows) == [("dup", "infinite"), ("other", "infinite")]
