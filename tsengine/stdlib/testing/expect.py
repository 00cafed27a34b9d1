"""Package `testing/expect`: `expect.planner(rules:)`, upstream's check that named planner rules
fired a number of times. tsengine's rules have other names and shapes, so the call is accepted
and checks nothing (it returns `{}` as upstream's)."""

from __future__ import annotations

from typing import Any

from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Dict, Record, type_name


@builtin("planner", package="testing/expect")
def planner(ctx: CallContext, rules: Any) -> Record:
    if not isinstance(rules, Dict):
        raise OperatorError(f"planner(): rules must be a dictionary, found {type_name(rules)}")
    return Record({})
