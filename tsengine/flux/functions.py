"""Callable Flux values: closures written in Flux and builtins written in Python.

Both take named arguments only; a call checks for unknown and missing arguments and fills
defaults, so every function reports argument errors the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tsengine.flux import ast

if TYPE_CHECKING:
    from tsengine.flux.interpreter import Interpreter, Scope

REQUIRED = object()


class ArgumentError(Exception):
    """A call's arguments do not fit the function; `argument` names the offending one."""

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class Param:
    """A builtin's parameter: its name, default (REQUIRED if none) and whether it is the pipe."""

    name: str
    default: Any = REQUIRED
    pipe: bool = False


def bind_arguments(fname: str, params: list[Param], args: Mapping[str, Any]) -> dict[str, Any]:
    """Match named arguments to parameters; defaults are filled later by the caller."""
    known = {p.name for p in params}
    for name in args:
        if name not in known:
            choices = ", ".join(sorted(known)) or "none"
            raise ArgumentError(f"unknown argument {name!r} for {fname}() (parameters: {choices})",
                                name)
    missing = [p.name for p in params
               if p.name not in args and p.default is REQUIRED and not p.pipe]
    if missing:
        raise ArgumentError(f"missing required argument {missing[0]!r} for {fname}()")
    return dict(args)


@dataclass
class Builtin:
    """A function implemented in Python: `impl(ctx, **arguments)`."""

    name: str
    params: list[Param]
    impl: Callable[..., Any]
    package: str | None = None
    python_names: dict[str, str] = field(default_factory=dict)  # `as` -> `as_`

    @property
    def pipe_param(self) -> str | None:
        return next((p.name for p in self.params if p.pipe), None)

    def call(self, interp: Interpreter, args: Mapping[str, Any], span: ast.Span) -> Any:
        bound = bind_arguments(self.name, self.params, args)
        for p in self.params:
            if p.name not in bound:
                if p.pipe and p.default is REQUIRED:
                    raise ArgumentError(f"{self.name}() needs piped input (|>) for {p.name!r}")
                bound[p.name] = None if p.default is REQUIRED else p.default
        bound = {self.python_names.get(k, k): v for k, v in bound.items()}
        return self.impl(CallContext(interp, span, self.name), **bound)


@dataclass
class CallContext:
    """What a builtin may need besides its arguments: the interpreter and where it was called."""

    interp: Interpreter
    span: ast.Span
    name: str


@dataclass
class Closure:
    """A function literal with the scope it was defined in."""

    node: ast.FunctionExpr
    scope: Scope
    name: str = "function"
    params: list[Param] = field(init=False)

    def __post_init__(self) -> None:
        self.params = [Param(p.name, REQUIRED if p.default is None else p.default, p.pipe)
                       for p in self.node.params]

    @property
    def pipe_param(self) -> str | None:
        return next((p.name for p in self.node.params if p.pipe), None)

    def call(self, interp: Interpreter, args: Mapping[str, Any], span: ast.Span) -> Any:
        bound = bind_arguments(self.name, self.params, args)
        local = self.scope.child()
        for p in self.node.params:
            if p.name in bound:
                value = bound[p.name]
            elif p.pipe:
                raise ArgumentError(f"{self.name}() needs piped input (|>) for {p.name!r}")
            else:
                assert p.default is not None
                value = interp.evaluate(p.default, local)
            local.define(p.name, value)
        return interp.run_body(self.node.body, local)
