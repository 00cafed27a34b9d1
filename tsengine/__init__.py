"""tsengine: a local, embeddable stand-in for InfluxDB 2.x."""

import storage.allocator  # noqa: F401, I001 - before anything loads Polars
from tsengine.engine import Engine

__all__ = ["Engine"]
