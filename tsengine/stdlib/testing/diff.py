"""`experimental.diff(got:, want:)` and `testing.diff(got:, want:, ...)`: the difference between
two streams, as upstream's `_diff` tables.

Tables are matched by group key. A pair that is equal row for row gives no table; otherwise
the table shows the longest common subsequence of rows: `""` for a row both sides have, `"-"`
for a row only `want` has, `"+"` for a row only `got` has (upstream's traceback, so ties break
as upstream's do). Columns: `_diff`, the key columns, `want`'s other columns, then columns only
`got` has; a column one side lacks compares equal to null. Floats are equal within `epsilon`
and NaN equals NaN (as upstream's diff, whatever `nansEqual` says). A column with different
types on the two sides is an error. A `csv.from` input is decoded with each table's rows
taking its first row's key values: flux keys a decoded table by its first row and its diff
never compares the key columns row by row, so a later row's differing key cell is no difference.

The comparison of an equal pair is vectorized; the subsequence of an unequal pair is computed
row by row (it is defined over rows), after the common head and tail are matched at once.
`testing.diff` yields its tables as the result `errorOutput`: the test runner fails a test
whose `errorOutput` has rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import Table, TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream, Yield
from tsengine.stdlib.common import merged_stream, require_stream
from tsengine.stdlib.csv import CsvFrom

DIFF = "_diff"
DEFAULT_EPSILON = 1e-6
ERROR_OUTPUT = "errorOutput"  # the result a test fails on when it has rows


@dataclass(eq=False)
class Diff(PlanNode):
    """The `_diff` tables of `want` against `got`."""

    want: PlanNode
    got: PlanNode
    epsilon: float = DEFAULT_EPSILON

    function: ClassVar[str] = "diff"

    @property
    def inputs(self) -> tuple[PlanNode, ...]:
        return (self.want, self.got)

    def with_inputs(self, inputs: tuple[PlanNode, ...]) -> PlanNode:
        return replace(self, want=inputs[0], got=inputs[1]) if inputs else self

    def describe(self) -> str:
        return f"Diff(epsilon={self.epsilon})"


@builtin("diff", package="experimental", pipe="got")
def experimental_diff(ctx: CallContext, got: Any, want: Any) -> Stream:
    got, want = _streams("diff", got, want)
    return Stream(Diff(want.node, got.node, span=ctx.span))


@builtin("diff", package="testing", pipe="got")
def testing_diff(ctx: CallContext, got: Any, want: Any, verbose: Any = False,
                 epsilon: Any = DEFAULT_EPSILON, nansEqual: Any = False,  # noqa: N803
                 ) -> Stream:
    got, want = _streams("diff", got, want)
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float):
        raise OperatorError(f"diff(): epsilon must be a float, found {type_name(epsilon)}")
    for name, flag in (("verbose", verbose), ("nansEqual", nansEqual)):
        if not isinstance(flag, bool):
            raise OperatorError(f"diff(): {name} must be a bool, found {type_name(flag)}")
    diff = Diff(want.node, got.node, float(epsilon), span=ctx.span)
    return Stream(Yield(diff, ERROR_OUTPUT, span=ctx.span))


def _streams(function: str, got: Any, want: Any) -> tuple[Stream, Stream]:
    if got is None:
        raise OperatorError(f"{function}(): argument 'got' not present")
    return (_csv_as_flux_keys(require_stream(function, got)),
            _csv_as_flux_keys(require_stream(function, want)))


def _csv_as_flux_keys(stream: Stream) -> Stream:
    """A csv.from input decoded with each table's first row's key values: flux keys a decoded
    table by its first row and the diff compares only the key and the other columns, so a later
    row's differing key cell (a typo in upstream test files) makes no difference."""
    node = stream.node
    if isinstance(node, CsvFrom) and not node.raw and not node.first_row_keys:
        return Stream(replace(node, first_row_keys=True))
    return stream


