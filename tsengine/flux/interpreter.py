"""The Flux interpreter: scopes, closures, options, imports and expression evaluation.

Statements run in order. Options live in their own scope between the universe and the script,
so extern options (`v` from a task, `now` from a test) are overridden by the script's own.
`now()` is read once per run.
"""

from __future__ import annotations

import functools
import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tsengine.errors import FluxRuntimeError
from tsengine.flux import ast
from tsengine.flux.functions import ArgumentError, Builtin, Closure
from tsengine.flux.null_types import null_type
from tsengine.flux.operators import OperatorError, binary, negate, truth
from tsengine.flux.parser import parse, parse_cached
from tsengine.flux.registry import REGISTRY, Registry
from tsengine.flux.values import (
    Array,
    Dict,
    Duration,
    Record,
    Regex,
    Time,
    a_type,
    format_value,
    type_name,
)

_UNSET = object()


class Scope:
    """A block's variables, chained to the enclosing block's."""

    def __init__(self, parent: Scope | None = None, mutable: bool = False) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.mutable = mutable

    def child(self) -> Scope:
        return Scope(self)

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return _UNSET

    def define(self, name: str, value: Any) -> None:
        if name in self.vars and not self.mutable:
            raise NameError(name)
        self.vars[name] = value


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


@dataclass
class Program:
    """What running a script left: its variables, options and top-level expression values."""

    scope: Scope
    options: Scope
    results: list[tuple[ast.ExpressionStatement, Any]] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        value = self.scope.lookup(name)
        if value is _UNSET:
            raise KeyError(name)
        return value


