"""The planner: applies the rules in `RULES` until none changes the plan.

A rule is an object with a `name` and `rewrite(node) -> PlanNode | None` (None: no change).
Rules can be switched off by name, which the conformance tests do to show that every pushdown
gives the same tables as the plain plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tsengine.plan.nodes import PlanNode
from tsengine.plan.rules import RULES

MAX_PASSES = 100


class Rule(Protocol):
    """A rewrite of one plan node (and what it absorbs), switchable off by name."""

    name: str

    def rewrite(self, node: PlanNode) -> PlanNode | None: ...


def optimize(node: PlanNode, disabled: Iterable[str] = ()) -> PlanNode:
    """Rewrite a plan with every enabled rule until it stops changing."""
    off = set(disabled)
    active = [r for r in RULES if r.name not in off and "all" not in off]
    for _ in range(MAX_PASSES):
        changed, node = _pass(node, active)
        if not changed:
            return node
    return node


def _pass(node: PlanNode, active: list[Rule]) -> tuple[bool, PlanNode]:
    changed = False
    inputs = []
    for child in node.inputs:
        c, new = _pass(child, active)
        changed |= c
        inputs.append(new)
    if changed:
        node = node.with_inputs(tuple(inputs))
    for rule in active:
        rewritten = rule.rewrite(node)
        if rewritten is not None:
            return True, rewritten
    return changed, node


def explain(node: PlanNode, indent: int = 0) -> str:
    """The plan as an indented tree, the result first."""
    lines = ["  " * indent + node.describe()]
    for child in node.inputs:
        lines.append(explain(child, indent + 1))
    return "\n".join(lines)
