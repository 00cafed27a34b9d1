"""Onboarding, as `/api/v2/setup` and `influx setup` do it: once per data directory, the first
user, the organization (the directory's default one, renamed), its first bucket and an operator
token. Users and the onboarding record live in catalog.duckdb beside the tokens.

A data directory the CLI already used can still be onboarded: its buckets and data stay, and the
default organization takes the name given. Passwords are kept as salted scrypt hashes.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage import Bucket, BucketNotFound, Organization, Store, new_id
from tsengine.errors import TsengineError
from tsengine.server.auth import Authorization, Tokens

if TYPE_CHECKING:
    from starlette.applications import Starlette

SECOND = 1_000_000_000
MIN_PASSWORD, MAX_PASSWORD = 8, 72  # kit/platform/errors/error_user.go
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, status VARCHAR NOT NULL,
    password_hash VARCHAR, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS onboarding (
    user_id VARCHAR NOT NULL, org_id VARCHAR NOT NULL, bucket_id VARCHAR NOT NULL,
    auth_id VARCHAR NOT NULL, completed_at BIGINT NOT NULL)
"""


_APP_LOCK = threading.Lock()


def for_app(app: Starlette) -> Onboarding:
    """The app's Onboarding (`app.state.onboarding`), made on first use; blocking (it may
    create the tables), so handlers call it through `common.call`."""
    with _APP_LOCK:
        if getattr(app.state, "onboarding", None) is None:
            app.state.onboarding = Onboarding(app.state.engine.store, app.state.tokens)
        return app.state.onboarding  # type: ignore[no-any-return]


class OnboardingError(TsengineError):
    """Onboarding refused; `code` is InfluxDB's error code for it (see server/errors.py)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class User:
    """A user (only onboarding creates one)."""

    id: str
    name: str
    status: str
    created_at: int


@dataclass(frozen=True)
class SetupRequest:
    """What onboarding needs; `retention` in ns, 0 keeps points forever."""

    username: str
    org: str
    bucket: str
    password: str = ""
    retention: int = 0
    token: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> SetupRequest:
        """InfluxDB's OnboardingRequest. `retentionPeriodSeconds` wins when above 0, else
        `retentionPeriodHrs`, which InfluxDB decodes as a Go duration: nanoseconds, not hours."""
        if not isinstance(body, dict):
            raise OnboardingError("invalid", "failed to decode request body: "
                                             "expected a JSON object")
        text = {k: _string(body, k) for k in ("username", "org", "bucket", "password", "token")}
        seconds = _integer(body, "retentionPeriodSeconds")
        retention = seconds * SECOND if seconds > 0 else _integer(body, "retentionPeriodHrs")
        return cls(text["username"], text["org"], text["bucket"], text["password"], retention,
                   text["token"] or None)


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise OnboardingError("invalid", f"failed to decode request body: {key} must be a string")
    return value


def _integer(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise OnboardingError("invalid",
                              f"failed to decode request body: {key} must be an integer")
    return value


@dataclass(frozen=True)
class SetupResult:
    """What onboarding created; `token` is the only copy of the token's text."""

    user: User
    org: Organization
    bucket: Bucket
    auth: Authorization
    token: str


class Onboarding:
    """The users of a data directory and whether it has been onboarded."""

    def __init__(self, store: Store, tokens: Tokens) -> None:
        self.store = store
        self.tokens = tokens
        self._lock = threading.Lock()  # one onboarding at a time: check, then create
        with store.metadata() as con:
            con.execute(_SCHEMA)

    def allowed(self) -> bool:
        """True until onboarding has completed (InfluxDB: no users and no orgs yet)."""
        with self.store.metadata() as con:
            return not con.execute("SELECT count(*) FROM onboarding").fetchall()[0][0]

    def users(self) -> list[User]:
        with self.store.metadata() as con:
            rows = con.execute("SELECT id, name, status, created_at FROM users "
                               "ORDER BY created_at, id").fetchall()
        return [User(*r) for r in rows]

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users() if u.id == user_id), None)

    def org_ids_of(self, user_id: str) -> list[str]:
        """The organizations a user belongs to: the onboarded one, for the onboarded user."""
        with self.store.metadata() as con:
            rows = con.execute("SELECT org_id FROM onboarding WHERE user_id = ?",
                               [user_id]).fetchall()
        return [r[0] for r in rows]

    def onboard(self, request: SetupRequest) -> SetupResult:
        """Onboard once: rename the default organization, create (or adopt) the bucket, then the
        user, the token and the record in one transaction. A failure undoes what was done."""
        with self._lock:
            if not self.allowed():
                raise OnboardingError("conflict", "onboarding has already been completed")
            _validate(request)
            if request.token and self.tokens.check(request.token):
                raise OnboardingError("conflict", "that token is already in use")
            default = self.store.org()
            if any(o.name == request.org and o.id != default.id for o in self.store.orgs()):
                raise OnboardingError("conflict",
                                      f"organization with name {request.org} already exists")
            org = self.store.rename_org(default.id, request.org)
            try:
                bucket, created = self._bucket(org, request)
            except BaseException:
                self.store.rename_org(org.id, default.name)
                raise
            try:
                return self._record(org, bucket, request)
            except BaseException:
                if created:
                    self.store.delete_bucket(bucket.id, org.id)
                self.store.rename_org(org.id, default.name)
                raise

    def _bucket(self, org: Organization, request: SetupRequest) -> tuple[Bucket, bool]:
        """The bucket named, created; one the CLI already made is adopted as it is, unless it
        keeps points for another period than the one asked for."""
        try:
            existing = self.store.bucket(request.bucket, org.id)
        except BucketNotFound:
            return self.store.create_bucket(request.bucket, request.retention, "", org.id), True
        if existing.name != request.bucket:  # an id matched, not the name
            return self.store.create_bucket(request.bucket, request.retention, "", org.id), True
        if request.retention and existing.retention != request.retention:
            raise OnboardingError("conflict", f"bucket with name {request.bucket} already exists "
                                              "with another retention period")
        return existing, False

    def _record(self, org: Organization, bucket: Bucket, request: SetupRequest) -> SetupResult:
        now = self.store.clock.now()
        user = User(new_id(), request.username, "active", now)
        password = _hash_password(request.password) if request.password else None
        with self.store.metadata() as con:
            con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?)",
                        [user.id, user.name, user.status, password, user.created_at])
            auth, token = self.tokens.create_in(con, f"{request.username}'s Token",
                                                org_id=org.id, user_id=user.id,
                                                token=request.token)
            con.execute("INSERT INTO onboarding VALUES (?, ?, ?, ?, ?)",
                        [user.id, org.id, bucket.id, auth.id, now])
        return SetupResult(user, org, bucket, auth, token)


def _validate(request: SetupRequest) -> None:
    """InfluxDB's checks, in its order: required fields (422), then the password (400)."""
    missing = [name for name, value in (("username", request.username), ("org", request.org),
                                        ("bucket", request.bucket)) if not value]
    if missing:
        raise OnboardingError("unprocessable entity", "onboarding failed: missing required "
                                                      f"fields [{','.join(missing)}]")
    if request.password and not MIN_PASSWORD <= len(request.password) <= MAX_PASSWORD:
        raise OnboardingError("invalid", f"passwords must be between {MIN_PASSWORD} and "
                                         f"{MAX_PASSWORD} characters long")


def _hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"

