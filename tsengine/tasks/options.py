"""`option task = {...}` read from a script's syntax tree, without running it, as InfluxDB does.

The rules follow InfluxDB 2.x (task/options): exactly one task option, a record literal; `name`
a string; exactly one of `every` (a duration) or `cron` (a string); `offset` a duration, may be
negative; `concurrency` 1..100 and `retry` 1..10, integers; every value a literal.
"""

from __future__ import annotations

from dataclasses import dataclass

from croniter import croniter

from tsengine.errors import TaskOptionsError
from tsengine.flux import ast
from tsengine.flux.parser import parse
from tsengine.flux.values import Duration

SECOND = 1_000_000_000
_CRON_SHORTCUTS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                   "@hourly")


@dataclass(frozen=True)
class TaskOptions:
    """A task's schedule and limits, as its script declares them."""

    name: str
    every: Duration | None = None
    cron: str | None = None
    offset: Duration = Duration()
    concurrency: int = 1
    retry: int = 1


def task_options(script: str | ast.File) -> TaskOptions:
    """The task options of a script; TaskOptionsError (with line:column) when they are wrong."""
    source = script if isinstance(script, str) else None
    file = parse(script) if isinstance(script, str) else script
    try:
        return _extract(file)
    except TaskOptionsError as e:
        raise e.with_source(source) if source else e from None


def _extract(file: ast.File) -> TaskOptions:
    found = [s for s in file.body if isinstance(s, ast.OptionStatement)
             and s.package is None and s.name == "task"]
    if not found:
        raise TaskOptionsError("no task options defined: add option task = {name: ..., every: ...}")
    if len(found) > 1:
        raise _at("multiple task options defined", found[1])
    stmt = found[0]
    if not isinstance(stmt.init, ast.RecordExpr) or stmt.init.with_ is not None:
        raise _at("option task must be a record literal", stmt.init)
    props = {p.key: p for p in stmt.init.properties}
    for key, prop in props.items():
        if key not in ("name", "every", "cron", "offset", "concurrency", "retry"):
            raise _at(f"unknown task option {key!r}", prop)
        if prop.value is None:
            raise _at(f"task option {key!r} needs a literal value", prop)
    if "name" not in props:
        raise _at("task option 'name' is required", stmt.init)
    name = _string(props["name"])
    if not name:
        raise _at("task option 'name' must not be empty", _value(props["name"]))
    if ("every" in props) == ("cron" in props):
        raise _at("task options need exactly one of 'every' or 'cron'", stmt.init)
    every = cron = None
    if "every" in props:
        every = _duration(props["every"])
        if every.negative or (every.months == 0 and every.nanoseconds < SECOND):
            raise _at("task option 'every' must be at least 1s", _value(props["every"]))
        if every.nanoseconds % SECOND:
            raise _at("task option 'every' must be a whole number of seconds",
                      _value(props["every"]))
    else:
        cron = _string(props["cron"])
        _check_cron(cron, props["cron"])
    offset = Duration()
    if "offset" in props:
        offset = _duration(props["offset"])
        if offset.nanoseconds % SECOND:
            raise _at("task option 'offset' must be a whole number of seconds",
                      _value(props["offset"]))
    concurrency = _int(props["concurrency"], 1, 100) if "concurrency" in props else 1
    retry = _int(props["retry"], 1, 10) if "retry" in props else 1
    return TaskOptions(name, every, cron, offset, concurrency, retry)


def _at(message: str, node: ast.Node) -> TaskOptionsError:
    return TaskOptionsError(message, node.span.line, node.span.col)


def _value(prop: ast.Property) -> ast.Node:
    return prop.value or prop


def _string(prop: ast.Property) -> str:
    value = prop.value
    if not isinstance(value, ast.StringLit) or not value.is_plain:
        raise _at(f"task option {prop.key!r} must be a string literal", value or prop)
    return value.text


def _duration(prop: ast.Property) -> Duration:
    """A duration literal, possibly negated (`-5m`)."""
    value = prop.value
    negative = False
    if isinstance(value, ast.UnaryExpr) and value.operator == "-":
        negative, value = True, value.argument
    if not isinstance(value, ast.DurationLit):
        raise _at(f"task option {prop.key!r} must be a duration literal, like 1h or 5m",
                  prop.value or prop)
    d = Duration.of(value.values)
    return -d if negative else d


def _int(prop: ast.Property, low: int, high: int) -> int:
    value = prop.value
    if not isinstance(value, ast.IntegerLit):
        raise _at(f"task option {prop.key!r} must be an integer literal", value or prop)
    if not low <= value.value <= high:
        raise _at(f"task option {prop.key!r} must be between {low} and {high}", value)
    return value.value


def _check_cron(expr: str, prop: ast.Property) -> None:
    if expr in _CRON_SHORTCUTS or expr.startswith("@every "):
        return
    fields = expr.split()
    if len(fields) not in (5, 6, 7) or not croniter.is_valid(
            " ".join(fields[:6]) if len(fields) == 7 else expr,
            second_at_beginning=len(fields) >= 6):
        raise _at(f"invalid cron expression {expr!r}", prop.value or prop)
