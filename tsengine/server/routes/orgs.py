"""`/api/v2/orgs`: list and get organizations, as tenant/http_server_org.go answers.

The Python client's BucketsApi and TasksApi look an organization's name up here
(`GET /api/v2/orgs?org=<name>`), and turn the 404 of an unknown name into their own error.
Creating organizations is not supported: storage has no API for it (501).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage import Organization, format_time
from tsengine.server.common import call, engine_of, parse_id
from tsengine.server.errors import ApiError
from tsengine.server.onboarding import for_app

JSON = "application/json; charset=utf-8"
DEFAULT_LIMIT, MAX_LIMIT = 20, 100  # paging.go


def org_json(org: Organization) -> dict[str, Any]:
    """An organization as InfluxDB serializes it, links included (updatedAt: storage keeps no
    change time, so it is the creation time)."""
    created = format_time(org.created_at)
    return {
        "links": {
            "self": f"/api/v2/orgs/{org.id}",
            "logs": f"/api/v2/orgs/{org.id}/logs",
            "members": f"/api/v2/orgs/{org.id}/members",
            "owners": f"/api/v2/orgs/{org.id}/owners",
            "secrets": f"/api/v2/orgs/{org.id}/secrets",
            "labels": f"/api/v2/orgs/{org.id}/labels",
            "buckets": f"/api/v2/buckets?org={org.name}",
            "tasks": f"/api/v2/tasks?org={org.name}",
            "dashboards": f"/api/v2/dashboards?org={org.name}",
        },
        "id": org.id, "name": org.name, "description": org.description,
        "createdAt": created, "updatedAt": created,
    }


def _paging(request: Request) -> tuple[int, int]:
    """`offset` and `limit` (DecodeFindOptions' checks; `after` and `descending` are validated
    and, as InfluxDB's org listing does, ignored)."""
    params = request.query_params
    offset, limit = 0, DEFAULT_LIMIT
    if params.get("offset"):
        try:
            offset = int(params["offset"])
        except ValueError:
            raise ApiError("invalid", "offset is invalid") from None
    if params.get("after"):
        parse_id(params["after"])
    if params.get("limit"):
        try:
            limit = int(params["limit"])
        except ValueError:
            raise ApiError("invalid", "limit is invalid") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise ApiError("invalid", f"limit must be between 1 and {MAX_LIMIT}")
    if params.get("descending") and params["descending"].lower() not in (
            "1", "t", "true", "0", "f", "false"):
        raise ApiError("invalid", "descending is invalid")
    return offset, limit


def _valid_id(text: str | None) -> str | None:
    """An id filter: InfluxDB ignores one that does not parse."""
    try:
        return parse_id(text) if text else None
    except ApiError:
        return None


async def list_orgs(request: Request) -> Response:
    """`GET /api/v2/orgs?org=&orgID=&userID=&offset=&limit=`: an id or name filter gives the
    one organization or 404; otherwise a page of all of them, in id order."""
    offset, limit = _paging(request)
    params = request.query_params
    orgs = sorted(await call(engine_of(request).store.orgs), key=lambda o: o.id)
    org_id, name = _valid_id(params.get("orgID")), params.get("org")
    user_id = _valid_id(params.get("userID"))
    if org_id is not None:
        orgs = [o for o in orgs if o.id == org_id]
        if not orgs:
            raise ApiError("not found", "organization not found")
    elif name:
        orgs = [o for o in orgs if o.name == name]
        if not orgs:
            raise ApiError("not found", f'organization name "{name}" not found')
    elif user_id is not None:
        onboarding = await call(for_app, request.app)
        mine = set(await call(onboarding.org_ids_of, user_id))
        orgs = [o for o in orgs if o.id in mine]
    else:
        orgs = orgs[offset:offset + limit]
    return JSONResponse({"links": {"self": "/api/v2/orgs"}, "orgs": [org_json(o) for o in orgs]},
                        media_type=JSON)


async def get_org(request: Request) -> Response:
    """`GET /api/v2/orgs/{id}`."""
    org_id = parse_id(request.path_params["id"])
    orgs = [o for o in await call(engine_of(request).store.orgs) if o.id == org_id]
    if not orgs:
        raise ApiError("not found", "organization not found")
    return JSONResponse(org_json(orgs[0]), media_type=JSON)


async def create_org(_request: Request) -> Response:
    """Not supported: a data directory has the organizations storage made (one)."""
    raise ApiError("not implemented", "creating organizations is not supported by tsengine: "
                                      "a data directory has one organization")


routes = [
    Route("/api/v2/orgs", list_orgs, methods=["GET"]),
    Route("/api/v2/orgs", create_org, methods=["POST"]),
    Route("/api/v2/orgs/{id}", get_org, methods=["GET"]),
]