@implements(Diff)
def run_diff(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Diff)
    try:
        frames = [tf for tf in diff_tables(inputs[0], inputs[1], node.epsilon)]
    except OperatorError as e:
        raise ctx.error(node, str(e)) from None
    return merged_stream(ctx, node, frames)


def diff_tables(want: TableStream, got: TableStream, epsilon: float = DEFAULT_EPSILON
                ) -> Iterator[TableFrame]:
    """A `_diff` table for every group key whose tables differ (a key one side lacks: all its
    rows are `-` or `+`)."""
    wants = {_identity(t): t for t in want.tables()}
    gots = {_identity(t): t for t in got.tables()}
    for identity in list(wants) + [k for k in gots if k not in wants]:
        w, g = wants.get(identity), gots.get(identity)
        out = diff_table(w, g, epsilon)
        if out is not None:
            yield out


def _identity(table: Table) -> tuple[tuple[str, str], ...]:
    """A group key as upstream compares them: its columns and values, in any order."""
    return tuple(sorted((k, repr(v)) for k, v in zip(table.key, table.key_values, strict=True)))


def diff_table(want: Table | None, got: Table | None, epsilon: float = DEFAULT_EPSILON
               ) -> TableFrame | None:
    """The `_diff` table of one pair of tables of a key, or None when they are equal."""
    some = want if want is not None else got
    assert some is not None
    key = some.key
    wframe = want.frame if want is not None else pl.DataFrame()
    gframe = got.frame if got is not None else pl.DataFrame()
    columns = _columns(key, some.frame, wframe, gframe)
    compared = [c for c in columns if c not in key]
    if wframe.height == gframe.height and _all_equal(wframe, gframe, compared, epsilon):
        return None
    steps = _trace(wframe, gframe, compared, epsilon)
    return TableFrame(_gather(wframe, gframe, columns, steps), key)


def _columns(key: tuple[str, ...], some: pl.DataFrame, want: pl.DataFrame, got: pl.DataFrame
             ) -> dict[str, pl.DataType]:
    """Output columns and types after `_diff`: key, want's others, then got's own."""
    columns = {k: some.schema[k] for k in key}
    for label, dtype in want.schema.items():
        if label == DIFF or label in columns:
            continue
        other = got.schema.get(label)
        if other is not None and flux_type(other) != flux_type(dtype):
            raise OperatorError(f'column "{label}" has different types {flux_type(dtype)} != '
                                f'{flux_type(other)}')
        columns[label] = dtype
    for label, dtype in got.schema.items():
        if label != DIFF and label not in columns:
            columns[label] = dtype
    return columns


def _all_equal(want: pl.DataFrame, got: pl.DataFrame, compared: list[str], epsilon: float
               ) -> bool:
    """Whether two frames of one height are equal row for row (vectorized)."""
    if not want.height:
        return True
    checks = []
    for label in compared:
        if label not in got.columns:
            checks.append(want.get_column(label).is_null().all())
        elif label not in want.columns:
            checks.append(got.get_column(label).is_null().all())
        else:
            w, g = want.get_column(label), got.get_column(label)
            checks.append(bool(_equal_values(w, g, epsilon).all()))
    return all(checks)


def _equal_values(w: pl.Series, g: pl.Series, epsilon: float) -> pl.Series:
    """Element-wise equality of two columns: nulls equal nulls, floats within epsilon."""
    if w.dtype == pl.Float64 and g.dtype == pl.Float64:
        both_nan = w.is_nan() & g.is_nan()
        close = (w == g) | ((w - g).abs() <= epsilon)  # == first: inf - inf is NaN
        same = (both_nan | close).fill_null(False)
        return same | (w.is_null() & g.is_null())
    if w.dtype != g.dtype:
        w, g = w.cast(pl.String), g.cast(pl.String)
    return w.eq_missing(g)


# -- the longest common subsequence, traced back as upstream does ------------------------------
_EITHER, _LEFT, _TOP, _MATCH = range(4)


