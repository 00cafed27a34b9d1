"""The `strings` package, as upstream's (Go's strings package over Flux strings).

Go's semantics hold: case mapping is rune by rune with Unicode's simple mappings (`ß` stays,
no final sigma), `index`/`lastIndex`/`indexAny` count UTF-8 bytes while `strlen` and
`substring` count runes, `trimSpace` trims Go's white space. A null argument is an error, as
upstream. Each function called over a table's rows in map/filter has an expression form where
Polars computes the same result (rows it would compute differently, e.g. with special case
mappings or nulls, are guarded and evaluated one by one).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import polars as pl

from tsengine.flux.lambdas import CallArg, CompiledCall, NotCompilable, expression_form
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, a_type, format_value, type_name

PKG = "strings"

# Go's unicode.IsSpace
GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# where Go's simple upper case mapping is not Python's one-character mapping
_UPPER_FIX = {**{chr(c): chr(c + 8) for r in (0x1F80, 0x1F90, 0x1FA0) for c in range(r, r + 8)},
              "\u1fb3": "\u1fbc", "\u1fc3": "\u1fcc", "\u1ff3": "\u1ffc"}
_LOWER_FIX = {"\u0130": "i"}


# -- argument checks --------------------------------------------------------------------------
def _shown(v: Any) -> str:
    return "<nil>" if v is None else format_value(v)


def _string(name: str, v: Any) -> str:
    if not isinstance(v, str):
        raise OperatorError(f'expected argument "{name}" to be of type string, got type '
                            f"{type_name(v)} value {_shown(v)}")
    return v


def _int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise OperatorError(f'expected argument "{name}" to be of type int, got type '
                            f"{type_name(v)} value {_shown(v)}")
    return v


def _single(v: Any, what: str) -> str:
    if not isinstance(v, str):
        raise OperatorError(f"cannot convert argument of type {type_name(v)} value "
                            f"{_shown(v)} to {what}")
    return v


# -- rune by rune case mapping ----------------------------------------------------------------
def upper_rune(c: str) -> str:
    """Go's unicode.ToUpper: the simple mapping, one rune to one rune."""
    fixed = _UPPER_FIX.get(c)
    if fixed is not None:
        return fixed
    u = c.upper()
    return u if len(u) == 1 else c


def lower_rune(c: str) -> str:
    fixed = _LOWER_FIX.get(c)
    if fixed is not None:
        return fixed
    lo = c.lower()
    return lo if len(lo) == 1 else c


def title_rune(c: str) -> str:
    t = c.title()
    return t if len(t) == 1 else upper_rune(c)


def go_upper(s: str) -> str:
    return s.upper() if s.isascii() else "".join(map(upper_rune, s))


def go_lower(s: str) -> str:
    return s.lower() if s.isascii() else "".join(map(lower_rune, s))


def _separates(c: str) -> bool:
    """Go's word separator for strings.Title."""
    if c <= "\x7f":
        return not (c.isalnum() or c == "_")
    if c.isalpha() or unicodedata.category(c) == "Nd":
        return False
    return c in GO_SPACE


def go_title(s: str) -> str:
    out, prev = [], " "
    for c in s:
        out.append(title_rune(c) if _separates(prev) else c)
        prev = c
    return "".join(out)


@cache
def _special_case_class() -> str:
    """A regex class of the runes Polars' (full, contextual) case mapping treats otherwise
    than Go's simple one: a row holding one is evaluated row by row."""
    special = {c for c in map(chr, range(0x80, 0x10000)) if not 0xD800 <= ord(c) < 0xE000
               and (len(c.upper()) != 1 or len(c.lower()) != 1)}
    special |= set(_UPPER_FIX) | set(_LOWER_FIX) | {"\u03a3", "\u03c3", "\u03c2"}
    return "[" + "".join(re.escape(c) for c in sorted(special)) + "]"


# -- byte offsets -----------------------------------------------------------------------------
def _bytes_before(s: str, i: int) -> int:
    return i if s.isascii() else len(s[:i].encode())


def go_index(s: str, sub: str) -> int:
    i = s.find(sub)
    return -1 if i < 0 else _bytes_before(s, i)


def go_last_index(s: str, sub: str) -> int:
    i = s.rfind(sub)
    return -1 if i < 0 else _bytes_before(s, i)


def go_index_any(s: str, chars: str) -> int:
    hits = [i for i, c in enumerate(s) if c in chars]
    return _bytes_before(s, hits[0]) if hits else -1


def go_last_index_any(s: str, chars: str) -> int:
    for i in range(len(s) - 1, -1, -1):
        if s[i] in chars:
            return _bytes_before(s, i)
    return -1


