"""Flux's stream of tables, held as a few Polars frames.

A Flux table is rows plus a group key (columns whose values are the same on every row). Tables
that share one schema (column labels, order and types) and one list of group-key columns are
held together in one `TableFrame`; its tables are its distinct key values. A series without some
tag has no column for it, which is a different schema, hence a different frame. Tables with no
rows cannot live in a frame's rows, so a frame also lists the key values of its empty tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from tsengine.execute.pertable import run_starts, runs_are_tables, table_ids
from tsengine.flux.values import Time

TIME_DTYPE = pl.Datetime("ns", "UTC")

# Flux column types and the Polars dtypes that hold them
FLUX_TYPES: dict[str, pl.DataType] = {
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "uint": pl.UInt64(),
    "float": pl.Float64(),
    "string": pl.String(),
    "time": TIME_DTYPE,
}


class SchemaError(Exception):
    """A column has a type Flux tables cannot hold."""


def flux_type(dtype: pl.DataType) -> str:
    """The Flux type of a Polars column type."""
    if isinstance(dtype, pl.Datetime):
        return "time"
    for name, candidate in FLUX_TYPES.items():
        if dtype == candidate:
            return name
    if dtype == pl.Null:
        return "string"  # an all-null column of unknown type; InfluxDB reports it as string
    raise SchemaError(f"column type {dtype} is not supported in a flux table")


@dataclass(frozen=True)
class Table:
    """One Flux table: its group key (columns and values) and its rows."""

    key: tuple[str, ...]
    key_values: tuple[object, ...]  # time columns as flux Time (exact nanoseconds)
    frame: pl.DataFrame

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(label, Flux type) of every column, in order."""
        return [(c, flux_type(t)) for c, t in self.frame.schema.items()]

    def key_record(self) -> dict[str, object]:
        return dict(zip(self.key, self.key_values, strict=True))


@dataclass
class TableFrame:
    """Tables of one schema and one group-key column list, in one frame.

    `frame` columns are in output order; `key` lists the group-key columns in key order;
    `empty` holds the key values of tables that have no rows.
    """

    frame: pl.DataFrame
    key: tuple[str, ...]
    empty: list[tuple[object, ...]] = field(default_factory=list)
    # where each table's rows start, when the producer knows each table's rows are one run
    # (storage reads do): splitting into tables then compares no key column per row
    starts: list[int] | None = field(default=None, compare=False, repr=False)
    # with `starts`, the key columns' values of each table (one row each, in that order), when
    # the producer has them at hand: splitting then reads no row of the frame
    firsts: pl.DataFrame | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        missing = [k for k in self.key if k not in self.frame.columns]
        if missing:
            raise SchemaError(f"group key columns {missing} are not in the table")

    def tables(self) -> Iterator[Table]:
        """Each table, ordered by key values (empty tables among them), rows in frame order.

        Nulls come first, as in `table_order`.
        """
        if not self.key:
            if self.frame.height or self.empty:
                yield Table((), (), self.frame)
            return
        found = list(_split_by_key(self.frame, self.key, self.starts, self.firsts)) \
            if self.frame.height else []
        if self.empty:
            found += [(values, self.frame.head(0)) for values in self.empty]
            found.sort(key=lambda item: _sort_key(item[0]))
        for values, part in found:
            yield Table(self.key, values, part)


def _exact(frame: pl.DataFrame, key: tuple[str, ...]) -> tuple[pl.DataFrame, list[str], list[str]]:
    """The frame with time key columns added as nanoseconds: Python datetimes would drop them."""
    times = [k for k in key if isinstance(frame.schema[k], pl.Datetime)]
    if all(frame.schema[t] == TIME_DTYPE for t in times):  # ns already: a cast, no query
        exact = frame.hstack([frame.get_column(t).cast(pl.Int64).alias(f"\0{t}")
                              for t in times])
    else:
        exact = frame.with_columns(pl.col(t).dt.epoch("ns").alias(f"\0{t}") for t in times)
    return exact, times, [f"\0{k}" if k in times else k for k in key]


