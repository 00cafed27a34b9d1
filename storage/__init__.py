"""tsengine's storage layer: line-protocol buckets on DuckDB (hot) and Parquet (cold).

This module is its public API; `tsengine` uses nothing else of `storage`.
"""

import storage.allocator  # noqa: F401, I001 - before anything loads Polars
from storage.catalog import Bucket, Organization, new_id
from storage.delete import DeleteResult
from storage.delete_predicate import (
    DeleteByFieldUnsupported,
    DeletePredicateError,
    parse_delete_predicate,
)
from storage.errors import (
    BucketExists,
    BucketNotFound,
    DataDirLocked,
    InvalidArgument,
    LineError,
    LineProtocolError,
    OrganizationNotFound,
    StorageError,
)
from storage.lineprotocol import Dropped, FieldType, Point, PointBatch, Segment, parse
from storage.lineprotocol.format import format_lines, format_segment
from storage.predicate import And, Compare, In, Not, Or, Predicate, Regex, eq
from storage.scan import ScanPlan, WideRead
from storage.store import MeasurementStats, Store
from storage.timeutil import (
    Clock,
    FixedClock,
    format_duration,
    format_time,
    parse_duration,
    parse_time,
)
from storage.write import WriteResult

__all__ = [
    "And", "Bucket", "BucketExists", "BucketNotFound", "Clock", "Compare", "DataDirLocked",
    "DeleteByFieldUnsupported", "DeletePredicateError", "DeleteResult", "Dropped", "FieldType",
    "FixedClock", "In", "InvalidArgument", "LineError", "LineProtocolError", "MeasurementStats",
    "Not", "Or", "Organization", "OrganizationNotFound", "Point", "PointBatch", "Predicate",
    "Regex", "ScanPlan", "Segment", "StorageError", "Store", "WideRead", "WriteResult", "eq",
    "format_duration", "format_lines", "format_segment", "format_time", "new_id", "parse",
    "parse_delete_predicate", "parse_duration", "parse_time",
]
