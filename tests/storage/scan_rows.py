"""Helpers shared by the storage tests: scans flattened to comparable tuples."""

from __future__ import annotations

import polars as pl

from storage import Store

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z, one day before the fixture clock
CORE = ("_time", "_measurement", "_field", "_value")


def rows(store: Store, bucket: str, **kw: object) -> list[tuple]:
    """Every scanned value as (measurement, tags, field, time ns, value, type), sorted."""
    out = []
    for ftype, lf in store.scan(bucket, **kw).items():  # type: ignore[arg-type]
        df = lf.with_columns(pl.col("_time").dt.epoch("ns")).collect()
        tags = [c for c in df.columns if c not in CORE]
        for r in df.iter_rows(named=True):
            tagset = tuple((t, r[t]) for t in tags if r[t] is not None)
            out.append((r["_measurement"], tagset, r["_field"], r["_time"], r["_value"], ftype))
    return sorted(out, key=lambda r: r[:4])