def _key_tuple(key: tuple[str, ...], times: list[str], values: tuple[object, ...]
               ) -> tuple[object, ...]:
    if not times:
        return values
    return tuple(Time(v) if k in times and v is not None else v  # type: ignore[arg-type]
                 for k, v in zip(key, values, strict=True))


def _split_by_key(frame: pl.DataFrame, key: tuple[str, ...], starts: list[int] | None = None,
                  firsts: pl.DataFrame | None = None
                  ) -> Iterator[tuple[tuple[object, ...], pl.DataFrame]]:
    """Each key's rows as zero-copy slices, tables in key order (one type per column, so
    Polars' order is the canonical one)."""
    frame, firsts, starts = _table_runs(frame, key, starts, firsts)
    n = len(key)
    for row in _in_key_order(key, [(firsts, starts, frame.height)]):
        yield row[:n], frame.slice(row[n], row[n + 1] - row[n])


def _table_runs(frame: pl.DataFrame, key: tuple[str, ...], starts: list[int] | None,
                firsts: pl.DataFrame | None
                ) -> tuple[pl.DataFrame, pl.DataFrame, list[int]]:
    """The frame with each table's rows one run, each table's key values (one row each) and
    where its rows start: what the producer gave (`starts`, `firsts`), else found."""
    if starts is None:
        return _table_slices(frame, key)
    return frame, _rows_at(frame, key, starts) if firsts is None else firsts, starts


def _rows_at(frame: pl.DataFrame, key: tuple[str, ...], starts: list[int]) -> pl.DataFrame:
    """The key columns at the given rows (a table's first rows): indexing each column, which
    runs no query plan (as `select` or `gather` would)."""
    at = np.asarray(starts, dtype=np.int64)
    return pl.DataFrame([frame.get_column(k)[at] for k in key])


def _table_slices(frame: pl.DataFrame, key: tuple[str, ...]
                  ) -> tuple[pl.DataFrame, pl.DataFrame, list[int]]:
    """The frame with each table's rows contiguous, each table's key values (one row each,
    in order of first appearance) and where its rows start.

    Rows of one table are usually contiguous already (storage reads and most transformations
    keep them so); otherwise a stable sort by first appearance makes them so.
    """
    exact, times, names = _exact(frame, key)
    mask = run_starts(exact, names)
    if not runs_are_tables(exact, names, mask):
        exact = (exact.with_row_index("\0first")
                 .with_columns(pl.col("\0first").min().over(names))
                 .sort("\0first", maintain_order=True).drop("\0first"))
        frame = exact.drop(f"\0{t}" for t in times)
        mask = run_starts(exact, names)
    starts = mask.arg_true().to_list()
    return frame, _rows_at(frame, key, starts), starts


def _in_key_order(key: tuple[str, ...], parts: list[tuple[pl.DataFrame, list[int], int]]
                  ) -> list[tuple[object, ...]]:
    """The tables of `parts` (per frame: its tables' key values, one row each, where each
    table's rows start, and the frame's height), in the canonical order of their keys: each
    table's key values (time columns as `Time`), then its first and end row and frame number
    (one flat tuple).

    Tables usually come in key order already (storage keeps series sorted), which a
    comparison of the key tuples shows; else Polars sorts them (nulls first, bytewise).
    """
    times = [k for k in key if isinstance(parts[0][0].schema[k], pl.Datetime)]
    columns: list[list[object]] = [[] for _ in key]
    where: list[tuple[int, int, int]] = []
    for i, (firsts, starts, height) in enumerate(parts):
        for column, k in zip(columns, key, strict=True):
            column += _exact_values(firsts.get_column(k))
        where += zip(starts, [*starts[1:], height], [i] * len(starts), strict=True)
    order = None
    if not _ascending(list(zip(*columns, strict=True))):
        listed = pl.concat([firsts.select(key) for firsts, _, _ in parts], how="vertical")
        order = listed.with_row_index("\0at").sort(list(key), nulls_last=False,
                                                   maintain_order=True
                                                   ).get_column("\0at").to_list()
    made: dict[int, Time] = {}  # one Time per distinct time (tables of a window share them)
    for j, k in enumerate(key):
        if k in times:
            columns[j] = [v if v is None else made.get(v) or made.setdefault(v, Time(v))
                          for v in columns[j]]  # type: ignore[arg-type]
    rows = list(zip(*columns, *zip(*where, strict=True), strict=True)) if where else []
    return rows if order is None else [rows[j] for j in order]  # type: ignore[misc]


