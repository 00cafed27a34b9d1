"""Routes of the InfluxDB v2 API: tasks, their runs and logs (http/task_service.go).

Task, run and log JSON come from the CLI's `task_json`/`run_json`/`log_json` (InfluxDB's field
names), with the labels and links the API adds. Errors are worded as influxd's handlers wrap
them: `<what failed>: <why>`, e.g. `failed to find task: task not found`.

A manual run (`POST .../runs`) is only queued: the server's scheduler thread starts it once its
scheduledFor has come, as InfluxDB's manual-run poller does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage import InvalidArgument, Organization, Store, parse_time
from tsengine.cli.tasks import log_json, run_json, task_json
from tsengine.errors import FluxError, RunNotFound, TaskError, TaskNotFound
from tsengine.server.common import call, engine_of, json_body, parse_id
from tsengine.server.errors import ApiError
from tsengine.tasks.model import LogEvent, Run, Task
from tsengine.tasks.options import with_options
from tsengine.tasks.service import TaskService

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 100, 500  # taskmodel.TaskDefaultPageSize, TaskMaxPageSize
DECODE = "failed to decode request"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


# -- JSON --------------------------------------------------------------------------------------
def task_out(task: Task, org: str | None, *, basic: bool = False) -> dict[str, Any]:
    """A task as the API answers it; `basic` (list `type=basic`) leaves the script out."""
    out = task_json(task, org)
    if basic:
        out["flux"] = ""
    base = f"/api/v2/tasks/{task.id}"
    out["labels"] = []
    out["links"] = {"self": base, "members": f"{base}/members", "owners": f"{base}/owners",
                    "labels": f"{base}/labels", "runs": f"{base}/runs", "logs": f"{base}/logs"}
    return out


def run_out(run: Run, logs: list[LogEvent] | None = None) -> dict[str, Any]:
    """A run as the API answers it, with its links (and its log, when given)."""
    out = run_json(run, logs)
    base = f"/api/v2/tasks/{run.task_id}/runs/{run.id}"
    out["links"] = {"self": base, "task": f"/api/v2/tasks/{run.task_id}",
                    "logs": f"{base}/logs", "retry": f"{base}/retry"}
    return out


# -- errors ------------------------------------------------------------------------------------
async def _tasks_call(failed: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """An engine call whose task errors become InfluxDB's, prefixed with what failed."""
    prefix = f"{failed}: " if failed else ""
    try:
        return await call(fn, *args, **kwargs)
    except TaskNotFound:
        raise ApiError("not found", f"{prefix}task not found") from None
    except RunNotFound:
        raise ApiError("not found", f"{prefix}run not found") from None
    except FluxError as e:  # a script that does not parse or bad `option task`: line:column
        raise ApiError("invalid", f"{prefix}invalid options: {str(e).splitlines()[0]}") from None
    except TaskError as e:
        raise ApiError("invalid", f"{prefix}{e}") from None


def _id(text: str) -> str:
    """A task or run id of the path or query; 400 as InfluxDB's request decoding."""
    try:
        return parse_id(text)
    except ApiError as e:
        raise ApiError("invalid", f"{DECODE}: {e.message}") from None


