"""Routes of the InfluxDB v2 API: buckets (tenant/http_server_bucket.go).

Create, list (by org, name or id, paged), get, update and delete buckets, with InfluxDB's JSON
shapes and errors. tsengine has no shard groups and no system buckets (`_tasks`,
`_monitoring`): a bucket's retention rule reports the shard-group duration InfluxDB would pick
for its retention, and every bucket is of type `user`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage import Bucket, BucketExists, Organization, Store, format_time
from tsengine.server.common import call, engine_of, parse_id
from tsengine.server.errors import ApiError

SECOND = 1_000_000_000
HOUR_S, DAY_S = 3600, 86400
MIN_RETENTION_S = HOUR_S  # InfluxDB's MinRetentionPolicyDuration
DEFAULT_PAGE, MAX_PAGE = 20, 100  # influxdb.DefaultPageSize, MaxPageSize


def shard_group_seconds(every_s: int) -> int:
    """The shard-group duration InfluxDB picks for a retention (meta.shardGroupDuration)."""
    if every_s == 0 or every_s >= 180 * DAY_S:
        return 7 * DAY_S
    if every_s >= 2 * DAY_S:
        return DAY_S
    return HOUR_S


def bucket_json(b: Bucket) -> dict[str, Any]:
    """A bucket as InfluxDB's API shows it: always one retention rule, labels and links."""
    every = b.retention // SECOND
    out: dict[str, Any] = {"id": b.id, "orgID": b.org_id, "type": "user"}
    if b.description:
        out["description"] = b.description
    out.update(
        name=b.name,
        retentionRules=[{"type": "expire", "everySeconds": every,
                         "shardGroupDurationSeconds": shard_group_seconds(every)}],
        createdAt=format_time(b.created_at), updatedAt=format_time(b.updated_at),
        links={"self": f"/api/v2/buckets/{b.id}", "org": f"/api/v2/orgs/{b.org_id}",
               "members": f"/api/v2/buckets/{b.id}/members",
               "owners": f"/api/v2/buckets/{b.id}/owners",
               "labels": f"/api/v2/buckets/{b.id}/labels",
               "write": f"/api/v2/write?org={b.org_id}&bucket={b.id}"},
        labels=[])
    return out


