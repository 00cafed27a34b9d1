"""The Flux standard library: one module per builtin, registered into `REGISTRY` on import.

Every module below this package is imported (universe, influxdb and each importable package,
laid out by its Flux path: `strings`, `influxdata/influxdb/schema`...), so adding a function
is adding a module.
"""

import importlib
import pkgutil

for _module in pkgutil.walk_packages(__path__, f"{__name__}."):
    importlib.import_module(_module.name)