def _exact_values(column: pl.Series) -> list[object]:
    """A key column's values as Python objects, times as nanoseconds (Python datetimes would
    drop them)."""
    if isinstance(column.dtype, pl.Datetime):
        column = column.cast(pl.Int64) if column.dtype == TIME_DTYPE else \
            column.dt.epoch("ns")
    return column.to_list()


def _ascending(rows: list[tuple[object, ...]]) -> bool:
    """Whether key tuples are in ascending order already, as Polars would sort them: Python
    orders ints, floats and strings (by code point, which is UTF-8's byte order) alike;
    a null or a NaN makes the answer no (Polars then sorts)."""
    try:
        return all(a <= b for a, b in zip(rows, rows[1:], strict=False))
    except TypeError:  # None beside a value
        return False


def key_values(frame: pl.DataFrame, key: tuple[str, ...]) -> set[tuple[object, ...]]:
    """The distinct group-key values in a frame (time columns as exact `Time`)."""
    if not key:
        return {()} if frame.height else set()
    exact, times, names = _exact(frame, key)
    return {_key_tuple(key, times, row) for row in exact.select(names).unique().rows()}


def _sort_key(values: tuple[object, ...]) -> tuple[tuple[bool, str, object], ...]:
    """Order key values with nulls first (values of different types never compared)."""
    return tuple((v is not None, type(v).__name__, v if v is not None else "") for v in values)


def table_order(table: Table) -> tuple[tuple[str, tuple[bool, str, object]], ...]:
    """The canonical table order: by group key, column by column in key order."""
    return tuple(zip(table.key, _sort_key(table.key_values), strict=True))


@dataclass
class TableStream:
    """A Flux stream: frames of tables; the order of frames and tables is the output order."""

    frames: list[TableFrame] = field(default_factory=list)

    def tables(self) -> Iterator[Table]:
        """Every table of every frame, in the canonical order of their group keys."""
        if len(self.frames) == 1:
            yield from self.frames[0].tables()  # already in order
            return
        if len(self.frames) > 1 and _one_key_schema(self.frames):
            yield from _tables_of_one_key(self.frames)
            return
        tables = [t for tf in self.frames for t in tf.tables()]
        tables.sort(key=table_order)
        yield from tables

    @classmethod
    def of(cls, frame: pl.DataFrame, key: Sequence[str]) -> TableStream:
        """A stream from one frame and its key columns."""
        return cls([TableFrame(frame, tuple(key))])


RANK = "\0rank"


def ranked(frames: list[TableFrame]) -> list[TableFrame]:
    """The frames with each row's table position in the canonical table order (column RANK).

    A transformation that shrinks or changes group keys merges tables; as in Flux, the merged
    table holds the old tables one after the other, in the order they arrived (the canonical
    one here), each with its rows in order. `merge_same_keys` restores that order from RANK,
    across frames too, and drops the column.
    """
    # each table once (its id, in first-appearance order), not each row: rows of a table are
    # found by an integer id, and each table's rank is gathered back by that id
    entries: list[tuple[tuple[object, ...], int, int]] = []
    ids: dict[int, pl.Series] = {}
    for i, tf in enumerate(frames):
        if not tf.key or not tf.frame.height:
            entries.append(((), i, 0))
            continue
        ids[i], tables = table_ids(tf.frame, tf.key, RANK)
        exact, times, names = _exact(tables.select(tf.key), tf.key)
        for tid, raw in zip(tables.get_column(RANK).to_list(), exact.select(names).rows(),
                            strict=True):
            values = _key_tuple(tf.key, times, raw)
            entries.append((tuple(zip(tf.key, _sort_key(values), strict=True)), i, tid))
    entries.sort(key=lambda e: (e[0], e[1]))
    ranks: dict[int, dict[int, int]] = {}
    for rank, (_, i, tid) in enumerate(entries):
        ranks.setdefault(i, {})[tid] = rank
    out = []
    for i, tf in enumerate(frames):
        by_table = ranks.get(i, {})
        if i not in ids:
            rank = by_table.get(0, 0)
            out.append(TableFrame(tf.frame.with_columns(pl.lit(rank, pl.Int64).alias(RANK)),
                                  tf.key, tf.empty))
            continue
        order = pl.Series([by_table[t] for t in range(len(by_table))], dtype=pl.Int64)
        out.append(TableFrame(tf.frame.with_columns(order.gather(ids[i]).alias(RANK)),
                              tf.key, tf.empty))
    return out