# -- request bodies ----------------------------------------------------------------------------
async def _body(request: Request) -> dict[str, Any]:
    """The JSON object of the request; 400 as InfluxDB's kit/transport/http decoder words it."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ApiError("invalid", f"failed to unmarshal json: {e}") from None
    if not isinstance(body, dict):
        raise ApiError("invalid", "failed to unmarshal json: expected a JSON object")
    return body


def _string(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError("invalid", f"failed to unmarshal json: {key} must be a string")
    return value


def _every_seconds(body: dict[str, Any]) -> int | None:
    """The retention of the first (only) rule in seconds; None when no rule sets it.

    As InfluxDB: more than one rule or a negative duration is 422; the shard-group duration is
    checked but not kept (tsengine has no shard groups)."""
    rules = body.get("retentionRules")
    if rules is None:
        return None
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ApiError("invalid", "failed to unmarshal json: retentionRules must be a list "
                                  "of objects")
    if len(rules) > 1:
        raise ApiError("unprocessable entity",
                       "buckets cannot have more than one retention rule at this time")
    if not rules:
        return None
    rule = rules[0]
    for key in ("everySeconds", "shardGroupDurationSeconds"):
        value = rule.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ApiError("invalid", f"failed to unmarshal json: {key} must be an integer")
    every, shard = rule.get("everySeconds"), rule.get("shardGroupDurationSeconds")
    if every is not None and every < 0:
        raise ApiError("unprocessable entity", "expiration seconds cannot be negative")
    if shard is not None and shard < 0:
        raise ApiError("unprocessable entity", "shard-group duration seconds cannot be negative")
    if every is not None and 0 < every < MIN_RETENTION_S:
        # InfluxDB's storage engine refuses it with a plain error: a 500, as influxd answers
        raise ApiError("internal error", "retention policy duration must be at least 1h0m0s")
    return every


def _check_name(name: str) -> None:
    """Bucket names as InfluxDB refuses them (tenant.validBucketName)."""
    if name.startswith("_"):
        raise ApiError("invalid", f"bucket name {name} is invalid. Buckets may not start "
                                  "with underscore")
    if '"' in name:
        raise ApiError("invalid", f"bucket name {name} is invalid. Bucket names may not "
                                  "include quotation marks")


# -- blocking lookups (run through `call`) ------------------------------------------------------
def _by_id(store: Store, bucket_id: str) -> Bucket:
    for org in store.orgs():
        for b in store.buckets(org.id):
            if b.id == bucket_id:
                return b
    raise ApiError("not found", "bucket not found")


def _org_by_id(store: Store, org_id: str) -> Organization:
    for org in store.orgs():
        if org.id == org_id:
            return org
    raise ApiError("not found", "organization not found")


def _org_by_name(store: Store, name: str) -> Organization:
    for org in store.orgs():
        if org.name == name:
            return org
    raise ApiError("not found", f'organization name "{name}" not found')


def _create(store: Store, org_id: str, name: str, every: int, description: str) -> Bucket:
    org = _org_by_id(store, org_id)
    try:
        return store.create_bucket(name, every * SECOND, description, org=org.id)
    except BucketExists as e:
        raise ApiError("conflict", str(e)) from None


def _update(store: Store, bucket_id: str, name: str | None, description: str | None,
            every: int | None) -> Bucket:
    bucket = _by_id(store, bucket_id)
    if name is not None and name != bucket.name:
        _check_name(name)
        if any(b.name == name for b in store.buckets(bucket.org_id)):
            raise ApiError("conflict", "bucket name is not unique")
    return store.update_bucket(bucket.id, new_name=name, description=description,
                               retention=None if every is None else every * SECOND,
                               org=bucket.org_id)


def _delete(store: Store, bucket_id: str) -> None:
    bucket = _by_id(store, bucket_id)
    store.delete_bucket(bucket.id, org=bucket.org_id)


def _find(store: Store, *, org_id: str | None, org_name: str | None, name: str | None
          ) -> list[Bucket]:
    """Buckets matching the filter in InfluxDB's order: by name within an organization, by
    id across all; `name` with an organization and no match is 404, as InfluxDB's."""
    if org_id is None and org_name is not None:
        org_id = _org_by_name(store, org_name).id
    if org_id is not None:
        found = [b for o in store.orgs() if o.id == org_id for b in store.buckets(o.id)]
        if name is not None:
            found = [b for b in found if b.name == name]
            if not found:
                raise ApiError("not found", f'bucket "{name}" not found')
        return found
    found = sorted((b for o in store.orgs() for b in store.buckets(o.id)), key=lambda b: b.id)
    return [b for b in found if name is None or b.name == name]


# -- paging ------------------------------------------------------------------------------------
def _int_param(request: Request, key: str, default: int) -> int:
    text = request.query_params.get(key)
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError("invalid", f"{key} is invalid") from None


