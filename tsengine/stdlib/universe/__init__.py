"""Universe builtins (available without an import)."""

from tsengine.stdlib.universe import conversions, now  # noqa: F401
