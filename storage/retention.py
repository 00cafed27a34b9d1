"""Retention enforcement: expired hot rows deleted, wholly expired partitions dropped.

Scans already hide expired points (`Store.scan` starts at `now - retention`); this reclaims space.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.catalog import Catalog


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
        for org in catalog.orgs():
            for bucket in catalog.buckets(org.id):
                if not bucket.retention:
                    continue
                cutoff = now - bucket.retention
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
