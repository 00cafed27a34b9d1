"""Retention enforcement: expired hot rows deleted, wholly expired partitions dropped.

Scans already hide expired points (`Store.scan` starts at `now - retention`); this reclaims space.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from storage.catalog import Bucket, Catalog


@dataclass
class RetentionResult:
    """What one enforcement removed."""

    hot_rows_deleted: int = 0
    partitions_dropped: int = 0


def enforce(catalog: Catalog, now: int) -> tuple[RetentionResult, list[str]]:
    """Delete what every bucket's retention has expired as of `now`, in one transaction.

    Returns the result and the files of dropped partitions, for the caller to delete.
    """
    result = RetentionResult()
    doomed: list[str] = []
    con = catalog.con
    con.begin()
    try:
        for bucket, cutoff in cutoffs(catalog, now):
            for m in catalog.measurements(bucket.id):
                deleted = con.execute(
                    f"DELETE FROM {m.hot_table} WHERE time < ?", [cutoff]).fetchall()
                result.hot_rows_deleted += deleted[0][0] if deleted else 0
            for part in catalog.partitions(bucket.id):
                if part.max_time < cutoff:
                    catalog.drop_partition(part)
                    doomed.append(part.path)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    result.partitions_dropped = len(doomed)
    return result, doomed


def cutoffs(catalog: Catalog, now: int) -> Iterator[tuple[Bucket, int]]:
    """Each bucket with a retention, and the time before which its points have expired."""
    for org in catalog.orgs():
        for bucket in catalog.buckets(org.id):
            if bucket.retention:
                yield bucket, now - bucket.retention
