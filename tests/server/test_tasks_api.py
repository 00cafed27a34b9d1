"""/api/v2/tasks: tasks, runs and logs with InfluxDB's shapes, status codes and error wording
(http/task_service.go, task/taskmodel/task_errors.go), each response read back with
influxdb-client's own deserializer. Manual runs are queued by the API and run by
`engine.tasks.tick()` here (the app's scheduler thread is off)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from storage import FixedClock, parse_time
from tsengine import Engine

from .models import model

ROLLUP = ('option task = {name: "rollup", every: 1h}\n'
          'from(bucket: "src") |> range(start: -task.every) |> to(bucket: "dst")\n')
BROKEN = ('option task = {name: "broken", every: 1h}\n'
          'from(bucket: "missing") |> range(start: -task.every) |> to(bucket: "dst")\n')
NOW = "2024-01-02T00:00:00Z"  # the `clock` fixture's time


@pytest.fixture(autouse=True)
def buckets(engine: Engine) -> None:
    """The buckets the tasks read and write."""
    engine.create_bucket("src")
    engine.create_bucket("dst")


def assert_error(r: httpx.Response, status: int, code: str, message: str) -> None:
    assert r.status_code == status, r.text
    assert r.json() == {"code": code, "message": message}
    assert r.headers["x-platform-error-code"] == code


def create(client: TestClient, org_id: str, flux: str = ROLLUP, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/v2/tasks", json={"flux": flux, "orgID": org_id, **extra})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def links(task_id: str) -> dict[str, str]:
    base = f"/api/v2/tasks/{task_id}"
    return {"self": base, "members": f"{base}/members", "owners": f"{base}/owners",
            "labels": f"{base}/labels", "runs": f"{base}/runs", "logs": f"{base}/logs"}


# -- create --------------------------------------------------------------------------------------
def test_create_answers_201_with_influxdbs_task(client: TestClient, org_id: str,
                                                 engine: Engine) -> None:
    r = client.post("/api/v2/tasks", json={"flux": ROLLUP, "orgID": org_id,
                                           "description": "hourly", "name": "ignored",
                                           "every": "5m"})
    assert r.status_code == 201
    t = r.json()
    assert t == {"id": t["id"], "orgID": org_id, "org": engine.store.org().name,
                 "name": "rollup", "description": "hourly", "status": "active", "flux": ROLLUP,
                 "every": "1h", "createdAt": NOW, "updatedAt": NOW, "labels": [],
                 "links": links(t["id"])}
    task = model(r, "Task")
    assert (task.id, task.name, task.every, task.status) == (t["id"], "rollup", "1h", "active")
    assert engine.tasks.get(t["id"]).name == "rollup"


def test_create_by_org_name_inactive_with_cron_and_offset(client: TestClient,
                                                          engine: Engine) -> None:
    flux = ('option task = {name: "nightly", cron: "0 2 * * *", offset: 10m}\n'
            'from(bucket: "src") |> range(start: -1d) |> to(bucket: "dst")\n')
    r = client.post("/api/v2/tasks", json={"flux": flux, "org": engine.store.org().name,
                                           "status": "inactive"})
    assert r.status_code == 201
    t = r.json()
    assert (t["status"], t["cron"], t["offset"], "every" in t) == (
        "inactive", "0 2 * * *", "10m", False)
    model(r, "Task")


def test_create_refusals(client: TestClient, org_id: str, engine: Engine) -> None:
    post = client.post
    assert_error(post("/api/v2/tasks", json={"orgID": org_id}), 400, "invalid",
                 "failed to decode request: missing flux")
    assert_error(post("/api/v2/tasks", json={"flux": ROLLUP}), 400, "invalid",
                 "failed to decode request: missing orgID and org")
    assert_error(post("/api/v2/tasks", json={"flux": ROLLUP, "orgID": org_id,
                                              "status": "paused"}),
                 400, "invalid", 'failed to decode request: invalid task status: "paused"')
    assert_error(post("/api/v2/tasks", json={"flux": ROLLUP, "orgID": "0123456789abcdef"}),
                 404, "not found", "could not identify organization: organization not found")
    assert_error(post("/api/v2/tasks", json={"flux": ROLLUP, "org": "nope"}), 404, "not found",
                 'could not identify organization: organization name "nope" not found')
    r = post("/api/v2/tasks", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["message"].startswith("failed to decode request: ")
    assert engine.tasks.find() == []


@pytest.mark.parametrize(("flux", "message"), [
    ('option task = {name: "x"}\nfrom(bucket: "src")',
     "invalid options: error at 1:15: task options need exactly one of 'every' or 'cron'"),
    ('option task = {name: "x", every: 1h}\nfrom(bucket: "src") |>',
     "invalid options: error at 2:"),
    ('from(bucket: "src") |> range(start: -1h)', "invalid options: "),
])
def test_bad_options_are_400_with_line_and_column(client: TestClient, org_id: str, flux: str,
                                                   message: str) -> None:
    r = client.post("/api/v2/tasks", json={"flux": flux, "orgID": org_id})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert r.json()["message"].startswith(message), r.json()["message"]


# -- list ----------------------------------------------------------------------------------------
def test_list_and_filters(client: TestClient, org_id: str, engine: Engine) -> None:
    a = create(client, org_id)
    b = create(client, org_id, ROLLUP.replace('"rollup"', '"other"'), status="inactive")
    r = client.get("/api/v2/tasks")
    assert r.status_code == 200
    body = r.json()
    assert body["links"] == {"self": "/api/v2/tasks?limit=100"}
    assert [t["id"] for t in body["tasks"]] == sorted([a["id"], b["id"]])
    tasks = model(r, "Tasks")
    assert len(tasks.tasks) == 2 and tasks.links._self

    def ids(**params: Any) -> list[str]:
        r = client.get("/api/v2/tasks", params=params)
        assert r.status_code == 200, r.text
        return [t["id"] for t in r.json()["tasks"]]

    assert ids(name="other") == [b["id"]]
    assert ids(status="active") == [a["id"]]
    assert ids(status="inactive") == [b["id"]]
    assert sorted(ids(status="whatever")) == sorted([a["id"], b["id"]])  # ignored, as influxd
    assert len(ids(org=engine.store.org().name)) == 2
    assert len(ids(orgID=org_id)) == 2
    assert ids(orgID="0123456789abcdef") == []
    basic = client.get("/api/v2/tasks", params={"type": "basic"}).json()["tasks"]
    assert {t["flux"] for t in basic} == {""}


def test_list_refusals(client: TestClient) -> None:
    assert_error(client.get("/api/v2/tasks", params={"org": "nope"}), 400, "invalid",
                 "failed to decode request: org nope not found or unauthorized: "
                 "org not found or unauthorized")
    for limit in ("0", "501"):
        assert_error(client.get("/api/v2/tasks", params={"limit": limit}), 400, "invalid",
                     "failed to decode request: limit must be between 1 and 500")
    assert_error(client.get("/api/v2/tasks", params={"type": "x"}), 400, "invalid",
                 'failed to decode request: "x" is not a valid task type')
    assert_error(client.get("/api/v2/tasks", params={"after": "x"}), 400, "invalid",
                 "failed to decode request: id must have a length of 16 bytes")


def test_list_pages_with_after(client: TestClient, org_id: str) -> None:
    made = sorted(create(client, org_id)["id"] for _ in range(3))
    first = client.get("/api/v2/tasks", params={"limit": 2}).json()
    assert [t["id"] for t in first["tasks"]] == made[:2]
    assert first["links"]["next"] == f"/api/v2/tasks?after={made[1]}&limit=2"
    second = client.get(first["links"]["next"]).json()
    assert [t["id"] for t in second["tasks"]] == made[2:]
    assert "next" not in second["links"]


# -- one task ------------------------------------------------------------------------------------
def test_get(client: TestClient, org_id: str) -> None:
    t = create(client, org_id)
    r = client.get(f"/api/v2/tasks/{t['id']}")
    assert r.status_code == 200 and r.json() == t
    model(r, "Task")
    assert_error(client.get("/api/v2/tasks/0123456789abcdef"), 404, "not found",
                 "failed to find task: task not found")
    assert_error(client.get("/api/v2/tasks/xyz"), 400, "invalid",
                 "failed to decode request: id must have a length of 16 bytes")


def test_patch(client: TestClient, org_id: str, clock: FixedClock) -> None:
    t = create(client, org_id)
    url = f"/api/v2/tasks/{t['id']}"
    clock.set(parse_time("2024-01-02T01:00:00Z"))
    r = client.patch(url, json={"every": "2h", "offset": "5m", "description": "d",
                                "status": "inactive"})
    assert r.status_code == 200
    out = r.json()
    assert (out["every"], out["offset"], out["description"], out["status"]) == (
        "2h", "5m", "d", "inactive")
    assert out["flux"].startswith('option task = {name: "rollup", every: 2h, offset: 5m}')
    assert (out["createdAt"], out["updatedAt"]) == (NOW, "2024-01-02T01:00:00Z")
    model(r, "Task")
    r = client.patch(url, json={"cron": "0 * * * *", "offset": "0s", "name": "renamed"})
    out = r.json()
    assert (out["name"], out["cron"], "every" in out, "offset" in out) == (
        "renamed", "0 * * * *", False, False)
    flux = ROLLUP.replace("1h}", "30m}")
    r = client.patch(url, json={"flux": flux, "status": "active"})
    assert (r.json()["flux"], r.json()["every"], r.json()["status"]) == (flux, "30m", "active")


def test_patch_refusals(client: TestClient, org_id: str) -> None:
    t = create(client, org_id)
    url = f"/api/v2/tasks/{t['id']}"
    assert_error(client.patch(url, json={}), 400, "invalid",
                 "failed to decode request: cannot update task without content")
    assert_error(client.patch(url, json={"every": "1h", "cron": "* * * * *"}), 400, "invalid",
                 "failed to decode request: cannot specify both every and cron")
    assert_error(client.patch(url, json={"status": "paused"}), 400, "invalid",
                 'failed to decode request: invalid task status: "paused"')
    r = client.patch(url, json={"flux": 'option task = {name: "x"}\nfrom(bucket: "src")'})
    assert r.status_code == 400
    assert r.json()["message"].startswith("failed to update task: invalid options: error at 1:")
    assert_error(client.patch("/api/v2/tasks/0123456789abcdef", json={"status": "active"}),
                 404, "not found", "failed to update task: task not found")
    assert client.get(url).json() == t


def test_delete(client: TestClient, org_id: str, engine: Engine) -> None:
    t = create(client, org_id)
    r = client.delete(f"/api/v2/tasks/{t['id']}")
    assert r.status_code == 204 and r.content == b""
    assert engine.tasks.find() == []
    assert_error(client.delete(f"/api/v2/tasks/{t['id']}"), 404, "not found",
                 "failed to delete task: task not found")


# -- runs ----------------------------------------------------------------------------------------
def test_manual_run_is_queued_then_run_by_the_scheduler(client: TestClient, org_id: str,
                                                        engine: Engine) -> None:
    engine.write("src", "cpu,host=a v=1 1704151800000000000\ncpu,host=a v=2 1704151900000000000")
    t = create(client, org_id)
    r = client.post(f"/api/v2/tasks/{t['id']}/runs")
    assert r.status_code == 201
    run = r.json()
    base = f"/api/v2/tasks/{t['id']}/runs/{run['id']}"
    assert run == {"id": run["id"], "taskID": t["id"], "status": "scheduled",
                   "scheduledFor": NOW, "requestedAt": NOW,
                   "links": {"self": base, "task": f"/api/v2/tasks/{t['id']}",
                             "logs": f"{base}/logs", "retry": f"{base}/retry"}}
    assert model(r, "Run").status == "scheduled"
    assert engine.export("dst") == ""

    report = engine.tasks.tick()
    assert [x.id for x in report.runs] == [run["id"]]
    assert engine.export("dst").count("\n") == 2  # the window [23:00, 00:00) was rolled up

    r = client.get(base)
    done = r.json()
    assert (done["status"], done["startedAt"], done["finishedAt"]) == ("success", NOW, NOW)
    assert [e["message"] for e in done["log"]][-1] == "Completed(success)"
    assert model(r, "Run").log[0].run_id == run["id"]
    task = client.get(f"/api/v2/tasks/{t['id']}").json()
    assert (task["latestCompleted"], task["lastRunStatus"]) == (NOW, "success")


def test_manual_run_for_a_time_and_refusals(client: TestClient, org_id: str, engine: Engine,
                                            clock: FixedClock) -> None:
    t = create(client, org_id)
    url = f"/api/v2/tasks/{t['id']}/runs"
    r = client.post(url, json={"scheduledFor": "2024-01-02T03:00:00.7+01:00"})
    assert r.status_code == 201 and r.json()["scheduledFor"] == "2024-01-02T02:00:00Z"
    assert_error(client.post(url, json={"scheduledFor": "2024-01-02T02:00:00Z"}), 422,
                 "conflict", "failed to force run: run already queued")
    assert engine.tasks.tick().runs == []  # not due before its time
    clock.set(parse_time("2024-01-02T02:00:00Z"))
    manual = [x for x in engine.tasks.tick().runs if x.requested_at is not None]
    assert [(x.id, x.status) for x in manual] == [(r.json()["id"], "success")]
    # a naive time (what the client sends for a datetime without tzinfo) is not RFC3339
    r = client.post(url, json={"scheduledFor": "2024-01-02T02:00:00"})
    assert r.status_code == 400 and r.json()["message"].startswith("failed to decode request")
    assert_error(client.post("/api/v2/tasks/0123456789abcdef/runs"), 404, "not found",
                 "failed to force run: task not found")
    client.patch(f"/api/v2/tasks/{t['id']}", json={"status": "inactive"})
    assert_error(client.post(url), 400, "invalid", "failed to force run: inactive task")


def test_list_runs(client: TestClient, org_id: str, engine: Engine) -> None:
    t = create(client, org_id)
    url = f"/api/v2/tasks/{t['id']}/runs"
    for hour in ("01", "02", "03"):
        engine.tasks.queue_run(t["id"], parse_time(f"2024-01-01T{hour}:00:00Z"))
    engine.tasks.tick()
    queued = client.post(url).json()  # for now: still queued, so listed first
    r = client.get(url)
    assert r.status_code == 200
    body = r.json()
    assert body["links"] == {"self": url, "task": f"/api/v2/tasks/{t['id']}"}
    assert [(x["status"], x["scheduledFor"]) for x in body["runs"]] == [
        ("scheduled", NOW), ("success", "2024-01-01T03:00:00Z"),
        ("success", "2024-01-01T02:00:00Z"), ("success", "2024-01-01T01:00:00Z")]
    runs = model(r, "Runs")
    assert runs.runs[0].id == queued["id"]

    def times(**params: Any) -> list[str]:
        r = client.get(url, params=params)
        assert r.status_code == 200, r.text
        return [x["scheduledFor"] for x in r.json()["runs"]]

    assert times(limit=2) == [NOW, "2024-01-01T03:00:00Z"]
    assert times(afterTime="2024-01-01T01:00:00Z", beforeTime="2024-01-01T03:00:00Z") == [
        "2024-01-01T02:00:00Z"]
    assert_error(client.get(url, params={"limit": 0}), 400, "invalid",
                 "failed to decode request: run limit is out of bounds, must be between 1 and 500")
    assert_error(client.get(url, params={"afterTime": "2024-01-01T03:00:00Z",
                                         "beforeTime": "2024-01-01T01:00:00Z"}),
                 400, "invalid", "failed to decode request: beforeTime must be later than "
                                 "afterTime")
    assert_error(client.get("/api/v2/tasks/0123456789abcdef/runs"), 404, "not found",
                 "failed to find runs: task not found")


def test_get_run_unknown(client: TestClient, org_id: str) -> None:
    t = create(client, org_id)
    assert_error(client.get(f"/api/v2/tasks/{t['id']}/runs/0123456789abcdef"), 404,
                 "not found", "failed to find run: run not found")
    assert_error(client.get("/api/v2/tasks/0123456789abcdef/runs/0123456789abcdef"), 404,
                 "not found", "failed to find run: task not found")


def test_retry_a_failed_run(client: TestClient, org_id: str, engine: Engine,
                            clock: FixedClock) -> None:
    t = create(client, org_id, BROKEN)
    run = client.post(f"/api/v2/tasks/{t['id']}/runs").json()
    engine.tasks.tick()
    failed = client.get(f"/api/v2/tasks/{t['id']}/runs/{run['id']}").json()
    assert failed["status"] == "failed"
    task = client.get(f"/api/v2/tasks/{t['id']}").json()
    assert task["lastRunStatus"] == "failed" and task["lastRunError"]
    model(client.get(f"/api/v2/tasks/{t['id']}"), "Task")

    r = client.post(f"/api/v2/tasks/{t['id']}/runs/{run['id']}/retry")
    assert r.status_code == 200
    again = r.json()
    assert again["id"] != run["id"]
    assert (again["status"], again["scheduledFor"]) == ("scheduled", failed["scheduledFor"])
    model(r, "Run")
    assert_error(client.post(f"/api/v2/tasks/{t['id']}/runs/{again['id']}/retry"), 422,
                 "conflict", f"failed to retry run: run {again['id']} is scheduled: only a "
                             "finished run can be retried")
    assert_error(client.post(f"/api/v2/tasks/{t['id']}/runs/0123456789abcdef/retry"), 404,
                 "not found", "failed to retry run: run not found")
    # the scheduler starts a retry once its backoff after the failed try has passed
    clock.set(parse_time("2024-01-02T00:01:00Z"))
    assert again["id"] in [x.id for x in engine.tasks.tick().runs]


def test_cancel(client: TestClient, org_id: str, engine: Engine) -> None:
    t = create(client, org_id)
    url = f"/api/v2/tasks/{t['id']}/runs"
    queued = client.post(url).json()
    r = client.delete(f"{url}/{queued['id']}")
    assert r.status_code == 200 and r.content == b""
    assert client.get(f"{url}/{queued['id']}").json()["status"] == "canceled"
    assert engine.tasks.tick().runs == []  # a canceled run does not start
    # finished: influxd's CancelRun no longer finds it
    assert_error(client.delete(f"{url}/{queued['id']}"), 404, "not found",
                 "failed to cancel run: run not found")
    # in progress: tsengine cannot stop a running query
    started = engine.tasks.queue_run(t["id"], parse_time("2024-01-01T05:00:00Z"))
    engine.tasks.records.update_run(t["id"], started.id, status="started",
                                    now=parse_time(NOW))
    assert_error(client.delete(f"{url}/{started.id}"), 422, "conflict",
                 f"failed to cancel run: run {started.id} has started and tsengine cannot "
                 "stop a run in progress")
    assert_error(client.delete(f"{url}/0123456789abcdef"), 404, "not found",
                 "failed to cancel run: run not found")


# -- logs ----------------------------------------------------------------------------------------
def test_logs(client: TestClient, org_id: str, engine: Engine) -> None:
    t = create(client, org_id)
    assert client.get(f"/api/v2/tasks/{t['id']}/logs").json() == {"events": []}
    first = client.post(f"/api/v2/tasks/{t['id']}/runs").json()
    engine.tasks.tick()
    second = client.post(f"/api/v2/tasks/{t['id']}/runs",
                         json={"scheduledFor": "2024-01-01T12:00:00Z"}).json()
    engine.tasks.tick()

    r = client.get(f"/api/v2/tasks/{t['id']}/runs/{first['id']}/logs")
    assert r.status_code == 200
    events = r.json()["events"]
    assert {e["runID"] for e in events} == {first["id"]}
    assert events[0]["message"].startswith("Started task from script: ")
    assert events[-1] == {"runID": first["id"], "time": NOW, "message": "Completed(success)"}
    assert model(r, "Logs").events[-1].message == "Completed(success)"

    r = client.get(f"/api/v2/tasks/{t['id']}/logs")
    runs = [e["runID"] for e in r.json()["events"]]
    assert runs == sorted(runs, key=[first["id"], second["id"]].index)  # run after run
    assert set(runs) == {first["id"], second["id"]}
    model(r, "Logs")
    assert_error(client.get(f"/api/v2/tasks/{t['id']}/runs/0123456789abcdef/logs"), 404,
                 "not found", "failed to find task logs: run not found")
    assert_error(client.get("/api/v2/tasks/0123456789abcdef/logs"), 404, "not found",
                 "failed to find task logs: task not found")
