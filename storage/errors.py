"""The storage layer's exceptions: each says what failed and where (line:column, bucket, path)."""

from __future__ import annotations

from dataclasses import dataclass


class StorageError(Exception):
    """Root of every error raised by `storage`."""


@dataclass(frozen=True)
class LineError:
    """One bad line of a line-protocol request: where it is and what was expected there."""

    line: int
    column: int
    message: str
    text: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class LineProtocolError(StorageError):
    """A request holds malformed line protocol; nothing of it was written."""

    def __init__(self, errors: list[LineError], source: str | None = None) -> None:
        self.errors = sorted(errors, key=lambda e: (e.line, e.column))
        self.source = source
        first = self.errors[0]
        prefix = f"{source}: " if source else ""
        more = len(self.errors) - 1
        suffix = f" (and {more} more bad line{'s' if more > 1 else ''})" if more else ""
        super().__init__(f"{prefix}{first}{suffix}")

    @property
    def first(self) -> LineError:
        return self.errors[0]


class InvalidArgument(StorageError, ValueError):
    """A value given to the storage API is malformed (a duration, a time, a name, a regex)."""


class BucketNotFound(StorageError):
    """No bucket of that name (or id) exists in the organization."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        super().__init__(f'bucket "{bucket}" not found')


class BucketExists(StorageError):
    """A bucket of that name already exists in the organization."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        super().__init__(f"bucket with name {bucket} already exists")


class OrganizationNotFound(StorageError):
    """No organization of that name (or id) exists."""

    def __init__(self, org: str) -> None:
        self.org = org
        super().__init__(f'organization name "{org}" not found')


class DataDirLocked(StorageError):
    """Another process, or another store in this one, holds the data directory open."""


class NotRemembered(StorageError):
    """A catalog read asked of remembered answers alone (Catalog.read_remembered) needs a
    query that is not among them."""
