"""Finding testcases: `*_test.flux` files under the paths given, the testcases in each, and the
script each testcase runs as.

As upstream, a testcase runs as its own script: the file's imports and every statement outside
the testcases (wherever it stands in the file), then the testcase's body. Every statement keeps
its position in the file, so errors point at the file's line:column.

`testcase name extends "module/dir/file.parent" { ... super() ... }` runs the parent file's
statements after this file's, then this body with `super()` replaced by the parent testcase's
body. `module` is the directory of a `fluxtest.root` file (JSON, `{"name": "module"}`) in the
test file's directory or above, as upstream's test roots; positions inside the parent's
statements are the parent file's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tsengine.errors import FluxSyntaxError
from tsengine.flux import ast
from tsengine.flux.parser import parse

TEST_SUFFIX = "_test.flux"
ROOT_FILE = "fluxtest.root"


class Unsupported(Exception):
    """A testcase that cannot run here (it is skipped, with this reason)."""


class BadTest(Exception):
    """A testcase that cannot be assembled (an error, as a failing run)."""


@dataclass(frozen=True)
class TestCase:
    """One testcase of a file; `line`, `column` is where its `testcase` keyword stands."""

    path: str
    name: str
    line: int
    column: int
    extends: str | None = None
    tags: tuple[str, ...] = ()  # `option testing.tags = [...]`: skipped unless asked for

    @property
    def id(self) -> str:
        return f"{self.path}::{self.name}"


@dataclass(frozen=True)
class TestFile:
    """A test file: its testcases, or the syntax error that kept it from parsing."""

    path: str
    cases: tuple[TestCase, ...]
    error: FluxSyntaxError | None = None


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """The test files: every `*_test.flux` below a directory, a file as given; sorted, once
    each. A path that does not exist is a FileNotFoundError."""
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.update(dict.fromkeys(sorted(path.rglob(f"*{TEST_SUFFIX}"))))
        elif path.is_file():
            found[path] = None
        else:
            raise FileNotFoundError(f"{raw}: no such file or directory")
    return list(found)


def load(path: Path, pattern: str | None = None) -> TestFile:
    """A file's testcases (those whose name `pattern` finds, when given)."""
    try:
        file = parse(path.read_text())
    except FluxSyntaxError as e:
        return TestFile(str(path), (), e)
    wanted = re.compile(pattern) if pattern else None
    preamble = _preamble(file)
    cases = tuple(TestCase(str(path), s.name, s.span.line, s.span.col, s.extends,
                           _tags([*preamble, *s.body.body]))
                  for s in testcases(file) if wanted is None or wanted.search(s.name))
    return TestFile(str(path), cases)


def _tags(statements: list[ast.Statement]) -> tuple[str, ...]:
    """The last `option testing.tags = ["a", ...]` of a testcase's statements (upstream reads
    only string literals)."""
    tags: tuple[str, ...] = ()
    for stmt in statements:
        if (isinstance(stmt, ast.OptionStatement) and stmt.package == "testing"
                and stmt.name == "tags" and isinstance(stmt.init, ast.ArrayExpr)):
            tags = tuple(e.text for e in stmt.init.elements
                         if isinstance(e, ast.StringLit) and e.is_plain)
    return tags


def testcases(file: ast.File) -> Iterator[ast.TestCaseStatement]:
    return (s for s in file.body if isinstance(s, ast.TestCaseStatement))


def script(path: Path, name: str) -> tuple[ast.File, str]:
    """The program testcase `name` of a file runs as, and the file's text (for errors)."""
    source = path.read_text()
    file = parse(source)
    found = [s for s in testcases(file) if s.name == name]
    if not found:
        raise BadTest(f"no testcase {name!r} in {path}")
    if len(found) > 1:
        second = found[1].span
        raise BadTest(f"duplicate testcase name {name!r} (at {found[0].span.line}:"
                      f"{found[0].span.col} and {second.line}:{second.col})")
    case = found[0]
    imports = file.imports
    body = list(_preamble(file))
    statements: list[ast.Statement] = list(case.body.body)
    if case.extends is not None:
        parent = _parent(path, case.extends)
        imports = _merged(imports, parent.imports)
        body += _preamble(parent)
        statements = _with_super(statements, _parent_case(parent, case.extends))
    program = ast.File(file.package, imports, tuple(body + statements), span=file.span)
    return program, source


def _preamble(file: ast.File) -> list[ast.Statement]:
    return [s for s in file.body if not isinstance(s, ast.TestCaseStatement)]


def _merged(mine: tuple[ast.ImportDeclaration, ...], theirs: tuple[ast.ImportDeclaration, ...]
            ) -> tuple[ast.ImportDeclaration, ...]:
    paths = {i.path for i in mine}
    return mine + tuple(i for i in theirs if i.path not in paths)


def _with_super(statements: list[ast.Statement], parent: list[ast.Statement]
                ) -> list[ast.Statement]:
    """The body with its first `super()` replaced by the parent testcase's statements."""
    for i, stmt in enumerate(statements):
        if (isinstance(stmt, ast.ExpressionStatement)
                and isinstance(stmt.expression, ast.CallExpr)
                and isinstance(stmt.expression.callee, ast.Identifier)
                and stmt.expression.callee.name == "super" and not stmt.expression.arguments):
            return statements[:i] + parent + statements[i + 1:]
    return statements


def _parent(path: Path, extends: str) -> ast.File:
    """The file an `extends` path names, parsed."""
    module, _, rest = extends.partition("/")
    if not rest:
        raise BadTest(f'extends "{extends}": the path must start with a test module name')
    root = _module_root(path, module)
    if root is None:
        raise Unsupported(f'extends "{extends}": test module "{module}" not found (no '
                          f'{ROOT_FILE} naming it in {path.parent} or above)')
    stem = rest.rsplit(".", 1)[0] if "." in rest.rsplit("/", 1)[-1] else rest
    target = root / f"{stem}.flux"
    try:
        return parse(target.read_text())
    except OSError as e:
        raise BadTest(f'extends "{extends}": cannot read {target}: {e.strerror}') from None
    except FluxSyntaxError as e:
        raise BadTest(f'extends "{extends}": {target}: {e}') from None


def _parent_case(parent: ast.File, extends: str) -> list[ast.Statement]:
    name = extends.rsplit(".", 1)[-1]
    for case in testcases(parent):
        if case.name == name:
            return list(case.body.body)
    raise BadTest(f'extends "{extends}": no testcase {name!r} there')


def _module_root(path: Path, module: str) -> Path | None:
    """The directory of the nearest `fluxtest.root` above `path` that names `module`."""
    for directory in path.resolve().parents:
        root = directory / ROOT_FILE
        if root.is_file():
            try:
                name = json.loads(root.read_text()).get("name")
            except (OSError, ValueError, AttributeError):
                continue
            if name == module:
                return directory
    return None
