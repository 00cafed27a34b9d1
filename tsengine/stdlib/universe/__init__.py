"""Universe builtins (available without an import): one module per function or family.

Every module of this package is imported, which registers its builtins and node
implementations, so adding a function is adding a module.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
