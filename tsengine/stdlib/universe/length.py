"""`length(arr:)`: the number of elements of an array."""

from __future__ import annotations

from typing import Any

from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, type_name


@builtin("length", pipe="arr")
def length(ctx: CallContext, arr: Any) -> int:
    if not isinstance(arr, Array):
        raise OperatorError(f"length(): arr must be an array, got {type_name(arr)}")
    return len(arr)