def _limit(request: Request, message: str) -> int:
    text = request.query_params.get("limit")
    if not text:
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError:
        raise ApiError("invalid", f"{DECODE}: limit {text!r} is not an integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError("invalid", f"{DECODE}: {message}")
    return limit


def _rfc3339(text: str, what: str) -> int:
    """A time as Go's time.Parse(RFC3339) takes it (an offset is required): UTC nanoseconds."""
    if _RFC3339.fullmatch(text.strip()):
        try:
            return parse_time(text.strip())
        except InvalidArgument:
            pass
    raise ApiError("invalid", f"{DECODE}: {what} {text!r} is not an RFC3339 time "
                              "(2006-01-02T15:04:05Z07:00)")


async def _object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError("invalid", f"{DECODE}: expected a JSON object")
    return body


def _strings(body: dict[str, Any], *keys: str) -> dict[str, str | None]:
    """The string fields of a body (absent: None); another type is a decoding error."""
    out: dict[str, str | None] = {}
    for key in keys:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise ApiError("invalid", f"{DECODE}: {key} must be a string")
        out[key] = value
    return out


def _check_status(status: str | None) -> None:
    if status is not None and status not in ("active", "inactive"):
        raise ApiError("invalid", f'{DECODE}: invalid task status: "{status}"')


# -- blocking helpers (run through `call`) ----------------------------------------------------
def _org_names(store: Store) -> dict[str, str]:
    return {o.id: o.name for o in store.orgs()}


def _task_create_org(store: Store, org_id: str | None, org: str | None) -> Organization:
    """TaskCreate's organization: orgID wins, else the name (populateTaskCreateOrg)."""
    orgs = store.orgs()
    if org_id:
        found = [o for o in orgs if o.id == org_id]
        if not found:
            raise ApiError("not found", "could not identify organization: organization not found")
    else:
        found = [o for o in orgs if o.name == org]
        if not found:
            raise ApiError("not found",
                           f'could not identify organization: organization name "{org}" not found')
    return found[0]


def _create(tasks: TaskService, org_id: str | None, org: str | None, flux: str, status: str,
            description: str) -> tuple[Task, str]:
    found = _task_create_org(tasks.store, org_id, org)
    return tasks.create(flux, org=found.id, status=status, description=description), found.name


def _with_org(tasks: TaskService, fn: Callable[..., Task], *args: Any, **kwargs: Any
              ) -> tuple[Task, str | None]:
    task = fn(*args, **kwargs)
    return task, _org_names(tasks.store).get(task.org_id)


def _update(tasks: TaskService, task_id: str, fields: dict[str, str | None]) -> Task:
    """PATCH: `name` is written into the script's `option task` as every/cron/offset are."""
    flux = fields["flux"]
    if fields["name"]:
        flux = with_options(flux if flux is not None else tasks.get(task_id).flux,
                            name=fields["name"])
    return tasks.update(task_id, flux=flux, status=fields["status"],
                        description=fields["description"], every=fields["every"] or None,
                        cron=fields["cron"] or None, offset=fields["offset"] or None)


def _force_run(tasks: TaskService, task_id: str, scheduled_for: int | None) -> Run:
    if not tasks.get(task_id).active:
        raise ApiError("invalid", "failed to force run: inactive task")
    try:
        return tasks.queue_run(task_id, scheduled_for)
    except TaskError as e:
        if str(e).startswith("run already queued"):
            raise ApiError("conflict", "failed to force run: run already queued") from None
        raise


def _retry(tasks: TaskService, task_id: str, run_id: str) -> Run:
    if not tasks.get(task_id).active:
        raise ApiError("invalid", "failed to retry run: inactive task")
    run = tasks.run(task_id, run_id)
    if not run.finished:
        raise ApiError("conflict", f"failed to retry run: run {run_id} is {run.status}: only a "
                                   "finished run can be retried")
    return tasks.retry(task_id, run_id)


def _cancel(tasks: TaskService, task_id: str, run_id: str) -> None:
    """Cancel a queued run. A run in progress cannot be stopped here (tsengine's executor has no
    cancellation): 422 `conflict`; a finished run is not found, as InfluxDB's CancelRun only
    sees runs not yet finished."""
    run = tasks.run(task_id, run_id)
    if run.status == "scheduled":
        tasks.records.update_run(task_id, run_id, status="canceled", now=tasks.clock.now())
    elif run.status == "started":
        raise ApiError("conflict", f"failed to cancel run: run {run_id} has started and "
                                   "tsengine cannot stop a run in progress")
    else:
        raise ApiError("not found", "failed to cancel run: run not found")


def _run_with_logs(tasks: TaskService, task_id: str, run_id: str
                   ) -> tuple[Run, list[LogEvent]]:
    return tasks.run(task_id, run_id), tasks.logs(task_id, run_id)


# -- tasks -------------------------------------------------------------------------------------
async def post_task(request: Request) -> Response:
    body = await _object(request)
    fields = _strings(body, "flux", "orgID", "org", "status", "description")
    if not fields["flux"]:
        raise ApiError("invalid", f"{DECODE}: missing flux")
    if not fields["orgID"] and not fields["org"]:
        raise ApiError("invalid", f"{DECODE}: missing orgID and org")
    _check_status(fields["status"] or None)
    org_id = _id(fields["orgID"]) if fields["orgID"] else None
    task, org = await _tasks_call(
        "", _create, engine_of(request).tasks, org_id, fields["org"], fields["flux"],
        fields["status"] or "active", fields["description"] or "")
    return JSONResponse(task_out(task, org), status_code=201)


async def get_tasks(request: Request) -> Response:
    params = request.query_params
    engine = engine_of(request)
    query: dict[str, str] = {}
    after = _id(params["after"]) if params.get("after") else None
    names = await call(_org_names, engine.store)
    org_id = None
    if params.get("org"):
        name = params["org"]
        org_id = next((i for i, n in names.items() if n == name), None)
        if org_id is None:
            raise ApiError("invalid", f"{DECODE}: org {name} not found or unauthorized: "
                                      "org not found or unauthorized")
        query["org"] = name
    if params.get("orgID"):
        org_id = _id(params["orgID"])
    if params.get("user"):
        query["user"] = _id(params["user"])  # tasks have no owner in tsengine: not a filter
    limit = _limit(request, f"limit must be between 1 and {MAX_LIMIT}")
    status = params.get("status")
    kind = params.get("type", "")
    if kind not in ("", "system", "basic"):
        raise ApiError("invalid", f'{DECODE}: "{kind}" is not a valid task type')
    found = await _tasks_call(
        "failed to find tasks", engine.tasks.records.find, org_id=org_id,
        name=params.get("name") or None,
        status=status if status in ("active", "inactive") else None, after=after, limit=limit)
    if after:
        query["after"] = after
    if org_id:
        query["orgID"] = org_id
    query["limit"] = str(limit)
    links = {"self": _tasks_url(query)}
    if len(found) >= limit:
        links["next"] = _tasks_url({**query, "after": found[-1].id})
    return JSONResponse({"links": links, "tasks": [
        task_out(t, names.get(t.org_id), basic=kind == "basic") for t in found]})


def _tasks_url(query: dict[str, str]) -> str:
    return "/api/v2/tasks?" + urlencode(sorted(query.items()))


async def get_task(request: Request) -> Response:
    task_id = _id(request.path_params["id"])
    tasks = engine_of(request).tasks
    task, org = await _tasks_call("failed to find task", _with_org, tasks, tasks.get, task_id)
    return JSONResponse(task_out(task, org))


async def patch_task(request: Request) -> Response:
    task_id = _id(request.path_params["id"])
    body = await _object(request)
    fields = _strings(body, "flux", "status", "description", "name", "every", "cron", "offset")
    if fields["every"] and fields["cron"]:
        raise ApiError("invalid", f"{DECODE}: cannot specify both every and cron")
    if all(v is None for k, v in fields.items() if k in ("flux", "status", "description")) \
            and not any(fields[k] for k in ("name", "every", "cron", "offset")):
        raise ApiError("invalid", f"{DECODE}: cannot update task without content")
    _check_status(fields["status"])
    tasks = engine_of(request).tasks
    task, org = await _tasks_call("failed to update task", _with_org, tasks, _update, tasks,
                                  task_id, fields)
    return JSONResponse(task_out(task, org))


async def delete_task(request: Request) -> Response:
    task_id = _id(request.path_params["id"])
    await _tasks_call("failed to delete task", engine_of(request).tasks.delete, task_id)
    return Response(status_code=204)


# -- runs --------------------------------------------------------------------------------------
async def get_runs(request: Request) -> Response:
    task_id = _id(request.path_params["id"])
    params = request.query_params
    after = _id(params["after"]) if params.get("after") else None
    limit = _limit(request, f"run limit is out of bounds, must be between 1 and {MAX_LIMIT}")
    after_time = _rfc3339(params["afterTime"], "afterTime") if params.get("afterTime") else None
    before_time = (_rfc3339(params["beforeTime"], "beforeTime") if params.get("beforeTime")
                   else None)
    if after_time is not None and before_time is not None and before_time <= after_time:
        raise ApiError("invalid", f"{DECODE}: beforeTime must be later than afterTime")
    runs = await _tasks_call("failed to find runs", engine_of(request).tasks.records.runs,
                             task_id, after_time=after_time, before_time=before_time,
                             after=after, limit=limit)
    return JSONResponse({"links": {"self": f"/api/v2/tasks/{task_id}/runs",
                                   "task": f"/api/v2/tasks/{task_id}"},
                         "runs": [run_out(r) for r in runs]})


async def post_run(request: Request) -> Response:
    """A manual run, queued for its scheduledFor (default: now)."""
    task_id = _id(request.path_params["id"])
    raw = await request.body()
    scheduled_for = None
    if 0 < len(raw) < 1000:  # as influxd: a larger body is not read
        body = await _object(request)
        text = body.get("scheduledFor")
        if text is not None and not isinstance(text, str):
            raise ApiError("invalid", f"{DECODE}: scheduledFor must be a string")
        if text:
            scheduled_for = _rfc3339(text, "scheduledFor")
    run = await _tasks_call("failed to force run", _force_run, engine_of(request).tasks,
                            task_id, scheduled_for)
    return JSONResponse(run_out(run), status_code=201)


async def get_run(request: Request) -> Response:
    task_id, run_id = _id(request.path_params["id"]), _id(request.path_params["run_id"])
    run, logs = await _tasks_call("failed to find run", _run_with_logs,
                                  engine_of(request).tasks, task_id, run_id)
    return JSONResponse(run_out(run, logs))


async def delete_run(request: Request) -> Response:
    """Cancel a queued run; influxd's handler answers 200 with no body."""
    task_id, run_id = _id(request.path_params["id"]), _id(request.path_params["run_id"])
    await _tasks_call("failed to cancel run", _cancel, engine_of(request).tasks, task_id, run_id)
    return Response(status_code=200)


async def retry_run(request: Request) -> Response:
    """A new try of a finished run: same scheduledFor, queued (200, as influxd)."""
    task_id, run_id = _id(request.path_params["id"]), _id(request.path_params["run_id"])
    run = await _tasks_call("failed to retry run", _retry, engine_of(request).tasks, task_id,
                            run_id)
    return JSONResponse(run_out(run))


# -- logs --------------------------------------------------------------------------------------
async def get_logs(request: Request) -> Response:
    """A task's logs (its runs' logs, one run after another) or one run's."""
    task_id = _id(request.path_params["id"])
    run_id = request.path_params.get("run_id")
    events = await _tasks_call("failed to find task logs", engine_of(request).tasks.logs,
                               task_id, _id(run_id) if run_id is not None else None)
    return JSONResponse({"events": [log_json(e) for e in events]})


routes: list[Route] = [
    Route("/api/v2/tasks", post_task, methods=["POST"]),
    Route("/api/v2/tasks", get_tasks, methods=["GET"]),
    Route("/api/v2/tasks/{id}", get_task, methods=["GET"]),
    Route("/api/v2/tasks/{id}", patch_task, methods=["PATCH"]),
    Route("/api/v2/tasks/{id}", delete_task, methods=["DELETE"]),
    Route("/api/v2/tasks/{id}/logs", get_logs, methods=["GET"]),
    Route("/api/v2/tasks/{id}/runs", get_runs, methods=["GET"]),
    Route("/api/v2/tasks/{id}/runs", post_run, methods=["POST"]),
    Route("/api/v2/tasks/{id}/runs/{run_id}", get_run, methods=["GET"]),
    Route("/api/v2/tasks/{id}/runs/{run_id}", delete_run, methods=["DELETE"]),
    Route("/api/v2/tasks/{id}/runs/{run_id}/retry", retry_run, methods=["POST"]),
    Route("/api/v2/tasks/{id}/runs/{run_id}/logs", get_logs, methods=["GET"]),
]
