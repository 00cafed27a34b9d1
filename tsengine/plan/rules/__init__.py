"""Planner rules, one module each; `RULES` is the order the planner tries them."""

from tsengine.plan.rules.push_filter import PushFilter
from tsengine.plan.rules.push_range import PushRange

RULES = (PushRange(), PushFilter())
