"""A query request's `extern` (Flux's JSON AST of a File) and `params` as option values.

influxdb-client sends a query's `params` as `extern`: one `option <name> = <literal>` per
parameter; the InfluxDB UI sends its dashboard variables as `option v = {timeRangeStart: ...}`.
Only what those build is understood: literals, `-` on a literal, arrays, records, dicts and
`now()`. Anything else is refused with its node type named, rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tsengine.flux.values import (
    INT64_MAX,
    INT64_MIN,
    MONTHS_PER,
    NS_PER,
    Array,
    Dict,
    Duration,
    Record,
    Regex,
    Time,
    UInt,
    type_name,
)

# packages whose extern imports and options are accepted and ignored (the client's profilers)
IGNORED_PACKAGES = frozenset({"profiler"})
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
                      r"(Z|[+-]\d{2}:\d{2})", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ExternError(ValueError):
    """An extern or params value this server cannot turn into an option value."""


def extern_options(file: object, now: int) -> dict[str, Any]:
    """The options an extern File sets, by name; `now` is what `now()` in it means."""
    if file is None:
        return {}
    node = _object(file, "extern")
    for imp in _list(node.get("imports"), "extern imports"):
        path = _node(_object(imp, "import").get("path"), "import path")
        if path.get("value") not in IGNORED_PACKAGES:
            raise ExternError(f'extern: importing package "{path.get("value")}" is not supported')
    options: dict[str, Any] = {}
    for stmt in _list(node.get("body"), "extern body"):
        stmt = _node(stmt, "statement")
        kind = stmt.get("type")
        assignment = stmt.get("assignment") if kind == "OptionStatement" else stmt
        assignment = _node(assignment, "assignment")
        if assignment.get("type") == "VariableAssignment":
            name = _identifier(assignment.get("id"))
            options[name] = _value(assignment.get("init"), now)
        elif assignment.get("type") == "MemberAssignment" and kind == "OptionStatement":
            _package_option(assignment)
        else:
            raise _unsupported(kind if kind != "OptionStatement" else assignment.get("type"))
    return options


def param_options(params: object) -> dict[str, Any]:
    """A request's `params` object as options, converted as influxdb-client converts them
    (nulls skipped; a string stays a string); an object becomes a record."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ExternError("params must be an object")
    return {name: _param(value) for name, value in params.items() if value is not None}


def parse_rfc3339(text: str) -> int:
    """An RFC3339 time as UTC nanoseconds, as strictly as Go's time.Time JSON decoding."""
    m = _RFC3339.fullmatch(text)
    if not m:
        raise ValueError(f'parsing time "{text}" as "2006-01-02T15:04:05Z07:00": '
                         f'cannot parse "{text}" as RFC3339')
    year, month, day, hh, mm, ss, frac, zone = m.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hh), int(mm), int(ss), tzinfo=UTC)
    except ValueError as e:
        raise ValueError(f'parsing time "{text}": {e}') from None
    delta = moment - _EPOCH
    ns = (delta.days * 86_400 + delta.seconds) * 1_000_000_000
    ns += int((frac or "")[:9].ljust(9, "0"))
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        ns -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * 1_000_000_000
    return ns


# -- nodes ------------------------------------------------------------------------------------

def _value(node: object, now: int) -> Any:
    """The value of an expression node."""
    node = _node(node, "expression")
    kind = node.get("type")
    convert = _LITERALS.get(kind)  # type: ignore[arg-type]
    if convert is not None:
        return convert(node)
    if kind == "UnaryExpression":
        return _unary(node.get("operator"), _value(node.get("argument"), now))
    if kind == "ParenExpression":
        return _value(node.get("expression"), now)
    if kind == "ArrayExpression":
        return _array([_value(e, now) for e in _list(node.get("elements"), "elements")])
    if kind == "ObjectExpression":
        if node.get("with") is not None:
            raise ExternError("extern: a record `with` expression is not supported")
        props = [_node(p, "property") for p in _list(node.get("properties"), "properties")]
        return Record({_key(p.get("key")): _value(p.get("value"), now) for p in props})
    if kind == "DictExpression":
        items = [_node(i, "dict item") for i in _list(node.get("elements"), "elements")]
        return Dict({_value(i.get("key"), now): _value(i.get("val"), now) for i in items})
    if kind == "CallExpression" and _is_now_call(node):
        return Time(now)
    raise _unsupported(kind)


def _string(node: dict[str, Any]) -> str:
    value = node.get("value")
    if not isinstance(value, str):
        raise ExternError("extern: a StringLiteral's value must be a string")
    return value


def _integer(node: dict[str, Any]) -> int:
    value = _int(node.get("value"), "IntegerLiteral")
    if not INT64_MIN <= value <= INT64_MAX:
        raise ExternError(f"extern: integer {value} out of range")
    return value