class Interpreter:
    """Evaluates Flux ASTs against a registry of builtins."""

    def __init__(self, registry: Registry = REGISTRY, now: Callable[[], int] | None = None,
                 source: str | None = None) -> None:
        self.registry = registry
        self._clock = now or _time.time_ns
        self._now: Time | None = None
        self._now_option: Any = None
        self.source = source
        self.universe = Scope()
        self.universe.vars.update(registry.universe)
        self.options = Scope(self.universe, mutable=True)
        # per run: import name -> package path, and `option pkg.name = ...` values by path
        self._imports: dict[str, str] = {}
        self.package_options: dict[str, dict[str, Any]] = {}
        self._prelude_loaded = False
        # package members written in Flux, evaluated once per interpreter (closures hold its scope)
        self._flux_members: dict[str, dict[str, Any]] = {}
        # the script's call of the stdlib Flux function being evaluated (see `call`)
        self._stdlib_site: ast.Node | None = None
        self.on_result: Callable[[ast.ExpressionStatement, Any], None] | None = None
        # set by the query runner: runs a stream now (for tableFind, findRecord and the like,
        # whose value is needed while the script is still being evaluated)
        self.materialize: Callable[[Any], Any] | None = None

    # -- running ----------------------------------------------------------------------------
    def run(self, file: ast.File | str, extern: Mapping[str, Any] | None = None) -> Program:
        """Run a script (AST or text); `extern` options are set first, the script's win."""
        if isinstance(file, str):
            self.source = file
            file = parse_cached(file)
        # each run starts from the registry alone: no options, now() or imports of a former run
        self.options = Scope(self.universe, mutable=True)
        self._now = None
        self._now_option = None
        self._imports = {}
        self.package_options = {}
        try:
            self._load_prelude()
            for name, value in (extern or {}).items():
                if name == "now":
                    self._now_option = value
                else:
                    self.options.define(name, value)
            top = Scope(self.options)
            program = Program(top, self.options)
            for imp in file.imports:
                self._import(imp, top)
            # now() is one time for the whole run, so `option now` applies from the start
            hoisted = [s for s in file.body if isinstance(s, ast.OptionStatement)
                       and s.package is None and s.name == "now"]
            rest = [s for s in file.body if not any(s is h for h in hoisted)]
            for stmt in hoisted + rest:
                try:
                    self._statement(stmt, top, program)
                except RecursionError:
                    raise self.error("the script recurses or nests too deeply to evaluate "
                                     "(a function that calls itself?)", stmt) from None
            return program
        except FluxRuntimeError as e:
            raise e.with_source(self.source) if self.source else e from None

    def _load_prelude(self) -> None:
        if self._prelude_loaded:
            return
        self._prelude_loaded = True
        for package, source in self.registry.prelude:
            scope = Scope(self.universe)
            file = _parsed_prelude(source)
            for imp in file.imports:
                scope.vars[imp.alias or imp.path.rsplit("/", 1)[-1]] = self._package(imp.path)
            target = (self.universe.vars if package is None
                      else self._flux_members.setdefault(package, {}))
            for stmt in file.body:
                if isinstance(stmt, ast.VariableAssignment):
                    value = self.evaluate(stmt.init, scope)
                    if isinstance(value, Closure):
                        value.name = stmt.name
                    target[stmt.name] = value
                    scope.vars[stmt.name] = value

    def _import(self, imp: ast.ImportDeclaration, scope: Scope) -> None:
        if self.registry.package(imp.path) is None and imp.path != UNIVERSE \
                and not _known_package(imp.path):
            raise self.error(unsupported_message(imp.path, package=True), imp)
        name = imp.alias or imp.path.rsplit("/", 1)[-1]
        try:
            scope.define(name, self._package(imp.path))
        except NameError:
            raise self.error(f"{name!r} is already imported", imp) from None
        self._imports[name] = imp.path

    def _package(self, path: str) -> Record:
        """A package's members, with this run's `option pkg.name = ...` values over them."""
        if path == UNIVERSE:  # `import "universe"`: the prelude's names, Flux-written ones too
            return Record(dict(self.universe.vars))
        # a Flux package tsengine lacks imports as no members: using one names it unsupported
        return Record({**self.registry.packages.get(path, {}), **self._flux_members.get(path, {}),
                       **self.package_options.get(path, {})})

    def package_option(self, path: str, name: str) -> Any:
        """The value of a package's option in this run (for builtins that read one)."""
        options = self.package_options.get(path, {})
        return options[name] if name in options else self.registry.packages[path][name]

    def _statement(self, stmt: ast.Statement, scope: Scope, program: Program | None) -> None:
        if isinstance(stmt, ast.VariableAssignment):
            value = self.evaluate(stmt.init, scope)
            if isinstance(value, Closure) and value.name == "function":
                value.name = stmt.name
            try:
                scope.define(stmt.name, value)
            except NameError:
                raise self.error(f"variable {stmt.name!r} is already defined in this block",
                                 stmt) from None
        elif isinstance(stmt, ast.OptionStatement):
            value = self.evaluate(stmt.init, scope)
            if stmt.package is None and stmt.name == "now":
                # `now` stays the builtin, reading this function once: one time per run
                self._now_option = value
                self._now = None
            elif stmt.package is None:
                self.options.define(stmt.name, value)
            else:
                self._set_package_option(stmt, value, scope)
        elif isinstance(stmt, ast.ExpressionStatement):
            value = self.evaluate(stmt.expression, scope)
            if program is not None:
                program.results.append((stmt, value))
                if self.on_result is not None:
                    self.on_result(stmt, value)
        elif isinstance(stmt, ast.ReturnStatement):
            raise _Return(self.evaluate(stmt.argument, scope))
        elif isinstance(stmt, ast.TestCaseStatement):
            scope.define(stmt.name, stmt)
        else:  # pragma: no cover - the parser produces nothing else
            raise self.error(f"unsupported statement {type(stmt).__name__}", stmt)

    def _set_package_option(self, stmt: ast.OptionStatement, value: Any, scope: Scope) -> None:
        """`option pkg.name = value`: for this run only, never in the shared registry."""
        path = self._imports.get(stmt.package or "")
        if path is None:
            raise self.error(f"{stmt.package!r} is not an imported package", stmt)
        if stmt.name not in self.registry.packages[path]:
            raise self.error(f'package "{path}" has no option {stmt.name!r}', stmt)
        self.package_options.setdefault(path, {})[stmt.name] = value
        scope.vars[stmt.package or ""] = self._package(path)

    def run_body(self, body: ast.Expr | ast.Block, scope: Scope) -> Any:
        """A function body: an expression, or a block that must `return`."""
        if not isinstance(body, ast.Block):
            return self.evaluate(body, scope)
        try:
            for stmt in body.body:
                self._statement(stmt, scope, None)
        except _Return as r:
            return r.value
        raise self.error("function body ended without a return statement", body)

    # -- now() ------------------------------------------------------------------------------
    def now(self) -> Time:
        """The script's `now`, fixed for the whole run (the `now` option may override it)."""
        if self._now is None:
            fn = self._now_option
            if fn is None or fn is self.universe.vars.get("now"):
                self._now = Time(self._clock())
            elif not isinstance(fn, Closure):
                raise FluxRuntimeError(f"option now must be a function, found {type_name(fn)}")
            else:
                value = self.call(fn, {}, fn.node)
                if not isinstance(value, Time):
                    raise self.error(f"option now must return a time, returned "
                                     f"{type_name(value)}", fn.node)
                self._now = value
        return self._now

    # -- expressions ------------------------------------------------------------------------
    def error(self, message: str, node: ast.Node) -> FluxRuntimeError:
        span = self._placed(node).span
        return FluxRuntimeError(message, span.line, span.col, self.source)

    def evaluate(self, node: ast.Expr, scope: Scope) -> Any:
        """The value of an expression in a scope."""
        method = _EVALUATORS.get(type(node))
        if method is None:  # pragma: no cover
            raise self.error(f"cannot evaluate {type(node).__name__}", node)
        return method(self, node, scope)

    def _identifier(self, node: ast.Identifier, scope: Scope) -> Any:
        value = scope.lookup(node.name)
        if value is _UNSET:
            raise self.error(unsupported_message(node.name), node)
        return value

    def _string(self, node: ast.StringLit, scope: Scope) -> str:
        out = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.evaluate(part, scope)
            if value is None:
                raise self.error("interpolated expression produced a null value", part)
            if isinstance(value, Record | Array | Dict) or callable(getattr(value, "call", None)):
                raise self.error(f"cannot interpolate {a_type(value)} into a string", part)
            out.append(format_value(value))
        return "".join(out)

    def _record(self, node: ast.RecordExpr, scope: Scope) -> Record:
        items = {}
        types = {}
        for prop in node.properties:
            value = (prop.value if prop.value is not None
                     else ast.Identifier(prop.key, span=prop.span))
            items[prop.key] = self.evaluate(value, scope)
            if items[prop.key] is None and (kind := null_type(self, value, scope)) is not None:
                types[prop.key] = kind
        if node.with_ is None:
            return Record(items, null_types=types)
        base = self.evaluate(node.with_, scope)
        if not isinstance(base, Record):
            raise self.error(f"'with' needs a record, found {type_name(base)}", node.with_)
        return base.extend(items, types)

    def _array(self, node: ast.ArrayExpr, scope: Scope) -> Array:
        values = [self.evaluate(e, scope) for e in node.elements]
        types = {type_name(v) for v in values if v is not None}
        if len(types) > 1:
            raise self.error(f"array elements must have one type, found {sorted(types)}", node)
        return Array(values)

    def _dict(self, node: ast.DictExpr, scope: Scope) -> Dict:
        return Dict({self.evaluate(k, scope): self.evaluate(v, scope) for k, v in node.items})

    def _member(self, node: ast.MemberExpr, scope: Scope) -> Any:
        obj = self.evaluate(node.object, scope)
        if isinstance(obj, Record):
            if node.property in obj:
                return obj[node.property]
            if obj.row:
                return None
            alias = self._package_alias(node.object, obj)
            if alias is not None:
                raise self.error(unsupported_message(f"{alias}.{node.property}"), node)
            raise self.error(f"record has no property {node.property!r}", node)
        if obj is None:
            return None
        raise self.error(f"cannot access property {node.property!r} of {a_type(obj)}",
                         node)

    def _package_alias(self, node: ast.Expr, obj: Record) -> str | None:
        """The name `node` imports a package under (None for a record shadowing it)."""
        if not isinstance(node, ast.Identifier) or node.name not in self._imports:
            return None
        members = self.registry.packages.get(self._imports[node.name], {})
        if not members:  # a package tsengine lacks: its record is empty
            return node.name if not obj else None
        return node.name if set(members) <= set(obj) else None

    def _index(self, node: ast.IndexExpr, scope: Scope) -> Any:
        obj = self.evaluate(node.object, scope)
        index = self.evaluate(node.index, scope)
        if isinstance(obj, Array):
            if isinstance(index, bool) or not isinstance(index, int):
                raise self.error(f"array index must be an int, found {type_name(index)}",
                                 node.index)
            if not 0 <= index < len(obj):
                raise self.error(f"index out of bounds: {index} (array length {len(obj)})",
                                 node.index)
            return obj[index]
        if isinstance(obj, Record) and isinstance(index, str):
            return obj.get(index)
        raise self.error(f"cannot index {a_type(obj)}", node)

    def _function(self, node: ast.FunctionExpr, scope: Scope) -> Closure:
        return Closure(node, scope)

    def _call(self, node: ast.CallExpr, scope: Scope, piped: Any = _UNSET) -> Any:
        fn = self.evaluate(node.callee, scope)
        if not isinstance(fn, Closure | Builtin):
            raise self.error(f"cannot call {a_type(fn)}", node.callee)
        args = {}
        for prop in node.arguments:
            args[prop.key] = (self.evaluate(prop.value, scope) if prop.value is not None
                              else self._identifier(ast.Identifier(prop.key, span=prop.span),
                                                    scope))
        if piped is not _UNSET:
            pipe = fn.pipe_param
            if pipe is None:
                raise self.error(f"{fn.name}() does not take piped input", node)
            if pipe in args:
                raise self.error(f"argument {pipe!r} is both piped and given", node)
            args[pipe] = piped
        return self.call(fn, args, node)

    def call(self, fn: Closure | Builtin, args: Mapping[str, Any], node: ast.Node) -> Any:
        """Call a function value with named arguments; argument errors point at the call.

        Inside a stdlib function written in Flux, positions would be the prelude source's:
        from the script's call of such a function on, calls and errors are placed there."""
        outer = self._stdlib_site
        if id(node) not in _PRELUDE_NODES and isinstance(fn, Closure) \
                and id(fn.node) in _PRELUDE_NODES:
            self._stdlib_site = node
        try:
            return fn.call(self, args, self._placed(node).span)
        except ArgumentError as e:
            target = node
            if e.argument and isinstance(node, ast.CallExpr):
                target = next((a for a in node.arguments if a.key == e.argument), node)
            raise self.error(str(e), target) from None
        except OperatorError as e:
            raise self.error(str(e), node) from None
        finally:
            self._stdlib_site = outer

    def _placed(self, node: ast.Node) -> ast.Node:
        """Where the script sees `node`: its stdlib call site when `node` is prelude code."""
        if self._stdlib_site is not None and id(node) in _PRELUDE_NODES:
            return self._stdlib_site
        return node

    def _pipe(self, node: ast.PipeExpr, scope: Scope) -> Any:
        value = self.evaluate(node.argument, scope)
        return self._call(node.call, scope, piped=value)

    def _unary(self, node: ast.UnaryExpr, scope: Scope) -> Any:
        value = self.evaluate(node.argument, scope)
        try:
            if node.operator == "-":
                return negate(value)
            if node.operator == "+":
                if value is not None and type_name(value) not in ("int", "uint", "float",
                                                                   "duration"):
                    raise OperatorError(f"cannot apply unary + to {a_type(value)}")
                return value
            if node.operator == "exists":
                return value is not None
            cond = truth(value, "the operand of not")
            return None if cond is None else not cond
        except OperatorError as e:
            raise self.error(str(e), node) from None

    def _binary(self, node: ast.BinaryExpr, scope: Scope) -> Any:
        left = self.evaluate(node.left, scope)
        right = self.evaluate(node.right, scope)
        try:
            return binary(node.operator, left, right)
        except OperatorError as e:
            raise self.error(str(e), node) from None

    def _logical(self, node: ast.LogicalExpr, scope: Scope) -> Any:
        try:
            left = truth(self.evaluate(node.left, scope), f"the left side of {node.operator}")
            if node.operator == "and":
                if not left:  # false or null: false, as Flux's row evaluator does
                    return False
                return truth(self.evaluate(node.right, scope), "the right side of and")
            if left:
                return True
            return truth(self.evaluate(node.right, scope), "the right side of or")
        except OperatorError as e:
            raise self.error(str(e), node) from None

    def _conditional(self, node: ast.ConditionalExpr, scope: Scope) -> Any:
        try:
            test = truth(self.evaluate(node.test, scope), "an if condition")
        except OperatorError as e:
            raise self.error(str(e), node.test) from None
        return self.evaluate(node.consequent if test else node.alternate, scope)


