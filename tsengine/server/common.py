"""What route handlers share: the engine, the caller's organization, JSON bodies, and engine
calls off the event loop with storage/Flux errors turned into InfluxDB's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from storage import BucketNotFound, InvalidArgument, Organization, OrganizationNotFound
from tsengine.engine import Engine
from tsengine.server.errors import ApiError

T = TypeVar("T")


def engine_of(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking engine call in the thread pool; unknown buckets and organizations become
    404 and bad arguments 400, as InfluxDB answers them. Other errors are the caller's to map."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    except (BucketNotFound, OrganizationNotFound) as e:
        raise ApiError("not found", str(e)) from None
    except InvalidArgument as e:
        raise ApiError("invalid", str(e)) from None


async def json_body(request: Request, what: str = "request") -> Any:
    """The request's JSON body; 400 `failed to decode request` as InfluxDB when it is not."""
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ApiError("invalid", f"failed to decode {what}: {e}") from None


async def org_param(request: Request, *, required: bool = True) -> Organization | None:
    """The organization named by `orgID` (wins) or `org` (a name or an id) in the query string;
    None when neither is given and not required."""
    params = request.query_params
    ref = params.get("orgID") or params.get("org")
    if not ref:
        if required:
            raise ApiError("invalid", "Please provide either orgID or org")
        return None
    return await call(engine_of(request).store.org, ref)
