"""Flux tokens and the lexer that produces them, each with its line:column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from tsengine.errors import FluxSyntaxError


class T(StrEnum):
    """Token kinds."""

    IDENT = "identifier"
    INT = "integer"
    FLOAT = "float"
    STRING = "string"
    REGEX = "regex"
    DURATION = "duration"
    TIME = "time"
    KEYWORD = "keyword"
    OP = "operator"
    EOF = "end of input"


KEYWORDS = frozenset({
    "and", "or", "not", "exists", "if", "then", "else", "import", "package", "option",
    "builtin", "return", "testcase",
})
# longest first, so `<=` wins over `<`
OPERATORS = ("|>", "<-", "=>", "==", "!=", "<=", ">=", "=~", "!~", "+", "-", "*", "/", "%",
             "^", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ":", ".")
DURATION_UNITS = ("mo", "ms", "us", "µs", "ns", "y", "w", "d", "h", "m", "s")
# digits are ASCII only (re.ASCII): `²` or `٣` is no number
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?", re.ASCII)
# anything starting like a date, for a clear error when it is not a valid date-time literal
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[\d:.]*(?:Z|[+-][\d:]*)?)?[\w.]*", re.ASCII)
_DURATION = re.compile(r"(?:\d+(?:mo|ms|us|µs|ns|y|w|d|h|m|s))+", re.ASCII)
_NUMBER = re.compile(r"\d+\.\d*|\.\d+|\d+", re.ASCII)
_DIGITS = frozenset("0123456789")
_IDENT = re.compile(r"[^\W\d]\w*")
# after these a `/` divides; anywhere else it opens a regex
_OPERAND_END = {T.IDENT, T.INT, T.FLOAT, T.STRING, T.REGEX, T.DURATION, T.TIME}


@dataclass(frozen=True)
class StringPart:
    """A piece of a string literal: text, or an interpolated expression's tokens."""

    text: str = ""
    tokens: tuple[Token, ...] | None = None


@dataclass(frozen=True)
class Token:
    """One token: kind, source text, start and end positions (1-based line and column)."""

    kind: T
    text: str
    line: int
    col: int
    end_line: int
    end_col: int
    parts: tuple[StringPart, ...] = field(default=(), compare=False)

    def is_op(self, *ops: str) -> bool:
        return self.kind is T.OP and self.text in ops

    def is_kw(self, *words: str) -> bool:
        return self.kind is T.KEYWORD and self.text in words


