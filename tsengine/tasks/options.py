"""`option task = {...}` read from a script's syntax tree, without running it, as InfluxDB does.

The rules follow InfluxDB 2.x (task/options): exactly one task option, a record literal; `name`
a string; exactly one of `every` (a duration) or `cron` (a string); `offset` a duration, may be
negative; `concurrency` 1..100 and `retry` 1..10, integers; every value a literal.

`with_options` rewrites the record as PATCH /api/v2/tasks/{id} does (task/taskmodel/task.go
updateFlux), but edits the text in place instead of re-formatting the whole script.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsengine.errors import FluxError, TaskError, TaskOptionsError
from tsengine.flux import ast
from tsengine.flux.parser import parse
from tsengine.flux.values import Duration, format_duration
from tsengine.tasks.schedule import validate_cron

SECOND = 1_000_000_000


@dataclass(frozen=True)
class TaskOptions:
    """A task's schedule and limits, as its script declares them (None: not set by the script)."""

    name: str
    every: Duration | None = None
    cron: str | None = None
    offset: Duration = Duration()
    concurrency: int | None = None
    retry: int | None = None


def task_options(script: str | ast.File) -> TaskOptions:
    """The task options of a script; TaskOptionsError (with line:column) when they are wrong."""
    source = script if isinstance(script, str) else None
    file = parse(script) if isinstance(script, str) else script
    try:
        return _extract(file)
    except TaskOptionsError as e:
        raise e.with_source(source) if source else e from None


def _record(file: ast.File) -> ast.RecordExpr:
    """The record literal of the script's one `option task`."""
    found = [s for s in file.body if isinstance(s, ast.OptionStatement)
             and s.package is None and s.name == "task"]
    if not found:
        raise TaskOptionsError("no task options defined: add option task = {name: ..., every: ...}")
    if len(found) > 1:
        raise _at("multiple task options defined", found[1])
    init = found[0].init
    if not isinstance(init, ast.RecordExpr) or init.with_ is not None:
        raise _at("option task must be a record literal", init)
    return init


def _extract(file: ast.File) -> TaskOptions:
    record = _record(file)
    props = {p.key: p for p in record.properties}
    for key, prop in props.items():
        if key not in ("name", "every", "cron", "offset", "concurrency", "retry"):
            raise _at(f"unknown task option {key!r}", prop)
        if prop.value is None:
            raise _at(f"task option {key!r} needs a literal value", prop)
    if "name" not in props:
        raise _at("task option 'name' is required", record)
    name = _string(props["name"])
    if not name:
        raise _at("task option 'name' must not be empty", _value(props["name"]))
    if ("every" in props) == ("cron" in props):
        raise _at("task options need exactly one of 'every' or 'cron'", record)
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
    concurrency = _int(props["concurrency"], 1, 100) if "concurrency" in props else None
    retry = _int(props["retry"], 1, 10) if "retry" in props else None
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


def parse_duration(text: str) -> Duration:
    """A duration as a task option takes it (`1h30m`, `-5m`): for `every`/`offset` overrides
    given on the command line or through the API."""
    try:
        body = parse(text.strip()).body
    except FluxError:
        body = ()
    if len(body) == 1 and isinstance(body[0], ast.ExpressionStatement):
        try:
            return _duration(ast.Property("duration", body[0].expression, span=body[0].span))
        except TaskOptionsError:
            pass
    raise TaskError(f"invalid duration {text!r}: use a Flux duration like 1h, 90m or -5m")


def _int(prop: ast.Property, low: int, high: int) -> int:
    value = prop.value
    if not isinstance(value, ast.IntegerLit):
        raise _at(f"task option {prop.key!r} must be an integer literal", value or prop)
    if not low <= value.value <= high:
        raise _at(f"task option {prop.key!r} must be between {low} and {high}", value)
    return value.value


def _check_cron(expr: str, prop: ast.Property) -> None:
    """influxdata/cron's grammar, as the scheduler reads it (tsengine.tasks.schedule)."""
    try:
        validate_cron(expr)
    except TaskError as e:
        raise _at(f"invalid cron expression {expr!r}: {e}", prop.value or prop) from None


# -- rewriting the task option (PATCH /api/v2/tasks/{id}) ---------------------------------------
def with_options(script: str, *, name: str | None = None, every: Duration | None = None,
                 cron: str | None = None, offset: Duration | None = None) -> str:
    """The script with its `option task` record rewritten as InfluxDB's task PATCH does.

    Empty values change nothing (upstream reads "" and 0s as absent), except a zero offset, which
    removes `offset`; every and cron exclude each other, so setting one replaces the other in place.
    New properties go after the last one. The rest of the script is kept byte for byte.
    """
    every = None if every is None or every.is_zero() else every
    if every is not None and cron:
        raise TaskError("cannot specify both every and cron")
    record = _record(parse(script))
    edit = _Edit(script, record)
    if name:
        edit.set("name", _flux_string(name))
    if every is not None:
        edit.switch("every", format_duration(every), "cron")
    if cron:
        edit.switch("cron", _flux_string(cron), "every")
    if offset is not None and offset.is_zero():
        edit.remove("offset")
    elif offset is not None:
        edit.set("offset", format_duration(offset))
    result = edit.apply()
    task_options(result)  # upstream re-reads the options and refuses the update when they are wrong
    return result


