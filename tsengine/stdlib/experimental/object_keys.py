"""`experimental.objectKeys(o:)`: the property names of a record, in its order."""

from __future__ import annotations

from typing import Any

from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, Record, type_name


@builtin("objectKeys", package="experimental")
def object_keys(ctx: CallContext, o: Any) -> Array:
    if not isinstance(o, Record):
        raise OperatorError(f"experimental.objectKeys(): o must be a record, found "
                            f"{type_name(o)}")
    return Array(o.keys())
