"""Go (RE2) regular expressions for Python's `re` and for Polars (Rust's regex crate).

Flux regex literals, the `regexp` package and InfluxDB's storage predicates all mean what Go's
regexp means. Patterns are translated so that both engines agree with it: `\\d \\w \\s \\b` are
ASCII, `$` without `m` matches only at the very end, `\\z`, `\\Q...\\E`, `\\x{...}` and POSIX
classes `[[:alpha:]]` work, flags may be set mid-pattern (`a(?i)b`), and what RE2 rejects
(backreferences, lookaround, atomic groups, possessive quantifiers) is rejected. Storage is the
lowest layer, so the translator lives here for the engine to share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import polars as pl

_WORD, _DIGIT, _SPACE = "0-9A-Za-z_", "0-9", r"\t\n\f\r "
_PERL = {"d": f"[{_DIGIT}]", "D": f"[^{_DIGIT}]", "w": f"[{_WORD}]", "W": f"[^{_WORD}]",
         "s": f"[{_SPACE}]", "S": f"[^{_SPACE}]"}
_POSIX = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
          "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
          "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ",
          "upper": "A-Z", "word": _WORD, "xdigit": "0-9A-Fa-f"}
_BOUNDARY = f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"
_NOT_BOUNDARY = f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))"
_FLAGS = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")
_OCTAL = re.compile(r"\\(0[0-7]{0,2}|[1-7][0-7]{1,2})")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_HEX = re.compile(r"\\x\{([0-9A-Fa-f]{1,8})\}")


class RegexSyntaxError(Exception):
    """A pattern RE2 does not accept."""


class UnsupportedByPython(RegexSyntaxError):
    """A pattern RE2 accepts that Python's `re` cannot express (`\\pL`, `(?U)`): the Polars
    form works, the row evaluator reports it."""


@dataclass
class _Group:
    """An open group of the pattern: its flags (`m` matters for `$`) and, for Python, how
    many scoped-flag groups opened inside it must close with it."""

    multiline: bool
    pending: int = 0
    flags: set[str] = field(default_factory=set)


class _Translator:
    """One pass over a Go pattern, writing Python's (`target="python"`) or Rust's syntax."""

    def __init__(self, pattern: str, target: str) -> None:
        self.p, self.target = pattern, target
        self.out: list[str] = []
        self.i = 0
        self.groups = [_Group(multiline=False)]

    @property
    def python(self) -> bool:
        return self.target == "python"

    def unsupported(self, what: str) -> UnsupportedByPython:
        return UnsupportedByPython(f"invalid or unsupported Perl syntax: `{what}`")

    def run(self) -> str:
        p, n = self.p, len(self.p)
        while self.i < n:
            c = p[self.i]
            if c == "\\" and self.i + 1 < n:
                self.escape(in_class=False)
            elif c == "[":
                self.char_class()
            elif c == "(":
                self.open_group()
            elif c == ")":
                self.close_group()
            elif c == "$" and self.python and not self.groups[-1].multiline:
                self.emit("\\Z", 1)
            elif c in "*+?{":
                self.repetition()
            else:
                self.emit(c, 1)
        self.out.append(")" * self.groups[0].pending)
        return "".join(self.out)

    def emit(self, text: str, consumed: int) -> None:
        self.out.append(text)
        self.i += consumed

    def repetition(self) -> None:
        """A quantifier, lazy or not; `{` that starts none is a literal (as in Go), and a
        quantifier right after another is an error (Python would read `a++` as possessive)."""
        p, i = self.p, self.i
        if p[i] == "{":
            braces = _REPEAT.match(p, i)
            if braces is None:
                self.emit("\\{", 1)
                return
            if any(int(n) > 1000 for n in (braces.group(1), braces.group(3)) if n):
                raise RegexSyntaxError(f"invalid repeat count: `{braces.group()}`")
            self.emit(braces.group(), braces.end() - i)
        else:
            self.emit(p[i], 1)
        if self.i < len(p) and p[self.i] == "?":
            self.emit("?", 1)
        if self.i < len(p) and (p[self.i] in "*+?" or _REPEAT.match(p, self.i)):
            raise RegexSyntaxError(f"invalid nested repetition operator: `{p[i:self.i + 1]}`")

    def escape(self, in_class: bool) -> None:
        p, i = self.p, self.i
        e = p[i + 1]
        if e == "Q":
            end = p.find("\\E", i + 2)
            literal = p[i + 2:] if end < 0 else p[i + 2:end]
            self.emit(re.escape(literal), (len(p) if end < 0 else end + 2) - i)
        elif e in _PERL:
            body = _PERL[e]
            if in_class and e.islower():
                self.emit(body[1:-1], 2)
            elif in_class and self.python:
                raise self.unsupported(f"\\{e} in a class")
            else:
                self.emit(body, 2)
        elif e in "bB" and not in_class:
            if self.python:
                self.emit(_BOUNDARY if e == "b" else _NOT_BOUNDARY, 2)
            else:
                self.emit(f"(?-u:\\{e})", 2)
        elif e == "z" and self.python:
            self.emit("\\Z", 2)
        elif e == "Z":
            raise RegexSyntaxError("invalid escape sequence: `\\Z`")
        elif e in "pP" and self.python:
            raise self.unsupported(f"\\{e}")
        elif e in "pP":
            end = p.find("}", i) + 1 if p.startswith("{", i + 2) else i + 3
            self.emit(p[i:end or len(p)], (end or len(p)) - i)
        elif e == "x" and self.python and (m := _HEX.match(p, i)):
            self.emit(f"\\U{int(m.group(1), 16):08x}", m.end() - i)
        elif (octal := _OCTAL.match(p, i)):
            code = int(octal.group(1), 8)
            self.emit(f"\\x{code:02x}" if self.python else f"\\x{{{code:x}}}", octal.end() - i)
        elif e.isdigit():
            raise RegexSyntaxError(f"invalid escape sequence: `\\{e}`")  # no backreferences
        else:
            self.emit("\\" + e, 2)

    def char_class(self) -> None:
        p, n = self.p, len(self.p)
        whole = re.match(r"\[\[:\^([a-z]+):\]\]", p[self.i:])
        if whole and whole.group(1) in _POSIX:  # [[:^alpha:]]: the negated class alone
            self.emit(f"[^{_POSIX[whole.group(1)]}]", whole.end())
            return
        self.emit("[", 1)
        for lead in ("^", "]"):  # a leading ] is a literal
            if self.i < n and p[self.i] == lead:
                self.emit("\\]" if lead == "]" else lead, 1)
        while self.i < n:
            c = p[self.i]
            if c == "\\" and self.i + 1 < n:
                self.escape(in_class=True)
            elif c == "[" and p.startswith("[:", self.i):
                self.posix_class()
            elif c == "]":
                self.emit(c, 1)
                return
            elif c == "[":
                self.emit("\\[", 1)
            else:
                self.emit(c, 1)
        raise RegexSyntaxError(f"missing closing ]: `{p}`")

    def posix_class(self) -> None:
        end = self.p.find(":]", self.i)
        name = self.p[self.i + 2:end] if end > 0 else ""
        ranges = _POSIX.get(name)
        if ranges is None:
            raise RegexSyntaxError(f"invalid character class range: `{self.p[self.i:]}`")
        self.emit(ranges, end + 2 - self.i)

    def open_group(self) -> None:
        p, i = self.p, self.i
        top = self.groups[-1]
        flags = _FLAGS.match(p, i)
        if flags:
            on, off, kind = flags.group(1), flags.group(2) or "", flags.group(3)
            if "U" in on + off and self.python:
                raise self.unsupported("(?U")
            if not on and not off and kind == ")":
                raise RegexSyntaxError(f"invalid or unsupported Perl syntax: `{p[i:i + 3]}`")
            multiline = ("m" in on) or (top.multiline and "m" not in off)
            spec = on + (f"-{off}" if off else "")
            if self.python:
                spec = spec.replace("U", "")
            if kind == ":":
                self.groups.append(_Group(multiline))
                self.emit(f"(?{spec}:", flags.end() - i)
            elif self.python:  # (?i) sets the flags to the end of the group: scope them
                top.multiline, top.pending = multiline, top.pending + 1
                self.emit(f"(?{spec}:" if spec.strip("-") else "(?:", flags.end() - i)
            else:
                top.multiline = multiline
                self.emit(f"(?{spec})", flags.end() - i)
            return
        if p.startswith("(?<", i) and not p.startswith(("(?<=", "(?<!"), i):
            self.groups.append(_Group(top.multiline))
            self.emit("(?P<", 3)
            return
        if p.startswith("(?", i) and not p.startswith(("(?:", "(?P<"), i):
            raise RegexSyntaxError(f"invalid or unsupported Perl syntax: `{p[i:i + 3]}`")
        self.groups.append(_Group(top.multiline))
        self.emit("(", 1)

    def close_group(self) -> None:
        if len(self.groups) == 1:
            raise RegexSyntaxError(f"unexpected ): `{self.p}`")
        done = self.groups.pop()
        self.emit(")" * done.pending + ")", 1)


def _translate(pattern: str, target: str) -> str:
    return _Translator(pattern, target).run()


@cache
def python_regex(pattern: str) -> re.Pattern[str]:
    """A Go pattern compiled for Python's `re`, meaning what RE2 means."""
    check_regex(pattern)
    try:
        return re.compile(_translate(pattern, "python"))
    except re.error as e:
        raise RegexSyntaxError(str(e)) from None


@cache
def rust_regex(pattern: str) -> str:
    """A Go pattern in the syntax Polars' regex engine reads, meaning what RE2 means."""
    return _translate(pattern, "rust")


@cache
def check_regex(pattern: str) -> None:
    """Raise RegexSyntaxError unless RE2 would accept the pattern (as far as both engines tell:
    Python's `re` must accept what it can express, Rust's regex crate, the closer to RE2, all)."""
    try:
        re.compile(_translate(pattern, "python"))
    except UnsupportedByPython:
        pass
    except re.error as e:
        raise RegexSyntaxError(e.msg) from None
    try:
        pl.Series([""], dtype=pl.String).str.contains(rust_regex(pattern))
    except pl.exceptions.PolarsError as e:
        lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
        why = next((ln.removeprefix("error: ") for ln in lines if ln.startswith("error:")),
                   lines[0] if lines else "invalid pattern")
        raise RegexSyntaxError(why) from None
