"""The Nelder-Mead minimizer holtWinters fits its model with, step for step as upstream's.

Upstream (influxdata/flux) calls gonum's `optimize.Minimize` with `optimize.NelderMead{}` and a
`FunctionConverge{Absolute: 1e-4, Iterations: 100}` converger. The fitted parameters, and so
every forecast value, depend on the exact sequence of trial points, so this module repeats
gonum's: the initial simplex (the start plus 0.05 along each axis, in axis order), the
dimension-dependent reflection/expansion/contraction/shrink factors, the order of the
evaluations, the incremental centroid update, the convergence test at each major iteration,
and the order Go's `sort.Sort` (pattern-defeating quicksort, not stable) leaves tied vertices
in. Vectors are short lists of Python floats: each step is a handful of element-wise float
operations in Go's order, which Python evaluates with the same IEEE rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

SIMPLEX_SIZE = 0.05  # gonum's default distance of the initial vertices from the start


class OptimizeError(Exception):
    """The objective is not finite at the start (gonum's ErrFunc)."""


@dataclass
class Result:
    """The best vertex when the converger stopped, and its value."""

    x: list[float]
    f: float


class FunctionConverge:
    """gonum's FunctionConverge with Relative 0: stop after `iterations` major iterations
    without a decrease of more than `absolute` below the best value seen."""

    def __init__(self, absolute: float, iterations: int) -> None:
        self.absolute, self.iterations = absolute, iterations
        self.first, self.best, self.iter = True, 0.0, 0

    def converged(self, f: float) -> bool:
        if self.first:
            self.best, self.first = f, False
            return False
        max_abs = _go_max(abs(f), abs(self.best))
        if f < self.best and self.best - f > 0.0 * max_abs + self.absolute:
            self.best, self.iter = f, 0
            return False
        self.iter += 1
        return self.iter >= self.iterations


def _go_max(x: float, y: float) -> float:
    """Go's math.Max for non-negative operands: +Inf wins, then NaN."""
    if math.isinf(x) or math.isinf(y):
        return math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    return x if x > y else y


def minimize(func: Callable[[list[float]], float], x0: list[float], absolute: float = 1e-4,
             iterations: int = 100) -> Result:
    """Minimize `func` from `x0` as gonum's Minimize with NelderMead does (one task)."""
    dim = len(x0)
    f0 = func(list(x0))
    if math.isnan(f0):
        raise OptimizeError("optimize: initial function value is NaN")
    if f0 == math.inf:
        raise OptimizeError("optimize: initial function value is infinite")
    conv = FunctionConverge(absolute, iterations)
    conv.converged(f0)  # the starting location is the first major iteration
    simplex = _Simplex(dim)
    simplex.vertices[dim], simplex.values[dim] = list(x0), f0
    for i in range(dim):
        x = list(x0)
        x[i] += SIMPLEX_SIZE
        simplex.vertices[i], simplex.values[i] = x, func(list(x))
    simplex.sort()
    while not conv.converged(simplex.values[0]):
        simplex.step(func)
    return Result(list(simplex.vertices[0]), simplex.values[0])


class _Simplex:
    """The vertices sorted by value, and the centroid of all but the worst."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.vertices: list[list[float]] = [[] for _ in range(dim + 1)]
        self.values = [0.0] * (dim + 1)
        self.centroid = [0.0] * dim
        fdim = float(dim)
        self.reflection = 1.0
        self.expansion = 2.0 if dim == 1 else 1 + 2 / fdim
        self.contraction = 0.5 if dim == 1 else 0.75 - 1 / (2 * fdim)
        self.shrink = 0.5 if dim == 1 else 1 - 1 / fdim

    def sort(self) -> None:
        """Sort as Go's sort.Sort does, then recompute the centroid from scratch."""
        go_sort(self.values, self.vertices)
        dim = self.dim
        centroid = [0.0] * dim
        for vertex in self.vertices[:dim]:
            centroid = [c + v for c, v in zip(centroid, vertex, strict=True)]
        self.centroid = [c / dim for c in centroid]

    def _toward(self, scale: float) -> list[float]:
        """centroid + scale * (centroid - worst)."""
        worst = self.vertices[self.dim]
        return [scale * (c - w) + c for c, w in zip(self.centroid, worst, strict=True)]

    def step(self, func: Callable[[list[float]], float]) -> None:
        """One Nelder-Mead iteration: reflect, then expand, contract or shrink."""
        dim, values = self.dim, self.values
        reflected = self._toward(self.reflection)
        fr = func(list(reflected))
        if values[0] <= fr < values[dim - 1]:
            self._replace_worst(reflected, fr)
        elif fr < values[0]:
            expanded = self._toward(self.reflection * self.expansion)
            fe = func(list(expanded))
            if fe < fr:
                self._replace_worst(expanded, fe)
            else:
                self._replace_worst(reflected, fr)
        elif fr < values[dim]:
            outside = self._toward(self.reflection * self.contraction)
            fc = func(list(outside))
            if fc <= fr:
                self._replace_worst(outside, fc)
            else:
                self._shrink(func)
        else:
            inside = self._toward(-self.contraction)
            fc = func(list(inside))
            if fc < values[dim]:
                self._replace_worst(inside, fc)
            else:
                self._shrink(func)

    def _shrink(self, func: Callable[[list[float]], float]) -> None:
        """Every vertex but the best moved toward the best, evaluated in order, then sorted."""
        best = self.vertices[0]
        for i in range(1, self.dim + 1):
            x = [self.shrink * (v - b) + b for v, b in zip(self.vertices[i], best, strict=True)]
            self.vertices[i], self.values[i] = x, func(list(x))
        self.sort()

    def _replace_worst(self, x: list[float], f: float) -> None:
        """The worst vertex replaced by (x, f), kept sorted; the centroid updated in place."""
        dim, vertices, values = self.dim, self.vertices, self.values
        vertices[dim], values[dim] = list(x), f
        for i in range(dim - 1, -1, -1):
            if values[i] < f:
                break
            vertices[i], vertices[i + 1] = vertices[i + 1], vertices[i]
            values[i], values[i + 1] = values[i + 1], values[i]
        out, into = -1 / dim, 1 / dim
        self.centroid = [(c + out * w) + into * v
                         for c, w, v in zip(self.centroid, vertices[dim], x, strict=True)]


# -- Go's sort.Sort (pdqsort, Go 1.19 on) over values, moving the vertices along -------------
def go_sort(values: list[float], items: list[list[float]]) -> None:
    """Sort `values` ascending (by `<`) in place, swapping `items` alongside, leaving ties in
    the order Go's sort.Sort leaves them."""
    n = len(values)
    if n > 1:
        _GoSorter(values, items).pdqsort(0, n, n.bit_length())


class _GoSorter:
    def __init__(self, values: list[float], items: list[list[float]]) -> None:
        self.v, self.items = values, items

    def less(self, i: int, j: int) -> bool:
        return self.v[i] < self.v[j]

    def swap(self, i: int, j: int) -> None:
        v, items = self.v, self.items
        v[i], v[j] = v[j], v[i]
        items[i], items[j] = items[j], items[i]

    def insertion_sort(self, a: int, b: int) -> None:
        for i in range(a + 1, b):
            j = i
            while j > a and self.less(j, j - 1):
                self.swap(j, j - 1)
                j -= 1

    def pdqsort(self, a: int, b: int, limit: int) -> None:
        was_balanced = was_partitioned = True
        while True:
            length = b - a
            if length <= 12:
                self.insertion_sort(a, b)
                return
            if limit == 0:
                self.heap_sort(a, b)
                return
            if not was_balanced:
                self.break_patterns(a, b)
                limit -= 1
            pivot, hint = self.choose_pivot(a, b)
            if hint == _DECREASING:
                self.reverse_range(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = _INCREASING
            if (was_balanced and was_partitioned and hint == _INCREASING
                    and self.partial_insertion_sort(a, b)):
                return
            if a > 0 and not self.less(a - 1, pivot):
                a = self.partition_equal(a, b, pivot)
                continue
            mid, was_partitioned = self.partition(a, b, pivot)
            left, right = mid - a, b - mid
            threshold = length // 8
            if left < right:
                was_balanced = left >= threshold
                self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                was_balanced = right >= threshold
                self.pdqsort(mid + 1, b, limit)
                b = mid

    def partition(self, a: int, b: int, pivot: int) -> tuple[int, bool]:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and self.less(i, a):
            i += 1
        while i <= j and not self.less(j, a):
            j -= 1
        if i > j:
            self.swap(j, a)
            return j, True
        self.swap(i, j)
        i, j = i + 1, j - 1
        while True:
            while i <= j and self.less(i, a):
                i += 1
            while i <= j and not self.less(j, a):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i, j = i + 1, j - 1
        self.swap(j, a)
        return j, False

    def partition_equal(self, a: int, b: int, pivot: int) -> int:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not self.less(a, i):
                i += 1
            while i <= j and self.less(a, j):
                j -= 1
            if i > j:
                return i
            self.swap(i, j)
            i, j = i + 1, j - 1

    def partial_insertion_sort(self, a: int, b: int) -> bool:
        i = a + 1
        for _ in range(5):
            while i < b and not self.less(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < 50:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:
                for j in range(i - 1, 0, -1):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
            if b - i >= 2:
                for j in range(i + 1, b):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
        return False

    def break_patterns(self, a: int, b: int) -> None:
        length = b - a
        if length >= 8:
            random = length
            modulus = 1 << length.bit_length()
            start = a + (length // 4) * 2 - 1
            for idx in range(start, start + 3):
                random ^= (random << 13) & _U64
                random ^= random >> 17
                random ^= (random << 5) & _U64
                other = random & (modulus - 1)
                if other >= length:
                    other -= length
                self.swap(idx, a + other)

    def choose_pivot(self, a: int, b: int) -> tuple[int, int]:
        n = b - a
        swaps = [0]
        i, j, k = a + n // 4, a + n // 4 * 2, a + n // 4 * 3
        if n >= 8:
            if n >= 50:
                i = self.median(i - 1, i, i + 1, swaps)
                j = self.median(j - 1, j, j + 1, swaps)
                k = self.median(k - 1, k, k + 1, swaps)
            j = self.median(i, j, k, swaps)
        if swaps[0] == 0:
            return j, _INCREASING
        if swaps[0] == 12:
            return j, _DECREASING
        return j, _UNKNOWN

    def median(self, a: int, b: int, c: int, swaps: list[int]) -> int:
        a, b = self.order2(a, b, swaps)
        b, c = self.order2(b, c, swaps)
        a, b = self.order2(a, b, swaps)
        return b

    def order2(self, a: int, b: int, swaps: list[int]) -> tuple[int, int]:
        if self.less(b, a):
            swaps[0] += 1
            return b, a
        return a, b

    def reverse_range(self, a: int, b: int) -> None:
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i, j = i + 1, j - 1

    def heap_sort(self, a: int, b: int) -> None:
        first, hi = a, b - a
        for i in range((hi - 1) // 2, -1, -1):
            self.sift_down(i, hi, first)
        for i in range(hi - 1, -1, -1):
            self.swap(first, first + i)
            self.sift_down(0, i, first)

    def sift_down(self, lo: int, hi: int, first: int) -> None:
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and self.less(first + child, first + child + 1):
                child += 1
            if not self.less(first + root, first + child):
                return
            self.swap(first + root, first + child)
            root = child


_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2
_U64 = (1 << 64) - 1
