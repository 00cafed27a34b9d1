"""`highestMax highestAverage highestCurrent lowestMin lowestAverage lowestCurrent (n:, column:,
groupColumns:)`: the n groups whose max, mean or last value is highest or lowest.

Written in Flux as upstream's universe.flux writes them: regroup by `groupColumns`, reduce each
table (max/min/last keep whole rows, mean keeps the key and the column), ungroup, then top or
bottom of `column`. A group directly on a storage read keeps `_start`/`_stop` in its key, as
InfluxDB's pushed-down group does.
"""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY

REGISTRY.define_in_flux("""
_highestOrLowest = (n, _sortLimit, reducer, column="_value", groupColumns=[], tables=<-) =>
    tables
        |> group(columns: groupColumns)
        |> reducer()
        |> group(columns: [])
        |> _sortLimit(n: n, columns: [column])
highestMax = (n, column="_value", groupColumns=[], tables=<-) =>
    tables |> _highestOrLowest(n: n, column: column, groupColumns: groupColumns,
        reducer: (tables=<-) => tables |> max(column: column), _sortLimit: top)
highestAverage = (n, column="_value", groupColumns=[], tables=<-) =>
    tables |> _highestOrLowest(n: n, column: column, groupColumns: groupColumns,
        reducer: (tables=<-) => tables |> mean(column: column), _sortLimit: top)
highestCurrent = (n, column="_value", groupColumns=[], tables=<-) =>
    tables |> _highestOrLowest(n: n, column: column, groupColumns: groupColumns,
        reducer: (tables=<-) => tables |> last(column: column), _sortLimit: top)
lowestMin = (n, column="_value", groupColumns=[], tables=<-) =>
    tables |> _highestOrLowest(n: n, column: column, groupColumns: groupColumns,
        reducer: (tables=<-) => tables |> min(column: column), _sortLimit: bottom)
lowestAverage = (n, column="_value", groupColumns=[], tables=<-) =>
    tables |> _highestOrLowest(n: n, column: column, groupColumns: groupColumns,
        reducer: (tables=<-) => tables |> mean(column: column), _sortLimit: bottom)
lowestCurrent = (n, column="_value", groupColumns=[], tables=<-) =>
    tables |> _highestOrLowest(n: n, column: column, groupColumns: groupColumns,
        reducer: (tables=<-) => tables |> last(column: column), _sortLimit: bottom)
""")
