"""`group(columns:, mode:)`: regroup rows under a new group key.

`by` keys on the listed columns each table has; `except` on every column not listed. Rows are
moved, not reordered: a new table is its rows in arrival order (table by table, in table
order), and its columns are the union of the merged tables' columns (first table's order, new
ones appended; one column of two types is a schema collision). The key lists the columns in
sorted order when every one was a key column already, else in column order (upstream's two
paths). InfluxDB runs `group(columns:)` in mode `by` without `_time`/`_value` directly on a
storage read inside the storage engine, whose key always keeps `_start,_stop` first (then the
listed columns in the listed order), fills a tag some series of a group lack with "", and
orders the columns `_start,_stop,_time,_value,<tags sorted>`: a group in that place is run
the same way. Its error for fields of two types in one group is the storage engine's.

`merge_frames` merges tables that share a key across frames, keeping each output frame to one
schema; union, pivot and map use it too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import RANK, TableFrame, TableStream, flux_type, ranked
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Time, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.filter import reads_storage

_SRC, _SIG = "\0src", "\0sig"
_STORAGE_FIRST = ("_start", "_stop", "_time", "_value")

# how a schema collision is worded: (column, new type, existing type) -> message
Collision = Callable[[str, str, str], str]


def _collision(column: str, new: str, existing: str) -> str:
    return f'schema collision detected: column "{column}" is both of type {new} and {existing}'


@dataclass(eq=False)
class Group(PlanNode):
    """Rows regrouped by `columns` (mode `by`) or by every other column (mode `except`);
    `on_storage` when InfluxDB would run it inside its storage engine."""

    input: PlanNode
    columns: tuple[str, ...]
    mode: str = "by"
    on_storage: bool = False

    function: ClassVar[str] = "group"


@builtin("group", pipe="tables")
def group(ctx: CallContext, tables: Any, columns: Any = None, mode: Any = "by") -> Stream:
    tables = require_stream("group", tables)
    columns = [] if columns is None else columns
    if not isinstance(columns, Sequence) or isinstance(columns, str) \
            or not all(isinstance(c, str) for c in columns):
        raise OperatorError(f"group(): columns must be an array of strings, found "
                            f"{type_name(columns)}")
    if mode not in ("by", "except"):
        raise OperatorError('group(): invalid group mode: must be "by" or "except"')
    node = tables.node
    on_storage = (mode == "by" and not {"_time", "_value"} & set(columns)
                  and reads_storage(node))
    return Stream(Group(node, tuple(columns), mode, on_storage, span=ctx.span))


@implements(Group)
def run_group(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Group)
    if node.on_storage:
        return _storage_group(ctx, node, inputs[0])
    keys = [_new_key(node, tf) for tf in inputs[0].frames]
    frames = inputs[0].frames
    if any(not set(tf.key) <= set(key) for tf, (key, _) in zip(frames, keys, strict=True)):
        frames = ranked(frames)  # tables merge: keep them in arrival order
    out = []
    for tf, (key, from_key) in zip(frames, keys, strict=True):
        empty = []
        if from_key:  # upstream keeps a table per old key: empty tables survive, projected
            at = [tf.key.index(c) for c in key]
            empty = list(dict.fromkeys(tuple(k[i] for i in at) for k in tf.empty))
        out.append(TableFrame(tf.frame, key, empty))
    return merged_in_order(ctx, node, out)


def _new_key(node: Group, tf: TableFrame) -> tuple[tuple[str, ...], bool]:
    """The new key columns, and whether all of them were key columns already."""
    columns = tf.frame.columns
    if node.mode == "by":
        present = [c for c in dict.fromkeys(node.columns) if c in columns]
        if all(c in tf.key for c in present):
            return tuple(sorted(present)), True
        return tuple(c for c in columns if c in present), False
    key = tuple(c for c in columns if c not in node.columns)
    return key, all(c in tf.key for c in key)


def _storage_group(ctx: ExecContext, node: Group, stream: TableStream) -> TableStream:
    """InfluxDB's storage group (storage/reads/group_resultset.go, storage/flux/reader.go).

    The key is `_start,_stop` and the listed tags; series lacking a listed tag form their own
    groups, whose tables have no column for it (upstream keys them on "" but the column is
    not in the table, so it shows nowhere). Within a group, a tag some series lack reads "".
    """
    listed = [c for c in dict.fromkeys(node.columns) if c not in ("_start", "_stop")]
    frames = []
    for tf in ranked(stream.frames):
        key = ("_start", "_stop", *(c for c in listed if c in tf.frame.columns))
        frames.append(TableFrame(tf.frame, key))
    out = []
    for tf in merged_in_order(ctx, node, frames, _storage_collision).frames:
        tags = sorted(c for c in tf.frame.columns if c not in _STORAGE_FIRST)
        first = [c for c in _STORAGE_FIRST if c in tf.frame.columns]
        frame = tf.frame.select(first + tags).with_columns(
            pl.col(c).fill_null("") for c in tags if tf.frame.schema[c] == pl.String)
        out.append(TableFrame(frame, tf.key, tf.empty))
    return TableStream(out)


_STORAGE_TYPES = {"int": "integer", "uint": "unsigned", "bool": "boolean"}


def _storage_collision(column: str, new: str, existing: str) -> str:
    """The storage engine's words: one group's series have fields of two types."""
    if column == "_value":
        first, got = (_STORAGE_TYPES.get(t, t) for t in (existing, new))
        return f"schema collision: cannot group {first} and {got} types together"
    return _collision(column, new, existing)


# -- merging tables that share a key -----------------------------------------------------------
def merged_in_order(ctx: ExecContext, node: PlanNode, frames: list[TableFrame],
                    collision: Collision = _collision) -> TableStream:
    """`merge_frames`, then each table's rows in arrival order when frames carry RANK (see
    table.ranked: the old tables' canonical order)."""
    out = []
    for tf in merge_frames(ctx, node, frames, collision).frames:
        if RANK in tf.frame.columns:
            tf = TableFrame(tf.frame.sort(RANK, maintain_order=True).drop(RANK), tf.key, tf.empty)
        out.append(tf)
    return TableStream(out)


