"""`POST /api/v2/query`: a Flux script in, annotated CSV out, as InfluxDB 2.x answers it.

The request is decoded and checked in InfluxDB's order (http/query.go): the body (JSON, or the
raw script as `application/vnd.flux`), then the `Prefer` header, then type and dialect, then the
organization; any of these failing is 400 `failed to decode request body: ...`. tsengine runs
the whole query before writing a byte, so a query's errors are always a JSON error with a status
(400 for Flux errors, 404 for a missing bucket), never an error table after output started.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage import BucketNotFound
from tsengine.encode.annotated_csv import (
    Dialect,
    DialectError,
    encode_error,
    encode_results,
    json_kind,
)
from tsengine.engine import Engine
from tsengine.errors import FluxError
from tsengine.execute.executor import ExecContext, execute
from tsengine.execute.query import plan_query
from tsengine.server.common import call, engine_of, find_org
from tsengine.server.errors import ApiError, error_response
from tsengine.server.extern import ExternError, extern_options, param_options, parse_rfc3339

log = logging.getLogger(__name__)

FLUX_CONTENT_TYPE = "application/vnd.flux"
DECODE_FAILED = "failed to decode request body"
JSON_FAILED = ("failed parsing request body as JSON; if sending a raw Flux script, set "
               f"'Content-Type: {FLUX_CONTENT_TYPE}' in your request headers")
NO_CONTENT = "return-no-content"
NO_CONTENT_WITH_ERROR = "return-no-content-with-error"
GZIP_MIN_SIZE = 1400  # InfluxDB's gzip handler leaves smaller responses plain
CSV_TYPE = "text/csv; charset=utf-8"
_MISSING_BUCKET = re.compile(r'from: could not find bucket "(.*)"', re.DOTALL)
_ZERO_TIME = "0001-01-01T00:00:00Z"


@dataclass
class QueryRequest:
    """A decoded query request (InfluxDB's QueryRequest, with the Cloud `params`)."""

    query: str = ""
    type: str = ""
    has_ast: bool = False
    extern: Any = None
    params: Any = None
    now: int | None = None
    dialect: Dialect = field(default_factory=Dialect)
    prefer: str = ""


class _QueryFailed(Exception):
    """An error found while the query ran (after it was interpreted and planned)."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


async def post_query(request: Request) -> Response:
    """Run a query; every response says it may vary with Accept-Encoding, as InfluxDB's do."""
    try:
        response = await _query(request)
    except ApiError as e:
        response = error_response(e.code, e.message)
    response.headers["Vary"] = "Accept-Encoding"
    return response


async def _query(request: Request) -> Response:
    req = _decode(request, await request.body())
    await _organization(request)
    engine = engine_of(request)
    now = req.now if req.now is not None else engine.store.clock.now()
    body: str | None = None
    error: ApiError | None = None
    ran = False  # whether the error came while the query ran (not while it was compiled)
    try:
        body = await call(_run, engine, req, now)
    except _QueryFailed as e:
        error, ran = e.error, True
    except ApiError as e:
        error = e
    if req.prefer == NO_CONTENT:  # InfluxDB has sent its 204 before the query starts
        if error is not None:
            log.info("query failed (return-no-content): %s", error.message)
        return Response(status_code=204)
    if error is not None:
        if not (ran and req.prefer == NO_CONTENT_WITH_ERROR):
            raise error
        body = encode_error(error.message, req.dialect, False)
    return _csv(request, body or "")


def _run(engine: Engine, req: QueryRequest, now: int) -> str | None:
    """Interpret, plan, execute and encode (in the thread pool). Errors up to planning are
    ApiErrors (InfluxDB's compile errors); errors while running are _QueryFailed."""
    try:
        extern = extern_options(req.extern, now) | param_options(req.params)
        interp, planned = plan_query(engine.store, req.query, now=now, extern=extern)
    except ExternError as e:
        raise ApiError("invalid", str(e)) from None
    except FluxError as e:
        raise _flux_error(e) from None
    try:
        ctx = ExecContext(engine.store, interp)
        results = [(name, execute(ctx, plan)) for name, plan in planned]
        if req.prefer:  # results are dropped: running them is all that matters
            for _, stream in results:
                for _ in stream.tables():
                    pass
            return None
        return encode_results(results, req.dialect)
    except FluxError as e:
        error = _flux_error(e)
        if error.code == "not found":  # InfluxDB finds a missing bucket before it runs
            raise error from None
        raise _QueryFailed(error) from None
    except BucketNotFound as e:
        raise ApiError("not found", _missing_bucket(e.bucket)) from None
    except DialectError as e:  # a delimiter Go's csv writer refuses
        raise ApiError("internal error", str(e)) from None


def _flux_error(e: FluxError) -> ApiError:
    """A Flux error as InfluxDB answers it; the message keeps tsengine's line:column."""
    missing = _MISSING_BUCKET.fullmatch(e.message)
    if missing:
        return ApiError("not found", _missing_bucket(missing.group(1)))
    where = f" at {e.line}:{e.column}" if e.line else ""
    return ApiError("invalid", f"{e.kind}{where}: {e.message}")


def _missing_bucket(bucket: str) -> str:
    return f'failed to initialize execute state: could not find bucket "{bucket}"'


# -- the response -----------------------------------------------------------------------------

def _csv(request: Request, body: str) -> Response:
    """The CSV body, gzipped when the client accepts it and it is big enough to be worth it."""
    data = body.encode("utf-8")
    headers = {}
    if len(data) >= GZIP_MIN_SIZE and _accepts_gzip(request.headers.get("accept-encoding", "")):
        data = gzip.compress(data)
        headers["Content-Encoding"] = "gzip"
    return Response(data, media_type=CSV_TYPE, headers=headers)


def _accepts_gzip(header: str) -> bool:
    """Whether `Accept-Encoding` lists gzip with a non-zero quality."""
    for part in header.split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() != "gzip":
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        return quality > 0
    return False


# -- the request ------------------------------------------------------------------------------

def _decode(request: Request, raw: bytes) -> QueryRequest:
    """The request as InfluxDB decodes and validates it, with its error wording."""
    content_type = request.headers.get("content-type") or "application/json"
    media = content_type.split(";", 1)[0].strip().lower()
    if not media:
        raise _decode_error("mime: no media type")
    if media == FLUX_CONTENT_TYPE:
        req = QueryRequest(query=raw.decode("utf-8", errors="replace"))
        dialect_error = None
    else:
        req, dialect_error = _from_json(raw)
    prefer = request.headers.get("prefer", "")
    req.prefer = prefer if prefer in (NO_CONTENT, NO_CONTENT_WITH_ERROR) else ""
    if not req.query and not req.has_ast:
        raise _decode_error("request body requires either query or AST")
    if (req.type or "flux") != "flux":
        raise _decode_error(f"unknown query type: {req.type}")
    if dialect_error is not None:
        raise _decode_error(dialect_error)
    if not req.query:
        raise ApiError("not implemented",
                       "a query given as an AST is not supported by tsengine: send its text")
    return req


def _from_json(raw: bytes) -> tuple[QueryRequest, str | None]:
    """A JSON body (the first JSON value, as Go's decoder reads it; keys case-insensitive);
    a dialect that fails validation is returned, to be reported in InfluxDB's order."""
    text = raw.decode("utf-8", errors="replace")
    start = len(text) - len(text.lstrip(" \t\r\n"))
    if start == len(text):
        raise _json_error("EOF")
    try:
        obj, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as e:
        raise _json_error(_go_syntax_error(e)) from None
    if obj is None:
        obj = {}
    if not isinstance(obj, dict):
        raise _json_error(f"json: cannot unmarshal {json_kind(obj)} into Go value of type "
                          "http.QueryRequest")
    fields = {key.lower(): value for key, value in obj.items()}  # the last of a key wins
    req = QueryRequest()
    for name in ("type", "query"):
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise _json_error(f"json: cannot unmarshal {json_kind(value)} into Go struct "
                              f"field QueryRequest.{name} of type string")
    req.type = fields.get("type") or ""
    req.query = fields.get("query") or ""
    req.has_ast = fields.get("ast") is not None
    req.extern = fields.get("extern")
    req.params = fields.get("params")
    req.now = _now(fields.get("now"))
    dialect_error = None
    try:
        req.dialect = Dialect.from_json(fields.get("dialect"))
    except DialectError as e:
        if str(e).startswith("json: "):
            raise _json_error(str(e)) from None
        dialect_error = str(e)
    return req, dialect_error


def _now(value: object) -> int | None:
    """The request's `now`; null and Go's zero time mean the server's time."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _json_error("Time.UnmarshalJSON: input is not a JSON string")
    try:
        ns = parse_rfc3339(value)
    except ValueError as e:
        raise _json_error(str(e)) from None
    return None if ns == parse_rfc3339(_ZERO_TIME) else ns


_GO_CONTEXT = {
    "Expecting value": "looking for beginning of value",
    "Expecting property name enclosed in double quotes": "looking for beginning of object key "
                                                         "string",
    "Expecting ':' delimiter": "after object key",
    "Expecting ',' delimiter": "after object key:value pair",
}


def _go_syntax_error(e: json.JSONDecodeError) -> str:
    """Go's wording for the common JSON syntax errors (Python's for the rest)."""
    if e.pos >= len(e.doc.rstrip()):
        return "unexpected EOF"
    context = _GO_CONTEXT.get(e.msg)
    if context is None:
        return e.msg
    if e.msg == "Expecting ',' delimiter" and _in_array(e.doc, e.pos):
        context = "after array element"
    return f"invalid character {_go_char(e.doc[e.pos])} {context}"


def _in_array(doc: str, pos: int) -> bool:
    """Whether `pos` is directly inside an array (the innermost open bracket is `[`)."""
    stack: list[str] = []
    in_string = escaped = False
    for ch in doc[:pos]:
        if in_string:
            escaped = not escaped and ch == "\\"
            if ch == '"' and not escaped:
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}" and stack:
            stack.pop()
    return bool(stack) and stack[-1] == "["


def _go_char(ch: str) -> str:
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    return f"'{ch}'" if ch.isprintable() else json.dumps(ch)


def _decode_error(message: str) -> ApiError:
    return ApiError("invalid", f"{DECODE_FAILED}: {message}")


def _json_error(message: str) -> ApiError:
    return _decode_error(f"{JSON_FAILED}: {message}")


async def _organization(request: Request) -> None:
    """The org the query runs for must exist (`orgID` wins over `org`; a value that parses as
    an id is looked up as one); every failure is a decode error (400), as in InfluxDB."""
    try:
        await find_org(request)
    except ApiError as e:
        raise _decode_error(e.message) from None


routes = [Route("/api/v2/query", post_query, methods=["POST"])]