def _literal(attr: str) -> Callable[[Interpreter, Any, Scope], Any]:
    return lambda _i, node, _s: getattr(node, attr)


_EVALUATORS: dict[type, Callable[[Interpreter, Any, Scope], Any]] = {
    ast.Identifier: Interpreter._identifier,
    ast.IntegerLit: _literal("value"),
    ast.FloatLit: _literal("value"),
    ast.BooleanLit: _literal("value"),
    ast.StringLit: Interpreter._string,
    ast.RegexLit: lambda _i, node, _s: Regex(node.pattern),
    ast.DurationLit: lambda _i, node, _s: Duration.of(node.values),
    ast.DateTimeLit: lambda _i, node, _s: Time(node.value),
    ast.ArrayExpr: Interpreter._array,
    ast.DictExpr: Interpreter._dict,
    ast.RecordExpr: Interpreter._record,
    ast.FunctionExpr: Interpreter._function,
    ast.CallExpr: Interpreter._call,
    ast.PipeExpr: Interpreter._pipe,
    ast.MemberExpr: Interpreter._member,
    ast.IndexExpr: Interpreter._index,
    ast.UnaryExpr: Interpreter._unary,
    ast.BinaryExpr: Interpreter._binary,
    ast.LogicalExpr: Interpreter._logical,
    ast.ConditionalExpr: Interpreter._conditional,
}