def merge_frames(ctx: ExecContext, node: PlanNode, frames: list[TableFrame],
                 collision: Collision = _collision) -> TableStream:
    """Frames whose tables now share group keys, merged table by table.

    Tables with equal keys (same key columns in any order, equal values) become one table:
    rows of earlier frames first, columns unioned. Each output frame holds tables of one
    schema: a table is only stacked with the frames it takes rows from.
    """
    out: list[TableFrame] = []
    for same_key in _by_key_columns(frames):
        if len(same_key) == 1:
            out.extend(same_key)
        elif not same_key[0].key:
            out.append(_stack(ctx, node, same_key, same_key[0].frame.head(0), collision))
        else:
            out.extend(_merge_keyed(ctx, node, same_key, collision))
    return TableStream([tf for tf in out if tf.frame.height or tf.empty])


def _by_key_columns(frames: list[TableFrame]) -> list[list[TableFrame]]:
    """Frames grouped by key columns (and their types), key order made the first frame's."""
    groups: dict[Any, list[TableFrame]] = {}
    for tf in frames:
        sig = frozenset((c, str(tf.frame.schema[c])) for c in tf.key)
        same = groups.setdefault(sig, [])
        if same and same[0].key != tf.key:
            order = [tf.key.index(c) for c in same[0].key]
            tf = TableFrame(tf.frame, same[0].key, [tuple(k[i] for i in order) for k in tf.empty])
        same.append(tf)
    return list(groups.values())


