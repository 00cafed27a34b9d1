"""Scalar conversions `float int uint string bool time duration (v:)`, as upstream typeconv.

Null converts to null; a value that cannot convert is a runtime error naming it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from storage import InvalidArgument, parse_time
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.tokens import DURATION_UNITS
from tsengine.flux.values import (
    INT64_MAX,
    INT64_MIN,
    Duration,
    Time,
    UInt,
    format_value,
    type_name,
)

_FLOAT_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:Inf|inf|NaN|nan)")
_DURATION_TEXT = re.compile(r"-?(?:\d+(?:" + "|".join(DURATION_UNITS) + r"))+")


def _fail(v: Any, target: str) -> OperatorError:
    """`cannot convert string "x" to int due to invalid syntax`, as upstream words it."""
    if isinstance(v, str):
        why = "" if target == "bool" else " due to invalid syntax"
        return OperatorError(f'cannot convert string "{v}" to {target}{why}')
    kind = type_name(v)
    shown = "" if kind in ("record", "array", "dict", "function") else f" {format_value(v)}"
    return OperatorError(f"cannot convert {kind}{shown} to {target}")


@builtin("float")
def float_(ctx: CallContext, v: Any) -> float | None:
    if v is None or isinstance(v, float):
        return v
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int):
        return float(v)
    if isinstance(v, UInt):
        return float(v.value)
    if isinstance(v, str) and _FLOAT_TEXT.fullmatch(v):
        return float(v.replace("Inf", "inf"))
    raise _fail(v, "float")


def _to_integer(v: Any, target: str, low: int, high: int) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        value = v
    elif isinstance(v, UInt):
        value = v.value
    elif isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise _fail(v, target)
        value = int(v)  # truncates toward zero
    elif isinstance(v, str) and re.fullmatch(r"[+-]?\d+", v):
        value = int(v)
    elif isinstance(v, Time):
        value = v.ns
    elif isinstance(v, Duration):
        value = v.approx_ns()
    else:
        raise _fail(v, target)
    if not low <= value <= high:
        raise OperatorError(f"{format_value(v)} is out of range for {target}")
    return value


@builtin("int")
def int_(ctx: CallContext, v: Any) -> int | None:
    return None if v is None else _to_integer(v, "int", INT64_MIN, INT64_MAX)


@builtin("uint")
def uint(ctx: CallContext, v: Any) -> UInt | None:
    if v is None:
        return None
    if isinstance(v, int) and not isinstance(v, bool) and v < 0:
        return UInt(v)  # wraps, as Go's uint64(int64) does
    if isinstance(v, float) and -(2.0**63) <= v < 0:
        return UInt(int(v))  # Go's uint64(float64) on amd64: truncated to int64, then wrapped
    return UInt(_to_integer(v, "uint", 0, 2**64 - 1))


@builtin("string")
def string(ctx: CallContext, v: Any) -> str | None:
    if v is None:
        return None
    if type_name(v) in ("record", "array", "dict", "function", "regexp"):
        raise _fail(v, "string")
    if isinstance(v, bytes):
        try:
            return v.decode()
        except UnicodeDecodeError:
            raise OperatorError("bytes contained non utf8 bytes, cannot be converted into a "
                                "string") from None
    return format_value(v)


@builtin("bytes")
def bytes_(ctx: CallContext, v: Any) -> bytes:
    """A string's UTF-8 bytes (upstream converts nothing else, null included)."""
    if isinstance(v, str):
        return v.encode()
    raise OperatorError(f"cannot convert {type_name(v)} to bytes")


@builtin("bool")
def bool_(ctx: CallContext, v: Any) -> bool | None:
    if v is None or isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return v == "true"
    if isinstance(v, int | float) and v in (0, 1):
        return v == 1
    if isinstance(v, UInt) and v.value in (0, 1):
        return v.value == 1
    raise _fail(v, "bool")


@builtin("time")
def time(ctx: CallContext, v: Any) -> Time | None:
    if v is None or isinstance(v, Time):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return Time(v)
    if isinstance(v, UInt):
        return Time(v.value)
    if isinstance(v, str):
        try:
            return Time(parse_time(v))
        except InvalidArgument:
            pass
    raise _fail(v, "time")


@builtin("duration")
def duration(ctx: CallContext, v: Any) -> Duration | None:
    if v is None or isinstance(v, Duration):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return Duration(0, v)
    if isinstance(v, UInt):
        return Duration(0, v.value)
    if isinstance(v, str) and _DURATION_TEXT.fullmatch(v):
        negative = v.startswith("-")
        parts = re.findall(r"(\d+)(" + "|".join(DURATION_UNITS) + ")", v)
        d = Duration.of(tuple((int(n), u) for n, u in parts))
        return -d if negative else d
    raise _fail(v, "duration")
