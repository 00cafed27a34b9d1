"""Reading one measurement across the hot tier (DuckDB) and the cold tier (Parquet), wide.

Rows are keyed by tag set + time; when a key was written more than once, each field takes its
newest non-null value (highest write sequence). Cold partitions hold no duplicates, and every hot
row is newer than every cold row, so only days that have hot rows need resolving.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from storage.catalog import Catalog, Measurement, Partition
from storage.timeutil import DAY

SEQ = "seq"
# in Parquet files: each row's series, numbered in the file's (tag-sorted) order and prefixed
# by its day, so that series boundaries are one integer comparison (files before it: null)
SERIES = "series"
_FILE_SHIFT = 48  # a series number is day << 32 | rank: days fit below bit 48 until 2149


def schema_of(m: Measurement, cols: Sequence[str]) -> dict[str, pl.DataType]:
    """Polars dtypes of internal columns (`time`, `t3`, `f7`)."""
    out: dict[str, pl.DataType] = {}
    for col in cols:
        if col in ("time", SEQ, SERIES):
            out[col] = pl.Int64()
        else:
            c = m.column(col)
            out[col] = c.type.dtype if c.type else pl.String()
    return out


def resolve_duplicates(frame: pl.DataFrame, keys: list[str], fields: list[str]) -> pl.DataFrame:
    """One row per key; each field keeps its value from the newest write that set it."""
    if frame.height < 2:
        return frame
    distinct = frame.select(pl.struct(keys).hash().n_unique()).item()
    if distinct == frame.height:
        return frame
    order = [c for c in frame.columns if c != SEQ]
    return (
        frame.sort(SEQ)
        .group_by(keys, maintain_order=True)
        .agg(*[pl.col(f).drop_nulls().last() for f in fields], pl.col(SEQ).max())
        .select(order + [SEQ])
    )


def read_cold(parts: Sequence[Partition], m: Measurement, cols: Sequence[str]) -> pl.LazyFrame:
    """The given partitions' rows, only `cols` read; columns a file predates come back null.

    SERIES, when asked for, is made distinct between files (the file's position in `parts`
    in the high bits): numbers are given per file, and two files of one day would otherwise
    number different series alike, so that a series ending one file and another starting
    the next would read as one run."""
    schema = schema_of(m, cols)
    if not parts:
        return pl.DataFrame(schema=schema).lazy()
    if SERIES not in cols or len(parts) == 1:
        return pl.scan_parquet(
            [p.path for p in parts], schema=schema, missing_columns="insert",
            extra_columns="ignore").select(list(cols))
    return pl.concat([
        pl.scan_parquet(p.path, schema=schema, missing_columns="insert", extra_columns="ignore")
        .select(list(cols)).with_columns(file_series(pl.col(SERIES), i, len(parts)))
        for i, p in enumerate(parts)], how="vertical")


def file_series(numbers: pl.Expr, i: int, files: int) -> pl.Expr:
    """The series numbers of the i-th of `files` files read together, made distinct from the
    other files' (see read_cold)."""
    return numbers + (i << _FILE_SHIFT) if files > 1 else numbers


def file_index(numbers: np.ndarray, files: int) -> np.ndarray:
    """Which of `files` files read together each series number comes from (file_series's
    inverse)."""
    return numbers >> _FILE_SHIFT if files > 1 else np.zeros(len(numbers), dtype=np.int64)


def read_hot(catalog: Catalog, m: Measurement, start: int, stop: int,
             cols: Sequence[str]) -> pl.DataFrame:
    """Hot rows of a measurement in [start, stop), with their write sequence."""
    select = ", ".join([*cols, SEQ])
    rel = catalog.con.sql(
        f"SELECT {select} FROM {m.hot_table} WHERE time >= {int(start)} AND time < {int(stop)}")
    frame = pl.from_arrow(rel.to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.cast(schema_of(m, [*cols, SEQ]))  # type: ignore[arg-type]


def read_wide(catalog: Catalog, m: Measurement, parts: Sequence[Partition], start: int, stop: int,
              tag_cols: Sequence[str], field_cols: Sequence[str], hot_tier: bool = True,
              series: bool = False) -> pl.LazyFrame:
    """Deduplicated rows of `m` in [start, stop): `time`, the tag and field columns asked for.
    `hot_tier=False` says the hot tier is known to be empty (saves a query). With `series`,
    rows read from Parquet alone also carry SERIES (null where a file predates it); rows merged
    with the hot tier never do."""
    return read_wide_numbered(catalog, m, parts, start, stop, tag_cols, field_cols, hot_tier,
                              series)[0]


def read_wide_numbered(catalog: Catalog, m: Measurement, parts: Sequence[Partition], start: int,
                       stop: int, tag_cols: Sequence[str], field_cols: Sequence[str],
                       hot_tier: bool = True, series: bool = False) -> tuple[pl.LazyFrame, bool]:
    """`read_wide`, and whether its rows carry SERIES (told, so that no one asks the lazy
    frame for its schema, which costs a query plan)."""
    wanted = ["time", *tag_cols, *field_cols]
    cold_only = [*wanted, SERIES] if series else wanted
    if not hot_tier:
        return _in_range(read_cold(parts, m, cold_only), parts, start, stop), series
    all_tags = [c.col for c in m.tags.values()]
    hot = read_hot(catalog, m, start, stop, [*wanted[:1], *all_tags, *field_cols])
    if hot.height == 0:
        return _in_range(read_cold(parts, m, cold_only), parts, start, stop), series
    hot_days = set(hot.select((pl.col("time") // DAY).unique()).to_series().to_list())
    settled = [p for p in parts if p.day not in hot_days]
    touched = [p for p in parts if p.day in hot_days]
    overlap = (
        _in_range(read_cold(touched, m, ["time", *all_tags, *field_cols]), touched, start, stop)
        .with_columns(pl.lit(0, pl.Int64).alias(SEQ)).collect()
    )
    merged = resolve_duplicates(pl.concat([overlap, hot], how="vertical"), ["time", *all_tags],
                                list(field_cols))
    fresh = merged.lazy().select(wanted)
    if not settled:
        return fresh, False
    return pl.concat([_in_range(read_cold(settled, m, wanted), settled, start, stop), fresh],
                     how="vertical"), False


def _in_range(rows: pl.LazyFrame, parts: Sequence[Partition], start: int, stop: int
              ) -> pl.LazyFrame:
    """`rows` (read from `parts`) in [start, stop); no filter when every file's times lie
    inside (the catalog's exact min and max time of each say so): a filter that keeps every
    row still costs a pass over the times and a copy of every column read."""
    if all(start <= p.min_time and p.max_time < stop for p in parts):
        return rows
    return rows.filter((pl.col("time") >= start) & (pl.col("time") < stop))
