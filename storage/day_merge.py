"""Full compaction: a day's Parquet files merged into one, by DuckDB within a memory limit.

Compaction appends a file per run to a day written in time order, so a day streamed in over many
compactions holds several files, and a query reads each series as several runs. Once a day is
merged, its series are one run each again. The files of a day never share a point (compaction
keeps them disjoint), so the merge is a sort, not a deduplication: the series ranked by their
tag values over all the files (as `_sorted_by_series` ranks them in one file), rows ordered by
rank and time, numbered by series, written by DuckDB's Parquet writer, which sorts out of core:
merging a day of any size holds at most DuckDB's memory limit, not the day's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from storage.catalog import Measurement, Partition
from storage.compaction import ROW_GROUP_SIZE, day_dir, series_ranks, sync_and_rename
from storage.tiers import SERIES

# DuckDB's memory while it sorts a day (it spills the rest to disk)
MERGE_MEMORY = "512MB"
_RANKS = "_tsengine_series_ranks"


def merge_day(con: duckdb.DuckDBPyConnection, root: Path, m: Measurement,
              parts: Sequence[Partition]) -> Partition:
    """Write the day's files (more than one, all of `m` and one day) as one new file, synced
    and renamed into place; the caller swaps the manifest entries. `con`: a connection to
    the catalog's database (a cursor of its own when the store's lock is not held: the merge
    reads and writes only Parquet files)."""
    day = parts[0].day
    tags = [c.col for c in m.tags.values()]
    fields = [c.col for c in m.fields.values()]
    files = [p.path for p in parts]
    source = f"read_parquet([{', '.join(map(_literal, files))}], union_by_name = true)"
    by_name = sorted(tags, key=lambda c: m.column(c).name)
    ranks = _series_ranks(con, source, by_name)
    con.register(_RANKS, ranks.to_arrow())
    path = day_dir(root, m.bucket_id, m.id, day) / f"part-{uuid.uuid4().hex}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    settings = {"preserve_insertion_order": "true", "memory_limit": MERGE_MEMORY}
    saved = {k: con.execute(f"SELECT current_setting('{k}')").fetchall()[0][0] for k in settings}
    try:
        for key, value in settings.items():
            con.execute(f"SET {key} = '{value}'").fetchall()
        matching = " AND ".join(f"p.{c} IS NOT DISTINCT FROM r.{c}" for c in tags) or "true"
        columns = ", ".join(f"p.{c}" for c in ["time", *tags, *fields])
        con.execute(
            f"COPY (SELECT {columns}, CAST({day << 32} + r.rank AS BIGINT) AS {SERIES} "
            f"FROM {source} p JOIN {_RANKS} r ON {matching} ORDER BY r.rank, p.time) "
            f"TO {_literal(str(tmp))} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
        ).fetchall()
        sync_and_rename(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.unregister(_RANKS)
        for key, value in saved.items():
            con.execute(f"SET {key} = '{value}'").fetchall()
    return Partition(m.bucket_id, m.id, day, str(path), sum(p.rows for p in parts),
                     min(p.min_time for p in parts), max(p.max_time for p in parts),
                     tuple(["time", *tags, *fields]))


def _series_ranks(con: duckdb.DuckDBPyConnection, source: str, by_name: list[str]
                  ) -> pl.DataFrame:
    """Each tag set of the files and its rank in the order of its values by tag name, nulls
    last (a few thousand rows: ranked as compaction ranks them)."""
    if not by_name:
        return pl.DataFrame({"rank": [0]}, schema={"rank": pl.Int64})
    distinct = pl.from_arrow(con.sql(
        f"SELECT DISTINCT {', '.join(by_name)} FROM {source}").to_arrow_table())
    assert isinstance(distinct, pl.DataFrame)
    return series_ranks(distinct, by_name, "rank")


def _literal(text: str) -> str:
    """A SQL string literal (a data directory's path may hold a quote)."""
    return "'" + text.replace("'", "''") + "'"