class Lexer:
    """Turns Flux source into tokens; `/` is a regex where an operand is expected."""

    def __init__(self, source: str, line: int = 1, col: int = 1) -> None:
        self.src = source
        self.pos = 0
        self.line = line
        self.col = col

    def tokens(self, stop_at_brace: bool = False) -> list[Token]:
        """All tokens to the end (or, inside `${...}`, to the unmatched `}`), then EOF."""
        out: list[Token] = []
        depth = 0
        while True:
            self._skip_space_and_comments()
            if self.pos >= len(self.src):
                if stop_at_brace:
                    raise FluxSyntaxError("string interpolation is not closed with '}'",
                                          self.line, self.col)
                out.append(Token(T.EOF, "", self.line, self.col, self.line, self.col))
                return out
            if stop_at_brace and self.src[self.pos] == "}" and depth == 0:
                out.append(Token(T.EOF, "", self.line, self.col, self.line, self.col))
                return out
            prev = out[-1] if out else None
            tok = self._next(prev)
            if tok.is_op("{"):
                depth += 1
            elif tok.is_op("}"):
                depth -= 1
            out.append(tok)

    # -- scanning helpers ------------------------------------------------------------------
    def _advance(self, n: int) -> str:
        text = self.src[self.pos:self.pos + n]
        for ch in text:
            if ch == "\n":
                self.line += 1
                self.col = 1
            else:
                self.col += 1
        self.pos += n
        return text

    def _skip_space_and_comments(self) -> None:
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch.isspace():
                self._advance(1)
            elif self.src.startswith("//", self.pos):
                end = self.src.find("\n", self.pos)
                self._advance((len(self.src) if end < 0 else end) - self.pos)
            else:
                return

    def _token(self, kind: T, length: int, parts: tuple[StringPart, ...] = ()) -> Token:
        line, col = self.line, self.col
        text = self._advance(length)
        return Token(kind, text, line, col, self.line, self.col, parts)

    def _next(self, prev: Token | None) -> Token:
        src, pos = self.src, self.pos
        ch = src[pos]
        if ch == '"':
            return self._string()
        if ch in _DIGITS or (ch == "." and pos + 1 < len(src) and src[pos + 1] in _DIGITS):
            for kind, pattern in ((T.TIME, _DATETIME), (T.DURATION, _DURATION)):
                m = pattern.match(src, pos)
                if m and not _continues_word(src, m.end()):
                    return self._token(kind, m.end() - pos)
                if kind is T.TIME and (bad := _DATE_LIKE.match(src, pos)):
                    raise FluxSyntaxError(
                        f"invalid date-time literal {bad.group()!r}: expected a date like "
                        f"2024-01-01 or an RFC3339 time like 2024-01-01T00:00:00Z",
                        self.line, self.col)
            m = _NUMBER.match(src, pos)
            assert m is not None
            text = m.group()
            if "." not in text and len(text) > 1 and text[0] == "0":
                raise FluxSyntaxError(f"invalid integer literal {text!r}: leading zero",
                                      self.line, self.col)
            if _continues_word(src, m.end()):
                bad = re.match(r"[\w.]+", src[pos:])
                raise FluxSyntaxError(f"invalid number or duration {bad.group()!r}"  # type: ignore[union-attr]
                                      , self.line, self.col)
            return self._token(T.FLOAT if "." in text else T.INT, len(text))
        if ch == "/" and not (prev is not None and (prev.kind in _OPERAND_END
                                                    or prev.is_op(")", "]", "}"))):
            return self._regex()
        m = _IDENT.match(src, pos)
        if m and (ch.isalpha() or ch == "_"):
            word = m.group()
            return self._token(T.KEYWORD if word in KEYWORDS else T.IDENT, len(word))
        for op in OPERATORS:
            if src.startswith(op, pos):
                return self._token(T.OP, len(op))
        raise FluxSyntaxError(f"unexpected character {ch!r}", self.line, self.col)

    def _string(self) -> Token:
        """A string literal; `${...}` parts are lexed recursively so they can nest strings."""
        start_line, start_col, start = self.line, self.col, self.pos
        self._advance(1)
        parts: list[StringPart] = []
        buf: list[str] = []
        while True:
            if self.pos >= len(self.src):
                raise FluxSyntaxError("string literal is not terminated", start_line, start_col)
            ch = self.src[self.pos]
            if ch == '"':
                self._advance(1)
                break
            if ch == "\\":
                buf.append(self._escape())
                continue
            if self.src.startswith("${", self.pos):
                if buf:
                    parts.append(StringPart("".join(buf)))
                    buf = []
                self._advance(2)
                inner = Lexer(self.src, self.line, self.col)
                inner.pos = self.pos
                toks = inner.tokens(stop_at_brace=True)
                self._advance(inner.pos - self.pos)
                if len(toks) == 1:
                    raise FluxSyntaxError("empty string interpolation", self.line, self.col)
                self._advance(1)  # the closing brace
                parts.append(StringPart(tokens=tuple(toks)))
                continue
            buf.append(self._advance(1))
        if buf or not parts:
            parts.append(StringPart("".join(buf)))
        return Token(T.STRING, self.src[start:self.pos], start_line, start_col, self.line,
                     self.col, tuple(parts))

    def _escape(self) -> str:
        line, col = self.line, self.col
        nxt = self.src[self.pos + 1:self.pos + 2]
        simple = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$"}
        if nxt in simple:
            self._advance(2)
            return simple[nxt]
        if nxt == "x":
            hexes = []
            while self.src.startswith("\\x", self.pos) and re.fullmatch(
                    r"[0-9a-fA-F]{2}", self.src[self.pos + 2:self.pos + 4]):
                hexes.append(int(self.src[self.pos + 2:self.pos + 4], 16))
                self._advance(4)
            if not hexes:
                raise FluxSyntaxError("invalid \\x escape: expected two hex digits", line, col)
            try:
                return bytes(hexes).decode()
            except UnicodeDecodeError:
                raise FluxSyntaxError("\\x escapes do not form valid UTF-8", line, col) from None
        raise FluxSyntaxError(f"invalid escape sequence \\{nxt}", line, col)

    def _regex(self) -> Token:
        start_line, start_col, start = self.line, self.col, self.pos
        self._advance(1)
        while True:
            if self.pos >= len(self.src) or self.src[self.pos] == "\n":
                raise FluxSyntaxError("regex literal is not terminated", start_line, start_col)
            ch = self.src[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.src):
                self._advance(2)
                continue
            self._advance(1)
            if ch == "/":
                break
        return Token(T.REGEX, self.src[start:self.pos], start_line, start_col, self.line,
                     self.col)


def _continues_word(src: str, end: int) -> bool:
    return end < len(src) and (src[end].isalnum() or src[end] in "_.")


def tokenize(source: str) -> list[Token]:
    """Lex a whole script."""
    return Lexer(source).tokens()
