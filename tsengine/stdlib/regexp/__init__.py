"""The `regexp` package, as upstream's (Go's regexp, RE2 syntax).

Patterns are Go's, translated by storage.regex (shared with regex literals and storage
predicates) to Python's `re` for the row evaluator and to the Rust regex syntax Polars uses for
expression forms, so that both mean what RE2 means. Matching all occurrences follows Go (an
empty match right after a match is skipped); offsets (`findStringIndex`) count UTF-8 bytes;
`replaceAllString` expands `$1`/`${name}` as Go's Expand does. A null argument is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import polars as pl

from storage.regex import RegexSyntaxError, check_regex, python_regex, rust_regex
from tsengine.flux.lambdas import CallArg, CompiledCall, NotCompilable, expression_form
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, Regex, format_value, type_name

PKG = "regexp"


def go_matches(regex: re.Pattern[str], s: str, limit: int = -1) -> Iterator[re.Match[str]]:
    """Successive matches as Go finds them: an empty match abutting the previous is skipped."""
    prev_end, count = -1, 0
    for m in regex.finditer(s):
        if limit >= 0 and count >= limit:
            return
        if m.start() == m.end() == prev_end:
            continue
        prev_end = m.end()
        count += 1
        yield m


def go_expand(template: str, m: re.Match[str]) -> str:
    """Go's Expand: `$name`/`${name}` (a number is a group index), `$$` a dollar."""
    out, i, n = [], 0, len(template)
    groups = m.re.groupindex
    while i < n:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        i = j + 1
        if template.startswith("$", i):
            out.append("$")
            i += 1
            continue
        braced = template.startswith("{", i)
        name_match = re.match(r"[A-Za-z0-9_]+", template[i + braced:])
        name = name_match.group() if name_match else ""
        if not name or (braced and not template.startswith("}", i + 1 + len(name))):
            out.append("$")  # malformed: the dollar as text
            continue
        i += len(name) + (2 if braced else 0)
        if name.isdigit():
            index = int(name)
            out.append((m.group(index) or "") if index <= m.re.groups else "")
        else:
            out.append((m.group(name) or "") if name in groups else "")
    return "".join(out)


def _bytes_before(s: str, i: int) -> int:
    return i if s.isascii() else len(s[:i].encode())


# -- builtins -----------------------------------------------------------------------------------
def _regex(r: Any, v: Any) -> re.Pattern[str]:
    if not isinstance(r, Regex) or not isinstance(v, str):
        raise OperatorError(f"cannot execute function containing argument r of type "
                            f"{type_name(r)} value {_shown(r)} and argument v of type "
                            f"{type_name(v)} value {_shown(v)}")
    return _compiled(r.pattern)


def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return python_regex(pattern)
    except RegexSyntaxError as e:
        raise OperatorError(f"error parsing regexp: {e}") from None


def _shown(v: Any) -> str:
    return "<nil>" if v is None else format_value(v)


@builtin("compile", package=PKG)
def compile_(ctx: Any, v: Any) -> Regex:
    if not isinstance(v, str):
        raise OperatorError(f"cannot convert argument v of type {type_name(v)} value "
                            f"{_shown(v)} to Regex")
    _compiled(v)
    return Regex(v)


@builtin("quoteMeta", package=PKG)
def quote_meta(ctx: Any, v: Any) -> str:
    if not isinstance(v, str):
        raise OperatorError("cannot escape all regular expression metacharacters inside "
                            f"argument v of type {type_name(v)} value {_shown(v)}")
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", v)


@builtin("findString", package=PKG)
def find_string(ctx: Any, r: Any, v: Any) -> str:
    m = _regex(r, v).search(v)
    return "" if m is None else m.group()


@builtin("findStringIndex", package=PKG)
def find_string_index(ctx: Any, r: Any, v: Any) -> Array:
    m = _regex(r, v).search(v)
    if m is None:
        return Array()
    return Array((_bytes_before(v, m.start()), _bytes_before(v, m.end())))