# -- splitting ----------------------------------------------------------------------------------
def go_split(s: str, sep: str, n: int, after: bool) -> list[str]:
    """Go's genSplit: at most n pieces (n < 0: all; n == 0: none)."""
    if n == 0:
        return []
    if sep == "":
        if n < 0 or n > len(s):
            n = len(s)
        if n == 0:
            return []
        return list(s[:n - 1]) + [s[n - 1:]]
    parts = s.split(sep, n - 1 if n > 0 else -1)
    if after:
        parts = [p + sep for p in parts[:-1]] + parts[-1:]
    return parts


# -- one-argument functions -------------------------------------------------------------------
@builtin("toUpper", package=PKG)
def to_upper(ctx: Any, v: Any) -> str:
    return go_upper(_single(v, "upper case"))


@builtin("toLower", package=PKG)
def to_lower(ctx: Any, v: Any) -> str:
    return go_lower(_single(v, "upper case"))  # upstream's words for every one-argument fn


@builtin("toTitle", package=PKG)
def to_title(ctx: Any, v: Any) -> str:
    return "".join(map(title_rune, _single(v, "upper case")))


@builtin("title", package=PKG)
def title(ctx: Any, v: Any) -> str:
    return go_title(_single(v, "upper case"))


@builtin("trimSpace", package=PKG)
def trim_space(ctx: Any, v: Any) -> str:
    return _single(v, "upper case").strip(GO_SPACE)


@builtin("strlen", package=PKG)
def strlen(ctx: Any, v: Any) -> int:
    if not isinstance(v, str):
        raise OperatorError("procedure cannot be executed")
    return len(v)


def _is_class(v: Any, test: Any) -> bool:
    if not isinstance(v, str):
        raise OperatorError("procedure cannot be executed")
    if len(v.encode()) != 1:
        raise OperatorError('"v" is not a valid argument: argument length is not equal to 1')
    return bool(test(v))


@builtin("isDigit", package=PKG)
def is_digit(ctx: Any, v: Any) -> bool:
    return _is_class(v, lambda c: "0" <= c <= "9")


@builtin("isLetter", package=PKG)
def is_letter(ctx: Any, v: Any) -> bool:
    return _is_class(v, str.isalpha)


@builtin("isLower", package=PKG)
def is_lower(ctx: Any, v: Any) -> bool:
    return _is_class(v, str.islower)


@builtin("isUpper", package=PKG)
def is_upper(ctx: Any, v: Any) -> bool:
    return _is_class(v, str.isupper)


# -- two strings ------------------------------------------------------------------------------
@builtin("trim", package=PKG)
def trim(ctx: Any, v: Any, cutset: Any) -> str:
    return _string("v", v).strip(_string("cutset", cutset))


@builtin("trimLeft", package=PKG)
def trim_left(ctx: Any, v: Any, cutset: Any) -> str:
    return _string("v", v).lstrip(_string("cutset", cutset))


@builtin("trimRight", package=PKG)
def trim_right(ctx: Any, v: Any, cutset: Any) -> str:
    return _string("v", v).rstrip(_string("cutset", cutset))


@builtin("trimPrefix", package=PKG)
def trim_prefix(ctx: Any, v: Any, prefix: Any) -> str:
    return _string("v", v).removeprefix(_string("prefix", prefix))


@builtin("trimSuffix", package=PKG)
def trim_suffix(ctx: Any, v: Any, suffix: Any) -> str:
    return _string("v", v).removesuffix(_string("suffix", suffix))


@builtin("hasPrefix", package=PKG)
def has_prefix(ctx: Any, v: Any, prefix: Any) -> bool:
    return _string("v", v).startswith(_string("prefix", prefix))


@builtin("hasSuffix", package=PKG)
def has_suffix(ctx: Any, v: Any, suffix: Any) -> bool:
    return _string("v", v).endswith(_string("suffix", suffix))


@builtin("containsStr", package=PKG)
def contains_str(ctx: Any, v: Any, substr: Any) -> bool:
    return _string("substr", substr) in _string("v", v)


@builtin("containsAny", package=PKG)
def contains_any(ctx: Any, v: Any, chars: Any) -> bool:
    return go_index_any(_string("v", v), _string("chars", chars)) >= 0


def _fold_equal(a: str, b: str) -> bool:
    return a == b or upper_rune(a) == upper_rune(b) or lower_rune(a) == lower_rune(b)


@builtin("equalFold", package=PKG)
def equal_fold(ctx: Any, v: Any, t: Any) -> bool:
    """Go's EqualFold: rune by rune under simple case folding (`ß` is not `ss`)."""
    a, b = _string("v", v), _string("t", t)
    return len(a) == len(b) and all(_fold_equal(x, y) for x, y in zip(a, b, strict=True))


