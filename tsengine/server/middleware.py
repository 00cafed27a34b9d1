"""The base of the server's middleware: plain ASGI, for HTTP requests only.

Not Starlette's BaseHTTPMiddleware: that runs the rest of the app in a task of its own and
streams each request body and response through it, which a write of a few MB paid for on every
request (a quarter of `tsengine serve`'s ingest rate).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """Calls `http` for an HTTP request; anything else (lifespan) goes straight to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
