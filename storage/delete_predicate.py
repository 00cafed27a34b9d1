"""The predicate of InfluxDB's `/api/v2/delete` (`_measurement="cpu" AND host!="a"`), parsed
as InfluxDB parses it: predicate/parser.go over InfluxQL's scanner (AND only, `=` and `!=`,
double-quoted or bare values), with its error wording and positions and its quirks; `_field =`
is refused as http/delete_handler.go refuses it (501)."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.errors import InvalidArgument, StorageError
from storage.predicate import FIELD, TRUE, And, Compare, Predicate


class DeletePredicateError(InvalidArgument):
    """A delete predicate InfluxDB refuses; the message is InfluxDB's, with the position."""


class DeleteByFieldUnsupported(StorageError):
    """`_field = ...` in a delete predicate: InfluxDB answers 501 and deletes nothing."""

    def __init__(self) -> None:
        super().__init__("delete by field is not supported")


# -- the predicate: InfluxDB's parser (predicate/parser.go) over InfluxQL's scanner ----------

EOF = "\x00"  # what the scanner reads past the end (and, as in InfluxQL, a NUL)
_KEYWORD_NAMES = (
    "ALL ALTER ANALYZE ANY AS ASC BEGIN BY CARDINALITY CREATE CONTINUOUS DATABASE DATABASES "
    "DEFAULT DELETE DESC DESTINATIONS DIAGNOSTICS DISTINCT DROP DURATION END EVERY EXACT "
    "EXPLAIN FIELD FOR FROM FUTURE GRANT GRANTS GROUP GROUPS IN INF INSERT INTO KEY KEYS KILL "
    "LIMIT MEASUREMENT MEASUREMENTS NAME OFFSET ON ORDER PASSWORD PAST POLICY POLICIES "
    "PRIVILEGES QUERIES QUERY READ REPLICATION RESAMPLE RETENTION REVOKE SELECT SERIES SET "
    "SHOW SHARD SHARDS SLIMIT SOFFSET STATS SUBSCRIPTION SUBSCRIPTIONS TAG TO USER USERS "
    "VALUES VERBOSE WHERE WITH WRITE AND OR TRUE FALSE")
_KEYWORDS = {k.lower(): k for k in _KEYWORD_NAMES.split()}
_UNNAMED = {"INTEGER", "BOUNDPARAM", "COMMENT"}  # tokens InfluxQL prints as ""
_SINGLE = {"+": "+", "*": "*", "%": "%", "&": "&", "|": "|", "^": "^", "(": "(", ")": ")",
           ",": ",", ";": ";"}
_VALUE_TOKENS = ("IDENT", "DURATIONVAL", "NUMBER", "INTEGER")


@dataclass(frozen=True)
class _Token:
    kind: str  # InfluxQL's name for it: IDENT, INTEGER, =, !=, AND, EOF, ...
    pos: int  # column (0-based) in its line, as InfluxQL counts
    lit: str = ""


