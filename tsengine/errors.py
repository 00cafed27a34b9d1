"""tsengine's exceptions above the storage layer (Flux, planning, tasks, server)."""

from __future__ import annotations


class TsengineError(Exception):
    """Root of every error raised by `tsengine` itself (storage has `storage.StorageError`)."""
