"""The catalog: organizations, buckets, measurement schemas and the Parquet manifest, in DuckDB.

It lives in `catalog.duckdb` beside the hot tier, so that a write, a schema change and a
compaction each commit in one transaction.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from storage.errors import (
    BucketExists,
    BucketNotFound,
    InvalidArgument,
    NotRemembered,
    OrganizationNotFound,
)
from storage.lineprotocol.model import FieldType

T = TypeVar("T")
SCHEMA_VERSION = 1
DEFAULT_ORG = "default"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS orgs (
    id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, description VARCHAR NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS buckets (
    id VARCHAR PRIMARY KEY, org_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
    description VARCHAR NOT NULL DEFAULT '', retention BIGINT NOT NULL,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS measurements (
    id INTEGER PRIMARY KEY, bucket_id VARCHAR NOT NULL, name VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS columns (
    measurement_id INTEGER NOT NULL, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
    type VARCHAR, col VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS partitions (
    bucket_id VARCHAR NOT NULL, measurement_id INTEGER NOT NULL, day INTEGER NOT NULL,
    path VARCHAR NOT NULL, rows BIGINT NOT NULL, min_time BIGINT NOT NULL, max_time BIGINT NOT NULL,
    cols VARCHAR NOT NULL);
"""


def new_id() -> str:
    """A 16-hex-digit non-zero id, as InfluxDB's."""
    while True:
        value = secrets.token_hex(8)
        if int(value, 16):
            return value


@dataclass(frozen=True)
class Organization:
    """An organization: the owner of buckets."""

    id: str
    name: str
    description: str
    created_at: int


@dataclass(frozen=True)
class Bucket:
    """A named store of points with a retention period (0 = keep forever)."""

    id: str
    org_id: str
    name: str
    description: str
    retention: int
    created_at: int
    updated_at: int


@dataclass(frozen=True)
class Column:
    """A tag or field of a measurement, and the internal column (`t3`, `f7`) that holds it."""

    kind: str
    name: str
    type: FieldType | None
    col: str


@dataclass(frozen=True)
class Partition:
    """One Parquet file of the cold tier: a bucket's measurement on one UTC day."""

    bucket_id: str
    measurement_id: int
    day: int
    path: str
    rows: int
    min_time: int
    max_time: int
    cols: tuple[str, ...]


@dataclass
class Measurement:
    """A measurement of a bucket: its id, name and columns (tags, then fields)."""

    id: int
    bucket_id: str
    name: str
    tags: dict[str, Column]
    fields: dict[str, Column]

    @property
    def hot_table(self) -> str:
        return f"hot_{self.id}"

    def column(self, col: str) -> Column:
        """The tag or field stored in internal column `col`."""
        for c in (*self.tags.values(), *self.fields.values()):
            if c.col == col:
                return c
        raise KeyError(col)


