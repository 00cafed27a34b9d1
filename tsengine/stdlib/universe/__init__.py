"""Universe builtins (available without an import): one module per function or family."""