UNIVERSE = "universe"  # the package path of the names every script has without an import

# ids of every node of the parsed prelude (kept alive by the cache below)
_PRELUDE_NODES: set[int] = set()


@functools.cache
def _parsed_prelude(source: str) -> ast.File:
    """A stdlib definition's syntax tree, parsed once per process (every query evaluates the
    prelude again; trees are never changed by evaluation)."""
    file = parse(source)
    _PRELUDE_NODES.update(id(node) for node in ast.walk(file))
    return file


def _known_package(path: str) -> bool:
    """Whether Flux's standard library has the package (tsengine may lack it): upstream
    scripts import packages they never use, so the import itself succeeds."""
    from tsengine.flux.signatures import PACKAGES

    return path in PACKAGES


def unsupported_message(name: str, package: bool = False) -> str:
    """What to say of a name (or `pkg.member`, or a package path) tsengine does not define: Flux
    has it and tsengine does not support it, or Flux does not have it either."""
    from tsengine.flux.signatures import PACKAGES, UNIVERSE

    if package:
        if name in PACKAGES:
            return f'package "{name}" is not supported by tsengine'
        return f'unknown package "{name}"'
    if "." in name or name in UNIVERSE:  # a member of a package tsengine has, but not this one
        return f"{name} is not supported by tsengine"
    return f"undefined identifier {name}"
