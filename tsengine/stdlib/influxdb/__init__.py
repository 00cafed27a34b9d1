"""InfluxDB's functions available without an import: `from` and `to`."""

import tsengine.stdlib.influxdb.to  # noqa: F401
from tsengine.execute import source  # noqa: F401  (implements the storage reads from() plans)
from tsengine.stdlib.influxdb import from_  # noqa: F401
