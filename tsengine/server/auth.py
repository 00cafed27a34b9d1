"""API tokens: stored hashed in catalog.duckdb, checked on every request but the open ones.

As InfluxDB: `Authorization: Token <t>` or `Bearer <t>` (scheme case-insensitive); a missing or
wrong token is 401 `unauthorized access`. `/health`, `/ping`, `/ready` and `/api/v2/setup` need
none. The first `tsengine serve` on a data directory without tokens creates an operator token
and prints it once: only its SHA-256 is kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from storage import Store, new_id
from tsengine.errors import AuthError
from tsengine.server.common import first_param
from tsengine.server.errors import error_response
from tsengine.server.middleware import HttpMiddleware

OPEN_PATHS = ("/health", "/ping", "/ready", "/api/v2/setup")
V1_PATHS = ("/write", "/query")  # InfluxDB 1.x clients: `u`/`p` parameters or Basic auth too
_SCHEMA = """
CREATE TABLE IF NOT EXISTS auth_tokens (
    id VARCHAR PRIMARY KEY, token_hash VARCHAR NOT NULL UNIQUE, description VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL, user_id VARCHAR, created_at BIGINT NOT NULL)
"""


@dataclass(frozen=True)
class Authorization:
    """A token's record (never the token itself)."""

    id: str
    description: str
    org_id: str
    user_id: str | None
    created_at: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """Create, list, delete and check API tokens."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # token hash -> record: a request's token is checked without the store's lock (held
        # by writes) on the event loop; an unknown token re-reads the table (new tokens), a
        # delete forgets it all (a read that began before the delete is not kept)
        self._valid: dict[str, Authorization] = {}
        self._deletes = 0
        with store.metadata() as con:
            con.execute(_SCHEMA)

    def create(self, description: str, *, org_id: str | None = None, user_id: str | None = None,
               token: str | None = None) -> tuple[Authorization, str]:
        """A new token (generated unless given) and its record; the token is not kept."""
        org_id = org_id or self.store.org().id
        with self.store.metadata() as con:
            return self.create_in(con, description, org_id=org_id, user_id=user_id, token=token)

    def create_in(self, con: duckdb.DuckDBPyConnection, description: str, *, org_id: str,
                  user_id: str | None = None, token: str | None = None
                  ) -> tuple[Authorization, str]:
        """`create` inside a caller's `store.metadata()` transaction (onboarding writes the
        user, its token and the onboarding record together)."""
        token = token or secrets.token_urlsafe(64)
        auth = Authorization(new_id(), description, org_id, user_id, self.store.clock.now())
        if con.execute("SELECT 1 FROM auth_tokens WHERE token_hash = ?",
                       [_hash(token)]).fetchall():
            raise AuthError("that token is already in use")
        con.execute("INSERT INTO auth_tokens VALUES (?, ?, ?, ?, ?, ?)",
                    [auth.id, _hash(token), auth.description, auth.org_id, auth.user_id,
                     auth.created_at])
        return auth, token

    def list(self) -> list[Authorization]:
        with self.store.metadata() as con:
            rows = con.execute("SELECT id, description, org_id, user_id, created_at "
                               "FROM auth_tokens ORDER BY created_at, id").fetchall()
        return [Authorization(*r) for r in rows]

    def delete(self, auth_id: str) -> bool:
        """Delete a token by its record's id; False when there is none."""
        with self.store.metadata() as con:
            found = con.execute("SELECT 1 FROM auth_tokens WHERE id = ?", [auth_id]).fetchall()
            con.execute("DELETE FROM auth_tokens WHERE id = ?", [auth_id])
        self._deletes += 1
        self._valid = {}
        return bool(found)

    def check(self, token: str) -> Authorization | None:
        """The record of a valid token, else None."""
        key = _hash(token)
        found = self._valid.get(key)
        if found is not None:
            return found
        deletes = self._deletes
        with self.store.metadata() as con:
            rows = con.execute("SELECT token_hash, id, description, org_id, user_id, "
                               "created_at FROM auth_tokens").fetchall()
        valid = {r[0]: Authorization(*r[1:]) for r in rows}
        if deletes == self._deletes:
            self._valid = valid
        return valid.get(key)

    def operator_token(self) -> str | None:
        """Create the operator token when there is no token at all; its text, else None."""
        if self.list():
            return None
        return self.create("operator token (created by tsengine serve)")[1]


def token_of(header: str | None) -> str | None:
    """The token of an `Authorization: Token <t>` / `Bearer <t>` header."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not value.strip():
        return None
    return value.strip()


def v1_token(request: Request) -> str | None:
    """The token of a 1.x-style request (http/legacy/influx1x_authentication_handler.go): the
    `p` query parameter when `u` and `p` are both given, else `Authorization: Token [user:]<t>`
    (or Bearer), else the password of Basic auth. Used on the 1.x paths."""
    user, password = first_param(request, "u"), first_param(request, "p")
    if user and password:
        return password
    header = request.headers.get("authorization", "").strip()
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() in ("token", "bearer") and value:
        return value.partition(":")[2] if ":" in value else value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return password if sep and password else None
    return None


class TokenAuth(HttpMiddleware):
    """401 with InfluxDB's body unless the request carries a valid token (or needs none)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)  # headers, path and parameters: no body read
        path = request.url.path
        if path not in OPEN_PATHS:
            tokens: Tokens = request.app.state.tokens
            token = (v1_token(request) if path in V1_PATHS
                     else token_of(request.headers.get("authorization")))
            auth = tokens.check(token) if token else None
            if auth is None:
                await error_response("unauthorized", "unauthorized access")(scope, receive, send)
                return
            request.state.auth = auth  # kept in the scope: the route's request sees it
        await self.app(scope, receive, send)
