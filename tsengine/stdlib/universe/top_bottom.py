"""`top(n:, columns:)` and `bottom(n:, columns:)`: each table's n rows with the largest or
smallest values.

Written in Flux over sort and limit, as upstream's universe.flux writes them: sort is stable and
puts nulls first in both directions, so a top of a column holding nulls starts with them, and of
equal values the earlier rows win. Empty tables stay empty tables.
"""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY

REGISTRY.define_in_flux("""
_sortLimit = (n, desc, columns=["_value"], tables=<-) =>
    tables |> sort(columns: columns, desc: desc) |> limit(n: n)
top = (n, columns=["_value"], tables=<-) => tables |> _sortLimit(n: n, columns: columns, desc: true)
bottom = (n, columns=["_value"], tables=<-) =>
    tables |> _sortLimit(n: n, columns: columns, desc: false)
""")
