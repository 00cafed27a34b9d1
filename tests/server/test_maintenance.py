"""The server's maintenance: retention and compaction every `maintenance_seconds`, in a thread
of its own; a failure is logged and tried again next time, the server going on."""

from __future__ import annotations

import logging
import time

from starlette.testclient import TestClient

from storage.compaction import CompactionResult
from tsengine import Engine
from tsengine.server.app import ServerConfig, create_app


def test_a_failed_maintenance_is_logged_and_tried_again(tmp_path, caplog):
    calls: list[bool] = []

    def compact(full: bool = True) -> CompactionResult:
        calls.append(full)
        if len(calls) == 1:
            raise OSError("No space left on device")
        return CompactionResult()

    with Engine.open(tmp_path / "data") as engine, caplog.at_level(logging.ERROR):
        engine.compact = compact  # type: ignore[method-assign]
        app = create_app(engine, ServerConfig(run_tasks=False, maintenance_seconds=0.01))
        with TestClient(app) as client:
            deadline = time.monotonic() + 10
            while len(calls) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert client.get("/health").status_code == 200
    assert calls[:3] == [False, False, False]  # each time the server's own, not a full one
    assert "maintenance failed" in caplog.text and "No space left on device" in caplog.text
