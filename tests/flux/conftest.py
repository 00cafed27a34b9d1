"""Fixtures for the Flux language tests: the stdlib registered, interpreters on a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import tsengine.stdlib  # noqa: F401  (registers now(), the conversions, ...)
from tsengine.flux.interpreter import Interpreter, Program
from tsengine.flux.registry import REGISTRY, Registry

# 2023-11-14T22:13:20Z: the clock every evaluation test runs with unless it sets `option now`
NOW_NS = 1_700_000_000_000_000_000


@pytest.fixture
def now_ns() -> int:
    return NOW_NS


@pytest.fixture
def run() -> Callable[..., Program]:
    """`run(script, **extern)`: run a script with now() at NOW_NS and extern options."""

    def _run(script: str, registry: Registry = REGISTRY, **extern: Any) -> Program:
        return Interpreter(registry, now=lambda: NOW_NS).run(script, extern=extern)

    return _run


@pytest.fixture
def ev(run) -> Callable[..., Any]:
    """`ev(expression, **extern)`: the value of one expression."""

    def _ev(expression: str, **extern: Any) -> Any:
        return run(f"x = {expression}", **extern)["x"]

    return _ev
