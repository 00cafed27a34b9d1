"""`display(v:)`: any value as text, formatted as upstream's values.Display formats it.

Arrays, records and dictionaries of more than three elements span lines (four spaces per
level); record properties are sorted by name; floats print as Go's `%v`; nulls as `<null>`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tsengine.flux.functions import Builtin, CallContext, Closure
from tsengine.flux.registry import builtin
from tsengine.flux.values import (
    Array,
    Dict,
    Duration,
    Record,
    Regex,
    Time,
    UInt,
    format_duration,
    format_time,
)

_INDENT = "    "


@builtin("display")
def display(ctx: CallContext, v: Any) -> str:
    return show(v)


def show(value: Any, depth: int = 0) -> str:
    """The upstream display text of a value nested `depth` levels deep."""
    if value is None:
        return "<null>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, UInt):
        return str(value.value)
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Time):
        return rfc3339_nano(value)
    if isinstance(value, Duration):
        return format_duration(value)
    if isinstance(value, Regex):
        return value.pattern
    if isinstance(value, Array):
        return _block("[", [show(v, depth + 1) for v in value], "]", depth)
    if isinstance(value, Record):
        return _block("{", [f"{k}: {show(value[k], depth + 1)}" for k in sorted(value)], "}",
                      depth)
    if isinstance(value, Dict):
        if not len(value):
            return "[:]"
        return _block("[", [f"{show(k, depth + 1)}: {show(v, depth + 1)}"
                            for k, v in value.items()], "]", depth, multiline_sep=", ")
    if isinstance(value, Builtin | Closure):
        return "function"
    if getattr(value, "flux_type_name", None) == "stream":
        return "<stream>"
    return "<unknown value>"


def _block(open_: str, items: list[str], close: str, depth: int,
           multiline_sep: str = ",") -> str:
    if len(items) <= 3:
        return open_ + ", ".join(items) + close
    inner = "\n" + _INDENT * (depth + 1)
    return open_ + inner + (multiline_sep + inner).join(items) + "\n" + _INDENT * depth + close


def go_float(f: float) -> str:
    """A float as Go's `fmt.Print` writes it (`%g`, shortest digits): exponent form when the
    decimal exponent is below -4 or 6 and above, as `1e+06` and `1e-05`."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    sign, digits, exponent = Decimal(repr(f)).normalize().as_tuple()
    text = "".join(map(str, digits))
    exp = len(text) + int(exponent) - 1  # the decimal exponent of the first digit
    head = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{head}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{head}0.{'0' * (-exp - 1)}{text}"
    if len(text) <= exp + 1:
        return head + text + "0" * (exp + 1 - len(text))
    return f"{head}{text[:exp + 1]}.{text[exp + 1:]}"


def rfc3339_nano(t: Time) -> str:
    """Go's time.RFC3339Nano in UTC: the fraction without trailing zeros."""
    whole, fraction = format_time(t).rstrip("Z").split(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}Z" if fraction else f"{whole}Z"
