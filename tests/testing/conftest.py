"""Fixtures for the Flux unit-test tests: test files written into a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import tsengine.stdlib  # noqa: F401  (registers the builtins)


@pytest.fixture
def flux_file(tmp_path) -> Callable[..., Path]:
    """`flux_file(text, name="a_test.flux")`: the file written under tmp_path."""

    def write(text: str, name: str = "a_test.flux") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write