class Catalog:
    """Reads and changes the catalog tables; callers own the transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection, root: Path | None = None) -> None:
        self.con = con
        # manifest paths are stored relative to the data directory, so that it can be reached
        # by another path (relative, moved, symlinked) without its files looking like orphans
        self.root = root
        self._measurements: dict[tuple[str, str], Measurement] = {}
        # answers of catalog reads, until the next change: a query plans several lookups,
        # each a DuckDB round trip of a millisecond or two otherwise
        self._answers: dict[tuple[str, tuple[object, ...]], list[tuple]] = {}
        self._reading_remembered = threading.local()  # see read_remembered

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        """The rows of a catalog query, remembered until the catalog changes."""
        key = (sql, tuple(args))
        rows = self._answers.get(key)
        if rows is None:
            if getattr(self._reading_remembered, "on", False):
                raise NotRemembered(sql)
            rows = self._answers[key] = self.con.execute(sql, list(args)).fetchall()
        return rows

    def read_remembered(self, read: Callable[[Catalog], T]) -> T:
        """`read(self)` answered from the remembered answers alone: no DuckDB call, so no lock
        is needed (a dict read is atomic; an answer is at worst one change old, or of a
        transaction under way). Raises NotRemembered when a query of it is not remembered."""
        self._reading_remembered.on = True
        try:
            return read(self)
        finally:
            self._reading_remembered.on = False

    def one(self, sql: str, args: Sequence[object] = ()) -> tuple | None:
        """The first row of a query, its result read to the end (an unfinished result would
        block the connection's next relation)."""
        rows = self.con.execute(sql, list(args)).fetchall()
        return rows[0] if rows else None

    def _change(self, sql: str, args: Sequence[object] = ()) -> None:
        """Change the catalog tables; remembered answers are forgotten."""
        self._answers.clear()
        # fetched, so that no unfinished result blocks the connection's next relation
        (self.con.execute(sql, list(args)) if args else self.con.execute(sql)).fetchall()

    def initialize(self, now: int) -> None:
        """Create the tables and the default organization of a new data directory."""
        self._change(_SCHEMA)
        version = self.one("SELECT value FROM meta WHERE key = 'schema'")
        if version is None:
            self._change("INSERT INTO meta VALUES ('schema', ?), ('seq', '0')",
                         [str(SCHEMA_VERSION)])
        elif int(version[0]) != SCHEMA_VERSION:
            raise InvalidArgument(f"data directory has catalog schema {version[0]}, "
                                  f"this tsengine reads schema {SCHEMA_VERSION}")
        if not self.one("SELECT count(*) FROM orgs")[0]:  # type: ignore[index]
            self._change("INSERT INTO orgs VALUES (?, ?, '', ?)", [new_id(), DEFAULT_ORG, now])
        # manifests written before paths were relative (absolute, or relative to the directory
        # the process ran in): keep what follows `buckets/<bucket-id>/`, which every file has
        marker = "strpos(path, 'buckets/' || bucket_id || '/')"
        self._change(f"UPDATE partitions SET path = substr(path, {marker}) "
                     f"WHERE NOT starts_with(path, 'buckets/') AND {marker} > 0")

    # -- organizations -------------------------------------------------------------------
    def orgs(self) -> list[Organization]:
        rows = self._read("SELECT * FROM orgs ORDER BY created_at, name")
        return [Organization(*r) for r in rows]

    def org(self, name_or_id: str | None = None) -> Organization:
        """An organization by name or id; None means the default (first) organization."""
        if name_or_id is None:
            return self.orgs()[0]
        rows = self._read("SELECT * FROM orgs WHERE name = ? OR id = ? ORDER BY name = ? DESC",
                          [name_or_id, name_or_id, name_or_id])
        if not rows:
            raise OrganizationNotFound(name_or_id)
        return Organization(*rows[0])

    def rename_org(self, org: Organization, name: str) -> Organization:
        """Give an organization another name (onboarding names the default organization)."""
        if not name.strip():
            raise InvalidArgument("an organization name must not be empty")
        if name != org.name and self._read("SELECT 1 FROM orgs WHERE name = ?", [name]):
            raise InvalidArgument(f'organization with name "{name}" already exists')
        self._change("UPDATE orgs SET name = ? WHERE id = ?", [name, org.id])
        return Organization(org.id, name, org.description, org.created_at)

    # -- buckets ---------------------------------------------------------------------------
    def buckets(self, org_id: str) -> list[Bucket]:
        rows = self._read("SELECT * FROM buckets WHERE org_id = ? ORDER BY name", [org_id])
        return [Bucket(*r) for r in rows]

    def bucket(self, org_id: str, name_or_id: str) -> Bucket:
        rows = self._read(
            "SELECT * FROM buckets WHERE org_id = ? AND (name = ? OR id = ?) "
            "ORDER BY name = ? DESC",
            [org_id, name_or_id, name_or_id, name_or_id])
        if not rows:
            raise BucketNotFound(name_or_id)
        return Bucket(*rows[0])

    def create_bucket(self, org_id: str, name: str, retention: int, description: str,
                      now: int) -> Bucket:
        validate_bucket_name(name)
        self._refuse_taken(org_id, name)
        bucket = Bucket(new_id(), org_id, name, description, retention, now, now)
        self._change("INSERT INTO buckets VALUES (?, ?, ?, ?, ?, ?, ?)",
                     list(vars(bucket).values()))
        return bucket

    def update_bucket(self, bucket: Bucket, now: int, *, name: str | None = None,
                      retention: int | None = None, description: str | None = None) -> Bucket:
        if name is not None and name != bucket.name:
            validate_bucket_name(name)
            self._refuse_taken(bucket.org_id, name)
        updated = Bucket(bucket.id, bucket.org_id, name if name is not None else bucket.name,
                         description if description is not None else bucket.description,
                         retention if retention is not None else bucket.retention,
                         bucket.created_at, now)
        self._change(
            "UPDATE buckets SET name = ?, description = ?, retention = ?, updated_at = ? "
            "WHERE id = ?",
            [updated.name, updated.description, updated.retention, now, bucket.id])
        return updated

    def delete_bucket(self, bucket: Bucket) -> None:
        for m in self.measurements(bucket.id):
            self._change(f"DROP TABLE IF EXISTS {m.hot_table}")
            self._change("DELETE FROM columns WHERE measurement_id = ?", [m.id])
        self._change("DELETE FROM measurements WHERE bucket_id = ?", [bucket.id])
        self._change("DELETE FROM partitions WHERE bucket_id = ?", [bucket.id])
        self._change("DELETE FROM buckets WHERE id = ?", [bucket.id])
        self._measurements = {k: v for k, v in self._measurements.items() if k[0] != bucket.id}

    def _refuse_taken(self, org_id: str, name: str) -> None:
        taken = self._read("SELECT 1 FROM buckets WHERE org_id = ? AND name = ?",
                           [org_id, name])
        if taken:
            raise BucketExists(name)

    # -- measurements and columns ----------------------------------------------------------
    def measurements(self, bucket_id: str) -> list[Measurement]:
        names = self._read("SELECT name FROM measurements WHERE bucket_id = ? ORDER BY name",
                           [bucket_id])
        return [m for (name,) in names if (m := self.measurement(bucket_id, name)) is not None]

    def measurement(self, bucket_id: str, name: str) -> Measurement | None:
        cached = self._measurements.get((bucket_id, name))
        if cached is not None:
            return cached
        row = self.one("SELECT id FROM measurements WHERE bucket_id = ? AND name = ?",
                       [bucket_id, name])
        if row is None:
            return None
        cols = self.con.execute(
            "SELECT kind, name, type, col FROM columns WHERE measurement_id = ? "
            "ORDER BY CAST(substr(col, 2) AS INTEGER)", [row[0]]).fetchall()
        m = Measurement(row[0], bucket_id, name, {}, {})
        for kind, cname, ctype, col in cols:
            column = Column(kind, cname, FieldType(ctype) if ctype else None, col)
            (m.tags if kind == "tag" else m.fields)[cname] = column
        self._measurements[(bucket_id, name)] = m
        return m

    def add_measurement(self, bucket_id: str, name: str) -> Measurement:
        sql = "SELECT coalesce(max(id), 0) + 1 FROM measurements"
        next_id = self.one(sql)[0]  # type: ignore[index]
        self._change("INSERT INTO measurements VALUES (?, ?, ?)", [next_id, bucket_id, name])
        m = Measurement(next_id, bucket_id, name, {}, {})
        self._change(f"CREATE TABLE {m.hot_table} (time BIGINT NOT NULL, seq BIGINT NOT NULL)")
        self._measurements[(bucket_id, name)] = m
        return m

    def add_column(self, m: Measurement, kind: str, name: str, ftype: FieldType | None) -> Column:
        number = len(m.tags) + len(m.fields) + 1
        col = Column(kind, name, ftype, f"{kind[0]}{number}")
        sql_type = ftype.duckdb_type if ftype else "VARCHAR"
        self._change("INSERT INTO columns VALUES (?, ?, ?, ?, ?)",
                     [m.id, kind, name, ftype.value if ftype else None, col.col])
        self._change(f"ALTER TABLE {m.hot_table} ADD COLUMN {col.col} {sql_type}")
        (m.tags if kind == "tag" else m.fields)[name] = col
        return col

    # -- the Parquet manifest --------------------------------------------------------------
    def partitions(self, bucket_id: str, measurement_id: int | None = None,
                   first_day: int | None = None, last_day: int | None = None) -> list[Partition]:
        """Manifest entries of a bucket, optionally one measurement's within a day range."""
        sql = "SELECT * FROM partitions WHERE bucket_id = ?"
        args: list[object] = [bucket_id]
        if measurement_id is not None:
            sql += " AND measurement_id = ?"
            args.append(measurement_id)
        if first_day is not None:
            sql += " AND day >= ?"
            args.append(first_day)
        if last_day is not None:
            sql += " AND day <= ?"
            args.append(last_day)
        # a day's files in time order: a series read across them stays in time order
        rows = self._read(sql + " ORDER BY measurement_id, day, min_time, max_time", args)
        return [Partition(*r[:3], self.full_path(r[3]), *r[4:7],
                          tuple(r[7].split(",")) if r[7] else ()) for r in rows]

    def replace_partition(self, old: Partition | None, new: Partition) -> None:
        if old is not None:
            self.drop_partition(old)
        self._change("INSERT INTO partitions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [new.bucket_id, new.measurement_id, new.day, self.stored_path(new.path),
                          new.rows, new.min_time, new.max_time, ",".join(new.cols)])

    def drop_partition(self, part: Partition) -> None:
        self._change("DELETE FROM partitions WHERE path = ?", [self.stored_path(part.path)])

    def all_partition_paths(self) -> set[str]:
        """Every file the manifest lists, as a path under the data directory."""
        rows = self.con.execute("SELECT path FROM partitions").fetchall()
        return {self.full_path(r[0]) for r in rows}

    def stored_path(self, path: str) -> str:
        """A file's path as the manifest keeps it: relative to the data directory."""
        if self.root is None:
            return path
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return path

    def full_path(self, stored: str) -> str:
        """A manifest path as a path to open, under the data directory as it was opened."""
        if self.root is None or Path(stored).is_absolute():
            return stored
        return str(self.root / stored)

    def forget_cached(self) -> None:
        """Drop cached schemas and answers (after a rolled-back transaction)."""
        self._measurements.clear()
        self._answers.clear()

    # -- write sequence --------------------------------------------------------------------
    def sequence(self) -> int:
        """The last write sequence number committed in the hot tables."""
        return int(self.one("SELECT value FROM meta WHERE key = 'seq'")[0])  # type: ignore[index]

    def set_sequence(self, last: int) -> None:
        self.con.execute("UPDATE meta SET value = ? WHERE key = 'seq'", [str(last)]).fetchall()

    def table_sequences(self) -> dict[str, int]:
        """Per hot table, the last write sequence number whose rows compaction took straight
        from the write log into Parquet (see Store.compact)."""
        rows = self.con.execute("SELECT key, value FROM meta WHERE key LIKE 'seq:%'").fetchall()
        return {key[4:]: int(value) for key, value in rows}

    def set_table_sequence(self, hot_table: str, last: int) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         [f"seq:{hot_table}", str(last)]).fetchall()


def validate_bucket_name(name: str) -> None:
    """Bucket names as InfluxDB allows them: not empty, no leading underscore, no double quote."""
    if not name or not name.strip():
        raise InvalidArgument("bucket name must not be empty")
    if name.startswith("_"):
        raise InvalidArgument(f"bucket name {name!r} is invalid: a leading _ is reserved")
    if '"' in name:
        raise InvalidArgument(f"bucket name {name!r} is invalid: it contains a double quote")
