"""What route handlers share: the engine, the caller's organization, JSON bodies, and engine
calls off the event loop with storage/Flux errors turned into InfluxDB's."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from storage import BucketNotFound, InvalidArgument, Organization, OrganizationNotFound
from storage.catalog import Catalog
from storage.errors import NotRemembered
from tsengine.engine import Engine
from tsengine.server.errors import ApiError

T = TypeVar("T")
_ID = re.compile("[0-9a-fA-F]{16}")


def engine_of(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking engine call in the thread pool; unknown buckets and organizations become
    404 and bad arguments 400, as InfluxDB answers them. Other errors are the caller's to map."""
    with _storage_errors():
        return await run_in_threadpool(fn, *args, **kwargs)


async def read_catalog(request: Request, read: Callable[[Catalog], T]) -> T:
    """A catalog lookup (an organization, a bucket): from the catalog's remembered answers
    on the event loop when they hold it, with no thread hop and no wait for a write holding
    the store's lock (a write request's lookups took ~1 ms of its time otherwise); else in
    the thread pool. Errors as `call`'s."""
    store = engine_of(request).store
    with _storage_errors():
        try:
            return store.read_remembered(read)
        except NotRemembered:
            pass
    return await call(store.read_catalog, read)


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
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


def first_param(request: Request, name: str) -> str:
    """A query parameter's first value ("" when absent), as Go's `url.Values.Get`."""
    values = request.query_params.getlist(name)
    return values[0] if values else ""


def is_id(text: str) -> bool:
    """Whether `text` parses as an InfluxDB id (16 hex digits, not zero)."""
    return bool(_ID.fullmatch(text)) and int(text, 16) != 0


def parse_id(text: str) -> str:
    """An id given by the caller, or 400 with InfluxDB's wording (kit/platform/id.go)."""
    if len(text) != 16:
        raise ApiError("invalid", "id must have a length of 16 bytes")
    if not is_id(text):
        raise ApiError("invalid", "invalid ID")
    return text.lower()


async def find_org(request: Request) -> Organization:
    """The org of `orgID` (wins) or `org`: a value shaped like an id is looked up as an id only
    (`organization not found`), anything else as a name (http/requests.go queryOrganization)."""
    org_id, org = first_param(request, "orgID"), first_param(request, "org")
    if org_id:
        return await _org_by_id(request, parse_id(org_id))
    if not org:
        raise ApiError("invalid", "Please provide either orgID or org")
    if is_id(org):
        return await _org_by_id(request, org.lower())
    return await read_catalog(request, lambda catalog: catalog.org(org))


async def _org_by_id(request: Request, org_id: str) -> Organization:
    for org in await read_catalog(request, lambda catalog: catalog.orgs()):
        if org.id == org_id:
            return org
    raise ApiError("not found", "organization not found")
