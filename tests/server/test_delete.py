"""POST /api/v2/delete: 204 and the points gone, and influxd's errors in its order and wording
(http/delete_handler.go, http/requests.go, predicate/parser.go)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from influxdb_client import InfluxDBClient
from influxdb_client.domain.delete_predicate_request import DeletePredicateRequest
from starlette.testclient import TestClient

from tsengine.server.app import ServerConfig, create_app

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
HOUR = 3600 * 10**9
DECODE = "error decoding json body: "
DAY0 = "2024-01-01T00:00:00Z"
DAY1 = "2024-01-02T00:00:00Z"


@pytest.fixture
def app(engine):
    engine.create_bucket("b")
    engine.write("b", "\n".join(
        [f"cpu,host={h} v={i}i {T0 + i * HOUR}" for h in "ab" for i in range(3)]
        + [f"mem,host=a v=1i {T0}"]))
    app = create_app(engine, ServerConfig(run_tasks=False))
    app.state.token = app.state.tokens.create("t")[1]
    return app


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Token {app.state.token}"})


def delete(client: TestClient, body: object, **params: str):
    params = params or {"org": "default", "bucket": "b"}
    content = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/api/v2/delete", params=params, content=content,
                       headers={"Content-Type": "application/json"})


def assert_error(response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-platform-error-code"] == code
    assert response.json() == {"code": code, "message": message}


def lines(engine) -> list[str]:
    return list(engine.export_lines("b"))


def test_delete_is_204_and_the_points_are_gone(client, engine):
    r = delete(client, {"start": "2024-01-01T01:00:00Z", "stop": "2024-01-01T02:00:00Z",
                        "predicate": '_measurement="cpu" AND host="a"'})
    assert r.status_code == 204 and r.content == b""
    assert lines(engine) == [f"cpu,host=a v=0i {T0}",
                             *[f"cpu,host=b v={i}i {T0 + i * HOUR}" for i in range(3)],
                             f"mem,host=a v=1i {T0}"]


def test_without_predicate_everything_in_the_range_goes(client, engine):
    engine.compact()  # from Parquet this time
    r = delete(client, {"start": DAY0, "stop": "2024-01-01T01:00:00Z"})
    assert r.status_code == 204  # stop is included, as in InfluxDB
    assert lines(engine) == [f"cpu,host={h} v=2i {T0 + 2 * HOUR}" for h in "ab"]


def test_by_ids_and_the_official_clients_body(client, engine):
    """The body influxdb-client's DeleteApi sends (datetimes as isoformat, UTC offset)."""
    org, bucket = engine.store.org(), engine.bucket("b")
    request = DeletePredicateRequest(start=datetime(2024, 1, 1, tzinfo=UTC),
                                     stop=datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
                                     predicate='host="b"')
    with InfluxDBClient(url="http://127.0.0.1:9", token="t") as official:  # never connects
        body = official.api_client.sanitize_for_serialization(request)
    assert body["start"] == "2024-01-01T00:00:00+00:00"
    r = delete(client, body, orgID=org.id, bucketID=bucket.id)
    assert r.status_code == 204
    assert f"cpu,host=b v=0i {T0}" not in lines(engine) and len(lines(engine)) == 6
    r = delete(client, {"start": DAY0, "stop": DAY1}, org=org.id, bucket=bucket.id)
    assert r.status_code == 204 and lines(engine) == []


def test_unauthorized_without_a_token(app):
    r = TestClient(app).post("/api/v2/delete", params={"org": "default", "bucket": "b"},
                             content=json.dumps({"start": DAY0, "stop": DAY1}))
    assert_error(r, 401, "unauthorized", "unauthorized access")