@builtin("matchRegexpString", package=PKG)
def match_regexp_string(ctx: Any, r: Any, v: Any) -> bool:
    return _regex(r, v).search(v) is not None


@builtin("replaceAllString", package=PKG)
def replace_all_string(ctx: Any, r: Any, v: Any, t: Any) -> str:
    if not isinstance(t, str):
        raise OperatorError(f"cannot execute function containing argument r of type "
                            f"{type_name(r)} value {_shown(r)}, argument v of type "
                            f"{type_name(v)} value {_shown(v)}, and argument t of type "
                            f"{type_name(t)} value {_shown(t)}")
    regex = _regex(r, v)
    out, last = [], 0
    for m in go_matches(regex, v):
        out += [v[last:m.start()], go_expand(t, m)]
        last = m.end()
    out.append(v[last:])
    return "".join(out)


@builtin("splitRegexp", package=PKG)
def split_regexp(ctx: Any, r: Any, v: Any, i: Any) -> Array:
    """Go's Regexp.Split: at most i pieces (i < 0: all, 0: none)."""
    if isinstance(i, bool) or not isinstance(i, int):
        raise OperatorError(f"cannot execute function containing argument i of type "
                            f"{type_name(i)} value {_shown(i)}")
    regex = _regex(r, v)
    if i == 0:
        return Array()
    if r.pattern and v == "":
        return Array([""])
    pieces: list[str] = []
    begin = end = 0
    for m in go_matches(regex, v, i):
        if i > 0 and len(pieces) == i - 1:
            break
        end = m.start()
        if m.end() != 0:
            pieces.append(v[begin:end])
        begin = m.end()
    if end != len(v):
        pieces.append(v[begin:])
    return Array(pieces)


@builtin("getString", package=PKG)
def get_string(ctx: Any, r: Any) -> str:
    if not isinstance(r, Regex):
        raise OperatorError(f"cannot execute function containing argument r of type "
                            f"{type_name(r)} value {_shown(r)}")
    return r.pattern


# -- expression forms -------------------------------------------------------------------------
def _pattern_and_string(args: dict[str, CallArg]) -> tuple[str, pl.Expr]:
    r, v = args.get("r"), args.get("v")
    if r is None or not r.constant or not isinstance(r.value, Regex):
        raise NotCompilable("regexp over a pattern that is not a constant")
    if v is None or v.kind != "string" or v.constant:
        raise NotCompilable("regexp over a value that is not a row string")
    try:
        check_regex(r.value.pattern)  # an invalid pattern: the row evaluator's error
    except RegexSyntaxError:
        raise NotCompilable("an invalid pattern") from None
    return rust_regex(r.value.pattern), v.expr


@expression_form("matchRegexpString", PKG)
def _match_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    pattern, v = _pattern_and_string(args)
    return v.str.contains(pattern), "bool", [v.is_null()]


@expression_form("findString", PKG)
def _find_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    pattern, v = _pattern_and_string(args)
    found = v.str.extract(f"({pattern})", 1)
    return pl.when(v.is_null()).then(None).otherwise(found.fill_null("")), "string", [
        v.is_null()]


@expression_form("replaceAllString", PKG)
def _replace_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    pattern, v = _pattern_and_string(args)
    t = args.get("t")
    if t is None or not t.constant or not isinstance(t.value, str):
        raise NotCompilable("a replacement that is not a constant string")
    if re.search(r"\$(?![$A-Za-z0-9_{])|\$\{(?![A-Za-z0-9_]+\})", t.value):
        raise NotCompilable("a malformed template")  # Go writes the $ as text
    # an empty match next to another: Go's and Rust's iteration may differ, go row by row
    empty = v.str.contains(f"(?:{pattern})") & pl.lit("").str.contains(f"^(?:{pattern})$")
    return v.str.replace_all(pattern, t.value), "string", [v.is_null(), empty]
