"""/health, /ping, /ready, /api/v2/setup, /api/v2/orgs and /api/v2/me: InfluxDB's shapes, status
codes and wording (http/health.go, tenant/http_server_onboarding.go, tenant/service_onboarding.go,
tenant/http_server_org.go), each body read back with influxdb-client's own deserializer."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from influxdb_client._sync.api_client import ApiClient
from starlette.testclient import TestClient

from storage import parse_time
from tsengine import Engine
from tsengine.server.app import VERSION, ServerConfig, create_app
from tsengine.server.routes.health import go_duration

HOUR = 3600 * 10**9
SETUP = {"username": "ada", "password": "correct horse", "org": "acme", "bucket": "metrics",
         "token": "the-setup-token"}


@pytest.fixture
def anonymous(engine: Engine) -> Iterator[TestClient]:
    """A client without a token."""
    with TestClient(create_app(engine, ServerConfig(run_tasks=False))) as c:
        yield c


@pytest.fixture
def client(anonymous: TestClient) -> TestClient:
    """A client with a token made without a user (as `tsengine serve`'s operator token)."""
    token = anonymous.app.state.tokens.create("t")[1]  # type: ignore[attr-defined]
    anonymous.headers["Authorization"] = f"Token {token}"
    return anonymous


def model(response: httpx.Response, klass: str) -> Any:
    """The body as influxdb-client turns it into its model (raises on a missing field)."""
    return ApiClient().deserialize(SimpleNamespace(data=response.text), klass)


def assert_error(r: httpx.Response, status: int, code: str, message: str) -> None:
    assert (r.status_code, r.json()) == (status, {"code": code, "message": message})
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert r.headers["x-platform-error-code"] == code


def onboard(c: TestClient, **changes: Any) -> httpx.Response:
    body = {k: v for k, v in (SETUP | changes).items() if v is not None}
    return c.post("/api/v2/setup", json=body)


# -- health, ping, ready --------------------------------------------------------------------------
def test_health_needs_no_token(anonymous):
    r = anonymous.get("/health")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    body = r.json()
    assert body == {"name": "influxdb", "message": "ready for queries and writes",
                    "status": "pass", "checks": [], "version": VERSION, "commit": body["commit"]}
    assert model(r, "HealthCheck").status == "pass"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_ping_is_204_with_the_build_headers(anonymous, method):
    r = anonymous.request(method, "/ping")
    assert r.status_code == 204 and r.content == b""
    assert r.headers["x-influxdb-build"] == "OSS"
    assert r.headers["x-influxdb-version"] == VERSION


def test_ready_reports_the_start_and_uptime(anonymous, clock):
    anonymous.app.state.started = clock.now() - 90 * 10**9  # type: ignore[attr-defined]
    r = anonymous.get("/ready")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "started": "2024-01-01T23:58:30Z", "up": "1m30s"}
    assert model(r, "Ready").status == "ready"


@pytest.mark.parametrize(("ns", "text"), [
    (0, "0s"), (5, "5ns"), (1500, "1.5µs"), (12_345_000, "12.345ms"), (10**9, "1s"),
    (90 * 10**9, "1m30s"), (3600 * 10**9, "1h0m0s"), (3723_500_000_000, "1h2m3.5s"),
    (-2 * 10**9, "-2s"),
])
def test_uptime_is_printed_as_go_prints_durations(ns, text):
    assert go_duration(ns) == text


# -- onboarding -----------------------------------------------------------------------------------
def test_onboarding_is_allowed_once(anonymous, engine):
    assert anonymous.get("/api/v2/setup").json() == {"allowed": True}
    r = onboard(anonymous, retentionPeriodSeconds=7 * 24 * 3600)
    assert r.status_code == 201, r.text
    body = r.json()
    org = engine.store.org()
    user, bucket, auth = body["user"], body["bucket"], body["auth"]
    assert user == {"links": {"self": f"/api/v2/users/{user['id']}"}, "id": user["id"],
                    "name": "ada", "status": "active"}
    assert body["org"]["id"] == org.id and body["org"]["name"] == "acme"
    assert body["org"]["links"]["buckets"] == "/api/v2/buckets?org=acme"
    assert bucket["name"] == "metrics" and bucket["orgID"] == org.id and bucket["type"] == "user"
    assert bucket["retentionRules"] == [{"type": "expire", "everySeconds": 604800,
                                         "shardGroupDurationSeconds": 86400}]
    assert auth["token"] == "the-setup-token" and auth["status"] == "active"
    assert auth["description"] == "ada's Token"
    assert (auth["orgID"], auth["userID"]) == (org.id, user["id"])
    assert auth["links"] == {"self": f"/api/v2/authorizations/{auth['id']}",
                             "user": f"/api/v2/users/{user['id']}"}
    assert {"action": "write", "resource": {"type": "buckets"}} in auth["permissions"]
    assert len(auth["permissions"]) == 44  # OperPermissions: 22 resource types, read and write
    parse_time(auth["createdAt"])
    parsed = model(r, "OnboardingResponse")
    assert (parsed.user.name, parsed.org.name, parsed.bucket.name) == ("ada", "acme", "metrics")
    assert parsed.auth.token == "the-setup-token"

    assert anonymous.get("/api/v2/setup").json() == {"allowed": False}
    assert_error(onboard(anonymous), 422, "conflict", "onboarding has already been completed")
    assert_error(onboard(anonymous, username=None), 422, "conflict",
                 "onboarding has already been completed")