@builtin("compare", package=PKG)
def compare(ctx: Any, v: Any, t: Any) -> int:
    a, b = _string("v", v), _string("t", t)  # code point order is UTF-8 byte order
    return (a > b) - (a < b)


@builtin("countStr", package=PKG)
def count_str(ctx: Any, v: Any, substr: Any) -> int:
    return _string("v", v).count(_string("substr", substr))


@builtin("index", package=PKG)
def index(ctx: Any, v: Any, substr: Any) -> int:
    return go_index(_string("v", v), _string("substr", substr))


@builtin("indexAny", package=PKG)
def index_any(ctx: Any, v: Any, chars: Any) -> int:
    return go_index_any(_string("v", v), _string("chars", chars))


@builtin("lastIndex", package=PKG)
def last_index(ctx: Any, v: Any, substr: Any) -> int:
    return go_last_index(_string("v", v), _string("substr", substr))


@builtin("lastIndexAny", package=PKG)
def last_index_any(ctx: Any, v: Any, chars: Any) -> int:
    return go_last_index_any(_string("v", v), _string("chars", chars))


# -- more arguments ---------------------------------------------------------------------------
@builtin("repeat", package=PKG)
def repeat(ctx: Any, v: Any, i: Any) -> str:
    s, n = _string("v", v), _int("i", i)
    if n < 0:
        raise OperatorError("strings: negative Repeat count")
    return s * n


@builtin("replace", package=PKG)
def replace(ctx: Any, v: Any, t: Any, u: Any, i: Any) -> str:
    s, old, new, n = _string("v", v), _string("t", t), _string("u", u), _int("i", i)
    return s.replace(old, new, n if n >= 0 else -1)


@builtin("replaceAll", package=PKG)
def replace_all(ctx: Any, v: Any, t: Any, u: Any) -> str:
    return _string("v", v).replace(_string("t", t), _string("u", u))


@builtin("split", package=PKG)
def split(ctx: Any, v: Any, t: Any) -> Array:
    return Array(go_split(_string("v", v), _string("t", t), -1, False))


@builtin("splitAfter", package=PKG)
def split_after(ctx: Any, v: Any, t: Any) -> Array:
    return Array(go_split(_string("v", v), _string("t", t), -1, True))


@builtin("splitN", package=PKG)
def split_n(ctx: Any, v: Any, t: Any, i: Any) -> Array:
    return Array(go_split(_string("v", v), _string("t", t), _int("i", i), False))


@builtin("splitAfterN", package=PKG)
def split_after_n(ctx: Any, v: Any, t: Any, i: Any) -> Array:
    return Array(go_split(_string("v", v), _string("t", t), _int("i", i), True))


@builtin("joinStr", package=PKG)
def join_str(ctx: Any, arr: Any, v: Any) -> str:
    if not isinstance(arr, Array):
        raise OperatorError(f'expected argument "arr" to be an array, got {a_type(arr)}')
    for item in arr:
        if not isinstance(item, str):
            raise OperatorError('expected elements of argument "arr" to be of type string, '
                                f"got type {type_name(item)} value {_shown(item)}")
    return _string("v", v).join(arr)


@builtin("substring", package=PKG)
def substring(ctx: Any, v: Any, start: Any, end: Any) -> str:
    """Runes [start, end), both clamped into the string (end no less than start)."""
    s, a, b = _string("v", v), _int("start", start), _int("end", end)
    a = min(max(a, 0), len(s))
    b = len(s) if b > len(s) else max(b, a)
    return s[a:b]


# -- expression forms ---------------------------------------------------------------------------
def _str_args(args: dict[str, CallArg], *names: str) -> list[pl.Expr]:
    """The string arguments' expressions; a row value may be null (an error upstream)."""
    out = []
    for name in names:
        arg = args.get(name)
        if arg is None or arg.kind != "string":
            raise NotCompilable(f"strings argument {name} is not a string")
        out.append(arg.expr)
    return out


def _null_guards(args: dict[str, CallArg], *names: str) -> list[pl.Expr]:
    return [args[n].expr.is_null() for n in names if not args[n].constant]


def _const(args: dict[str, CallArg], name: str, kind: str) -> Any:
    arg = args.get(name)
    if arg is None or not arg.constant or arg.kind != kind:
        raise NotCompilable(f"strings argument {name} is not a constant {kind}")
    return arg.value


def _case_form(mapping: str) -> Any:
    def form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
        (v,) = _str_args(args, "v")
        special = v.str.contains(_special_case_class())
        out = v.str.to_uppercase() if mapping == "upper" else v.str.to_lowercase()
        return out, "string", [v.is_null(), special]
    return form