def _unsigned(node: dict[str, Any]) -> UInt:
    value = _int(node.get("value"), "UnsignedIntegerLiteral")
    if not 0 <= value < 2**64:
        raise ExternError(f"extern: unsigned integer {value} out of range")
    return UInt(value)


def _float(node: dict[str, Any]) -> float:
    value = node.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ExternError("extern: a FloatLiteral's value must be a number")
    try:
        return float(value)
    except ValueError:
        raise ExternError(f"extern: invalid float {value!r}") from None


def _boolean(node: dict[str, Any]) -> bool:
    value = node.get("value")
    if not isinstance(value, bool):
        raise ExternError("extern: a BooleanLiteral's value must be true or false")
    return value


def _datetime(node: dict[str, Any]) -> Time:
    value = node.get("value")
    if not isinstance(value, str):
        raise ExternError("extern: a DateTimeLiteral's value must be a string")
    try:
        return Time(parse_rfc3339(value))
    except ValueError as e:
        raise ExternError(f"extern: {e}") from None


def _duration(node: dict[str, Any]) -> Duration:
    parts = []
    for part in _list(node.get("values"), "duration values"):
        part = _object(part, "duration value")
        unit = part.get("unit")
        if unit not in NS_PER and unit not in MONTHS_PER:
            raise ExternError(f"extern: unknown duration unit {unit!r}")
        parts.append((_int(part.get("magnitude"), "duration magnitude"), unit))
    if not parts:
        raise ExternError("extern: a DurationLiteral needs at least one value")
    return Duration.of(tuple(parts))


def _regex(node: dict[str, Any]) -> Regex:
    return Regex(_string(node))


_LITERALS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "StringLiteral": _string, "IntegerLiteral": _integer, "UnsignedIntegerLiteral": _unsigned,
    "FloatLiteral": _float, "BooleanLiteral": _boolean, "DateTimeLiteral": _datetime,
    "DurationLiteral": _duration, "RegexpLiteral": _regex,
}


def _unary(operator: object, value: Any) -> Any:
    numeric = isinstance(value, int | float | Duration) and not isinstance(value, bool)
    if operator == "-" and numeric:
        return -value
    if operator == "+" and numeric:
        return value
    if operator == "not" and isinstance(value, bool):
        return not value
    raise ExternError(f"extern: unary {operator!r} does not apply to {type_name(value)}")


def _array(elements: list[Any]) -> Array:
    """An array; Flux arrays hold one type."""
    kinds = {type_name(e) for e in elements}
    if len(kinds) > 1:
        raise ExternError(f"extern: array elements must be of one type, found "
                          f"{', '.join(sorted(kinds))}")
    return Array(elements)


def _package_option(assignment: dict[str, Any]) -> None:
    """`option pkg.name = ...`: accepted for ignored packages only."""
    member = _node(assignment.get("member"), "member")
    package = _identifier(member.get("object"))
    if package not in IGNORED_PACKAGES:
        raise ExternError(f'extern: options of package "{package}" are not supported')


def _is_now_call(node: dict[str, Any]) -> bool:
    callee = node.get("callee")
    return (isinstance(callee, dict) and callee.get("type") == "Identifier"
            and callee.get("name") == "now" and not node.get("arguments"))


def _param(value: object) -> Any:
    if isinstance(value, bool | int | float | str):
        if isinstance(value, int) and not isinstance(value, bool) and not (
                INT64_MIN <= value <= INT64_MAX):
            raise ExternError(f"params: integer {value} out of range")
        return value
    if isinstance(value, list):
        return _array([_param(v) for v in value if v is not None])
    if isinstance(value, Mapping):
        return Record({k: _param(v) for k, v in value.items() if v is not None})
    raise ExternError(f"params: unsupported value {value!r}")


# -- shapes -----------------------------------------------------------------------------------

def _node(value: object, what: str) -> dict[str, Any]:
    node = _object(value, what)
    if not isinstance(node.get("type"), str):
        raise ExternError(f"extern: {what} has no node type")
    return node


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExternError(f"extern: {what} must be an object")
    return value


def _list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ExternError(f"extern: {what} must be an array")
    return value


def _int(value: object, what: str) -> int:
    """An integer as Flux's JSON AST writes it: a string of digits (int64) or a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value, re.ASCII):
        return int(value)
    raise ExternError(f"extern: invalid {what} {value!r}")


def _identifier(value: object) -> str:
    node = _node(value, "identifier")
    if node.get("type") != "Identifier" or not isinstance(node.get("name"), str):
        raise _unsupported(node.get("type"))
    return str(node["name"])


def _key(value: object) -> str:
    """A record property's key: an identifier or a string literal."""
    node = _node(value, "property key")
    if node.get("type") == "StringLiteral":
        return _string(node)
    return _identifier(node)


def _unsupported(kind: object) -> ExternError:
    return ExternError(f'extern: unsupported node type "{kind}"')