def test_the_default_organization_is_renamed_and_keeps_its_buckets(anonymous, engine):
    before = engine.store.org()
    engine.create_bucket("older", "30d")
    assert onboard(anonymous, bucket="older").status_code == 201
    org = engine.store.org()
    assert (org.id, org.name) == (before.id, "acme")
    assert [b.name for b in engine.buckets("acme")] == ["older"]  # adopted, not duplicated
    assert engine.bucket("older", "acme").retention == 30 * 24 * HOUR


def test_the_setup_token_works_and_a_wrong_one_is_401(anonymous):
    assert onboard(anonymous).status_code == 201
    r = anonymous.get("/api/v2/orgs", headers={"Authorization": "Token the-setup-token"})
    assert r.status_code == 200 and r.json()["orgs"][0]["name"] == "acme"
    r = anonymous.get("/api/v2/orgs", headers={"Authorization": "Bearer the-setup-token"})
    assert r.status_code == 200
    for header in ({"Authorization": "Token nope"}, {}):
        r = anonymous.get("/api/v2/orgs", headers=header)
        assert_error(r, 401, "unauthorized", "unauthorized access")


def test_a_generated_token_is_returned_once(anonymous):
    r = onboard(anonymous, token=None)
    token = r.json()["auth"]["token"]
    assert len(token) > 40
    r = anonymous.get("/api/v2/me", headers={"Authorization": f"Token {token}"})
    assert r.json()["name"] == "ada"


def test_missing_fields_are_422_and_change_nothing(anonymous, engine):
    r = anonymous.post("/api/v2/setup", json={})
    assert_error(r, 422, "unprocessable entity",
                 "onboarding failed: missing required fields [username,org,bucket]")
    assert_error(onboard(anonymous, org=""), 422, "unprocessable entity",
                 "onboarding failed: missing required fields [org]")
    assert anonymous.get("/api/v2/setup").json() == {"allowed": True}
    assert engine.store.org().name == "default"


def test_a_bad_password_or_body_changes_nothing(anonymous, engine):
    assert_error(onboard(anonymous, password="short"), 400, "invalid",
                 "passwords must be between 8 and 72 characters long")
    r = anonymous.post("/api/v2/setup", content=b"{not json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert_error(onboard(anonymous, retentionPeriodSeconds="1h"), 400, "invalid",
                 "failed to decode request body: retentionPeriodSeconds must be an integer")
    assert engine.store.org().name == "default" and engine.buckets() == []


def test_a_failed_bucket_undoes_the_rename(anonymous, engine):
    engine.create_bucket("metrics", "30d")
    r = onboard(anonymous, retentionPeriodSeconds=3600)
    assert_error(r, 422, "conflict",
                 "bucket with name metrics already exists with another retention period")
    r = onboard(anonymous, bucket="_bad")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert engine.store.org().name == "default"
    assert anonymous.get("/api/v2/setup").json() == {"allowed": True}


@pytest.mark.parametrize(("extra", "retention"), [
    ({}, 0),
    ({"retentionPeriodSeconds": 7200}, 2 * HOUR),
    ({"retentionPeriodHrs": 3 * HOUR}, 3 * HOUR),  # InfluxDB reads this field as nanoseconds
    ({"retentionPeriodSeconds": 7200, "retentionPeriodHrs": 3 * HOUR}, 2 * HOUR),
])
def test_retention_fields(anonymous, engine, extra, retention):
    assert onboard(anonymous, **extra).status_code == 201
    assert engine.bucket("metrics", "acme").retention == retention


def test_onboarding_a_data_directory_that_has_a_token_already(client, engine):
    assert client.get("/api/v2/setup").json() == {"allowed": True}
    assert onboard(client).status_code == 201
    assert client.get("/api/v2/orgs").status_code == 200  # the older token still works


# -- /api/v2/me -----------------------------------------------------------------------------------
def test_me_is_the_tokens_user(client):
    assert_error(client.get("/api/v2/me"), 404, "not found", "user not found")
    assert onboard(client).status_code == 201
    r = client.get("/api/v2/me", headers={"Authorization": "Token the-setup-token"})
    assert r.status_code == 200
    assert model(r, "UserResponse").name == "ada"
    assert_error(client.get("/api/v2/me", headers={"Authorization": "Token x"}), 401,
                 "unauthorized", "unauthorized access")


