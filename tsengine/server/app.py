"""The ASGI app: InfluxDB v2 routes over one Engine, with token auth, InfluxDB's headers and
error envelope, and the background work `influxd` does (the task scheduler, retention and
compaction) started with the app and stopped cleanly with it.

Handlers are `async` but the engine is not: they run engine calls in Starlette's thread pool
(`run_in_threadpool`); the store's lock serializes what must be serialized.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.types import Message, Receive, Scope, Send

from tsengine.engine import Engine
from tsengine.server.auth import TokenAuth, Tokens
from tsengine.server.errors import ApiError, api_error_handler, http_error_handler
from tsengine.server.middleware import HttpMiddleware
from tsengine.server.onboarding import Onboarding
from tsengine.server.routes import buckets, delete, health, orgs, query, setup, tasks, v1, write

log = logging.getLogger(__name__)

VERSION = "v2.7.11"  # the InfluxDB API this server answers as (clients read X-Influxdb-Version)
MODULES = (health, setup, orgs, buckets, write, query, delete, tasks, v1)


@dataclass(frozen=True)
class ServerConfig:
    """What `tsengine serve` can change."""

    max_body_bytes: int = 50 * 1024 * 1024  # a larger write is refused with 413
    run_tasks: bool = True  # the scheduler on the system clock
    maintenance_seconds: float = 60.0  # retention enforcement and compaction, this often


class InfluxHeaders(HttpMiddleware):
    """Every response says which server answered, as influxd's do."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Influxdb-Build"] = "OSS"
                headers["X-Influxdb-Version"] = VERSION
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(engine: Engine, config: ServerConfig | None = None) -> Starlette:
    """The app over an open engine (the caller opens and closes it)."""
    config = config or ServerConfig()

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        workers = _background(engine, config, stop)
        try:
            yield
        finally:
            stop.set()
            for worker in workers:
                worker.join()

    app = Starlette(
        routes=[r for m in MODULES for r in m.routes],
        middleware=[Middleware(InfluxHeaders), Middleware(TokenAuth)],
        exception_handlers={ApiError: api_error_handler, HTTPException: http_error_handler},
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.config = config
    app.state.tokens = Tokens(engine.store)
    app.state.onboarding = Onboarding(engine.store, app.state.tokens)
    app.state.started = engine.store.clock.now()
    return app


def _background(engine: Engine, config: ServerConfig, stop: threading.Event
                ) -> list[threading.Thread]:
    """Start the scheduler and the maintenance loop; they end when `stop` is set."""
    workers = []
    if config.run_tasks:
        workers.append(threading.Thread(target=engine.tasks.run_scheduler, args=(stop,),
                                        name="tsengine-scheduler", daemon=True))

    def maintain() -> None:
        while not stop.wait(config.maintenance_seconds):
            try:
                engine.enforce_retention()
                engine.compact(full=False)
            except Exception:  # (a full disk, say) tried again next time, the server goes on
                log.exception("maintenance failed; it runs again in %s s",
                              config.maintenance_seconds)

    workers.append(threading.Thread(target=maintain, name="tsengine-maintenance", daemon=True))
    for worker in workers:
        worker.start()
    return workers
