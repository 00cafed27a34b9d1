"""`POST /api/v2/write`: line protocol into a bucket, checked in InfluxDB's order with its status
codes and wording (http/write_handler.go, http/points/points_parser.go, batch_reader.go).

The body is read as a stream and refused (413) as soon as it, or what it inflates to, passes the
configured limit, so a huge or gzip-bomb body is never held whole. The v1 `/write` route
(routes/v1.py) shares the reading, parsing and writing below.
"""

from __future__ import annotations

import zlib

import polars as pl
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage import (
    Bucket,
    LineError,
    LineProtocolError,
    Organization,
    PointBatch,
    StorageError,
    parse,
)
from storage.lineprotocol.model import LINE, TIME
from tsengine.server.common import call, engine_of, find_org, first_param, is_id, read_catalog
from tsengine.server.errors import ApiError

PRECISIONS = ("ns", "us", "ms", "s")
INVALID_PRECISION = "invalid precision; valid precision units are ns, us, ms, and s"
GZIP = ("gzip", "x-gzip")
SECOND = 1_000_000_000
# InfluxDB's representable times: the two lowest int64 values and the highest are sentinels
MIN_TIME, MAX_TIME = -(2**63) + 2, 2**63 - 2
_LEADING = " \t\0"  # what InfluxDB skips before a line and leaves out of its error message


async def write(request: Request) -> Response:
    """Checks in influxd's order: precision, bucket given, org, bucket found, body, parse, write."""
    precision = first_param(request, "precision") or "ns"
    if precision not in PRECISIONS:
        raise ApiError("invalid", INVALID_PRECISION)
    bucket_ref = first_param(request, "bucket")
    if not bucket_ref:
        raise ApiError("not found", "bucket not found")
    org = await find_org(request)
    bucket = await find_bucket(request, org, bucket_ref)
    body = await read_body(request)
    return await write_points(request, bucket, body, precision)


async def find_bucket(request: Request, org: Organization, ref: str) -> Bucket:
    """The org's bucket with id `ref` if it looks like one and exists, else the one named
    `ref`; 404 `bucket "<ref>" not found` otherwise (write_handler.go findBucket)."""
    if is_id(ref):
        for bucket in await read_catalog(request, lambda catalog: catalog.buckets(org.id)):
            if bucket.id == ref.lower():
                return bucket
    return await read_catalog(request, lambda catalog: catalog.bucket(org.id, ref))


def too_large() -> ApiError:
    return ApiError("request too large", "unable to read data: points batch is too large")


async def read_body(request: Request) -> bytes:
    """The (gunzipped) body, refused with 413 once it passes `max_body_bytes`; a corrupt gzip
    body is 400 `unable to read data: ...`."""
    limit = request.app.state.config.max_body_bytes
    gzipped = request.headers.get("content-encoding", "").strip().lower() in GZIP
    declared = request.headers.get("content-length", "")
    if not gzipped and declared.isdigit() and int(declared) > limit:
        raise too_large()
    inflater = Gunzip() if gzipped else None
    chunks: list[bytes] = []  # joined once: one copy of the body, not one per growth
    size = received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if inflater is not None:
            # compressed input is bounded too: endless empty gzip members inflate to nothing
            if received > 2 * limit + 1024:
                raise too_large()
            chunk = inflater.feed(chunk, limit + 1 - size)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise too_large()
    if inflater is not None:
        inflater.finish()
    return b"".join(chunks)


class Gunzip:
    """Incremental gunzip of one or more concatenated members (as Go's gzip.Reader), that never
    inflates more than it is asked for; errors worded as Go's, behind `unable to read data`."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate `data`, stopping once more than `room` bytes came out (the caller refuses)."""
        out = bytearray()
        while data and len(out) < room:
            if self._inflater.eof:  # another member follows the one that ended
                self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._started = True
            try:
                out += self._inflater.decompress(data, room - len(out))
            except zlib.error as e:
                raise ApiError("invalid", f"unable to read data: {_go_gzip_error(e)}") from None
            data = self._inflater.unused_data if self._inflater.eof else (
                self._inflater.unconsumed_tail)
        return bytes(out)

    def finish(self) -> None:
        """Refuse a body that ended inside a member (or held no gzip data at all)."""
        if not self._started:
            raise ApiError("invalid", "unable to read data: EOF")
        if not self._inflater.eof:
            raise ApiError("invalid", "unable to read data: unexpected EOF")


def _go_gzip_error(e: zlib.error) -> str:
    text = str(e)
    if "header" in text:
        return "gzip: invalid header"
    if "check" in text:  # "incorrect data check" (CRC-32), "incorrect length check"
        return "gzip: invalid checksum"
    return f"flate: corrupt input ({text})"


async def write_points(request: Request, bucket: Bucket, body: bytes, precision: str,
                       unit: int = 0) -> Response:
    """Parse and write (nothing on a syntax error: 400), 422 when points were dropped, else 204.

    `unit` (ns per timestamp unit) serves 1.x precisions storage has no name for (m, h): the body
    is parsed in seconds here and its times scaled before the write.
    """
    engine = engine_of(request)
    try:
        if unit:
            batch = await call(parse_scaled, engine.store.clock.now(), body, unit)
            result = await call(engine.write, bucket.id, batch, "ns", org=bucket.org_id)
        else:
            result = await call(engine.write, bucket.id, body, precision, org=bucket.org_id)
    except LineProtocolError as e:
        raise ApiError("invalid", parse_error_message(e)) from None
    except StorageError as e:
        raise ApiError("internal error",
                       f"unexpected error writing points to database: {e}") from None
    if result.partial:
        raise ApiError("unprocessable entity",
                       f"failure writing points to database: {result.message()}")
    return Response(status_code=204)


def parse_error_message(e: LineProtocolError) -> str:
    """InfluxDB's message (one `unable to parse '<line>': <reason>` per bad line, joined by
    newlines) with where each error is, which InfluxDB does not say."""
    return "\n".join(
        f"unable to parse '{err.text.lstrip(_LEADING)}': {err.message} "
        f"(line {err.line}, column {err.column})"
        for err in e.errors)


def parse_scaled(now: int, body: bytes, unit: int) -> PointBatch:
    """Parse `body` with timestamps in units of `unit` ns (a multiple of a second).

    Parsed as seconds, then scaled; a point without a timestamp gets `now` truncated to the
    unit, as InfluxDB 1.x does. A time the scaling takes out of range is a bad timestamp.
    """
    factor = unit // SECOND
    batch = parse(body, "s", (now // unit) * SECOND)
    lo, hi = -(-MIN_TIME // factor), MAX_TIME // factor
    bad: list[int] = []
    for seg in batch.segments:
        outside = seg.frame.filter((pl.col(TIME) < lo) | (pl.col(TIME) > hi))
        bad += outside[LINE].to_list()
        seg.frame = seg.frame.with_columns(pl.col(TIME) * factor)
    if bad:
        lines = body.split(b"\n")
        raise LineProtocolError([_out_of_range(lines[n - 1], n) for n in bad])
    return batch


def _out_of_range(raw: bytes, line: int) -> LineError:
    text = raw.decode("utf-8", "replace").rstrip("\r")
    end = len(text.rstrip(" "))
    start = text.rfind(" ", 0, end) + 1
    return LineError(line, start + 1, f"bad timestamp {text[start:end]}: out of range", text)


routes = [Route("/api/v2/write", write, methods=["POST"])]
