"""Which buckets a task reads and writes, read from its script without running it, so the
scheduler can chain tasks: a run waits for the runs of the tasks that write what it reads.

Only literal bucket names count (`from(bucket: "raw")`, `to(bucket: "rollup")`): a name computed
at run time cannot be known before the run, and such a task simply has no chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsengine.flux import ast
from tsengine.flux.parser import parse

READERS = ("from",)
WRITERS = ("to",)


@dataclass(frozen=True)
class Lineage:
    """The buckets a script reads and writes (by name)."""

    reads: frozenset[str]
    writes: frozenset[str]


def lineage(script: str | ast.File) -> Lineage:
    """The literal bucket names in the script's `from` and `to` calls."""
    file = parse(script) if isinstance(script, str) else script
    reads: set[str] = set()
    writes: set[str] = set()
    for node in ast.walk(file):
        if not isinstance(node, ast.CallExpr):
            continue
        name = _callee_name(node.callee)
        if name not in (*READERS, *WRITERS):
            continue
        bucket = _bucket(node)
        if bucket is not None:
            (reads if name in READERS else writes).add(bucket)
    return Lineage(frozenset(reads), frozenset(writes))


def _callee_name(callee: ast.Node) -> str | None:
    """`from` for `from(...)` and for `influxdb.from(...)` / `experimental.to(...)` alike."""
    if isinstance(callee, ast.Identifier):
        return callee.name
    if isinstance(callee, ast.MemberExpr):
        return callee.property
    return None


def _bucket(call: ast.CallExpr) -> str | None:
    for prop in call.arguments:
        if prop.key == "bucket" and isinstance(prop.value, ast.StringLit) \
                and prop.value.is_plain:
            return prop.value.text
    return None
