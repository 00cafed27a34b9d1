"""What the server tests share: the app over the test engine (no scheduler thread: tests tick
it themselves) and a client that carries a valid token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tsengine import Engine
from tsengine.server.app import ServerConfig, create_app


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = create_app(engine, ServerConfig(run_tasks=False))
    token = app.state.tokens.create("t")[1]
    with TestClient(app, headers={"Authorization": f"Token {token}"}) as c:
        yield c


@pytest.fixture
def org_id(engine: Engine) -> str:
    return engine.store.org().id