def _flux_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
               .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


class _Edit:
    """Text edits of one record, by source position: replace, remove and append properties."""

    def __init__(self, source: str, record: ast.RecordExpr) -> None:
        self.source = source
        self.record = record
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
        self.edits: list[tuple[int, int, str]] = []
        self.removed: set[int] = set()
        self.appended: list[str] = []

    def start(self, node: ast.Node) -> int:
        return self.line_starts[node.span.line - 1] + node.span.col - 1

    def end(self, node: ast.Node) -> int:
        return self.line_starts[node.span.end_line - 1] + node.span.end_col - 1

    def props(self, key: str) -> list[ast.Property]:
        return [p for p in self.record.properties if p.key == key]

    def set(self, key: str, value: str) -> None:
        """Every `key` property gets the value; without one, `key: value` is appended."""
        found = self.props(key)
        for prop in found:
            if prop.value is None:
                self.edits.append((self.start(prop), self.end(prop), f"{key}: {value}"))
            else:
                self.edits.append((self.start(prop.value), self.end(prop.value), value))
        if not found:
            self.appended.append(f"{key}: {value}")

    def switch(self, key: str, value: str, other: str) -> None:
        """Set `key`, which excludes `other`: an `other` property becomes `key: value` in place."""
        replaced = self.props(other)
        if self.props(key) or not replaced:
            self.set(key, value)
        else:
            first, replaced = replaced[0], replaced[1:]
            self.edits.append((self.start(first), self.end(first), f"{key}: {value}"))
        for prop in replaced:
            self._remove(prop)

    def remove(self, key: str) -> None:
        for prop in self.props(key):
            self._remove(prop)

    def _remove(self, prop: ast.Property) -> None:
        """Drop a property with its comma; a property alone on its line takes the line along."""
        src, start, end = self.source, self.start(prop), self.end(prop)
        self.removed.add(id(prop))
        after = _skip_blanks(src, end)
        has_comma = src.startswith(",", after)
        after = _skip_blanks(src, after + 1) if has_comma else after
        line_start = src.rfind("\n", 0, start) + 1
        line_end = src.find("\n", after) if src.startswith("//", after) else after
        if not src[line_start:start].strip(" \t") and (line_end == -1 or src.startswith(
                "\n", line_end) or line_end == len(src)):
            stop = len(src) if line_end == -1 else min(line_end + 1, len(src))
            self.edits.append((line_start, stop, ""))
        elif has_comma:
            self.edits.append((start, after, ""))
        else:
            before = [p for p in self.record.properties if self.end(p) <= start]
            self.edits.append((self.end(before[-1]) if before else start, end, ""))

    def _append_edits(self) -> list[tuple[int, int, str]]:
        if not self.appended:
            return []
        kept = [p for p in self.record.properties if id(p) not in self.removed]
        if not kept:
            brace = self.start(self.record) + 1
            return [(brace, brace, ", ".join(self.appended))]
        src, anchor = self.source, kept[-1]
        end = self.end(anchor)
        after = _skip_blanks(src, end)
        has_comma = src.startswith(",", after)
        newline = src.find("\n", after)
        multiline = (anchor.span.line > self.record.span.line
                     and anchor.span.end_line < self.record.span.end_line and newline != -1)
        if not multiline:
            return [(end, end, "".join(f", {p}" for p in self.appended))]
        line = src[self.line_starts[anchor.span.line - 1]:self.start(anchor)]
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if has_comma:
            return [(newline + 1, newline + 1, "".join(f"{indent}{p},\n" for p in self.appended))]
        lines = ",\n".join(f"{indent}{p}" for p in self.appended)
        return [(end, end, ","), (newline + 1, newline + 1, lines + "\n")]

    def apply(self) -> str:
        """The source with every edit made; overlapping removals merge."""
        edits = sorted(self.edits + self._append_edits(), key=lambda e: (e[0], e[1]))
        merged: list[tuple[int, int, str]] = []
        for start, end, text in edits:
            if merged and start < merged[-1][1] and not text and not merged[-1][2]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]), "")
            else:
                merged.append((start, end, text))
        out, pos = [], 0
        for start, end, text in merged:
            out += [self.source[pos:start], text]
            pos = max(pos, end)
        out.append(self.source[pos:])
        return "".join(out)


def _skip_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos
