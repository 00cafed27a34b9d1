"""`holtWinters(n, interval, withFit, timeColumn, column, seasonality, withMinSSE)`: a damped
Holt-Winters forecast of `n` points per table, fitted as upstream fits it.

Per table, as upstream: rows with a null time are dropped, and so are rows before the first
non-null value. Time is cut into buckets of `interval` (each time rounded to a multiple of
the interval, half up); a bucket takes the value of its first row (a null value fills it
too); later rows of a filled bucket, and rows that fall before it, are skipped; a bucket no
row reaches is null. int and uint values become floats; a NaN or ±Inf value is an error.

With fewer than two buckets (fewer than `seasonality` when it is 2 or more), or `n` ≤ 0, the
table comes out empty. Otherwise the model's parameters (alpha, beta, gamma, phi, level,
trend and the seasonal factors) minimize the squared error of the one-step fit over the
non-null buckets: Nelder-Mead (nelder_mead.py) from each of 16 starts on a grid of 0.3 and
0.7 for alpha, beta, gamma and phi, best result kept. The forecast then runs `n` steps past
the data (with `withFit`, the fitted buckets come first).

Each output table has the input's group key, its key columns, `_time` and `_value` (float),
and `minSSE` (float) with `withMinSSE`. `_time` steps by `interval` from the last bucket's
first row time plus `interval` (from the first row's time under `withFit`). Empty tables
stay, empty.

Bucketing is vectorized over all tables of a frame at once. The fit cannot be: each table's
parameter search is a sequential chain of a few thousand model evaluations, each a
recurrence over the table's buckets, so it runs in a Python loop per table over plain floats,
in upstream's operation order so the floats are upstream's. That costs about 1 s per
thousand buckets per table.

Where upstream does not finish (an interval ≤ 0 spins forever), this is an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from math import ldexp
from typing import Any, ClassVar

import numpy as np
import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, table_ids
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream, flux_type, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, Time, add_duration, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.nelder_mead import OptimizeError, minimize

NUMERIC = (pl.Int64, pl.UInt64, pl.Float64)
NS_PER_MONTH = 2_629_800_000_000_000.0  # Go's flattening of a month: 365.25 days / 12
WEIGHT = 0.5  # weight of the first values in the non-seasonal starting level and trend
GRID = (0.3, 1.0, 0.4)  # starting alpha/beta/gamma/phi: from 0.3 while < 1.0, step 0.4
EPSILON, ITERATIONS = 1.0e-4, 100  # the optimizer's convergence test
ID, T, V = "\0table", "\0t", "\0v"


@dataclass(eq=False)
class HoltWinters(PlanNode):
    """A Holt-Winters forecast of `n` points per table."""

    input: PlanNode
    n: int
    interval: Duration
    with_fit: bool
    column: str
    time_column: str
    seasonality: int
    with_min_sse: bool

    function: ClassVar[str] = "holtWinters"


@builtin("holtWinters", pipe="tables")
def holt_winters(ctx: CallContext, tables: Any, n: Any, interval: Any,
                 withFit: Any = False, column: Any = "_value",  # noqa: N803
                 timeColumn: Any = "_time", seasonality: Any = 0,  # noqa: N803
                 withMinSSE: Any = False) -> Stream:  # noqa: N803
    tables = require_stream("holtWinters", tables)
    if not isinstance(interval, Duration):
        raise OperatorError(f"holtWinters(): interval must be a duration, found "
                            f"{type_name(interval)}")
    return Stream(HoltWinters(
        tables.node, _arg(n, int, "n", "an int"), interval,
        _arg(withFit, bool, "withFit", "a bool"), _arg(column, str, "column", "a string"),
        _arg(timeColumn, str, "timeColumn", "a string"),
        _arg(seasonality, int, "seasonality", "an int"),
        _arg(withMinSSE, bool, "withMinSSE", "a bool"), span=ctx.span))


def _arg(value: Any, kind: type, name: str, wanted: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise OperatorError(f"holtWinters(): {name} must be {wanted}, found {type_name(value)}")
    return value


@implements(HoltWinters)
def run_holt_winters(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, HoltWinters)
    step = _step_ns(node.interval)
    if step <= 0:
        raise ctx.error(node, "interval must be positive")
    return TableStream([_forecast_frame(ctx, node, tf, step) for tf in inputs[0].frames])


def _step_ns(interval: Duration) -> int:
    """The interval in nanoseconds, months flattened as Go's Duration.Duration() does."""
    months = int(float(interval.months) * NS_PER_MONTH) if interval.months > 0 else 0
    ns = abs(interval.nanoseconds) + months
    return -ns if interval.negative else ns


