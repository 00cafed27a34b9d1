"""InfluxDB 1.x writers: `POST /write?db=&rp=&precision=`, as InfluxDB 2.x's v1 compatibility
serves it (http/legacy/write_handler.go), so Telegraf's influxdb output and 1.x clients ingest.

InfluxDB 2.x maps db/rp through DBRP mappings; tsengine has none and maps by bucket name: with
`rp`, the bucket `db/rp` (the name `influxd upgrade` gives) if it exists, else `db`; without,
`db`, else `db/autogen`. The bucket is looked up in the token's organization, as 2.x does.
Precisions are 1.x's (n, u, ms, s, m, h) plus 2.x's ns and us (and µ), each with its 1.x meaning;
2.x's v1 endpoint silently reads any precision but us/ms/s as ns, which tsengine does not copy.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage import Bucket
from tsengine.server.common import first_param, read_catalog
from tsengine.server.errors import ApiError
from tsengine.server.routes.write import read_body, write_points

MINUTE, HOUR = 60_000_000_000, 3_600_000_000_000
# precision -> (storage precision, ns per unit when storage has no name for it)
PRECISIONS: dict[str, tuple[str, int]] = {
    "": ("ns", 0), "n": ("ns", 0), "ns": ("ns", 0),
    "u": ("us", 0), "us": ("us", 0), "µ": ("us", 0),
    "ms": ("ms", 0), "s": ("s", 0), "m": ("ns", MINUTE), "h": ("ns", HOUR),
}


async def write_v1(request: Request) -> Response:
    """1.x's checks (precision, db) then 2.x's v1 path: bucket, body, parse, write."""
    precision = first_param(request, "precision")
    if precision not in PRECISIONS:
        raise ApiError("invalid", f'invalid precision "{precision}" (use n, u, ms, s, m or h)')
    db = first_param(request, "db")
    if not db:
        raise ApiError("invalid", "missing db")
    bucket = await find_bucket(request, db, first_param(request, "rp"))
    body = await read_body(request)
    storage_precision, unit = PRECISIONS[precision]
    return await write_points(request, bucket, body, storage_precision, unit)


async def find_bucket(request: Request, db: str, rp: str) -> Bucket:
    """The bucket standing for db/rp in the caller's organization (see the module docstring);
    404 `no dbrp mapping found` as InfluxDB 2.x when there is none."""
    auth = getattr(request.state, "auth", None)
    org = auth.org_id if auth is not None else \
        (await read_catalog(request, lambda catalog: catalog.org())).id
    names = (f"{db}/{rp}", db) if rp else (db, f"{db}/autogen")
    buckets = await read_catalog(request, lambda catalog: catalog.buckets(catalog.org(org).id))
    # by name only (an id given as db reaches no bucket: 2.x maps names, not ids)
    by_name = {b.name: b for b in buckets}
    bucket = next((by_name[n] for n in names if n in by_name), None)
    if bucket is None:
        raise ApiError("not found", "no dbrp mapping found")
    return bucket


routes = [Route("/write", write_v1, methods=["POST"])]
