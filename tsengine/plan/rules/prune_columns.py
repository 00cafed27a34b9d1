"""Absorb a `keep`/`drop` by column list into the storage read below it.

    Keep(columns=["_time", "dc"])                  StorageRead(..., predicate: host == "a",
      StorageRead(..., predicate: host == "a")  =>   keep=["_time", "dc"], omit=["_value", "host"])

The read runs the same keep/drop on its tables (so the result is byte-identical), and leaves out
of the scan's output what is provably not needed: `_value` when it is dropped (its rows still
count), and dropped tags (`_measurement`, `_field` included) that the pushed predicate pins to one
value by a top-level `==`. Every other dropped tag is still read: it orders the rows of tables
that merge (series by series) and splits series into frames by which tags they have, so a scan
without it would interleave merged rows differently. `keep`/`drop` by function and a keep/drop
on anything but a bare read stay in the plan.
"""

from __future__ import annotations

from dataclasses import replace

from storage import And, Compare, Predicate
from tsengine.plan.nodes import PlanNode, StorageRead
from tsengine.stdlib.universe.keep import KeepDrop

# columns that are never constant within a table by a predicate (and _time orders the rows)
_ROW_COLUMNS = frozenset({"_time", "_value", "_start", "_stop"})


class PruneColumns:
    name = "prune_columns"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        if not (isinstance(node, KeepDrop) and node.columns is not None
                and isinstance(node.input, StorageRead) and not node.input.projected):
            return None
        read = node.input
        listed = set(node.columns)
        dropped = {c for c in pinned_columns(read.predicate) if (c in listed) == node.drop}
        if ("_value" in listed) == node.drop:
            dropped.add("_value")
        columns = node.columns
        return replace(read, keep=None if node.drop else columns,
                       drop=columns if node.drop else None, omit=tuple(sorted(dropped)),
                       projection_span=node.span)


def pinned_columns(pred: Predicate | None) -> set[str]:
    """Tags (with `_measurement`, `_field`) that a predicate requires to equal one non-empty
    value: present on every row it selects, with the same value."""
    if isinstance(pred, And):
        return set().union(*(pinned_columns(p) for p in pred.items))
    if (isinstance(pred, Compare) and pred.op == "==" and pred.value != ""
            and pred.column not in _ROW_COLUMNS):
        return {pred.column}
    return set()
