"""Step-by-step recurrences of the moving-average family (EMA, Wilder's smoothing, KAMA).

Each value depends on the one before it through a rounding float operation, so no Polars
expression gives upstream's floats to the last bit (`ewm_mean` rounds differently: upstream's
own test values show it). These are the row-wise fallback: one loop over a frame's rows, every
table at once, a table's state found by its id (its rows need not be contiguous).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from tsengine.execute.pertable import table_ids


def ids_of(frame: pl.DataFrame, key: Sequence[str]) -> list[int]:
    """Each row's table id."""
    ids, _ = table_ids(frame, key)
    return ids.to_list()


def ema_scan(ids: list[int], rows: list[int], values: list[float | None], n: int,
             alpha: float) -> list[float | None]:
    """Upstream's EMA of a sequence starting at row 0 of each table (`rows`: the row's place
    in that sequence, negative before it). Row j < n-1: the mean of the non-null values so far
    (what a table shorter than n reports); row n-1: that mean seeds the EMA; later: a value x
    gives `x * alpha + ema * (1 - alpha)` (x itself when nothing was seen), a null the EMA so
    far. Null where no value was seen."""
    out: list[float | None] = [None] * len(rows)
    total: dict[int, float] = {}
    count: dict[int, int] = {}
    ema: dict[int, float | None] = {}
    keep = 1.0 - alpha
    for i, (table, j, x) in enumerate(zip(ids, rows, values, strict=True)):
        if j < 0:
            continue
        if j < n:
            if x is not None:
                total[table] = total.get(table, 0.0) + x
                count[table] = count.get(table, 0) + 1
            seen = count.get(table, 0)
            out[i] = total[table] / seen if seen else None
            if j == n - 1:
                ema[table] = out[i]
            continue
        previous = ema.get(table)
        if x is not None:
            ema[table] = previous = x if previous is None else x * alpha + previous * keep
        out[i] = previous
    return out


def wilder_scan(ids: list[int], rows: list[int], values: list[float | None], n: int
                ) -> list[float]:
    """Upstream's RSI average (its EMA `Add`): a running mean `(avg * count + x) / (count + 1)`
    over rows 0..n-1, then `x / n + avg * (1 - 1/n)`; a null leaves it; 0 before any value."""
    out = [0.0] * len(rows)
    avg: dict[int, float] = {}
    count: dict[int, int] = {}
    alpha = 1.0 / n
    keep = 1.0 - alpha
    for i, (table, j, x) in enumerate(zip(ids, rows, values, strict=True)):
        seen = count.get(table, 0)
        if x is not None:
            if seen == 0:
                value = x
            elif j <= n - 1:
                value = (avg[table] * seen + x) / (seen + 1)
            else:
                value = x * alpha + avg[table] * keep
            avg[table] = value
            count[table] = min(seen + 1, n)
        out[i] = avg.get(table, 0.0)
    return out


def kama_scan(ids: list[int], rows: list[int], sc: np.ndarray, values: np.ndarray, n: int
              ) -> list[float]:
    """kama_j = kama_(j-1) + sc_j * (v_j - kama_(j-1)) from kama_(n-1) = v_(n-1)."""
    out = [0.0] * len(rows)
    last: dict[int, float] = {}
    for i, (table, j, s, v) in enumerate(zip(ids, rows, sc.tolist(), values.tolist(),
                                             strict=True)):
        if j < n - 1:
            continue
        if j == n - 1:
            last[table] = v
            continue
        previous = last[table]
        out[i] = last[table] = previous + s * (v - previous)
    return out