def _letter(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def _digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _ident_char(ch: str) -> bool:
    return _letter(ch) or _digit(ch) or ch == "_"


class _Reader:
    """Characters with three slots of unread and InfluxQL's positions (the column of a read
    past the end moves once more, so an end reached twice is one column further)."""

    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0
        self.slots: list[tuple[str, int]] = [(EOF, 0)] * 3
        self.i = self.n = self.col = 0
        self.ended = False

    def read(self) -> tuple[str, int]:
        if self.n:
            self.n -= 1
            return self.curr()
        if self.at < len(self.text):
            ch, self.at = self.text[self.at], self.at + 1
            if ch == "\r":  # \r\n and a lone \r both read as \n
                if self.text[self.at:self.at + 1] == "\n":
                    self.at += 1
                ch = "\n"
        else:
            ch = EOF
        self.i = (self.i + 1) % 3
        self.slots[self.i] = (ch, self.col)
        if ch == "\n":
            self.col = 0
        elif not self.ended:
            self.col += 1
        if ch == EOF:
            self.ended = True
        return self.curr()

    def unread(self) -> None:
        self.n += 1

    def curr(self) -> tuple[str, int]:
        return self.slots[(self.i - self.n) % 3]


class _Scanner:
    """InfluxQL's tokens, as influxql/scanner.go (v1.4.1) reads them."""

    def __init__(self, text: str) -> None:
        self.r = _Reader(text)

    def scan(self) -> _Token:
        r = self.r
        ch, pos = r.read()
        if ch in " \t\n":
            return self._whitespace()
        if _letter(ch) or ch == "_":
            r.unread()
            return self._ident(True)
        if _digit(ch):
            return self._number()
        if ch == EOF:
            return _Token("EOF", pos)
        if ch == '"':
            r.unread()
            return self._ident(True)
        if ch == "'":
            return self._string()
        if ch == ".":
            nxt, _ = r.read()
            r.unread()
            return self._number() if _digit(nxt) else _Token(".", pos)
        if ch == "$":
            tok = self._ident(False)
            return _Token(tok.kind if tok.kind != "IDENT" else "BOUNDPARAM", pos, "$" + tok.lit)
        if ch in _SINGLE:
            return _Token(_SINGLE[ch], pos)
        if ch == "-":
            if r.read()[0] == "-":
                while r.read()[0] not in ("\n", EOF):
                    pass
                return _Token("COMMENT", pos)
            r.unread()
            return _Token("-", pos)
        if ch == "/":
            if r.read()[0] == "*":
                return _Token("COMMENT" if self._skip_comment() else "ILLEGAL", pos)
            r.unread()
            return _Token("/", pos)
        pairs = {"=": {"~": "=~"}, "!": {"=": "!=", "~": "!~"}, ">": {"=": ">="},
                 "<": {"=": "<=", ">": "!="}, ":": {":": "::"}}
        if ch in pairs:
            nxt, _ = r.read()
            if nxt in pairs[ch]:
                return _Token(pairs[ch][nxt], pos)
            r.unread()
            if ch != "!":
                return _Token(ch, pos)
        return _Token("ILLEGAL", pos, ch)

    def _whitespace(self) -> _Token:
        _, pos = self.r.curr()
        while True:
            ch, _ = self.r.read()
            if ch == EOF:
                break
            if ch not in " \t\n":
                self.r.unread()
                break
        return _Token("WS", pos)

    def _skip_comment(self) -> bool:
        """Skip to `*/`; False when the text ends first."""
        while True:
            ch, _ = self.r.read()
            while ch == "*":
                ch, _ = self.r.read()
                if ch == "/":
                    return True
            if ch == EOF:
                return False

    def _ident(self, lookup: bool) -> _Token:
        r = self.r
        _, pos = r.read()
        r.unread()
        parts = []
        while True:
            ch, _ = r.read()
            if ch == EOF:
                break
            if ch == '"':
                quoted = self._string()
                if quoted.kind != "STRING":
                    return quoted
                return _Token("IDENT", pos, quoted.lit)  # the quoted part only, as InfluxQL
            if not _ident_char(ch):
                r.unread()
                break
            parts.append(ch)
            while True:  # the rest of a bare identifier; its end is read, not unread
                ch, _ = r.read()
                if ch == EOF:
                    break
                if not _ident_char(ch):
                    r.unread()
                    break
                parts.append(ch)
        lit = "".join(parts)
        if lookup and lit.lower() in _KEYWORDS:
            return _Token(_KEYWORDS[lit.lower()], pos)
        return _Token("IDENT", pos, lit)

    def _string(self) -> _Token:
        """A quoted string starting at the current character: STRING, BADSTRING or BADESCAPE."""
        r = self.r
        r.unread()
        _, pos = r.curr()
        quote, _ = r.read()
        if quote == EOF:
            return _Token("BADSTRING", pos)
        out = []
        escapes = {"n": "\n", "\\": "\\", '"': '"', "'": "'"}
        while True:
            ch, _ = r.read()
            if ch == quote:
                return _Token("STRING", pos, "".join(out))
            if ch in (EOF, "\n"):
                return _Token("BADSTRING", pos, "".join(out))
            if ch == "\\":
                nxt, at = r.read()
                if nxt not in escapes:
                    return _Token("BADESCAPE", at, "\\" + nxt)
                out.append(escapes[nxt])
            else:
                out.append(ch)

    def _number(self) -> _Token:
        r = self.r
        ch, pos = r.curr()
        if ch == ".":
            nxt, _ = r.read()
            r.unread()
            if not _digit(nxt):
                return _Token("ILLEGAL", pos, ".")
        r.unread()
        text = self._digits()
        ch, _ = r.read()
        if ch == ".":
            nxt, _ = r.read()
            if _digit(nxt):
                return _Token("NUMBER", pos, text + "." + nxt + self._digits())
            r.unread()  # the full stop stays read, as InfluxQL leaves it
            return _Token("NUMBER", pos, text)
        if not (_letter(ch) or ch == "µ"):
            r.unread()
            return _Token("INTEGER", pos, text)
        text += ch
        while (ch := r.read()[0]) and (_letter(ch) or ch == "µ"):
            text += ch
        r.unread()
        while (ch := r.read()[0]) and (_letter(ch) or ch == "µ" or _digit(ch)):
            text += ch
        r.unread()
        return _Token("DURATIONVAL", pos, text)

    def _digits(self) -> str:
        out = ""
        while _digit(ch := self.r.read()[0]):
            out += ch
        self.r.unread()
        return out


@dataclass
class _Rule:
    key: str
    op: str = ""
    value: str = ""


@dataclass
class _Logical:
    op: int = 0  # 1 is AND, the only operator; 0 means two rules with no operator between
    children: list[_Rule | _Logical | None] = field(default_factory=lambda: [None, None])


def _go_quote(s: str) -> str:
    """A string as Go's %q prints it (for the ASCII a predicate holds)."""
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


class _Parser:
    """predicate/parser.go's rules: tag rules joined by AND, parentheses, and its errors."""

    def __init__(self, text: str) -> None:
        self.sc = _Scanner(text)
        self.ring: list[_Token] = [_Token("EOF", 0)] * 3
        self.i = self.n = self.open = 0

    def scan(self) -> _Token:
        if self.n:
            self.n -= 1
        else:
            self.i = (self.i + 1) % 3
            self.ring[self.i] = self.sc.scan()
        return self.ring[(self.i - self.n) % 3]

    def scan_ignore_ws(self) -> _Token:
        tok = self.scan()
        return self.scan() if tok.kind == "WS" else tok

    def peek(self) -> str:
        tok = self.scan_ignore_ws()
        if tok.kind != "EOF":
            self.n += 1
        return tok.kind

    def logical(self) -> _Rule | _Logical | None:
        node = _Logical()
        while True:
            tok = self.scan_ignore_ws()
            if tok.kind in ("NUMBER", "INTEGER", "NAME", "IDENT"):
                self.n += 1
                node.children[0 if node.children[0] is None else 1] = self.rule()
            elif tok.kind == "AND":
                node.op = 1
                if node.children[1] is None:
                    continue
                nxt = self.logical() if self.peek() == "(" else self.rule()
                node = _Logical(1, [node, nxt])
            elif tok.kind == "OR":
                raise DeletePredicateError(
                    f"the logical operator OR is not supported yet at position {tok.pos}")
            elif tok.kind == "(":
                self.open += 1
                depth = self.open
                inner = self.logical()
                if self.open != depth - 1:
                    raise DeletePredicateError("extra ( seen")
                node.children[0 if node.children[0] is None else 1] = inner
            elif tok.kind in (")", "EOF"):
                if tok.kind == ")":
                    self.open -= 1
                if self.open < 0:
                    raise DeletePredicateError("extra ) seen")
                return node.children[0] if node.children[1] is None else node
            else:
                raise DeletePredicateError(f"bad logical expression, at position {tok.pos}")

    def rule(self) -> _Rule:
        tok = self.scan_ignore_ws()
        if tok.kind not in ("IDENT", "NAME"):
            raise DeletePredicateError(f"bad tag key, at position {tok.pos}")
        rule = _Rule(tok.lit if tok.kind == "IDENT" else "name")
        tok = self.scan_ignore_ws()
        if tok.kind in ("=~", "!~"):
            raise DeletePredicateError(
                f"operator: {_go_quote(tok.kind)} at position: {tok.pos} is not supported yet")
        if tok.kind not in ("=", "!="):
            name = "" if tok.kind in _UNNAMED else tok.kind
            raise DeletePredicateError(
                f"invalid operator {_go_quote(name)} at position: {tok.pos}")
        rule.op = "==" if tok.kind == "=" else "!="
        while True:
            tok = self.scan_ignore_ws()
            if tok.kind == "-":
                rule.value = "-"
            elif tok.kind in _VALUE_TOKENS:
                rule.value += tok.lit
                return rule
            elif tok.kind in ("TRUE", "FALSE"):
                rule.value = tok.kind.lower()
                return rule
            else:
                raise DeletePredicateError(
                    f"bad tag value: {_go_quote(tok.lit)}, at position {tok.pos}")


def _to_predicate(node: _Rule | _Logical | None) -> Predicate:
    """The parsed tree as a Predicate, refused where InfluxDB's conversion refuses it."""
    if isinstance(node, _Rule):
        return Compare(node.key, node.op, node.value)
    if node is None:
        raise DeletePredicateError("missing expression")  # InfluxDB crashes here
    if node.op != 1:
        raise DeletePredicateError(f"the logical operator {node.op} is invalid")
    items = []
    for k, child in enumerate(node.children):
        try:
            items.append(_to_predicate(child))
        except DeletePredicateError as e:
            raise DeletePredicateError(f"Err in Child {k}, err: {e}") from None
    return And(tuple(items))


def _leaves(pred: Predicate) -> list[Compare]:
    if isinstance(pred, Compare):
        return [pred]
    return [leaf for item in getattr(pred, "items", ()) for leaf in _leaves(item)]


def parse_delete_predicate(text: str | None) -> Predicate:
    """An InfluxDB delete predicate (`_measurement="cpu" AND host!="a"`) as a Predicate; an
    empty one is TRUE (every series). DeletePredicateError words a refusal as InfluxDB does;
    `_field = ...` raises DeleteByFieldUnsupported once the rest has parsed."""
    if not text:
        return TRUE
    node = _Parser(text).logical()
    pred = TRUE if node is None else _to_predicate(node)
    if any(leaf.column == FIELD and leaf.op == "==" for leaf in _leaves(pred)):
        raise DeleteByFieldUnsupported()
    return pred
