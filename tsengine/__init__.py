"""tsengine: a local, embeddable stand-in for InfluxDB 2.x."""

from tsengine.engine import Engine

__all__ = ["Engine"]
