"""`from |> range` as InfluxDB's storage answers it: one table per series and field.

Columns `_start, _stop, _time, _value`, then the series' tags with `_field` and `_measurement`,
sorted bytewise; group key `_start, _stop` and those tags. A series has columns only for the
tags it has, so series with different tag sets land in different frames, as do fields of
different types.
"""

from __future__ import annotations

import polars as pl

from storage import FieldType
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream

_CORE = ("_time", "_measurement", "_field", "_value")


def stream_from_scan(frames: dict[FieldType, pl.LazyFrame], start: int, stop: int) -> TableStream:
    """Turn a storage scan (long frames per value type) into Flux tables with range bounds."""
    out: list[TableFrame] = []
    bounds = [pl.lit(start).cast(TIME_DTYPE).alias("_start"),
              pl.lit(stop).cast(TIME_DTYPE).alias("_stop")]
    for frame in (lf.collect() for lf in frames.values()):
        if frame.height == 0:
            continue
        tags = [c for c in frame.columns if c not in _CORE]
        presence = frame.select(pl.col(t).is_not_null() for t in tags) if tags else None
        patterns = presence.unique(maintain_order=True).rows() if presence is not None else [()]
        for pattern in patterns:
            present = [t for t, has in zip(tags, pattern, strict=True) if has]
            part = frame
            if tags:
                part = frame.filter(pl.all_horizontal(
                    pl.col(t).is_not_null() == has for t, has in zip(tags, pattern, strict=True)))
            key_tags = sorted([*present, "_field", "_measurement"])
            part = part.select(*bounds, "_time", "_value", *key_tags).sort([*key_tags, "_time"])
            out.append(TableFrame(part, ("_start", "_stop", *key_tags)))
    return TableStream(out)
