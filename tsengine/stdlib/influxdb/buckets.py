"""`buckets()`: the organization's buckets as one table without a group key, as InfluxDB
answers it (name, id, organizationID, retentionPolicy, retentionPeriod in nanoseconds; 0 keeps
forever). tsengine has no system buckets (`_monitoring`, `_tasks`), so none are listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from storage import OrganizationNotFound
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream


@dataclass(eq=False)
class Buckets(PlanNode):
    """The buckets of an organization (the default one when None)."""

    org: str | None = None

    function: ClassVar[str] = "buckets"


@builtin("buckets")
def buckets(ctx: CallContext, org: str | None = None, orgID: str | None = None,  # noqa: N803
            host: str | None = None, token: str | None = None) -> Stream:
    if host is not None or token is not None:
        raise OperatorError("buckets(): host and token are not supported: tsengine reads its "
                            "own data directory")
    target = org or orgID
    if target is not None and not isinstance(target, str):
        raise OperatorError("buckets(): org must be a string")
    return Stream(Buckets(target, span=ctx.span))


@implements(Buckets)
def run_buckets(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Buckets)
    try:
        found = sorted(ctx.store.buckets(node.org), key=lambda b: b.name)
    except OrganizationNotFound:
        raise ctx.error(node, f'organization "{node.org}" not found') from None
    frame = pl.DataFrame({
        "name": [b.name for b in found], "id": [b.id for b in found],
        "organizationID": [b.org_id for b in found],
        "retentionPolicy": ["" for _ in found],
        "retentionPeriod": [b.retention for b in found],
    }, schema={"name": pl.String, "id": pl.String, "organizationID": pl.String,
               "retentionPolicy": pl.String, "retentionPeriod": pl.Int64})
    return TableStream([TableFrame(frame, (), [] if found else [()])])
