"""`increase(columns)`: the running total of non-negative differences, written in Flux as
upstream writes it (a counter's reset counts as an increase by its new value)."""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY

REGISTRY.define_in_flux("""
increase = (tables=<-, columns=["_value"]) =>
    tables
        |> difference(nonNegative: true, columns: columns, keepFirst: true, initialZero: true)
        |> cumulativeSum(columns: columns)
""")
