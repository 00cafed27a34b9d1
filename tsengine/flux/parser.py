"""A hand-written recursive-descent parser for Flux, with precedence climbing for operators.

Precedence, loosest first: `if`, `or`, `and`, `not`/`exists`, comparisons, `+ -`, `* / %`, `^`,
`|>`, unary `+ -`, then calls, members and indexes.
"""

from __future__ import annotations

import functools
import re

from storage import InvalidArgument, parse_time
from storage.regex import RegexSyntaxError, check_regex
from tsengine.errors import FluxSyntaxError
from tsengine.flux import ast
from tsengine.flux.tokens import DURATION_UNITS, T, Token, tokenize

_COMPARISON = ("==", "!=", "<", "<=", ">", ">=", "=~", "!~")
# binary operators, loosest first: comparisons, `+ -`, `* / %`, `^`
_PRECEDENCE = {op: level for level, ops in enumerate(
    (_COMPARISON, ("+", "-"), ("*", "/", "%"), ("^",)), start=1) for op in ops}
_DURATION_PART = re.compile(r"(\d+)(" + "|".join(DURATION_UNITS) + ")")
# how deeply expressions and blocks may nest before the parser gives up (as upstream: 80)
MAX_DEPTH = 80
# a Flux time is int64 nanoseconds since the epoch
_TIME_MIN, _TIME_MAX = -(2**63), 2**63 - 1


def parse(source: str) -> ast.File:
    """Parse a Flux script; raise FluxSyntaxError pointing at the problem."""
    parser = None
    try:
        parser = Parser(tokenize(source))
        return parser.file()
    except FluxSyntaxError as e:
        raise e.with_source(source) from None
    except RecursionError:
        raise _too_deep(parser, source) from None


@functools.lru_cache(maxsize=256)
def parse_cached(source: str) -> ast.File:
    """`parse`, remembering the trees of recent scripts: a dashboard or a task sends the same
    text again and again, and trees are never changed once built (frozen nodes)."""
    return parse(source)


def parse_expression(source: str) -> ast.Expr:
    """Parse a single Flux expression (for tests and the REPL-like uses)."""
    p = None
    try:
        p = Parser(tokenize(source))
        expr = p.expression()
        p.expect_eof()
        return expr
    except FluxSyntaxError as e:
        raise e.with_source(source) from None
    except RecursionError:
        raise _too_deep(p, source) from None


def _too_deep(parser: Parser | None, source: str) -> FluxSyntaxError:
    """Python's own stack ran out (deeply nested string interpolations, say)."""
    tok = parser.tok if parser is not None else None
    return FluxSyntaxError("the script is nested too deeply", tok.line if tok else 1,
                           tok.col if tok else 1, source)


