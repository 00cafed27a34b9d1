"""`POST /api/v2/delete`: delete points by time range and predicate, checked in influxd's order
with its wording (http/delete_handler.go, http/requests.go): the JSON body (start, stop, then the
predicate, each error prefixed `error decoding json body:`), `_field` refused (501), then the
organization and the bucket; 204 when done."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage import (
    Bucket,
    DeleteByFieldUnsupported,
    DeletePredicateError,
    Organization,
    StorageError,
    parse_delete_predicate,
)
from tsengine.server.common import call, engine_of, find_org, first_param, is_id, parse_id
from tsengine.server.errors import ApiError

DECODE = "error decoding json body"
# the times InfluxDB can store (models.MinNanoTime, MaxNanoTime: the extremes are sentinels)
MIN_TIME, MAX_TIME = -(2**63) + 2, 2**63 - 2
START_TOO_SOON = ("invalid start time, start time must not be before "
                  "1677-09-21T00:12:43.145224194Z")
STOP_TOO_LATE = "invalid stop time, stop time must not be after 2262-04-11T23:47:16.854775806Z"
BAD_TIME = {name: f"invalid RFC3339Nano for field {name}, please format your time with "
                  f"RFC3339Nano format, example: {example}"
            for name, example in (("start", "2009-01-02T23:00:00Z"),
                                  ("stop", "2009-01-01T23:00:00Z"))}
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
                      r"(Z|[+-]\d{2}:\d{2})")
_JSON_KIND = {dict: "object", list: "array", str: "string", bool: "bool", int: "number",
              float: "number"}


async def delete(request: Request) -> Response:
    start, stop, predicate = _decode(await request.body())
    try:
        parse_delete_predicate(predicate)
    except DeletePredicateError as e:
        raise ApiError("invalid", f"{DECODE}: {e}") from None
    except DeleteByFieldUnsupported as e:
        raise ApiError("not implemented", str(e)) from None
    org = await find_org(request)
    bucket = await _bucket(request, org)
    try:
        await call(engine_of(request).delete, bucket.id, start, stop, predicate or None, org.id)
    except StorageError as e:
        raise ApiError("internal error", f"unable to delete: {e}") from None
    return Response(status_code=204)


def _decode(raw: bytes) -> tuple[int, int, str]:
    """Start and stop (ns) and the predicate text of a body, refused as influxd words it."""
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        raise ApiError("invalid", f"{DECODE}: EOF")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as e:
        raise ApiError("invalid", f"{DECODE}: {_go_syntax_error(text, e)}") from None
    fields = _fields(body)
    start = _time(fields.get("start", ""), "start", START_TOO_SOON)
    stop = _time(fields.get("stop", ""), "stop", STOP_TOO_LATE)
    return start, stop, fields.get("predicate", "")


def _fields(body: Any) -> dict[str, str]:
    """The body's start, stop and predicate as Go decodes them into strings: keys matched
    case-insensitively, null left empty, another type refused."""
    if body is None:
        return {}
    why = "Invalid delete predicate node request: json: cannot unmarshal"
    if not isinstance(body, dict):
        kind = _JSON_KIND.get(type(body), "value")
        raise ApiError("invalid", f"{DECODE}: {why} {kind} into Go value of type "
                                  "http.deleteRequestDecode")
    out: dict[str, str] = {}
    for key, value in body.items():
        name = key.lower()
        if name not in ("start", "stop", "predicate") or value is None:
            continue
        if not isinstance(value, str):
            raise ApiError("invalid", f"{DECODE}: {why} {_JSON_KIND.get(type(value), 'value')} "
                                      f"into Go struct field deleteRequestDecode.{name} of type "
                                      "string")
        out[name] = value
    return out


def _go_syntax_error(text: str, e: json.JSONDecodeError) -> str:
    """Go's wording for the common malformed bodies, Python's for the rest."""
    if e.pos >= len(text.rstrip()):
        return "unexpected EOF"
    ch = text[e.pos]
    if e.msg == "Expecting value":
        return f"invalid character {ch!r} looking for beginning of value"
    if e.msg == "Extra data":
        return f"invalid character {ch!r} after top-level value"
    return f"{e.msg} (char {e.pos})"


def _time(text: str, name: str, out_of_range: str) -> int:
    """An RFC3339 time as Go's time.Parse(RFC3339Nano) reads it, within InfluxDB's range."""
    m = _RFC3339.fullmatch(text)
    bad = ApiError("invalid", f"{DECODE}: {BAD_TIME[name]}")
    if not m:
        raise bad
    year, month, day, hh, mi, ss = (int(g) for g in m.groups()[:6])
    frac, zone = m.group(7) or "", m.group(8)
    if not (1 <= month <= 12 and 1 <= day <= _days_in(year, month) and hh < 24 and mi < 60
            and ss < 60):
        raise bad
    ns = ((_days_from_civil(year, month, day) * 24 + hh) * 60 + mi) * 60 + ss
    ns = ns * 1_000_000_000 + int(frac[:9].ljust(9, "0"))
    if zone != "Z":
        oh, om = int(zone[1:3]), int(zone[4:6])
        if oh > 23 or om > 59:
            raise bad
        ns -= (1 if zone[0] == "+" else -1) * (oh * 60 + om) * 60 * 1_000_000_000
    if not MIN_TIME <= ns <= MAX_TIME:
        raise ApiError("invalid", f"{DECODE}: {out_of_range}")
    return ns


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year, unlike datetime)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


async def _bucket(request: Request, org: Organization) -> Bucket:
    """`bucketID` (wins) or `bucket` (an id when it parses as one, else a name) in `org`."""
    ref, by_id = first_param(request, "bucket"), False
    if first_param(request, "bucketID"):
        ref, by_id = parse_id(first_param(request, "bucketID")), True
    elif is_id(ref):
        ref, by_id = ref.lower(), True
    if not ref:
        raise ApiError("invalid", "Please provide either bucketID or bucket")
    try:
        return await call(engine_of(request).store.bucket, ref, org.id)
    except ApiError as e:
        if by_id and e.code == "not found":
            raise ApiError("not found", "bucket not found") from None
        raise


routes: list[Route] = [Route("/api/v2/delete", delete, methods=["POST"])]
