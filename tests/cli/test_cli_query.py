"""`tsengine query`: readable tables, JSON, --explain, -f FILE, and errors with their place."""

from __future__ import annotations

import json

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
FLUX = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)'
        ' |> filter(fn: (r) => r.host == "a")')


def setup(tse):
    tse.ok("bucket", "create", "b")
    tse.ok("write", "-b", "b", f"cpu,host=a usage=1.5 {T0}", f"cpu,host=b usage=2 {T0}")


def test_readable_tables_with_their_group_keys(tse):
    setup(tse)
    out = tse.ok("query", FLUX).stdout
    assert out.splitlines()[:2] == [
        "Result: _result",
        "Table 0: keys: [_start=2024-01-01T00:00:00Z, _stop=2024-01-02T00:00:00Z, _field=usage, "
        "_measurement=cpu, host=a]",
    ]
    assert "1.5" in out and "host" in out and "2.0" not in out


def test_json_output(tse):
    setup(tse)
    data = json.loads(tse.ok("query", "--format", "json", FLUX).stdout)
    (table,) = data["_result"]
    assert table["groupKey"]["host"] == "a"
    assert [c["label"] for c in table["columns"]] == [
        "_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]
    assert table["rows"][0]["_value"] == 1.5
    assert table["rows"][0]["_time"].startswith("2024-01-01T00:00:00")


def test_explain_shows_the_pushdown(tse, tmp_path):
    setup(tse)
    script = tmp_path / "q.flux"
    script.write_text(FLUX)
    out = tse.ok("query", "--explain", "-f", str(script)).stdout
    assert out.splitlines() == [
        "_result:",
        "  StorageRead(bucket='b', start=2024-01-01T00:00:00Z, stop=2024-01-02T00:00:00Z, "
        "predicate=host == 'a')",
    ]


def test_errors_name_the_place(tse):
    setup(tse)
    result = tse("query", 'from(bucket: "nope") |> range(start: -1h)')
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert 'Error: error at 1:1: from: could not find bucket "nope"' in result.stderr
    result = tse("query", "x = (")
    assert result.exit_code == 1 and "error at 1:" in result.stderr
    result = tse("query")
    assert result.exit_code == 1 and "give the Flux script" in result.stderr


def test_raw_is_annotated_csv(tse):
    setup(tse)
    out = tse.ok("query", "--raw", FLUX).stdout_bytes.decode()
    assert out == (
        "#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,"
        "string,string,string\r\n"
        "#group,false,false,true,true,false,false,true,true,true\r\n"
        "#default,_result,,,,,,,,\r\n"
        ",result,table,_start,_stop,_time,_value,_field,_measurement,host\r\n"
        ",,0,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,2024-01-01T00:00:00Z,1.5,usage,cpu,a\r\n"
        "\r\n"
    )
