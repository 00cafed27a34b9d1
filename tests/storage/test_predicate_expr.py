"""Tag predicates as Polars expressions: bare comparisons where they only filter (so Parquet
statistics can skip row groups), never null where a negation of the result is used."""

from __future__ import annotations

import polars as pl
import pytest

from storage.predicate import And, Compare, Not, Or, to_expr

ROWS = pl.DataFrame({"t1": ["a", None, "b"], "t2": ["x", "y", None]})
COLUMNS = {"host": "t1", "dc": "t2"}.get


@pytest.mark.parametrize("pred, rows", [
    (Compare("host", "==", "a"), [0]),
    (Compare("host", "!=", "a"), [2]),  # a series without the tag fails every comparison
    (Not(Compare("host", "==", "a")), [1, 2]),
    (Or((Compare("host", "==", "b"), Compare("dc", "==", "y"))), [1, 2]),
    (And((Compare("host", "!=", "b"), Compare("dc", "==", "x"))), [0]),
    (Not(And((Compare("host", "==", "a"), Compare("dc", "==", "y")))), [0, 1, 2]),
])
def test_filtering_and_complement_agree(pred, rows):
    index = ROWS.with_row_index("i")
    as_filter = index.filter(to_expr(pred, COLUMNS, as_filter=True))["i"].to_list()
    total = to_expr(pred, COLUMNS)
    assert as_filter == index.filter(total)["i"].to_list() == rows
    # the total form is never null: its negation keeps exactly the other rows
    assert index.filter(~total)["i"].to_list() == [i for i in range(3) if i not in rows]


def test_a_filtering_comparison_stays_bare():
    assert "fill_null" not in str(to_expr(Compare("host", "==", "a"), COLUMNS, as_filter=True))
    assert "fill_null" in str(to_expr(Compare("host", "==", "a"), COLUMNS))
