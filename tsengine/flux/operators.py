"""Flux's operators on scalar values: arithmetic without silent int/float mixing, comparisons
that do mix numbers, null propagation, regex matching, and time ± duration on the calendar.

Each function raises OperatorError with a message; the interpreter adds the position.
"""

from __future__ import annotations

import math
from typing import Any

from tsengine.flux.values import (
    INT64_MAX,
    INT64_MIN,
    Duration,
    Regex,
    Time,
    UInt,
    a_type,
    add_duration,
    format_duration,
    format_time,
    type_name,
    wrap_int64,
)


class OperatorError(Exception):
    """An operator was applied to values it does not accept."""


def _int_div(a: int, b: int) -> int:
    if b == 0:
        raise OperatorError("cannot divide by zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _int_mod(a: int, b: int) -> int:
    if b == 0:
        raise OperatorError("cannot take a remainder of division by zero")
    return a - _int_div(a, b) * b


def _float_div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _float_mod(a: float, b: float) -> float:
    if b == 0 or math.isinf(a):  # Go's math.Mod: NaN, where Python's fmod raises
        return math.nan
    return math.fmod(a, b)


def _pow(a: float, b: float) -> float:
    """Go's math.Pow: out-of-range results are infinities and impossible ones NaN, not errors."""
    try:
        return math.pow(a, b)
    except OverflowError:
        odd = b == int(b) and int(b) % 2 == 1
        return -math.inf if a < 0 and odd else math.inf
    except ValueError:
        if a == 0:  # zero to a negative power
            odd = b == int(b) and int(b) % 2 == 1
            return math.copysign(math.inf, a) if odd else math.inf
        return math.nan  # a negative base to a non-integer power


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """`+ - * / % ^`; both operands of one type (strings only add), null in gives null out."""
    if a is None or b is None:
        return None
    ta, tb = type_name(a), type_name(b)
    if ta == "time" and tb == "duration" and op in "+-":
        return _shift(a, b if op == "+" else -b)
    if ta == "duration" and tb == "time" and op == "+":
        return _shift(b, a)
    if ta == tb == "time" and op == "-":
        return Duration(0, a.ns - b.ns)
    if ta != tb:
        raise OperatorError(f"cannot apply {op} to {ta} and {tb}: operands must have the same "
                            f"type (convert with float(v:), int(v:), ...)")
    if ta == "int":
        if op == "^":
            return _pow(float(a), float(b))
        result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                  "/": lambda: _int_div(a, b), "%": lambda: _int_mod(a, b)}[op]()
        return wrap_int64(result)
    if ta == "uint":
        x, y = a.value, b.value
        if op == "^":
            return _pow(float(x), float(y))
        if op in "/%" and y == 0:
            raise OperatorError("cannot divide by zero")
        result = {"+": x + y, "-": x - y, "*": x * y}.get(op) if op in "+-*" else (
            x // y if op == "/" else x % y)
        return UInt(result)
    if ta == "float":
        if op == "^":
            return _pow(a, b)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "/": lambda: _float_div(a, b), "%": lambda: _float_mod(a, b)}[op]()
    if ta == "string" and op == "+":
        return a + b
    if ta == "duration" and op in "+-":
        sign = 1 if op == "+" else -1
        months, ns = a.months + sign * b.months, a.nanoseconds + sign * b.nanoseconds
        if months * ns < 0:
            raise OperatorError(f"cannot compute {format_duration(a)} {op} {format_duration(b)}: "
                                f"a duration's months and nanoseconds must have the same sign")
        return Duration(months, ns)
    raise OperatorError(f"cannot apply {op} to {ta} values")


def _shift(t: Time, d: Duration) -> Time:
    """`t + d` on the calendar; the result must still be a time Flux can hold (int64 ns)."""
    try:
        moved = add_duration(t, d)
    except (ValueError, OverflowError):
        moved = None
    if moved is None or not INT64_MIN <= moved.ns <= INT64_MAX:
        raise OperatorError(f"time out of range: {format_time(t)} + {format_duration(d)} is "
                            f"outside 1677-09-21..2262-04-11")
    return moved


_NUMERIC = ("int", "uint", "float")


def _numeric(v: Any) -> int | float:
    return v.value if isinstance(v, UInt) else v


def compare(op: str, a: Any, b: Any) -> bool | None:
    """`== != < <= > >=`: numbers compare across int/uint/float; null in gives null out."""
    if a is None or b is None:
        return None
    ta, tb = type_name(a), type_name(b)
    if ta in _NUMERIC and tb in _NUMERIC:
        x, y = _numeric(a), _numeric(b)
        if "float" in (ta, tb):  # as upstream: an int or uint meets a float as float64
            x, y = float(x), float(y)
    elif ta != tb:
        raise OperatorError(f"cannot compare {ta} with {tb}")
    elif ta == "time":
        x, y = a.ns, b.ns
    elif ta == "duration":
        x, y = a.approx_ns(), b.approx_ns()
    elif ta in ("string", "bool") or op in ("==", "!="):
        x, y = a, b
    else:
        raise OperatorError(f"cannot order {ta} values with {op}")
    if op == "==":
        return x == y
    if op == "!=":
        return x != y
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def match(op: str, a: Any, b: Any) -> bool | None:
    """`=~` and `!~`: an unanchored search of a string for a regex."""
    if a is None or b is None:
        return None
    if not isinstance(a, str) or not isinstance(b, Regex):
        raise OperatorError(f"{op} needs a string on the left and a regex on the right, "
                            f"found {type_name(a)} and {type_name(b)}")
    found = b.compiled.search(a) is not None
    return found if op == "=~" else not found


def negate(a: Any) -> Any:
    """Unary minus on int, float and duration."""
    if a is None:
        return None
    if isinstance(a, bool) or not isinstance(a, int | float | Duration):
        raise OperatorError(f"cannot negate {a_type(a)}")
    return wrap_int64(-a) if isinstance(a, int) else -a


def binary(op: str, a: Any, b: Any) -> Any:
    """Any binary operator by its symbol."""
    if op in ("=~", "!~"):
        return match(op, a, b)
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return compare(op, a, b)
    return arithmetic(op, a, b)


def truth(value: Any, what: str) -> bool | None:
    """A value used as a condition: bool or null, anything else is an error."""
    if value is None or isinstance(value, bool):
        return value
    raise OperatorError(f"{what} must be a bool, found {type_name(value)}")