class Parser:
    """Consumes a token list; every node gets the span of its tokens."""

    def __init__(self, tokens: list[Token], depth: int = 0) -> None:
        self.toks = tokens
        self.i = 0
        self.depth = depth

    # -- token helpers ----------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, n: int = 1) -> Token:
        return self.toks[min(self.i + n, len(self.toks) - 1)]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        if tok.kind is not T.EOF:
            self.i += 1
        return tok

    def error(self, message: str, tok: Token | None = None) -> FluxSyntaxError:
        tok = tok or self.tok
        return FluxSyntaxError(message, tok.line, tok.col)

    def expect_op(self, op: str, context: str = "") -> Token:
        if self.tok.is_op(op):
            return self.advance()
        raise self.error(f"expected '{op}'{context}, found {describe(self.tok)}")

    def expect_ident(self, what: str) -> Token:
        if self.tok.kind is T.IDENT:
            return self.advance()
        raise self.error(f"expected {what}, found {describe(self.tok)}")

    def expect_close(self, op: str, what: str, opened: Token, separator: bool = True) -> Token:
        """The `op` closing a `what` opened at `opened`. When the script ends or goes on to a
        new line instead, the error points just after the last token, where `op` is missing."""
        if self.tok.is_op(op):
            return self.advance()
        where = f"{opened.line}:{opened.col}"
        prev = self.toks[self.i - 1]
        if self.tok.kind is T.EOF or self.tok.line > prev.end_line:
            raise FluxSyntaxError(f"expected '{op}' to close the {what} opened at {where}",
                                  prev.end_line, prev.end_col)
        wanted = f"',' or '{op}'" if separator else f"'{op}'"
        raise self.error(f"expected {wanted} in the {what} opened at {where}, "
                         f"found {describe(self.tok)}")

    def expect_eof(self) -> None:
        if self.tok.kind is not T.EOF:
            raise self.error(f"unexpected {describe(self.tok)}")

    def span(self, start: Token, end: Token | None = None) -> ast.Span:
        end = end or self.toks[self.i - 1]
        return ast.Span(start.line, start.col, end.end_line, end.end_col)

    def span_nodes(self, a: ast.Node, b: ast.Node) -> ast.Span:
        return ast.Span(a.span.line, a.span.col, b.span.end_line, b.span.end_col)

    # -- file and statements ----------------------------------------------------------------
    def file(self) -> ast.File:
        start = self.tok
        package = None
        if self.tok.is_kw("package"):
            self.advance()
            package = self.expect_ident("a package name").text
        imports = []
        while self.tok.is_kw("import"):
            imports.append(self.import_())
        body = []
        while self.tok.kind is not T.EOF:
            if self.tok.is_kw("import"):
                raise self.error("imports must come before any other statement")
            body.append(self.statement(top=True))
        return ast.File(package, tuple(imports), tuple(body), span=self.span(start, self.tok))

    def import_(self) -> ast.ImportDeclaration:
        start = self.advance()
        alias = self.advance().text if self.tok.kind is T.IDENT else None
        if self.tok.kind is not T.STRING:
            raise self.error(f"expected an import path string, found {describe(self.tok)}")
        path = self.string_literal(self.advance())
        if not path.is_plain:
            raise self.error("an import path cannot be interpolated", start)
        return ast.ImportDeclaration(path.text, alias, span=self.span(start))

    def statement(self, top: bool = False) -> ast.Statement:
        tok = self.tok
        if tok.is_kw("option"):
            if not top:
                raise self.error("options can only be set at the top level of a script")
            return self.option()
        if tok.is_kw("return"):
            if top:
                raise self.error("return is only allowed inside a function body")
            self.advance()
            arg = self.expression()
            return ast.ReturnStatement(arg, span=self.span(tok))
        if tok.is_kw("builtin"):
            raise self.error("builtin declarations are not supported in scripts")
        if tok.is_kw("testcase"):
            return self.testcase()
        if tok.kind is T.IDENT and self.peek().is_op("="):
            self.advance()
            self.advance()
            init = self.expression()
            return ast.VariableAssignment(tok.text, init, span=self.span(tok))
        expr = self.expression()
        return ast.ExpressionStatement(expr, span=self.span(tok))

    def option(self) -> ast.OptionStatement:
        start = self.advance()
        name = self.expect_ident("an option name").text
        package = None
        if self.tok.is_op("."):
            self.advance()
            package, name = name, self.expect_ident("an option name").text
        self.expect_op("=", f" after option {name}")
        init = self.expression()
        return ast.OptionStatement(name, init, package, span=self.span(start))

    def testcase(self) -> ast.TestCaseStatement:
        start = self.advance()
        name = self.expect_ident("a testcase name").text
        extends = None
        if self.tok.kind is T.IDENT and self.tok.text == "extends":
            self.advance()
            if self.tok.kind is not T.STRING:
                raise self.error("expected a string after extends")
            extends = self.string_literal(self.advance()).text
        body = self.testcase_block()
        return ast.TestCaseStatement(name, body, extends, span=self.span(start))

    def testcase_block(self) -> ast.Block:
        """A testcase's body: it runs as the top level of its own script, so options may be
        set in it (`option now = ...`), as upstream allows."""
        start = self.expect_op("{")
        body = []
        self.enter()
        while not self.tok.is_op("}"):
            if self.tok.kind is T.EOF:
                self.expect_close("}", "testcase", start, separator=False)
            body.append(self.statement(top=True))
        self.advance()
        self.depth -= 1
        return ast.Block(tuple(body), span=self.span(start))

    def block(self) -> ast.Block:
        start = self.expect_op("{")
        body = []
        self.enter()
        while not self.tok.is_op("}"):
            if self.tok.kind is T.EOF:
                self.expect_close("}", "block", start, separator=False)
            body.append(self.statement())
        self.advance()
        self.depth -= 1
        return ast.Block(tuple(body), span=self.span(start))

    def enter(self) -> None:
        """One level deeper; a script nested deeper than MAX_DEPTH is refused."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the script is nested too deeply (more than {MAX_DEPTH} levels)")

    # -- expressions, loosest first ---------------------------------------------------------
    def expression(self) -> ast.Expr:
        self.enter()
        expr = self.conditional() if self.tok.is_kw("if") else self.logical_or()
        self.depth -= 1
        return expr

    def conditional(self) -> ast.Expr:
        if self.tok.is_kw("if"):
            start = self.advance()
            test = self.expression()
            if not self.tok.is_kw("then"):
                raise self.error(f"expected 'then', found {describe(self.tok)}")
            self.advance()
            consequent = self.expression()
            if not self.tok.is_kw("else"):
                raise self.error(f"expected 'else', found {describe(self.tok)}")
            self.advance()
            alternate = self.expression()
            return ast.ConditionalExpr(test, consequent, alternate, span=self.span(start))
        return self.logical_or()

    def logical_or(self) -> ast.Expr:
        left = self.logical_and()
        while self.tok.is_kw("or"):
            self.advance()
            right = self.logical_and()
            left = ast.LogicalExpr("or", left, right, span=self.span_nodes(left, right))
        return left

    def logical_and(self) -> ast.Expr:
        left = self.unary_logical()
        while self.tok.is_kw("and"):
            self.advance()
            right = self.unary_logical()
            left = ast.LogicalExpr("and", left, right, span=self.span_nodes(left, right))
        return left

    def unary_logical(self) -> ast.Expr:
        if self.tok.is_kw("not", "exists"):
            start = self.advance()
            arg = self.unary_logical()
            return ast.UnaryExpr(start.text, arg, span=self.span(start))
        return self.binary(1)

    def binary(self, min_precedence: int) -> ast.Expr:
        """Binary operators by precedence climbing; every level is left-associative."""
        left = self.pipe()
        while True:
            tok = self.tok
            precedence = _PRECEDENCE.get(tok.text, 0) if tok.kind is T.OP else 0
            if precedence < min_precedence:
                return left
            self.advance()
            right = self.binary(precedence + 1)
            left = ast.BinaryExpr(tok.text, left, right, span=self.span_nodes(left, right))

    def pipe(self) -> ast.Expr:
        left = self.unary()
        while self.tok.is_op("|>"):
            bar = self.advance()
            right = self.postfix()
            if not isinstance(right, ast.CallExpr):
                raise FluxSyntaxError("the right side of |> must be a function call",
                                      right.span.line, right.span.col)
            left = ast.PipeExpr(left, right, span=ast.Span(left.span.line, left.span.col,
                                                           right.span.end_line,
                                                           right.span.end_col))
            del bar
        return left

    def unary(self) -> ast.Expr:
        if self.tok.is_op("-", "+"):
            start = self.advance()
            arg = self.unary()
            return ast.UnaryExpr(start.text, arg, span=self.span(start))
        return self.postfix()

    def postfix(self) -> ast.Expr:
        expr = self.primary()
        while True:
            tok = self.tok
            same_line = tok.line == self.toks[self.i - 1].end_line
            if tok.is_op("(") and same_line:
                expr = self.call(expr)
            elif tok.is_op("."):
                self.advance()
                name = self.expect_ident("a member name after '.'")
                expr = ast.MemberExpr(expr, name.text, span=self.span_from(expr))
            elif tok.is_op("[") and same_line:
                self.advance()
                index = self.expression()
                self.expect_close("]", "index", tok, separator=False)
                if isinstance(index, ast.StringLit) and index.is_plain:
                    expr = ast.MemberExpr(expr, index.text, span=self.span_from(expr))
                else:
                    expr = ast.IndexExpr(expr, index, span=self.span_from(expr))
            else:
                return expr

    def span_from(self, node: ast.Node) -> ast.Span:
        end = self.toks[self.i - 1]
        return ast.Span(node.span.line, node.span.col, end.end_line, end.end_col)

    def call(self, callee: ast.Expr) -> ast.CallExpr:
        open_ = self.advance()
        args = self.properties(")", "call", open_)
        seen: set[str] = set()
        for a in args:
            if a.key in seen:
                raise FluxSyntaxError(f"duplicate argument {a.key!r}", a.span.line, a.span.col)
            seen.add(a.key)
        return ast.CallExpr(callee, tuple(args), span=self.span_from(callee))

    def properties(self, close: str, what: str, opened: Token) -> list[ast.Property]:
        """`key: value` or shorthand `key`, comma separated, up to `close` (consumed)."""
        props = []
        while not self.tok.is_op(close):
            start = self.tok
            if start.kind is T.IDENT:
                key = self.advance().text
            elif start.kind is T.STRING:
                lit = self.string_literal(self.advance())
                if not lit.is_plain:
                    raise self.error("a property name cannot be interpolated", start)
                key = lit.text
            elif start.kind is T.EOF:
                self.expect_close(close, what, opened)
            else:
                raise self.error(f"expected a property name or '{close}' in the {what} opened "
                                 f"at {opened.line}:{opened.col}, found {describe(start)}")
            value = None
            if self.tok.is_op(":"):
                self.advance()
                value = self.expression()
            elif start.kind is T.STRING:
                raise self.error(f"expected ':' after property {key!r}")
            props.append(ast.Property(key, value, span=self.span(start)))
            if self.tok.is_op(","):
                self.advance()
            elif not self.tok.is_op(close):
                self.expect_close(close, what, opened)
        self.advance()
        return props

    # -- primaries --------------------------------------------------------------------------
    def primary(self) -> ast.Expr:
        tok = self.tok
        kind = tok.kind
        if kind is T.IDENT:
            self.advance()
            if tok.text in ("true", "false"):
                return ast.BooleanLit(tok.text == "true", span=self.span(tok))
            return ast.Identifier(tok.text, span=self.span(tok))
        if kind is T.INT:
            self.advance()
            value = int(tok.text)
            if value >= 2**63:
                raise self.error(f"integer literal {tok.text} is out of range", tok)
            return ast.IntegerLit(value, span=self.span(tok))
        if kind is T.FLOAT:
            self.advance()
            return ast.FloatLit(float(tok.text), span=self.span(tok))
        if kind is T.STRING:
            return self.string_literal(self.advance())
        if kind is T.REGEX:
            self.advance()
            pattern = tok.text[1:-1].replace("\\/", "/")
            try:
                check_regex(pattern)  # RE2's syntax, as Go's regexp reads it
            except RegexSyntaxError as e:
                raise self.error(f"invalid regular expression {tok.text}: {e}", tok) from None
            return ast.RegexLit(pattern, span=self.span(tok))
        if kind is T.DURATION:
            self.advance()
            values = tuple((int(m.group(1)), m.group(2))
                           for m in _DURATION_PART.finditer(tok.text))
            return ast.DurationLit(values, span=self.span(tok))
        if kind is T.TIME:
            self.advance()
            try:
                value = parse_time(tok.text)
            except InvalidArgument as e:
                raise self.error(f"invalid date-time literal: {e}", tok) from None
            if not _TIME_MIN <= value <= _TIME_MAX:
                raise self.error(f"date-time literal {tok.text} is out of range (a time is "
                                 f"1677-09-21T00:12:43Z to 2262-04-11T23:47:16Z)", tok)
            return ast.DateTimeLit(value, tok.text, span=self.span(tok))
        if tok.is_op("("):
            if self.is_function_literal():
                return self.function()
            self.advance()
            expr = self.expression()
            self.expect_close(")", "parenthesis", tok, separator=False)
            return expr
        if tok.is_op("{"):
            return self.record()
        if tok.is_op("["):
            return self.array_or_dict()
        if tok.is_op("."):
            return self.label()
        raise self.error(f"expected an expression, found {describe(tok)}")

    def label(self) -> ast.StringLit:
        """A label literal `.name` or `."a name"`: upstream types it as a label (a subtype of
        string naming a column or record field) and evaluates it as that name's string."""
        dot = self.advance()
        tok = self.tok
        if tok.kind is T.IDENT:
            self.advance()
            return ast.StringLit((tok.text,), span=self.span(dot))
        if tok.kind is T.STRING:
            lit = self.string_literal(self.advance())
            if not lit.is_plain:
                raise self.error("a label cannot be interpolated", tok)
            return ast.StringLit((lit.text,), span=self.span(dot))
        raise self.error(f"expected a label name after '.', found {describe(tok)}")

    def string_literal(self, tok: Token) -> ast.StringLit:
        parts: list[str | ast.Expr] = []
        for part in tok.parts:
            if part.tokens is None:
                parts.append(part.text)
            else:
                sub = Parser(list(part.tokens), self.depth)
                expr = sub.expression()
                sub.expect_eof()
                parts.append(expr)
        return ast.StringLit(tuple(parts), span=self.span(tok, tok))

    def is_function_literal(self) -> bool:
        depth = 0
        j = self.i
        while j < len(self.toks):
            t = self.toks[j]
            if t.is_op("(", "[", "{"):
                depth += 1
            elif t.is_op(")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return self.toks[j + 1].is_op("=>") if j + 1 < len(self.toks) else False
            elif t.kind is T.EOF:
                return False
            j += 1
        return False

    def function(self) -> ast.FunctionExpr:
        start = self.advance()
        params = []
        while not self.tok.is_op(")"):
            ptok = self.expect_ident("a parameter name")
            default = None
            pipe = False
            if self.tok.is_op("="):
                self.advance()
                if self.tok.is_op("<-"):
                    self.advance()
                    pipe = True
                else:
                    default = self.expression()
            params.append(ast.Parameter(ptok.text, default, pipe, span=self.span(ptok)))
            if self.tok.is_op(","):
                self.advance()
            elif not self.tok.is_op(")"):
                self.expect_close(")", "parameter list", start)
        self.advance()
        names = [p.name for p in params]
        for p in params:
            if names.count(p.name) > 1:
                raise FluxSyntaxError(f"duplicate parameter {p.name!r}", p.span.line, p.span.col)
        pipes = [p for p in params if p.pipe]
        if len(pipes) > 1:
            raise FluxSyntaxError("a function can have only one pipe parameter (<-)",
                                  pipes[1].span.line, pipes[1].span.col)
        self.expect_op("=>")
        body: ast.Expr | ast.Block = self.block() if self.tok.is_op("{") else self.expression()
        return ast.FunctionExpr(tuple(params), body, span=self.span(start))

    def record(self) -> ast.RecordExpr:
        start = self.advance()
        with_ = None
        if (self.tok.kind is T.IDENT and self.peek().kind is T.IDENT
                and self.peek().text == "with"):
            ident = self.advance()
            self.advance()
            with_ = ast.Identifier(ident.text, span=self.span(ident, ident))
        props = self.properties("}", "record", start)
        keys = [p.key for p in props]
        for p in props:
            if keys.count(p.key) > 1:
                raise FluxSyntaxError(f"duplicate property {p.key!r}", p.span.line, p.span.col)
        return ast.RecordExpr(tuple(props), with_, span=self.span(start))

    def array_or_dict(self) -> ast.Expr:
        start = self.advance()
        if self.tok.is_op("]"):
            self.advance()
            return ast.ArrayExpr((), span=self.span(start))
        if self.tok.is_op(":") and self.peek().is_op("]"):
            self.advance()
            self.advance()
            return ast.DictExpr((), span=self.span(start))
        first = self.expression()
        if self.tok.is_op(":"):
            items = []
            self.advance()
            items.append((first, self.expression()))
            while self.tok.is_op(","):
                self.advance()
                if self.tok.is_op("]"):
                    break
                key = self.expression()
                if not self.tok.is_op(":"):
                    raise self.error(f"expected ':' after a key in the dictionary opened at "
                                     f"{start.line}:{start.col}, found {describe(self.tok)}")
                self.advance()
                items.append((key, self.expression()))
            self.expect_close("]", "dictionary", start)
            return ast.DictExpr(tuple(items), span=self.span(start))
        elements = [first]
        while self.tok.is_op(","):
            self.advance()
            if self.tok.is_op("]"):
                break
            elements.append(self.expression())
        self.expect_close("]", "array", start)
        return ast.ArrayExpr(tuple(elements), span=self.span(start))


def describe(tok: Token) -> str:
    """A token as an error message names it."""
    if tok.kind is T.EOF:
        return "end of input"
    if tok.kind in (T.OP,):
        return f"'{tok.text}'"
    return f"{tok.kind.value} {tok.text!r}"
