"""Fixtures shared by the storage tests."""

from __future__ import annotations

import importlib

import pytest

parse_module = importlib.import_module("storage.lineprotocol.parse")


@pytest.fixture
def exact_calls(monkeypatch) -> list[str]:
    """The lines handed to the exact (per-line) parser during the test, in order: shows
    whether a request took the vectorized path."""
    calls: list[str] = []
    real = parse_module.scan_point

    def counting(text, *args):
        calls.append(text)
        return real(text, *args)

    monkeypatch.setattr(parse_module, "scan_point", counting)
    return calls