def _page(request: Request, found: list[Bucket]) -> tuple[list[Bucket], dict[str, str]]:
    """One page of `found` and its links, as influxdb.DecodeFindOptions / NewPagingLinks."""
    params = request.query_params
    offset = _int_param(request, "offset", 0)
    limit = _int_param(request, "limit", DEFAULT_PAGE)
    if not 1 <= limit <= MAX_PAGE:
        raise ApiError("invalid", f"limit must be between 1 and {MAX_PAGE}")
    descending = params.get("descending", "")
    if descending.lower() not in ("", "true", "false", "1", "0", "t", "f"):
        raise ApiError("invalid", "descending is invalid")
    desc = descending.lower() in ("true", "1", "t")
    after = params.get("after")
    if after:
        try:
            after = parse_id(after)
        except ApiError as e:
            raise ApiError("invalid", f"decoding after: {e.message}") from None
    rows = list(reversed(found)) if desc else found
    if after:
        rows = _after(rows, after, by_id=not (params.get("orgID") or params.get("org")),
                      desc=desc)
    page = rows[offset:offset + limit]
    query = {k: params[k] for k in ("id", "orgID", "org") if params.get(k)}
    if params.get("name"):
        query["bucket"] = params["name"]  # InfluxDB's BucketFilter.QueryParams calls it so
    query.update(descending=str(desc).lower(), offset=str(offset), limit=str(limit))
    if after:
        query["after"] = after
    links = {"self": _url(query)}
    if len(page) >= limit:
        links["next"] = _url({**query, "offset": str(offset + limit)})
    if offset > 0:
        links["prev"] = _url({**query, "offset": str(max(offset - limit, 0))})
    return page, links


def _after(rows: list[Bucket], after: str, *, by_id: bool, desc: bool) -> list[Bucket]:
    """The rows after the bucket `after`: InfluxDB seeks past an id in its id-ordered list of
    all buckets, but looks for the bucket itself in an organization's (nothing if absent)."""
    ids = [b.id for b in rows]
    if after in ids:
        return rows[ids.index(after) + 1:]
    if not by_id:
        return []
    return [b for b in rows if (b.id < after if desc else b.id > after)]


def _url(query: dict[str, str]) -> str:
    return "/api/v2/buckets?" + urlencode(sorted(query.items()))


# -- handlers ------------------------------------------------------------------------------------
async def post_bucket(request: Request) -> Response:
    body = await _body(request)
    org_id = _string(body, "orgID")
    if not org_id:
        raise ApiError("invalid", "organization id must be provided")
    org_id = parse_id(org_id)
    every = _every_seconds(body) or 0
    name = _string(body, "name") or ""
    description = _string(body, "description") or ""
    _check_name(name)
    bucket = await call(_create, engine_of(request).store, org_id, name, every, description)
    return JSONResponse(bucket_json(bucket), status_code=201)


async def get_buckets(request: Request) -> Response:
    params = request.query_params
    store = engine_of(request).store
    if params.get("id"):
        found = [await call(_by_id, store, parse_id(params["id"]))]
    else:
        org_id = parse_id(params["orgID"]) if params.get("orgID") else None
        found = await call(_find, store, org_id=org_id, org_name=params.get("org") or None,
                           name=params.get("name") or None)
    page, links = _page(request, found)
    return JSONResponse({"links": links, "buckets": [bucket_json(b) for b in page]})


async def get_bucket(request: Request) -> Response:
    bucket_id = parse_id(request.path_params["id"])
    bucket = await call(_by_id, engine_of(request).store, bucket_id)
    return JSONResponse(bucket_json(bucket))


async def patch_bucket(request: Request) -> Response:
    bucket_id = parse_id(request.path_params["id"])
    body = await _body(request)
    every = _every_seconds(body)
    bucket = await call(_update, engine_of(request).store, bucket_id, _string(body, "name"),
                        _string(body, "description"), every)
    return JSONResponse(bucket_json(bucket))


async def delete_bucket(request: Request) -> Response:
    bucket_id = parse_id(request.path_params["id"])
    await call(_delete, engine_of(request).store, bucket_id)
    return Response(status_code=204)


routes: list[Route] = [
    Route("/api/v2/buckets", post_bucket, methods=["POST"]),
    Route("/api/v2/buckets", get_buckets, methods=["GET"]),
    Route("/api/v2/buckets/{id}", get_bucket, methods=["GET"]),
    Route("/api/v2/buckets/{id}", patch_bucket, methods=["PATCH"]),
    Route("/api/v2/buckets/{id}", delete_bucket, methods=["DELETE"]),
]