@pytest.mark.parametrize("body, message", [
    (b"", "EOF"),
    (b"{", "unexpected EOF"),
    (b"nope", "invalid character 'n' looking for beginning of value"),
    ([1], "Invalid delete predicate node request: json: cannot unmarshal array into Go value "
          "of type http.deleteRequestDecode"),
    ({"start": 1, "stop": DAY1}, "Invalid delete predicate node request: json: cannot unmarshal "
                                 "number into Go struct field deleteRequestDecode.start of type "
                                 "string"),
    ({"stop": DAY1}, "invalid RFC3339Nano for field start, please format your time with "
                     "RFC3339Nano format, example: 2009-01-02T23:00:00Z"),
    ({"start": DAY0}, "invalid RFC3339Nano for field stop, please format your time with "
                      "RFC3339Nano format, example: 2009-01-01T23:00:00Z"),
    ({"start": "2024-01-01", "stop": DAY1}, "invalid RFC3339Nano for field start, please format "
                                            "your time with RFC3339Nano format, example: "
                                            "2009-01-02T23:00:00Z"),
    ({"start": "2024-02-30T00:00:00Z", "stop": DAY1}, "invalid RFC3339Nano for field start, "
                                                      "please format your time with RFC3339Nano "
                                                      "format, example: 2009-01-02T23:00:00Z"),
    ({"start": "1600-01-01T00:00:00Z", "stop": DAY1},
     "invalid start time, start time must not be before 1677-09-21T00:12:43.145224194Z"),
    ({"start": DAY0, "stop": "2300-01-01T00:00:00Z"},
     "invalid stop time, stop time must not be after 2262-04-11T23:47:16.854775806Z"),
    ({"start": DAY0, "stop": DAY1, "predicate": 'host="a" OR host="b"'},
     "the logical operator OR is not supported yet at position 9"),
    ({"start": DAY0, "stop": DAY1, "predicate": "host=~/a/"},
     'operator: "=~" at position: 4 is not supported yet'),
    ({"start": DAY0, "stop": DAY1, "predicate": 'host>"a"'},
     'invalid operator ">" at position: 4'),
    ({"start": DAY0, "stop": DAY1, "predicate": "host="}, 'bad tag value: "", at position 5'),
])
def test_bad_bodies_are_400_and_delete_nothing(client, engine, body, message):
    before = lines(engine)
    assert_error(delete(client, body), 400, "invalid", DECODE + message)
    assert lines(engine) == before


def test_body_errors_come_before_org_and_bucket(client):
    r = delete(client, {"stop": DAY1}, org="nosuch", bucket="nosuch")
    assert r.json()["message"].startswith(DECODE + "invalid RFC3339Nano for field start")


def test_delete_by_field_is_not_implemented(client, engine):
    before = lines(engine)
    r = delete(client, {"start": DAY0, "stop": DAY1,
                        "predicate": '_measurement="cpu" AND _field="v"'})
    assert_error(r, 501, "not implemented", "delete by field is not supported")
    assert lines(engine) == before
    # `!=` passes influxd's check and matches no series: nothing is deleted
    r = delete(client, {"start": DAY0, "stop": DAY1, "predicate": '_field!="v"'})
    assert r.status_code == 204 and lines(engine) == before


def test_null_fields_and_keys_in_any_case_are_read_as_go_reads_them(client, engine):
    r = delete(client, {"START": DAY0, "Stop": DAY1, "predicate": None})
    assert r.status_code == 204 and lines(engine) == []


@pytest.mark.parametrize("params, status, code, message", [
    ({"bucket": "b"}, 400, "invalid", "Please provide either orgID or org"),
    ({"org": "nosuch", "bucket": "b"}, 404, "not found", 'organization name "nosuch" not found'),
    ({"orgID": "abc", "bucket": "b"}, 400, "invalid", "id must have a length of 16 bytes"),
    ({"orgID": "zzzzzzzzzzzzzzzz", "bucket": "b"}, 400, "invalid", "invalid ID"),
    ({"orgID": "0000000000000001", "bucket": "b"}, 404, "not found", "organization not found"),
    ({"org": "default"}, 400, "invalid", "Please provide either bucketID or bucket"),
    ({"org": "default", "bucket": "nosuch"}, 404, "not found", 'bucket "nosuch" not found'),
    ({"org": "default", "bucketID": "0000000000000001"}, 404, "not found", "bucket not found"),
])
def test_org_and_bucket_errors(client, params, status, code, message):
    r = delete(client, {"start": DAY0, "stop": DAY1}, **params)
    assert_error(r, status, code, message)