def _one_key_schema(frames: list[TableFrame]) -> bool:
    """Whether frames share their key columns and key types, and hold no empty tables (so
    their tables can be ordered together by one Polars sort)."""
    first = frames[0]
    return bool(first.key) and all(
        tf.key == first.key and not tf.empty and tf.frame.height
        and all(tf.frame.schema[k] == first.frame.schema[k] for k in first.key)
        for tf in frames)


def _tables_of_one_key(frames: list[TableFrame]) -> Iterator[Table]:
    """The tables of frames of one key schema, in canonical order."""
    key = frames[0].key
    parts, listed = [], []
    for tf in frames:
        frame, firsts, starts = _table_runs(tf.frame, key, tf.starts, tf.firsts)
        parts.append(frame)
        listed.append((firsts, starts, frame.height))
    n = len(key)
    for row in _in_key_order(key, listed):
        start, end, i = row[n:]
        yield Table(key, row[:n], parts[i].slice(start, end - start))


def concat_disjoint(frames: list[TableFrame]) -> TableFrame:
    """Frames of one schema and key whose tables are all different (each table in one of
    them), as one frame: the tables of each in turn, runs and key rows kept."""
    if len(frames) == 1:
        return frames[0]
    offsets = np.cumsum([0, *(tf.frame.height for tf in frames[:-1])])
    runs = all(tf.starts is not None for tf in frames)
    firsts = [tf.firsts for tf in frames]
    return TableFrame(
        pl.concat([tf.frame for tf in frames]), frames[0].key,
        [k for tf in frames for k in tf.empty],
        starts=[int(o) + s for o, tf in zip(offsets, frames, strict=True)
                for s in tf.starts] if runs else None,  # type: ignore[union-attr]
        firsts=pl.concat(firsts) if runs and all(f is not None for f in firsts) else None)


def merge_same_keys(frames: list[TableFrame]) -> list[TableFrame]:
    """Merge frames whose tables now share a group key (after a transformation shrank keys).

    Frames with the same key columns and overlapping key values hold parts of one table: they
    are stacked, columns unioned (cells a part lacks are null); a column of two types is an
    error, as in Flux. Frames whose key values do not overlap stay apart.
    """
    out: list[TableFrame] = []
    for tf in frames:
        for i, other in enumerate(out):
            if other.key == tf.key and _overlap(other, tf):
                out[i] = _stack(other, tf)
                break
        else:
            out.append(tf)
    return [_in_rank_order(tf) for tf in out]


def _in_rank_order(tf: TableFrame) -> TableFrame:
    if RANK not in tf.frame.columns:
        return tf
    frame = tf.frame.sort(RANK, maintain_order=True).drop(RANK)
    return TableFrame(frame, tf.key, tf.empty)


def _overlap(a: TableFrame, b: TableFrame) -> bool:
    keys_a = key_values(a.frame, a.key) | set(a.empty)
    keys_b = key_values(b.frame, b.key) | set(b.empty)
    return bool(keys_a & keys_b)


def _stack(a: TableFrame, b: TableFrame) -> TableFrame:
    for col in set(a.frame.columns) & set(b.frame.columns):
        ta, tb = a.frame.schema[col], b.frame.schema[col]
        if ta != tb and pl.Null not in (ta, tb):
            raise SchemaError(f'schema collision detected: column "{col}" is both of type '
                              f"{flux_type(ta)} and {flux_type(tb)}")
    frame = pl.concat([a.frame, b.frame], how="diagonal_relaxed")
    present = key_values(frame, a.key)
    empty = [k for k in dict.fromkeys([*a.empty, *b.empty]) if k not in present]
    return TableFrame(frame, a.key, empty)
