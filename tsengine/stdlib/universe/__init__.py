"""Universe builtins (available without an import)."""

from tsengine.stdlib.universe import (  # noqa: F401  (registers them)
    conversions,
    duplicate,
    filter,
    keep,
    now,
    range,
    rename,
    set,
    yield_,
)
