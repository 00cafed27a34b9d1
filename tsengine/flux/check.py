"""Static checks of a Flux script, without running it: syntax, calls to unknown functions
(universe functions and members of imported packages), unknown or missing named arguments,
piping into a function without a pipe parameter, and task options. `tsengine check` runs these
so teams can validate task scripts in CI.

`check` returns errors only; `warnings` and `warnings_across` return task pitfalls
(tsengine.flux.task_lint), which run but likely do not do what the author means."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from tsengine.errors import FluxError, FluxRuntimeError
from tsengine.flux import ast
from tsengine.flux.functions import REQUIRED, Builtin
from tsengine.flux.parser import parse
from tsengine.flux.registry import REGISTRY, Registry
from tsengine.flux.signatures import PACKAGES, UNIVERSE, Signature
from tsengine.flux.task_lint import lint_chain, lint_task
from tsengine.tasks.options import task_options

# options a script may use without defining: tsengine gives tasks `v` (as InfluxDB's UI does)
EXTERN_OPTIONS = frozenset({"v"})


class CheckError(FluxRuntimeError):
    """A problem found by the static checker."""


def check(source: str, registry: Registry = REGISTRY) -> list[FluxError]:
    """Every problem found in a script, in source order (a syntax error stops the check)."""
    try:
        file = parse(source)
    except FluxError as e:
        return [e]
    checker = _Checker(registry)
    problems: list[FluxError] = []
    try:
        problems.extend(checker.file(file))
    except RecursionError:
        problems.append(CheckError("the script is nested too deeply to check", 1, 1))
    if any(isinstance(s, ast.OptionStatement) and s.name == "task" and s.package is None
           for s in file.body):
        try:
            task_options(file)
        except FluxError as e:
            problems.append(e)
    problems.sort(key=lambda e: (e.line, e.column))
    return [p.with_source(source) for p in problems]


def warnings(source: str) -> list[FluxError]:
    """The task pitfalls in one script, in source order ([] when it does not parse or is not a
    task): they do not stop a script from running, so check() leaves them out."""
    try:
        return lint_task(source, parse(source))
    except (FluxError, RecursionError):
        return []


def warnings_across(sources: Mapping[str, str]) -> dict[str, list[FluxError]]:
    """Each script's warnings (name -> source), with those only several scripts together show:
    a task reading what another writes, running no later than it."""
    chained = lint_chain(sources)
    found = {}
    for name, source in sources.items():
        own = warnings(source) + chained.get(name, [])
        found[name] = sorted(own, key=lambda w: (w.line, w.column))
    return found


def _signature_of_builtin(b: Builtin) -> Signature:
    return Signature(
        b.name,
        frozenset(p.name for p in b.params if p.default is REQUIRED and not p.pipe),
        frozenset(p.name for p in b.params if p.default is not REQUIRED and not p.pipe),
        next((p.name for p in b.params if p.pipe), None),
    )


def _signature_of_literal(name: str, fn: ast.FunctionExpr) -> Signature:
    return Signature(
        name,
        frozenset(p.name for p in fn.params if p.default is None and not p.pipe),
        frozenset(p.name for p in fn.params if p.default is not None),
        next((p.name for p in fn.params if p.pipe), None),
    )


def package_members(registry: Registry, path: str) -> dict[str, Signature | None] | None:
    """The members of a registered package (a function's signature, None for other values):
    its builtins and what its Flux-written definitions assign; None for an unknown package."""
    members = registry.packages.get(path)
    if members is None:
        return None
    found: dict[str, Signature | None] = {
        name: _signature_of_builtin(v) if isinstance(v, Builtin) else None
        for name, v in members.items()}
    for package, source in registry.prelude:
        if package != path:
            continue
        for stmt in parse(source).body:
            if isinstance(stmt, ast.VariableAssignment | ast.OptionStatement) and not (
                    isinstance(stmt, ast.OptionStatement) and stmt.package is not None):
                found[stmt.name] = (_signature_of_literal(stmt.name, stmt.init)
                                    if isinstance(stmt.init, ast.FunctionExpr) else None)
    return found


class _Checker:
    def __init__(self, registry: Registry) -> None:
        self.known: dict[str, Signature | str | None] = dict(UNIVERSE)
        for name, value in registry.universe.items():
            if isinstance(value, Builtin):
                self.known[name] = _signature_of_builtin(value)
        self.registry = registry
        self.scopes: list[dict[str, Signature | str | None]] = []
        self.packages: dict[str, dict[str, Signature | None] | None] = {}

    def member(self, node: ast.MemberExpr) -> tuple[bool, Signature | None] | None:
        """For `alias.name` on an imported package tsengine has: whether the package has the
        member, and its signature; None when `node` is not such a member."""
        if not isinstance(node.object, ast.Identifier):
            return None
        value = self.lookup(node.object.name)[1]
        if not (isinstance(value, str) and value.startswith("package:")):
            return None
        path = value.removeprefix("package:")
        if path not in self.packages:
            self.packages[path] = package_members(self.registry, path)
        members = self.packages[path]
        if members is None:
            return None
        return node.property in members, members.get(node.property)

    def lookup(self, name: str) -> tuple[bool, Signature | str | None]:
        for scope in reversed(self.scopes):
            if name in scope:
                return True, scope[name]
        if name in self.known:
            return True, self.known[name]
        return False, None

    def file(self, file: ast.File) -> Iterator[FluxError]:
        top: dict[str, Signature | str | None] = {}
        self.scopes.append(top)
        for imp in file.imports:
            if imp.path not in PACKAGES and self.registry.package(imp.path) is None:
                yield CheckError(f'unknown package "{imp.path}"', imp.span.line, imp.span.col)
            top[imp.alias or imp.path.rsplit("/", 1)[-1]] = "package:" + imp.path
        for stmt in file.body:
            yield from self.statement(stmt, top)
        self.scopes.pop()

    def statement(self, stmt: ast.Statement, scope: dict[str, Signature | str | None]
                  ) -> Iterator[FluxError]:
        if isinstance(stmt, ast.VariableAssignment | ast.OptionStatement):
            yield from self.expr(stmt.init)
            if isinstance(stmt, ast.OptionStatement) and stmt.package is not None:
                return
            scope[stmt.name] = (_signature_of_literal(stmt.name, stmt.init)
                                if isinstance(stmt.init, ast.FunctionExpr) else None)
        elif isinstance(stmt, ast.ExpressionStatement | ast.ReturnStatement):
            node = stmt.expression if isinstance(stmt, ast.ExpressionStatement) else stmt.argument
            yield from self.expr(node)
        elif isinstance(stmt, ast.TestCaseStatement):
            yield from self.block(stmt.body, {})

    def block(self, block: ast.Block, scope: dict[str, Signature | str | None]
              ) -> Iterator[FluxError]:
        self.scopes.append(scope)
        for stmt in block.body:
            yield from self.statement(stmt, scope)
        self.scopes.pop()

    def expr(self, node: ast.Expr, piped: bool = False) -> Iterator[FluxError]:
        if isinstance(node, ast.FunctionExpr):
            scope: dict[str, Signature | str | None] = {p.name: None for p in node.params}
            for p in node.params:
                if p.default is not None:
                    yield from self.expr(p.default)
            if isinstance(node.body, ast.Block):
                yield from self.block(node.body, scope)
            else:
                self.scopes.append(scope)
                yield from self.expr(node.body)
                self.scopes.pop()
            return
        if isinstance(node, ast.PipeExpr):
            yield from self.expr(node.argument)
            yield from self.expr(node.call, piped=True)
            return
        if isinstance(node, ast.Identifier):
            if not self.lookup(node.name)[0] and node.name not in EXTERN_OPTIONS:
                yield CheckError(f"undefined identifier {node.name}", node.span.line,
                                 node.span.col)
            return
        if isinstance(node, ast.MemberExpr) and (found := self.member(node)) and not found[0]:
            yield CheckError(f"undefined identifier {_dotted(node)}", node.span.line,
                             node.span.col)
            return
        if isinstance(node, ast.CallExpr):
            yield from self.call(node, piped)
        for child in _children(node):
            if not (isinstance(node, ast.CallExpr) and child is node.callee
                    and isinstance(child, ast.Identifier | ast.MemberExpr)):  # call() did it
                yield from self.expr(child)

    def call(self, node: ast.CallExpr, piped: bool) -> Iterator[FluxError]:
        callee = node.callee
        sig: Signature | str | None = None
        if isinstance(callee, ast.Identifier):
            found, sig = self.lookup(callee.name)
            if not found:
                yield CheckError(f"unknown function {callee.name}()", callee.span.line,
                                 callee.span.col)
                return
        elif isinstance(callee, ast.MemberExpr):
            found = self.member(callee)
            if found is None:
                yield from self.expr(callee)
                return
            if not found[0]:
                yield CheckError(f"unknown function {_dotted(callee)}()", callee.span.line,
                                 callee.span.col)
                return
            sig = found[1]
            if sig is not None:
                sig = dataclasses.replace(sig, name=_dotted(callee))
        if not isinstance(sig, Signature):
            return
        given = {a.key: a for a in node.arguments}
        for key, arg in given.items():
            if key not in sig.params:
                yield CheckError(f"unknown argument {key!r} for {sig.name}()", arg.span.line,
                                 arg.span.col)
        for key in sorted(sig.required - set(given)):
            yield CheckError(f"missing required argument {key!r} for {sig.name}()",
                             node.span.line, node.span.col)
        if piped and sig.pipe is None:
            yield CheckError(f"{sig.name}() does not take piped input", node.span.line,
                             node.span.col)


def _dotted(node: ast.MemberExpr) -> str:
    assert isinstance(node.object, ast.Identifier)
    return f"{node.object.name}.{node.property}"


def _children(node: ast.Node) -> Iterator[ast.Expr]:
    """Direct sub-expressions of an expression (function bodies are handled by the caller)."""
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if isinstance(v, ast.Property):
                if v.value is not None:
                    yield v.value
            elif isinstance(v, tuple):
                yield from (x for x in v if isinstance(x, ast.Node))
            elif isinstance(v, ast.Node) and not isinstance(v, ast.Block):
                yield v  # type: ignore[misc]