# -- organizations --------------------------------------------------------------------------------
def test_orgs_list_and_filters(client, engine):
    org = engine.store.org()
    r = client.get("/api/v2/orgs")
    assert r.status_code == 200
    body = r.json()
    assert body["links"] == {"self": "/api/v2/orgs"}
    assert body["orgs"] == [{
        "links": {"self": f"/api/v2/orgs/{org.id}", "logs": f"/api/v2/orgs/{org.id}/logs",
                  "members": f"/api/v2/orgs/{org.id}/members",
                  "owners": f"/api/v2/orgs/{org.id}/owners",
                  "secrets": f"/api/v2/orgs/{org.id}/secrets",
                  "labels": f"/api/v2/orgs/{org.id}/labels",
                  "buckets": "/api/v2/buckets?org=default",
                  "tasks": "/api/v2/tasks?org=default",
                  "dashboards": "/api/v2/dashboards?org=default"},
        "id": org.id, "name": "default", "description": "",
        "createdAt": "2024-01-02T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z"}]
    assert [o.name for o in model(r, "Organizations").orgs] == ["default"]
    for query in ("org=default", f"orgID={org.id}", f"orgID={org.id.upper()}", "orgID=bad",
                  "limit=1", "offset=0"):
        assert [o["id"] for o in client.get(f"/api/v2/orgs?{query}").json()["orgs"]] == [org.id]
    assert client.get("/api/v2/orgs?offset=1").json()["orgs"] == []


def test_unknown_orgs_are_404(client):
    assert_error(client.get("/api/v2/orgs?org=nope"), 404, "not found",
                 'organization name "nope" not found')
    assert_error(client.get("/api/v2/orgs?orgID=0123456789abcdef"), 404, "not found",
                 "organization not found")
    assert_error(client.get("/api/v2/orgs/0123456789abcdef"), 404, "not found",
                 "organization not found")


def test_paging_parameters_are_checked(client):
    assert_error(client.get("/api/v2/orgs?limit=0"), 400, "invalid",
                 "limit must be between 1 and 100")
    assert_error(client.get("/api/v2/orgs?limit=x"), 400, "invalid", "limit is invalid")
    assert_error(client.get("/api/v2/orgs?offset=x"), 400, "invalid", "offset is invalid")
    assert_error(client.get("/api/v2/orgs?descending=maybe"), 400, "invalid",
                 "descending is invalid")


def test_get_org_by_id(client, engine):
    org = engine.store.org()
    r = client.get(f"/api/v2/orgs/{org.id}")
    assert r.status_code == 200 and r.json()["name"] == "default"
    assert model(r, "Organization").id == org.id
    assert_error(client.get("/api/v2/orgs/abc"), 400, "invalid",
                 "id must have a length of 16 bytes")
    assert_error(client.get("/api/v2/orgs/000000000000000g"), 400, "invalid", "invalid ID")


def test_orgs_of_a_user(client, engine):
    assert onboard(client).status_code == 201
    user_id = client.get("/api/v2/me", headers={"Authorization": "Token the-setup-token"}
                         ).json()["id"]
    assert [o["name"] for o in client.get(f"/api/v2/orgs?userID={user_id}").json()["orgs"]] == [
        "acme"]
    assert client.get("/api/v2/orgs?userID=0123456789abcdef").json()["orgs"] == []


def test_creating_an_org_is_not_supported(client):
    r = client.post("/api/v2/orgs", json={"name": "other"})
    assert r.status_code == 501 and r.json()["code"] == "not implemented"


def test_a_token_works_once_created_and_not_once_deleted(engine):
    """Tokens are checked from memory (no store lock per request): a new token is found by
    re-reading the table, a deleted one stops working at once."""
    from starlette.testclient import TestClient

    from tsengine.server.app import ServerConfig, create_app

    app = create_app(engine, ServerConfig(run_tasks=False))
    first_auth, first = app.state.tokens.create("first")
    with TestClient(app) as c:
        assert c.get("/api/v2/buckets",
                     headers={"Authorization": f"Token {first}"}).status_code == 200
        _, second = app.state.tokens.create("second")
        assert c.get("/api/v2/buckets",
                     headers={"Authorization": f"Bearer {second}"}).status_code == 200
        assert app.state.tokens.delete(first_auth.id)
        r = c.get("/api/v2/buckets", headers={"Authorization": f"Token {first}"})
        assert (r.status_code, r.json()) == (401, {"code": "unauthorized",
                                                  "message": "unauthorized access"})
        assert c.get("/api/v2/buckets",
                     headers={"Authorization": f"Token {second}"}).status_code == 200
