"""`sample(n:, pos:, column:)`: every n-th row of each table, from row `pos`.

As upstream's sample.go (an index selector): rows pos, pos + n, pos + 2n... are kept whole,
nulls in `column` counted like any row (the column must exist, of any type). Without `pos`
(-1) upstream draws the first row at random per table (Go's math/rand, seeded at random), so
here too each table gets a random start in [0, n). Tables without rows stay, empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import row_index, table_ids
from tsengine.execute.table import TableFrame, TableStream, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class Sample(PlanNode):
    """Rows pos, pos + n, ... of each table (a random pos per table when pos is -1)."""

    function: ClassVar[str] = "sample"

    input: PlanNode
    n: int
    pos: int = -1
    column: str = "_value"


@builtin("sample", pipe="tables")
def sample(ctx: CallContext, tables: Any, n: Any, pos: Any = -1, column: Any = "_value"
           ) -> Stream:
    tables = require_stream("sample", tables)
    for name, value in (("n", n), ("pos", pos)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise OperatorError(f"sample(): {name} must be an int, found {type_name(value)}")
    if not isinstance(column, str):
        raise OperatorError("sample(): column must be a string")
    if n <= 0:
        raise OperatorError(f"sample(): n must be a positive integer, but was {n}")
    if pos >= n:
        raise OperatorError(f"sample(): pos must be less than n, but {pos} >= {n}")
    return Stream(Sample(tables.node, n, pos, column, span=ctx.span))


@implements(Sample)
def run_sample(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Sample)
    out = []
    for tf in inputs[0].frames:
        if node.column not in tf.frame.columns:
            raise ctx.error(node, f'no column "{node.column}" exists')
        frame = tf.frame.with_columns(_starts(node, tf).alias("\0start"))
        index, start = row_index(tf.key), pl.col("\0start")
        frame = frame.filter((index >= start) & ((index - start) % node.n == 0)).drop("\0start")
        empty = list(tf.empty)
        if frame.height < tf.frame.height and tf.key:
            empty += sorted(key_values(tf.frame, tf.key) - key_values(frame, tf.key), key=repr)
        elif not tf.key and tf.frame.height and not frame.height:
            empty.append(())
        out.append(TableFrame(frame, tf.key, empty))
    return TableStream(out)


def _starts(node: Sample, tf: TableFrame) -> pl.Expr:
    """Each row's table's first sampled row: `pos`, or one drawn at random per table."""
    if node.pos >= 0 or not tf.frame.height:
        return pl.lit(max(node.pos, 0), pl.Int64)
    ids, tables = table_ids(tf.frame, tf.key)
    draws = pl.Series(np.random.default_rng().integers(0, node.n, tables.height), dtype=pl.Int64)
    return pl.lit(draws.gather(ids))
