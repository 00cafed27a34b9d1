"""The builtin registry: universe functions and packages, registered by name.

A stdlib module registers its functions with `@builtin(...)`; the interpreter's universe and
`import "pkg"` read from here. Parameters come from the Python signature after `ctx`, so a new
function is one decorated Python function.
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable
from typing import Any

from tsengine.flux.functions import REQUIRED, Builtin, Param
from tsengine.flux.values import Record


class Registry:
    """Universe builtins, packages and Flux-source prelude definitions."""

    def __init__(self) -> None:
        self.universe: dict[str, Any] = {}
        self.packages: dict[str, dict[str, Any]] = {}
        # (package or None for the universe, Flux source) in registration order
        self.prelude: list[tuple[str | None, str]] = []

    def builtin(self, name: str | None = None, *, package: str | None = None,
                pipe: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register `impl(ctx, **params)` as a Flux function (in `package`, or the universe)."""

        def register(impl: Callable[..., Any]) -> Callable[..., Any]:
            fname = name or impl.__name__.rstrip("_")
            params = []
            python_names = {}
            for p in list(inspect.signature(impl).parameters.values())[1:]:
                default = REQUIRED if p.default is inspect.Parameter.empty else p.default
                keyword_ = p.name.endswith("_") and keyword.iskeyword(p.name[:-1])
                flux = p.name[:-1] if keyword_ else p.name  # as_ -> as
                if flux != p.name:
                    python_names[flux] = p.name
                params.append(Param(flux, default, p.name == pipe))
            self.add(Builtin(fname, params, impl, package, python_names), fname, package)
            return impl

        return register

    def add(self, value: Any, name: str, package: str | None = None) -> None:
        """Add any value (a function, a constant) under a name."""
        target = self.universe if package is None else self.packages.setdefault(package, {})
        target[name] = value

    def package(self, path: str) -> Record | None:
        """An importable package as a record of its members, or None if unknown."""
        members = self.packages.get(path)
        return None if members is None else Record(members)

    def define_in_flux(self, source: str, package: str | None = None) -> None:
        """Add Flux definitions evaluated into the universe or a package (as upstream writes
        much of its stdlib in Flux). The source may import packages registered before it."""
        if package is not None:
            self.packages.setdefault(package, {})
        self.prelude.append((package, source))


REGISTRY = Registry()
builtin = REGISTRY.builtin