def _trace(want: pl.DataFrame, got: pl.DataFrame, compared: list[str], epsilon: float
           ) -> list[tuple[str, int, int]]:
    """(mark, side 0 want / 1 got, row) for every output row, in order."""
    equal = _row_equality(want, got, compared, epsilon)
    head = 0
    while head < min(want.height, got.height) and equal(head, head):
        head += 1
    tail = 0
    while (tail < min(want.height, got.height) - head
           and equal(want.height - 1 - tail, got.height - 1 - tail)):
        tail += 1
    rows, cols = want.height - head - tail, got.height - head - tail
    middle = _lcs_trace(rows, cols, lambda i, j: equal(head + i, head + j))
    steps = [("", 0, i) for i in range(head)]
    steps += [(mark, side, head + i) for mark, side, i in middle]
    steps += [("", 0, want.height - tail + i) for i in range(tail)]
    return steps


def _lcs_trace(rows: int, cols: int, equal: Callable[[int, int], bool]
               ) -> list[tuple[str, int, int]]:
    """Upstream's table `lcs[col][row]` (row: want, col: got) and its traceback from the end."""
    length = [[0] * (rows + 1) for _ in range(cols + 1)]
    parent = [[_EITHER] * (rows + 1) for _ in range(cols + 1)]
    for col in range(1, cols + 1):
        for row in range(1, rows + 1):
            if equal(row - 1, col - 1):
                parent[col][row], length[col][row] = _MATCH, length[col - 1][row - 1] + 1
                continue
            top, left = length[col - 1][row], length[col][row - 1]
            length[col][row] = max(top, left)
            parent[col][row] = _EITHER if top == left else _TOP if top > left else _LEFT
    out: list[tuple[str, int, int]] = []
    row, col = rows, cols
    while row > 0 or col > 0:
        p = parent[col][row]
        if row > 0 and col > 0 and p == _MATCH:
            row, col = row - 1, col - 1
            out.append(("", 0, row))
        elif row > 0 and (col == 0 or p == _LEFT):
            row -= 1
            out.append(("-", 0, row))
        else:
            col -= 1
            out.append(("+", 1, col))
    out.reverse()
    return out


def _row_equality(want: pl.DataFrame, got: pl.DataFrame, compared: list[str], epsilon: float
                  ) -> Callable[[int, int], bool]:
    """`equal(i, j)`: whether want's row i and got's row j are equal in the compared columns."""
    pairs = []
    for label in compared:
        w = want.get_column(label).to_list() if label in want.columns else None
        g = got.get_column(label).to_list() if label in got.columns else None
        is_float = any(f.schema.get(label) == pl.Float64 for f in (want, got))
        pairs.append((w, g, is_float))

    def equal(i: int, j: int) -> bool:
        for w, g, is_float in pairs:
            a = w[i] if w is not None else None
            b = g[j] if g is not None else None
            if a is None or b is None:
                if a is not b:
                    return False
            elif is_float:
                if a != b and not (a != a and b != b) and not abs(a - b) <= epsilon:
                    return False
            elif a != b:
                return False
        return True

    return equal


def _gather(want: pl.DataFrame, got: pl.DataFrame, columns: dict[str, pl.DataType],
            steps: list[tuple[str, int, int]]) -> pl.DataFrame:
    """The output rows: each step's row from its side (both sides hold the key's values)."""
    sides = [_aligned(want, columns), _aligned(got, columns)]
    at = [i if side == 0 else want.height + i for _, side, i in steps]
    rows = pl.concat(sides, how="vertical").gather(at)
    marks = pl.Series(DIFF, [mark for mark, _, _ in steps], dtype=pl.String)
    return rows.select(marks, *columns)


def _aligned(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frame with exactly the output columns (a missing one all null)."""
    return pl.DataFrame([frame.get_column(c).cast(t) if c in frame.columns
                         else pl.Series(c, [None] * frame.height, dtype=t)
                         for c, t in columns.items()], schema=columns)