def _check_columns(ctx: ExecContext, node: HoltWinters, tf: TableFrame) -> None:
    schema = tf.frame.schema
    if node.time_column not in schema:
        raise ctx.error(node, f"cannot find time column {node.time_column}")
    if node.column not in schema:
        raise ctx.error(node, f"cannot find column {node.column}")
    if schema[node.column] not in NUMERIC:
        raise ctx.error(node, f"holtWinters can work only on numerical types, got "
                              f"{flux_type(schema[node.column])}")
    time_type = schema[node.time_column]
    if not isinstance(time_type, pl.Datetime) and time_type != pl.Int64:
        raise ctx.error(node, f"time column {node.time_column} is not of type time")
    added = ["_time", "_value"] + (["minSSE"] if node.with_min_sse else [])
    for label in added:
        if label in tf.key:
            raise ctx.error(node, f"table builder already has column with label {label}")


# -- buckets ---------------------------------------------------------------------------------
def _buckets(ctx: ExecContext, node: HoltWinters, tf: TableFrame, step: int
             ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each table's bucket rows (ID, bucket number K, time T, value V) in order, and the
    tables (ID and key columns, in order of first appearance)."""
    ids, firsts = table_ids(tf.frame, tf.key, ID)
    time = pl.col(node.time_column)
    time = time.dt.epoch("ns") if isinstance(tf.frame.schema[node.time_column], pl.Datetime) \
        else time
    rows = (tf.frame.select(ids, time.alias(T), pl.col(node.column).cast(pl.Float64).alias(V))
            .filter(pl.col(T).is_not_null())
            .filter(over(pl.col(V).is_not_null().cast(pl.Int32).cum_sum() > 0, [ID])))
    t = rows.get_column(T).to_numpy()
    rounded = _round(t, step)
    first = rows.select(over(pl.first(T), [ID])).to_series().to_numpy()
    bucket = -np.floor_divide(_round(first, step) - rounded, step)  # ceil((r - r0) / step)
    rows = rows.with_columns(pl.Series("\0k", bucket, dtype=pl.Int64))
    seen = over(pl.col("\0k").cum_max().shift(1), [ID])
    kept = rows.filter(seen.is_null() | (pl.col("\0k") > seen)).sort(ID, maintain_order=True)
    bad = kept.select((pl.col(V).is_nan() | pl.col(V).is_infinite()).any()).item()
    if bad:
        raise ctx.error(node, "NaN/Inf in input")
    return kept, firsts


def _round(t: np.ndarray, step: int) -> np.ndarray:
    """Go's values.Time.Round: the remainder is truncated (negative below 0, which rounds
    up); half or more rounds up."""
    r = np.fmod(t, step)
    down = (r >= 0) & (2 * r < step)
    return np.where(down, t - r, t + (step - r))


def _series(kept: pl.DataFrame) -> list[tuple[int, list[float], list[bool], int, int]]:
    """Per table with rows: (id, bucket values, which are non-null, first time, last time)."""
    if not kept.height:
        return []
    ids = kept.get_column(ID).to_numpy()
    k = kept.get_column("\0k").to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    sizes = k[ends - 1] + 1
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    where = offsets[np.repeat(np.arange(len(starts)), ends - starts)] + k
    values = np.zeros(int(sizes.sum()))
    valid = np.zeros(len(values), dtype=bool)
    v = kept.get_column(V)
    values[where] = v.fill_null(0.0).to_numpy()
    valid[where] = v.is_not_null().to_numpy()
    t = kept.get_column(T).to_numpy()
    out = []
    for s, e, o, size in zip(starts, ends, offsets, sizes, strict=True):
        stop = int(t[e - 1]) if e - s > 1 else 0
        out.append((int(ids[s]), values[o:o + size].tolist(), valid[o:o + size].tolist(),
                    int(t[s]), stop))
    return out


# -- output ------------------------------------------------------------------------------------
def _forecast_frame(ctx: ExecContext, node: HoltWinters, tf: TableFrame, step: int
                    ) -> TableFrame:
    _check_columns(ctx, node, tf)
    kept, firsts = _buckets(ctx, node, tf, step)
    out_ids: list[int] = []
    times: list[int] = []
    values: list[float] = []
    sses: list[float] = []
    for table, y, valid, start, stop in _series(kept):
        try:
            fcast, sse = fit_forecast(y, valid, node.n, node.seasonality, node.with_fit)
        except OptimizeError as e:
            raise ctx.error(node, f"panic: {e}") from None
        origin = start if node.with_fit else _add(stop, node.interval, step, 1)
        out_ids += [table] * len(fcast)
        times += _times(origin, node.interval, step, len(fcast))
        values += fcast
        sses += [sse] * len(fcast)
    key = list(tf.key)
    by_id = firsts.select(ID, *key)
    rows = pl.DataFrame({ID: pl.Series(out_ids, dtype=pl.Int64)})
    columns = [pl.Series("_time", times, dtype=pl.Int64).cast(TIME_DTYPE),
               pl.Series("_value", values, dtype=pl.Float64)]
    if node.with_min_sse:
        columns.append(pl.Series("minSSE", sses, dtype=pl.Float64))
    keys = rows.join(by_id, on=ID, how="left", maintain_order="left").drop(ID) if key \
        else pl.DataFrame()
    frame = pl.concat([keys, pl.DataFrame(columns)], how="horizontal") if key \
        else pl.DataFrame(columns)
    lost = key_values(tf.frame, tf.key) - key_values(frame, tf.key)
    return TableFrame(frame, tf.key, list(tf.empty) + sorted(lost, key=repr))


def _add(t: int, interval: Duration, step: int, times: int) -> int:
    """`t` plus `times` intervals, months by the calendar (as Go's Time.Add, step by step)."""
    if not interval.months:
        return t + times * step
    for _ in range(times):
        t = add_duration(Time(t), interval).ns
    return t


def _times(origin: int, interval: Duration, step: int, count: int) -> list[int]:
    if not interval.months:
        return list(range(origin, origin + count * step, step)) if count else []
    out, t = [], origin
    for _ in range(count):
        out.append(t)
        t = _add(t, interval, step, 1)
    return out


# -- the model ---------------------------------------------------------------------------------
def fit_forecast(y: list[float], valid: list[bool], n: int, s: int, with_fit: bool
                 ) -> tuple[list[float], float]:
    """The forecast (fitted values first under `with_fit`) and the minimum squared error, as
    upstream's HoltWinters.Do; ([], 0) when there is too little data."""
    seasonal = s >= 2
    size = len(y)
    if size < 2 or (seasonal and size < s) or n <= 0:
        return [], 0.0
    model = _Model(y, valid, n, s if seasonal else 0, with_fit)
    start = [0.0] * (6 + model.m)
    start[4], start[5] = model.level0(), model.trend0()
    for i in range(model.m):
        start[6 + i] = y[i] / start[4] if valid[i] else 1.0
    min_sse, best = math.inf, None
    low, high, stride = GRID
    alpha = low
    while alpha < high:
        beta = low
        while beta < high:
            gamma = low
            while gamma < high:
                phi = low
                while phi < high:
                    start[:4] = [alpha, beta, gamma, phi]
                    result = minimize(model.sse, start, EPSILON, ITERATIONS)
                    if result.f < min_sse or best is None:
                        min_sse, best = result.f, result.x
                    phi += stride
                gamma += stride
            beta += stride
        alpha += stride
    assert best is not None
    return model.forecast(list(best)), min_sse


class _Model:
    """The damped Holt-Winters recurrences over one table's buckets."""

    def __init__(self, y: list[float], valid: list[bool], n: int, m: int, with_fit: bool
                 ) -> None:
        self.y, self.valid, self.n, self.m, self.with_fit = y, valid, n, m, with_fit
        self.later, self.later_valid = y[1:], valid[1:]
        self.cache: dict[float, list[float]] = {}

    def _powers(self, phi: float) -> list[float]:
        """phi^1 .. phi^(len(y)-1) as Go computes them (the same phi recurs: 0 and 1, where
        the parameter is clamped)."""
        powers = self.cache.get(phi) if phi else None  # not ±0: equal keys, unequal powers
        if powers is None:
            if len(self.cache) > 64:
                self.cache.clear()
            powers = self.cache[phi] = go_int_powers(phi, len(self.y))[1:]
        return powers

    def level0(self) -> float:
        y, valid, m = self.y, self.valid, self.m
        level = 0.0
        if not m:
            return level + WEIGHT * y[0]
        for i in range(m):
            if valid[i]:
                level += (1 / m) * y[i]
        return level

    def trend0(self) -> float:
        y, valid, m = self.y, self.valid, self.m
        if not m:
            return WEIGHT * (y[1] - y[0]) if valid[1] else 0.0
        trend = 0.0
        for i in range(min(m, len(y) - m)):
            if valid[i] and valid[m + i]:
                trend += 1 / (m * m) * (y[m + i] - y[i])
        return trend

    def sse(self, params: list[float]) -> float:
        """Squared error of the one-step fit over the non-null buckets (the first bucket is
        its own fit), summed in bucket order."""
        y = self.y
        alpha, beta, gamma, phi = _constrained(params)
        level, trend, yt = params[4], params[5], y[0]
        powers = self._powers(phi)
        phi_h, total = phi, 0.0
        keep_level, keep_trend = 1 - alpha, (1 - beta) * phi
        steps = zip(self.later, self.later_valid, powers, strict=True)
        if not self.m:
            for value, ok, power in steps:
                previous = level
                level = alpha * yt + keep_level * (previous + phi * trend)
                trend = beta * (level - previous) + keep_trend * trend
                yt = level + phi_h * trend
                phi_h += power
                if ok:
                    diff = yt - value
                    total += diff * diff
            return total
        m, keep_season = self.m, 1 - gamma
        season = params[6:6 + m]
        for t, (value, ok, power) in enumerate(steps, 1):
            at = (2 * t - 2) % m
            s_now, s_ahead = season[at], season[(2 * t - 2 + t % m) % m]
            previous = level
            base = previous + phi * trend
            level = alpha * (yt / s_now) + keep_level * base
            trend = beta * (level - previous) + keep_trend * trend
            season[at] = gamma * (yt / base) + keep_season * s_now
            yt = (level + phi_h * trend) * s_ahead
            phi_h += power
            if ok:
                diff = yt - value
                total += diff * diff
        return total

    def forecast(self, params: list[float]) -> list[float]:
        """The fitted buckets (under `with_fit`) and the n points past them."""
        size = len(self.y)
        values = self._run(params, size + self.n)
        return values if self.with_fit else values[size:]

    def _run(self, p: list[float], steps: int) -> list[float]:
        """The model's value at each of `steps` points (the first is the first bucket's value),
        each step fed the previous step's value, as upstream's forecast loop does; the same
        arithmetic as `sse`."""
        alpha, beta, gamma, phi = _constrained(p)
        level, trend, yt = p[4], p[5], self.y[0]
        powers = go_int_powers(phi, steps)
        out, phi_h, m = [yt], phi, self.m
        season = p[6:6 + m]
        for t in range(1, steps):
            s_now = s_ahead = 1.0
            if m:
                at = (2 * t - 2) % m
                s_now, s_ahead = season[at], season[(2 * t - 2 + t % m) % m]
            previous = level
            base = previous + phi * trend
            level = alpha * (yt / s_now) + (1 - alpha) * base
            trend = beta * (level - previous) + (1 - beta) * phi * trend
            if m:
                season[at] = gamma * (yt / base) + (1 - gamma) * s_now
            yt = (level + phi_h * trend) * s_ahead
            phi_h += powers[t]
            out.append(yt)
        return out


def _constrained(p: list[float]) -> tuple[float, float, float, float]:
    """alpha, beta, gamma and phi clamped to [0, 1] (in `p` too, as upstream does)."""
    for i in range(4):
        if p[i] > 1:
            p[i] = 1.0
        if p[i] < 0:
            p[i] = 0.0
    return p[0], p[1], p[2], p[3]


def go_int_powers(x: float, count: int) -> list[float]:
    """[Go's math.Pow(x, t) for t in 0..count-1] for 0 ≤ x ≤ 1 (or NaN).

    Go's Pow of an integer exponent multiplies the squares x^(2^j) (mantissa and exponent
    apart) for the set bits j of t, lowest first: the product for t is the one for t less its
    top bit times the top bit's square, so the table doubles bit by bit. A square whose
    exponent passes ±4096 ends Go's loop (its exponent is added, its bit's and higher are
    not): from that bit on the table repeats. Index 0 is unused."""
    if x == 1 or math.isnan(x):
        return [x] * count
    if x == 0:
        return [x if t % 2 else 0.0 for t in range(count)]
    fast = _normal_powers(x, count)
    if fast is not None:
        return fast
    frac, exp = math.frexp(x)
    mant, exps = [1.0], [0]
    tail: list[float] = []
    while len(mant) < count:
        if not -(1 << 12) <= exp <= 1 << 12:
            tail = list(map(ldexp, mant, [e + exp for e in exps]))
            break
        mant += [a * frac for a in mant]
        exps += [e + exp for e in exps]
        frac *= frac
        exp <<= 1
        if frac < 0.5:
            frac += frac
            exp -= 1
    out = list(map(ldexp, mant, exps))
    while tail and len(out) < count:
        out += tail
    return out[:count]


def _normal_powers(x: float, count: int) -> list[float] | None:
    """`go_int_powers` as plain products of the squares, or None when some product would
    not be a normal float: while every value is normal, scaling by powers of two (Go keeps
    mantissa and exponent apart) rounds nothing differently."""
    values, square = [1.0], x
    while len(values) < count:
        values += [v * square for v in values]
        square *= square
    return values[:count] if values[-1] > 1e-290 and min(values) > 1e-290 else None
