"""`/api/v2/setup` (onboarding, as tenant/http_server_onboarding.go answers it) and
`/api/v2/me` (the token's user, for the Python client's `OrganizationsApi.me()`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage import format_time
from tsengine.server.auth import Authorization
from tsengine.server.common import call, json_body
from tsengine.server.errors import ApiError
from tsengine.server.onboarding import OnboardingError, SetupRequest, SetupResult, User, for_app
from tsengine.server.routes.buckets import bucket_json
from tsengine.server.routes.orgs import org_json

JSON = "application/json; charset=utf-8"
# authz.go's AllResourceTypes but `instance`: what OperPermissions grants, read and write each
RESOURCE_TYPES = (
    "authorizations", "buckets", "dashboards", "orgs", "sources", "tasks", "telegrafs", "users",
    "variables", "scrapers", "secrets", "labels", "views", "documents", "notificationRules",
    "notificationEndpoints", "checks", "dbrp", "notebooks", "annotations", "remotes",
    "replications",
)


def user_json(user: User) -> dict[str, Any]:
    return {"links": {"self": f"/api/v2/users/{user.id}"}, "id": user.id, "name": user.name,
            "status": user.status}


def auth_json(auth: Authorization, token: str) -> dict[str, Any]:
    """The operator authorization onboarding creates, token included (the only time it is)."""
    created = format_time(auth.created_at)
    out: dict[str, Any] = {"id": auth.id, "token": token, "status": "active",
                           "description": auth.description, "orgID": auth.org_id}
    if auth.user_id:
        out["userID"] = auth.user_id
    out["permissions"] = [{"action": action, "resource": {"type": kind}}
                          for kind in RESOURCE_TYPES for action in ("read", "write")]
    out |= {"createdAt": created, "updatedAt": created,
            "links": {"self": f"/api/v2/authorizations/{auth.id}",
                      "user": f"/api/v2/users/{auth.user_id or ''}"}}
    return out


def setup_json(result: SetupResult) -> dict[str, Any]:
    return {"user": user_json(result.user), "bucket": bucket_json(result.bucket),
            "org": org_json(result.org), "auth": auth_json(result.auth, result.token)}


async def is_onboarding(request: Request) -> Response:
    """`{"allowed": true}` until the data directory has been onboarded."""
    onboarding = await call(for_app, request.app)
    return JSONResponse({"allowed": await call(onboarding.allowed)}, media_type=JSON)


async def onboard(request: Request) -> Response:
    """201 with the user, organization, bucket and operator token; 422 once done already."""
    onboarding = await call(for_app, request.app)
    body = await json_body(request, "request body")
    try:
        result = await call(onboarding.onboard, SetupRequest.from_json(body))
    except OnboardingError as e:
        raise ApiError(e.code, str(e)) from None
    return JSONResponse(setup_json(result), status_code=201, media_type=JSON)


async def me(request: Request) -> Response:
    """The user the token belongs to; 404 `user not found` for a token made without one (the
    operator token of `tsengine serve`, `tsengine auth create`)."""
    user_id = request.state.auth.user_id
    onboarding = await call(for_app, request.app)
    user = await call(onboarding.user, user_id) if user_id else None
    if user is None:
        raise ApiError("not found", "user not found")
    return JSONResponse(user_json(user), media_type=JSON)


routes = [
    Route("/api/v2/setup", is_onboarding, methods=["GET"]),
    Route("/api/v2/setup", onboard, methods=["POST"]),
    Route("/api/v2/me", me, methods=["GET"]),
]
