"""`/health`, `/ping` and `/ready`: what clients and load balancers probe, without a token
(http/health.go, http/legacy/ping_handler.go and http/ready.go of InfluxDB 2.7)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage import format_time
from tsengine.server.common import engine_of

JSON = "application/json; charset=utf-8"
US, MS, SECOND = 1_000, 1_000_000, 1_000_000_000


@cache
def _commit() -> str:
    """What /health reports as the build's commit: tsengine's own version."""
    try:
        return f"tsengine-{version('tsengine')}"
    except PackageNotFoundError:
        return "tsengine"


async def health(request: Request) -> Response:
    """200 and `pass` while the server answers (InfluxDB 2.7 computes no checks either)."""
    from tsengine.server.app import VERSION  # app imports this module

    return JSONResponse({"name": "influxdb", "message": "ready for queries and writes",
                         "status": "pass", "checks": [], "version": VERSION,
                         "commit": _commit()}, media_type=JSON)


async def ping(_request: Request) -> Response:
    """204, no body: the client's `ping()`, `version()` and `build()` read the headers."""
    return Response(status_code=204)


async def ready(request: Request) -> Response:
    """`ready` with the server's start time and how long it has been up, as Go prints it."""
    now = engine_of(request).store.clock.now()
    started = started_at(request.app, now)
    return JSONResponse({"status": "ready", "started": format_time(started),
                         "up": go_duration(now - started)}, media_type=JSON)


def started_at(app: Starlette, now: int) -> int:
    """When the server started: `app.state.started` (ns), set by `tsengine serve`; an app
    made without it counts from its first /ready."""
    if getattr(app.state, "started", None) is None:
        app.state.started = now
    return int(app.state.started)


def go_duration(ns: int) -> str:
    """A duration as Go's time.Duration.String prints it: `1h2m3.5s`, `12.5ms`, `0s`."""
    if ns == 0:
        return "0s"
    sign, ns = ("-" if ns < 0 else ""), abs(ns)
    if ns < US:
        return f"{sign}{ns}ns"
    if ns < MS:
        return f"{sign}{_decimal(ns, US)}µs"
    if ns < SECOND:
        return f"{sign}{_decimal(ns, MS)}ms"
    hours, rest = divmod(ns, 3600 * SECOND)
    minutes, rest = divmod(rest, 60 * SECOND)
    seconds = f"{_decimal(rest, SECOND)}s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _decimal(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    digits = len(str(unit)) - 1
    return f"{whole}.{frac:0{digits}d}".rstrip("0") if frac else str(whole)


routes = [
    Route("/health", health, methods=["GET"]),
    Route("/ping", ping, methods=["GET", "HEAD"]),
    Route("/ready", ready, methods=["GET"]),
]
