"""The `tsengine` command: a thin click skin over `tsengine.Engine`."""
