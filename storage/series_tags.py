"""The tag values of each series of a Parquet file, kept in memory once read.

A compacted file numbers its series (SERIES, in tag order) and holds each series' rows
together, so its tag columns repeat one value per series over thousands of rows. Aggregates
that only need a series' tag values at the start of its run (its table's key) take them from
this small table instead of reading and decoding the tag columns of every row. Files never
change once written (a rewrite is a new file), so an entry is good for as long as it is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock

import polars as pl

from storage.catalog import Measurement, Partition
from storage.tiers import SERIES, file_series, schema_of

# series kept over all files (least recently used files go first): a few hundred MB at most
_CACHED_SERIES = 1 << 21
_cache: OrderedDict[tuple[str, tuple[str, ...]], pl.DataFrame] = OrderedDict()
_cached = 0  # series in _cache
_lock = Lock()


def series_tags(parts: Sequence[Partition], m: Measurement, tag_cols: Sequence[str]
                ) -> pl.DataFrame | None:
    """SERIES (numbered as read_cold numbers a read of these files) and the tag columns, one
    row per series of the files, in SERIES order; None when some file has no series numbers
    (written before they were)."""
    tables = []
    for i, part in enumerate(parts):
        table = _of_file(part.path, m, tuple(tag_cols))
        if table is None:
            return None
        tables.append(table.with_columns(file_series(pl.col(SERIES), i, len(parts))))
    if not tables:
        return pl.DataFrame(schema=schema_of(m, [SERIES, *tag_cols]))
    return pl.concat(tables, how="vertical")


def _of_file(path: str, m: Measurement, tag_cols: tuple[str, ...]) -> pl.DataFrame | None:
    global _cached
    key = (path, tag_cols)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    table = _first_rows_of_series(path, m, [SERIES, *tag_cols])
    if table is None or table.height > _CACHED_SERIES:
        return table
    with _lock:
        if key not in _cache:
            _cache[key] = table
            _cached += table.height
        while _cached > _CACHED_SERIES:
            _cached -= _cache.popitem(last=False)[1].height
    return table


def _first_rows_of_series(path: str, m: Measurement, cols: list[str]) -> pl.DataFrame | None:
    """A row of each series in the file (`cols` of it: a series' rows share their tags), by
    Polars' streaming engine, so that the file's tag strings are never all in memory."""
    table = (pl.scan_parquet(path, schema=schema_of(m, cols), missing_columns="insert",
                             extra_columns="ignore")
             .select(cols).unique(subset=[SERIES], keep="any").sort(SERIES)
             .collect(engine="streaming"))
    return None if table.get_column(SERIES).null_count() else table
