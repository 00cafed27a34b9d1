"""`from(bucket:)`: the source of every query over stored points."""

from __future__ import annotations

from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import From, Stream


@builtin("from")
def from_(ctx: CallContext, bucket: str | None = None, bucketID: str | None = None,  # noqa: N803
          org: str | None = None, orgID: str | None = None,  # noqa: N803
          host: str | None = None, token: str | None = None) -> Stream:
    if (bucket is None) == (bucketID is None):
        raise OperatorError("from() needs exactly one of bucket or bucketID")
    if host is not None or token is not None:
        raise OperatorError("from(): host and token are not supported: tsengine reads its own "
                            "data directory")
    target = bucket if bucket is not None else bucketID
    for name, value in (("bucket", target), ("org", org or orgID)):
        if value is not None and not isinstance(value, str):
            raise OperatorError(f"from(): {name} must be a string")
    return Stream(From(target, org or orgID, span=ctx.span))  # type: ignore[arg-type]
