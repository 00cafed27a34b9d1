"""`die(msg:)`: stop the script with an error whose message is `msg`."""

from __future__ import annotations

from typing import Any

from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name


@builtin("die")
def die(ctx: CallContext, msg: Any) -> Any:
    if not isinstance(msg, str):
        raise OperatorError(f"die(): msg must be a string, found {type_name(msg)}")
    raise OperatorError(msg)