def _merge_keyed(ctx: ExecContext, node: PlanNode, frames: list[TableFrame],
                 collision: Collision) -> list[TableFrame]:
    key = list(frames[0].key)
    index = pl.concat([
        pl.concat([tf.frame.select(key).unique(), _keys_frame(tf)], how="vertical_relaxed")
        .with_columns(pl.lit(i, pl.Int64).alias(_SRC)) for i, tf in enumerate(frames)],
        how="vertical_relaxed")
    sources = index.group_by(key).agg(
        pl.col(_SRC).unique().sort().cast(pl.String).str.join(",").alias(_SIG))
    if not sources[_SIG].str.contains(",").any():
        return frames  # no table has parts in two frames
    labelled = [tf.frame.join(sources, on=key, how="left", nulls_equal=True,
                              maintain_order="left") for tf in frames]
    empty_sigs = [_empty_signatures(tf, sources) for tf in frames]
    out = []
    for sig in sorted(set(sources[_SIG].to_list())):
        members = [int(i) for i in sig.split(",")]
        parts = [labelled[i].filter(pl.col(_SIG) == sig).drop(_SIG) for i in members]
        empty = [k for i in members for k, s in empty_sigs[i] if s == sig]
        if len(members) == 1:
            out.append(TableFrame(parts[0], frames[0].key, empty))
            continue
        tables = [TableFrame(p, frames[0].key) for p in parts]
        merged = _stack(ctx, node, tables, None, collision)
        rows = set(_tuples(merged.frame.select(key).unique(), key))
        merged.empty = [k for k in dict.fromkeys(empty) if k not in rows]
        out.append(merged)
    return out


def _stack(ctx: ExecContext, node: PlanNode, frames: list[TableFrame],
           empty_frame: pl.DataFrame | None, collision: Collision) -> TableFrame:
    """Frames holding parts of the same tables, one after the other, columns unioned."""
    seen: dict[str, pl.DataType] = {}
    for tf in frames:
        for col, dtype in tf.frame.schema.items():
            if dtype == pl.Null:
                continue
            if col in seen and seen[col] != dtype:
                raise ctx.error(node, collision(col, flux_type(dtype), flux_type(seen[col])))
            seen.setdefault(col, dtype)
    frame = pl.concat([tf.frame for tf in frames], how="diagonal_relaxed")
    empty = []
    if not frames[0].key and not frame.height and any(tf.empty for tf in frames):
        empty = [()]
    return TableFrame(frame if empty_frame is None or frame.width else empty_frame,
                      frames[0].key, empty)


def _keys_frame(tf: TableFrame) -> pl.DataFrame:
    """The key values of a frame's empty tables, as rows of its key columns."""
    schema = {c: tf.frame.schema[c] for c in tf.key}
    rows = [[v.ns if isinstance(v, Time) else v for v in k] for k in tf.empty]
    raw = {c: pl.Int64 if isinstance(t, pl.Datetime) else t for c, t in schema.items()}
    frame = pl.DataFrame(rows, schema=raw, orient="row")
    return frame.with_columns(pl.col(c).cast(t) for c, t in schema.items())


def _empty_signatures(tf: TableFrame, sources: pl.DataFrame
                      ) -> list[tuple[tuple[object, ...], str]]:
    if not tf.empty:
        return []
    key = list(tf.key)
    found = _keys_frame(tf).join(sources, on=key, how="left", nulls_equal=True,
                                 maintain_order="left")
    return list(zip(_tuples(found.select(key), key), found[_SIG].to_list(), strict=True))


def _tuples(frame: pl.DataFrame, key: list[str]) -> list[tuple[object, ...]]:
    """Rows of key values as key tuples (times as exact `Time`)."""
    times = [c for c in key if isinstance(frame.schema[c], pl.Datetime)]
    rows = frame.with_columns(pl.col(times).dt.epoch("ns")).rows()
    return [tuple(Time(v) if c in times and v is not None else v
                  for c, v in zip(key, row, strict=True)) for row in rows]
