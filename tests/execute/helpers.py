"""What the execute tests share: a bucket of line protocol for a module's `engine` fixture,
queries run with the planner's rules on and off that must agree, and a bare context for calling
an implementation directly on frames built in a test."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any, TypeVar

from tsengine import Engine
from tsengine.execute.executor import ExecContext
from tsengine.execute.table import Table, TableStream

T = TypeVar("T")


def write_bucket(engine: Engine, lines: Iterable[str] | str, bucket: str = "b") -> Engine:
    """Create `bucket` and write the points to it (lines, or one line-protocol text); the engine
    back, for a fixture to return."""
    engine.create_bucket(bucket)
    engine.write(bucket, lines if isinstance(lines, str) else "\n".join(lines) + "\n")
    return engine


def agree(engine: Engine, flux: str, describe: Callable[[Table], T]) -> list[T]:
    """`describe` of every `_result` table, with the planner's rules on and with all of them off;
    asserts the two runs agree and returns the first."""
    on = [describe(t) for t in engine.query(flux)["_result"]]
    assert on == [describe(t) for t in engine.query(flux, disabled_rules=("all",))["_result"]]
    return on


def key_columns_values(table: Table, column: str = "_value") -> tuple[dict, list[str], list]:
    """(group-key record, column labels, values of `column`): a table as most tests compare it."""
    return table.key_record(), table.frame.columns, table.frame[column].to_list()


def both(engine: Engine, flux: str, column: str = "_value") -> list[tuple[dict, list[str], list]]:
    """(key record, columns, values of `column`) per table, the same with the rules on and off."""
    return agree(engine, flux, lambda t: key_columns_values(t, column))


def key_without_bounds(table: Table) -> dict[str, object]:
    """The group-key record less `_start` and `_stop`."""
    return {k: v for k, v in table.key_record().items() if k not in ("_start", "_stop")}


def bare_context(store: Any = None) -> ExecContext:
    """An execution context without a script: enough to call an implementation on frames."""
    return ExecContext(store, SimpleNamespace(source=None))  # type: ignore[arg-type]


def column_lists(stream: TableStream, column: str) -> list[list]:
    """The values of `column`, one list per table of `stream`."""
    return [t.frame[column].to_list() for t in stream.tables()]