expression_form("toUpper", PKG)(_case_form("upper"))
expression_form("toLower", PKG)(_case_form("lower"))


@expression_form("trimSpace", PKG)
def _trim_space_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    return v.str.strip_chars(GO_SPACE), "string", [v.is_null()]


@expression_form("strlen", PKG)
def _strlen_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    return v.str.len_chars().cast(pl.Int64), "int", [v.is_null()]


def _cutset_form(side: str) -> Any:
    def form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
        v, cutset = _str_args(args, "v", "cutset")
        chars = _const(args, "cutset", "string")
        if chars == "":
            return v, "string", _null_guards(args, "v")
        method = {"both": "strip_chars", "left": "strip_chars_start",
                  "right": "strip_chars_end"}[side]
        return getattr(v.str, method)(cutset), "string", _null_guards(args, "v")
    return form


expression_form("trim", PKG)(_cutset_form("both"))
expression_form("trimLeft", PKG)(_cutset_form("left"))
expression_form("trimRight", PKG)(_cutset_form("right"))


def _affix_form(arg: str, method: str, result: str) -> Any:
    def form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
        v, affix = _str_args(args, "v", arg)
        return getattr(v.str, method)(affix), result, _null_guards(args, "v", arg)
    return form


expression_form("trimPrefix", PKG)(_affix_form("prefix", "strip_prefix", "string"))
expression_form("trimSuffix", PKG)(_affix_form("suffix", "strip_suffix", "string"))
expression_form("hasPrefix", PKG)(_affix_form("prefix", "starts_with", "bool"))
expression_form("hasSuffix", PKG)(_affix_form("suffix", "ends_with", "bool"))


@expression_form("containsStr", PKG)
def _contains_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    v, sub = _str_args(args, "v", "substr")
    return v.str.contains(sub, literal=True), "bool", _null_guards(args, "v", "substr")


@expression_form("containsAny", PKG)
def _contains_any_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    chars = _const(args, "chars", "string")
    if chars == "":
        return pl.lit(False), "bool", _null_guards(args, "v")
    pattern = "[" + "".join(re.escape(c) for c in chars) + "]"
    return v.str.contains(pattern), "bool", _null_guards(args, "v")


@expression_form("compare", PKG)
def _compare_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    v, t = _str_args(args, "v", "t")
    out = pl.when(v < t).then(pl.lit(-1, pl.Int64)).when(v > t).then(pl.lit(1, pl.Int64))
    return out.otherwise(pl.lit(0, pl.Int64)), "int", _null_guards(args, "v", "t")


@expression_form("countStr", PKG)
def _count_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    sub = _const(args, "substr", "string")
    count = v.str.count_matches(sub, literal=True) if sub else v.str.len_chars() + 1
    return count.cast(pl.Int64), "int", _null_guards(args, "v")


@expression_form("index", PKG)
def _index_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    sub = _const(args, "substr", "string")
    found = v.str.find(sub, literal=True).cast(pl.Int64)  # a byte offset, as Go's
    return found.fill_null(-1), "int", _null_guards(args, "v")


@expression_form("replaceAll", PKG)
def _replace_all_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    old, new = _const(args, "t", "string"), _const(args, "u", "string")
    return v.str.replace_all(old, new, literal=True), "string", _null_guards(args, "v")


@expression_form("replace", PKG)
def _replace_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    old, new = _const(args, "t", "string"), _const(args, "u", "string")
    n = _const(args, "i", "int")
    if n < 0:
        out = v.str.replace_all(old, new, literal=True)
    elif n == 0:
        out = v
    elif n == 1 and old:
        out = v.str.replace(old, new, literal=True, n=1)
    else:
        raise NotCompilable("replace of more than one occurrence")
    return out, "string", _null_guards(args, "v")


@expression_form("repeat", PKG)
def _repeat_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    n = _const(args, "i", "int")
    if n < 0:
        raise NotCompilable("a negative count is an error")
    return pl.concat_str([v] * n) if n else v.str.head(0), "string", _null_guards(args, "v")


@expression_form("substring", PKG)
def _substring_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (v,) = _str_args(args, "v")
    ints = [args.get(n) for n in ("start", "end")]
    if any(a is None or a.kind != "int" for a in ints):
        raise NotCompilable("substring bounds are not ints")
    size = v.str.len_chars().cast(pl.Int64)
    start = pl.min_horizontal(pl.max_horizontal(args["start"].expr, 0), size)
    end = args["end"].expr
    end = pl.when(end > size).then(size).otherwise(pl.max_horizontal(end, start))
    out = v.str.slice(start, end - start)
    return out, "string", _null_guards(args, "v", "start", "end")
