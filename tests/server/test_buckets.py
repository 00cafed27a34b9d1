"""/api/v2/buckets: InfluxDB's shapes, status codes and error wording
(tenant/http_server_bucket.go), each response read back with influxdb-client's own deserializer
so that a missing required field fails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from storage import FixedClock, parse_time
from tsengine import Engine
from tsengine.server.app import ServerConfig, create_app

from .models import model

DAY = 86400


def create(client: TestClient, org_id: str, name: str, every: int | None = None,
           **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"orgID": org_id, "name": name, **extra}
    if every is not None:
        body["retentionRules"] = [{"type": "expire", "everySeconds": every}]
    r = client.post("/api/v2/buckets", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def assert_error(r: httpx.Response, status: int, code: str, message: str) -> None:
    assert r.status_code == status, r.text
    assert r.json() == {"code": code, "message": message}
    assert r.headers["x-platform-error-code"] == code
    assert r.headers["content-type"] == "application/json; charset=utf-8"


# -- create --------------------------------------------------------------------------------------
def test_create_answers_201_with_influxdbs_bucket(client: TestClient, org_id: str) -> None:
    r = client.post("/api/v2/buckets", json={
        "orgID": org_id, "name": "metrics", "description": "hosts",
        "retentionRules": [{"type": "expire", "everySeconds": 3 * DAY,
                            "shardGroupDurationSeconds": 0}]})
    assert r.status_code == 201
    b = r.json()
    bid = b["id"]
    assert len(bid) == 16 and int(bid, 16)
    assert b == {
        "id": bid, "orgID": org_id, "type": "user", "description": "hosts", "name": "metrics",
        "retentionRules": [{"type": "expire", "everySeconds": 3 * DAY,
                            "shardGroupDurationSeconds": DAY}],
        "createdAt": "2024-01-02T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z",
        "links": {"self": f"/api/v2/buckets/{bid}", "org": f"/api/v2/orgs/{org_id}",
                  "members": f"/api/v2/buckets/{bid}/members",
                  "owners": f"/api/v2/buckets/{bid}/owners",
                  "labels": f"/api/v2/buckets/{bid}/labels",
                  "write": f"/api/v2/write?org={org_id}&bucket={bid}"},
        "labels": []}
    bucket = model(r, "Bucket")
    assert (bucket.name, bucket.retention_rules[0].every_seconds) == ("metrics", 3 * DAY)
    assert r.headers["x-influxdb-version"]


def test_created_bucket_is_the_engines(client: TestClient, org_id: str, engine: Engine) -> None:
    b = create(client, org_id, "metrics", 7 * DAY)
    stored = engine.bucket("metrics")
    assert (stored.id, stored.retention) == (b["id"], 7 * DAY * 10**9)


@pytest.mark.parametrize(("every", "shard"), [
    (0, 7 * DAY), (3600, 3600), (DAY, 3600), (2 * DAY, DAY), (179 * DAY, DAY),
    (180 * DAY, 7 * DAY)])
def test_one_rule_always_with_influxdbs_shard_group_duration(
        client: TestClient, org_id: str, every: int, shard: int) -> None:
    b = create(client, org_id, "b", every)
    assert b["retentionRules"] == [{"type": "expire", "everySeconds": every,
                                    "shardGroupDurationSeconds": shard}]


def test_no_rules_means_forever_and_still_one_rule(client: TestClient, org_id: str) -> None:
    b = create(client, org_id, "forever")
    assert b["retentionRules"] == [{"type": "expire", "everySeconds": 0,
                                    "shardGroupDurationSeconds": 7 * DAY}]
    assert "description" not in b


def test_create_refusals(client: TestClient, org_id: str) -> None:
    post = client.post
    assert_error(post("/api/v2/buckets", json={"name": "x"}), 400, "invalid",
                 "organization id must be provided")
    rules = [{"type": "expire", "everySeconds": 3600}] * 2
    assert_error(post("/api/v2/buckets", json={"orgID": org_id, "name": "x",
                                                "retentionRules": rules}),
                 422, "unprocessable entity",
                 "buckets cannot have more than one retention rule at this time")
    assert_error(post("/api/v2/buckets", json={
        "orgID": org_id, "name": "x", "retentionRules": [{"everySeconds": -1}]}),
        422, "unprocessable entity", "expiration seconds cannot be negative")
    assert_error(post("/api/v2/buckets", json={
        "orgID": org_id, "name": "x",
        "retentionRules": [{"everySeconds": 3600, "shardGroupDurationSeconds": -1}]}),
        422, "unprocessable entity", "shard-group duration seconds cannot be negative")
    # influxd's storage engine refuses it with a plain error, which it answers as a 500
    assert_error(post("/api/v2/buckets", json={
        "orgID": org_id, "name": "x", "retentionRules": [{"everySeconds": 60}]}),
        500, "internal error", "retention policy duration must be at least 1h0m0s")
    assert_error(post("/api/v2/buckets", json={"orgID": org_id, "name": "_x"}), 400, "invalid",
                 "bucket name _x is invalid. Buckets may not start with underscore")
    assert_error(post("/api/v2/buckets", json={"orgID": org_id, "name": 'a"b'}), 400,
                 "invalid", 'bucket name a"b is invalid. Bucket names may not include '
                            "quotation marks")
    assert_error(post("/api/v2/buckets", json={"orgID": "0123456789abcdef", "name": "x"}),
                 404, "not found", "organization not found")
    assert_error(post("/api/v2/buckets", json={"orgID": "nope", "name": "x"}), 400, "invalid",
                 "id must have a length of 16 bytes")
    r = post("/api/v2/buckets", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["message"].startswith("failed to unmarshal json")
    assert client.get("/api/v2/buckets").json()["buckets"] == []


def test_duplicate_name_is_a_conflict(client: TestClient, org_id: str) -> None:
    create(client, org_id, "metrics")
    r = client.post("/api/v2/buckets", json={"orgID": org_id, "name": "metrics"})
    assert_error(r, 422, "conflict", "bucket with name metrics already exists")


def test_a_token_is_needed(engine: Engine, org_id: str) -> None:
    app = create_app(engine, ServerConfig(run_tasks=False))
    with TestClient(app) as anonymous:
        assert_error(anonymous.get("/api/v2/buckets"), 401, "unauthorized", "unauthorized access")


# -- list ----------------------------------------------------------------------------------------
def test_list_all_with_links(client: TestClient, org_id: str) -> None:
    a, b = create(client, org_id, "b"), create(client, org_id, "a")
    r = client.get("/api/v2/buckets")
    assert r.status_code == 200
    body = r.json()
    assert body["links"] == {"self": "/api/v2/buckets?descending=false&limit=20&offset=0"}
    assert [x["id"] for x in body["buckets"]] == sorted([a["id"], b["id"]])  # by id, as influxd
    assert all(x["type"] == "user" for x in body["buckets"])  # tsengine has no system buckets
    buckets = model(r, "Buckets")
    assert buckets.links._self and len(buckets.buckets) == 2


def test_list_by_org_is_in_name_order(client: TestClient, org_id: str, engine: Engine) -> None:
    for name in ("c", "a", "b"):
        create(client, org_id, name)
    org_name = engine.store.org().name
    for params in ({"org": org_name}, {"orgID": org_id}):
        body = client.get("/api/v2/buckets", params=params).json()
        assert [x["name"] for x in body["buckets"]] == ["a", "b", "c"]
    assert client.get("/api/v2/buckets", params={"orgID": "0123456789abcdef"}).json()[
        "buckets"] == []
    assert_error(client.get("/api/v2/buckets", params={"org": "nope"}), 404, "not found",
                 'organization name "nope" not found')


def test_list_by_name(client: TestClient, org_id: str, engine: Engine) -> None:
    b = create(client, org_id, "metrics")
    create(client, org_id, "other")
    found = client.get("/api/v2/buckets", params={"name": "metrics"}).json()
    assert [x["id"] for x in found["buckets"]] == [b["id"]]
    assert found["links"]["self"] == ("/api/v2/buckets?bucket=metrics&descending=false"
                                      "&limit=20&offset=0")
    # no match: an empty list without an organization, 404 with one (find_bucket_by_name: None)
    r = client.get("/api/v2/buckets", params={"name": "nope"})
    assert r.status_code == 200 and r.json()["buckets"] == []
    assert_error(client.get("/api/v2/buckets", params={"name": "nope", "orgID": org_id}),
                 404, "not found", 'bucket "nope" not found')
    r = client.get("/api/v2/buckets", params={"name": "metrics", "org": engine.store.org().name})
    assert [x["id"] for x in r.json()["buckets"]] == [b["id"]]


def test_list_by_id(client: TestClient, org_id: str) -> None:
    b = create(client, org_id, "metrics")
    create(client, org_id, "other")
    r = client.get("/api/v2/buckets", params={"id": b["id"]})
    assert [x["name"] for x in r.json()["buckets"]] == ["metrics"]
    assert_error(client.get("/api/v2/buckets", params={"id": "0123456789abcdef"}), 404,
                 "not found", "bucket not found")


@pytest.mark.parametrize(("limit", "message"), [
    ("0", "limit must be between 1 and 100"), ("101", "limit must be between 1 and 100"),
    ("x", "limit is invalid")])
def test_list_limit_is_checked(client: TestClient, limit: str, message: str) -> None:
    assert_error(client.get("/api/v2/buckets", params={"limit": limit}), 400, "invalid", message)


def test_paging_with_offset_and_with_after_as_the_client(client: TestClient, org_id: str) -> None:
    ids = sorted(create(client, org_id, f"b{i}")["id"] for i in range(5))
    first = client.get("/api/v2/buckets", params={"limit": 2}).json()
    assert [x["id"] for x in first["buckets"]] == ids[:2]
    assert first["links"]["next"] == "/api/v2/buckets?descending=false&limit=2&offset=2"
    second = client.get(first["links"]["next"]).json()
    assert [x["id"] for x in second["buckets"]] == ids[2:4]
    assert second["links"]["prev"] == "/api/v2/buckets?descending=false&limit=2&offset=0"
    # influxdb-client's find_buckets_iter: `after` = the last id while links.next is present
    seen, after = [], None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"after": after} if after else {})}
        page = client.get("/api/v2/buckets", params=params).json()
        seen += [x["id"] for x in page["buckets"]]
        if "next" not in page["links"]:
            break
        after = seen[-1]
    assert seen == ids
    desc = client.get("/api/v2/buckets", params={"descending": "true"}).json()
    assert [x["id"] for x in desc["buckets"]] == ids[::-1]


def test_paging_after_within_an_organization(client: TestClient, org_id: str) -> None:
    made = {n: create(client, org_id, n)["id"] for n in ("a", "b", "c")}
    r = client.get("/api/v2/buckets", params={"orgID": org_id, "after": made["a"]})
    assert [x["name"] for x in r.json()["buckets"]] == ["b", "c"]
    assert_error(client.get("/api/v2/buckets", params={"after": "zz"}), 400, "invalid",
                 "decoding after: id must have a length of 16 bytes")


# -- one bucket ----------------------------------------------------------------------------------
def test_get_by_id(client: TestClient, org_id: str) -> None:
    b = create(client, org_id, "metrics", DAY)
    r = client.get(f"/api/v2/buckets/{b['id']}")
    assert r.status_code == 200 and r.json() == b
    model(r, "Bucket")
    assert_error(client.get("/api/v2/buckets/0123456789abcdef"), 404, "not found",
                 "bucket not found")
    assert_error(client.get("/api/v2/buckets/0000000000000000"), 400, "invalid", "invalid ID")


def test_patch(client: TestClient, org_id: str, engine: Engine, clock: FixedClock) -> None:
    b = create(client, org_id, "metrics", DAY)
    clock.set(parse_time("2024-01-03T00:00:00Z"))
    r = client.patch(f"/api/v2/buckets/{b['id']}", json={
        "name": "renamed", "description": "d",
        "retentionRules": [{"type": "expire", "everySeconds": 30 * DAY,
                            "shardGroupDurationSeconds": DAY}]})
    assert r.status_code == 200
    out = r.json()
    assert (out["id"], out["name"], out["description"]) == (b["id"], "renamed", "d")
    assert out["retentionRules"] == [{"type": "expire", "everySeconds": 30 * DAY,
                                      "shardGroupDurationSeconds": DAY}]
    assert (out["createdAt"], out["updatedAt"]) == ("2024-01-02T00:00:00Z",
                                                    "2024-01-03T00:00:00Z")
    model(r, "Bucket")
    assert engine.bucket("renamed").retention == 30 * DAY * 10**9
    # a rule without everySeconds changes nothing; everySeconds 0 keeps points forever
    r = client.patch(f"/api/v2/buckets/{b['id']}", json={"retentionRules": [{"type": "expire"}]})
    assert r.json()["retentionRules"][0]["everySeconds"] == 30 * DAY
    r = client.patch(f"/api/v2/buckets/{b['id']}", json={
        "retentionRules": [{"type": "expire", "everySeconds": 0}]})
    assert r.json()["retentionRules"][0] == {"type": "expire", "everySeconds": 0,
                                             "shardGroupDurationSeconds": 7 * DAY}


def test_patch_refusals(client: TestClient, org_id: str) -> None:
    b = create(client, org_id, "metrics")
    create(client, org_id, "taken")
    url = f"/api/v2/buckets/{b['id']}"
    assert_error(client.patch(url, json={"name": "taken"}), 422, "conflict",
                 "bucket name is not unique")
    assert_error(client.patch(url, json={"name": "_x"}), 400, "invalid",
                 "bucket name _x is invalid. Buckets may not start with underscore")
    assert_error(client.patch(url, json={"retentionRules": [{"everySeconds": 10}]}), 500,
                 "internal error", "retention policy duration must be at least 1h0m0s")
    assert_error(client.patch(url, json={"retentionRules": [{"everySeconds": 3600}] * 2}), 422,
                 "unprocessable entity",
                 "buckets cannot have more than one retention rule at this time")
    assert_error(client.patch("/api/v2/buckets/0123456789abcdef", json={"name": "y"}), 404,
                 "not found", "bucket not found")
    assert client.get(url).json()["name"] == "metrics"
    r = client.patch(url, json={"name": "metrics"})  # its own name: not a conflict
    assert r.status_code == 200


def test_delete(client: TestClient, org_id: str, engine: Engine) -> None:
    b = create(client, org_id, "metrics")
    engine.write("metrics", "m v=1 1704153600000000000")
    r = client.delete(f"/api/v2/buckets/{b['id']}")
    assert r.status_code == 204 and r.content == b""
    assert_error(client.get(f"/api/v2/buckets/{b['id']}"), 404, "not found", "bucket not found")
    assert engine.buckets() == []
    assert_error(client.delete(f"/api/v2/buckets/{b['id']}"), 404, "not found",
                 "bucket not found")
