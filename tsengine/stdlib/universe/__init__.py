"""Universe builtins (available without an import)."""

from tsengine.stdlib.universe import conversions, filter, now, range, yield_  # noqa: F401
