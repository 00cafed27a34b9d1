"""InfluxDB's functions available without an import: `from` and `to`."""

from tsengine.execute import (  # noqa: F401  (storage reads)
    aggregate_read,
    group_window_read,
    pivot_read,
    source,
)
from tsengine.stdlib.influxdb import from_, to  # noqa: F401
