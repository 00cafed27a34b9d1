"""Warnings about task scripts that run without error but do not do what their author means.

Four pitfalls, found without running anything (`tsengine check` reports them):

1. a `range()` not bounded by the run's window: each run re-reads (and re-writes) what earlier
   runs covered, or never reads part of the data;
2. windows (`aggregateWindow`, `window`) that do not line up with the runs' windows: a window
   straddling two runs is computed by both, each from part of its data;
3. `to()` fed by tables that lack a column it needs (keep/drop/map/pivot/aggregates remove it):
   the run fails, with the error tsengine's `to()` raises (upstream flux
   stdlib/influxdata/influxdb/to.go: measurement, time, then `_field`/`_value` unless fieldFn);
4. across files: a task reading a bucket another task writes, with an offset not after the
   writer's: it runs before the writer has written the same window.

Only what can be read statically is judged: literal durations and column lists, names bound to
them, `task.every`, `v.timeRangeStart`/`v.timeRangeStop`, `now()`. Anything else is no warning.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields

from tsengine.errors import FluxError
from tsengine.flux import ast
from tsengine.flux.parser import parse
from tsengine.flux.values import Duration, format_duration
from tsengine.tasks.lineage import lineage
from tsengine.tasks.options import TaskOptions, task_options
from tsengine.tasks.schedule import Schedule

Env = Mapping[str, "ast.Expr | None"]  # names in scope: what they are bound to (None: unknown)
MAX_DEPTH = 32  # names resolved through names, at most

# functions whose output has the columns of their input (for to()'s needs)
PRESERVING = frozenset({
    "filter", "range", "sort", "limit", "tail", "first", "last", "min", "max", "top", "bottom",
    "fill", "yield", "timeShift", "sample", "unique", "derivative", "difference",
    "cumulativeSum", "movingAverage", "exponentialMovingAverage", "elapsed",
    "truncateTimeColumn", "toFloat", "toInt", "toUInt", "toString", "toBool", "toTime",
    "hourSelection", "to",
})
# aggregates: one row per table, the group key columns and the aggregated column only
AGGREGATES = frozenset({"count", "sum", "mean", "median", "spread", "stddev", "integral",
                        "skew", "mode", "quantile", "distinct"})
# the error tsengine's to() raises for a missing column, in the order it checks them
TIME, MEASUREMENT, FIELD, VALUE = "time", "measurement", "_field", "_value"


class FluxWarning(FluxError):
    """Something in a script that runs but likely does not do what its author means."""

    kind = "warning"


@dataclass(frozen=True)
class _Mark:
    """A value known by what it is, not by its number: the run's window bounds, now()."""

    what: str  # "start", "stop", "now", "time"


Static = Duration | _Mark


# -- entry points ------------------------------------------------------------------------------
def lint_task(source: str, file: ast.File) -> list[FluxError]:
    """Pitfalls 1-3 in one task script, in source order ([] for a script without option task)."""
    if not _is_task(file):
        return []
    try:
        options: TaskOptions | None = task_options(file)
    except FluxError:
        options = None  # check() reports it; what needs the schedule is skipped
    lint = _Lint(source, file, options)
    found: list[FluxError] = []
    for node, env in _scoped_block(file.body, {}):
        if isinstance(node, ast.PipeExpr):
            found += lint.to(node, env)
        if not isinstance(node, ast.CallExpr):
            continue
        name = _name(node.callee, env)
        if name == "range":
            found += lint.range(node, env)
        elif name in ("aggregateWindow", "window"):
            found += lint.windows(node, name, env)
    found.sort(key=lambda w: (w.line, w.column))
    return [w.with_source(source) for w in found]


def lint_chain(files: Mapping[str, str]) -> dict[str, list[FluxError]]:
    """Pitfall 4 across task files (name -> source): each file's warnings (maybe none)."""
    tasks = {name: task for name, source in files.items()
             if (task := _chained_task(source)) is not None}
    found: dict[str, list[FluxError]] = {name: [] for name in files}
    for name, reader in tasks.items():
        for other, writer in tasks.items():
            if other == name or files[other] == files[name]:
                continue  # one script given twice is not a chain
            shared = sorted(reader.reads & writer.writes)
            if shared and reader.offset.approx_ns() <= writer.offset.approx_ns():
                found[name].append(_chain_warning(reader, writer, other, shared[0]))
    return {name: [w.with_source(files[name]) for w in ws] for name, ws in found.items()}


# -- 1 to 3: one script --------------------------------------------------------------------------
class _Lint:
    """The checks of one task script; each returns the warnings about one call."""

    def __init__(self, source: str, file: ast.File, options: TaskOptions | None) -> None:
        self.source = source
        self.options = options
        self.lines = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
        self.imports = {imp.alias or imp.path.rsplit("/", 1)[-1]: imp.path
                        for imp in file.imports}
        self.own_v = any(isinstance(s, ast.OptionStatement) and s.name == "v"
                         and s.package is None for s in file.body)
        self.own_location = any(isinstance(s, ast.OptionStatement) and s.name == "location"
                                for s in file.body)

    def text(self, node: ast.Node) -> str:
        """The source text of a node, as its author wrote it."""
        start = self.lines[node.span.line - 1] + node.span.col - 1
        end = self.lines[node.span.end_line - 1] + node.span.end_col - 1
        return " ".join(self.source[start:end].split())

    # 1. range() bounded by the run's window
    def range(self, call: ast.CallExpr, env: Env) -> list[FluxError]:
        if self.options is None:
            return []
        args = _args(call)
        found = []
        if "start" in args:
            problem = self._start(args["start"], env)
            if problem:
                found.append(_warn(problem, args["start"]))
        if "stop" in args:
            problem = self._stop(args["stop"], env)
            if problem:
                found.append(_warn(problem, args["stop"]))
        return found

    def _start(self, expr: ast.Expr, env: Env) -> str | None:
        value = _static(expr, env)
        if value is None or value == _Mark("start"):
            return None
        every = self.options.every if self.options else None
        own_v = self._from_own_v(expr)
        if every is not None:
            use = "use start: -task.every" + ("" if own_v else " (or v.timeRangeStart)")
        else:
            use = "remove option v" if own_v else "use start: v.timeRangeStart"
        head = f"range(start: {self.text(expr)}){own_v}"
        if isinstance(value, Duration) and value.negative:
            back = -value
            if every is None or back == every:
                return None
            size = format_duration(back)
            if back.approx_ns() > every.approx_ns():
                times = _ratio(back, every)
                return (f"{head} looks back {size}, {times} the task's every "
                        f"({format_duration(every)}): each run re-reads and re-aggregates data "
                        f"earlier runs already covered; {use}")
            return (f"{head} looks back only {size} of the task's every "
                    f"({format_duration(every)}): the rest of each run's window is never read; "
                    f"{use}")
        if value == _Mark("time"):
            return (f"{head} starts at a fixed time: every run reads everything since then, "
                    f"more each time; {use}")
        return f"{head} does not start where the run's window starts; {use}"

    def _stop(self, expr: ast.Expr, env: Env) -> str | None:
        value = _static(expr, env)
        if value is None or value in (_Mark("stop"), _Mark("now")):
            return None
        if isinstance(value, Duration) and value.is_zero():
            return None
        head = f"range(stop: {self.text(expr)}){self._from_own_v(expr)}"
        use = "use stop: v.timeRangeStop or now(), or leave stop out"
        if isinstance(value, Duration) and value.negative:
            return (f"{head} ends {format_duration(-value)} before the run's now(): the end of "
                    f"each run's window is never read; {use}")
        if isinstance(value, Duration):
            return (f"{head} ends {format_duration(value)} after the run's now(): that part is "
                    f"read again by the next run; {use}")
        return f"{head} does not end where the run's window ends; {use}"

    def _from_own_v(self, expr: ast.Expr) -> str:
        if self.own_v and any(isinstance(n, ast.Identifier) and n.name == "v"
                              for n in ast.walk(expr)):
            return " (set by the script's own option v, which replaces the run's window)"
        return ""

    # 2. windows that line up with the runs
    def windows(self, call: ast.CallExpr, name: str, env: Env) -> list[FluxError]:
        every = self.options.every if self.options else None
        args = _args(call)
        if every is None or every.months or "every" not in args or "location" in args \
                or self.own_location:
            return []
        size = _static(args["every"], env)
        if not isinstance(size, Duration) or size.months or size.nanoseconds <= 0:
            return []
        if "period" in args and _static(args["period"], env) != size:
            return []  # sliding windows are meant to overlap
        shown = f"{name}(every: {self.text(args['every'])})"
        task_every = format_duration(every)
        x = size.nanoseconds
        if every.nanoseconds % x:
            return [_warn(
                f"{shown}: {format_duration(size)} does not divide the task's every "
                f"({task_every}), so windows straddle run boundaries: both runs compute such a "
                f"window, each from part of its data; use a window size that divides "
                f"{task_every}", args["every"])]
        offset = _static(args["offset"], env) if "offset" in args else Duration()
        if not isinstance(offset, Duration) or offset.months:
            return []
        runs = Schedule(every, None).first_after(0) % x  # where run windows start, mod x
        if (runs - offset.nanoseconds) % x == 0:
            return []
        return [_warn(_misaligned(shown, size, every, offset.nanoseconds % x, runs),
                      args["every"])]

    # 3. to() gets the columns it needs
    def to(self, pipe: ast.PipeExpr, env: Env) -> list[FluxError]:
        call = pipe.call
        if not self._is_to(call.callee, env):
            return []
        needs = _to_needs(call)
        if not needs:
            return []
        flow = _Columns(needs)
        for step in _upstream(pipe.argument, env):
            flow.apply(step, _name(step.callee, env))
        found = []
        for culprit, lost in sorted(flow.culprits().items(),
                                    key=lambda item: (item[0].span.line, item[0].span.col)):
            found.append(_warn(_to_message(culprit, lost, needs), call))
        return found

    def _is_to(self, callee: ast.Expr, env: Env) -> bool:
        if isinstance(callee, ast.Identifier):
            return callee.name == "to" and callee.name not in env
        return (isinstance(callee, ast.MemberExpr) and callee.property == "to"
                and isinstance(callee.object, ast.Identifier)
                and self.imports.get(callee.object.name) == "influxdata/influxdb")


def _misaligned(shown: str, size: Duration, every: Duration, windows: int, runs: int) -> str:
    """Windows start `windows` ns past multiples of their size (from the Unix epoch), the runs'
    windows `runs` ns past them: InfluxDB aligns `every` runs from 0001-01-01, not 1970."""
    def where(phase: int) -> str:
        multiples = f"multiples of {format_duration(size)} from the Unix epoch"
        return f"{format_duration(Duration(0, phase))} past {multiples}" if phase \
            else f"at {multiples}"

    why = f" (InfluxDB aligns `every: {format_duration(every)}` runs that way)" if runs else ""
    fix = f"use offset: {format_duration(Duration(0, runs))}" if runs else "remove the offset"
    return (f"{shown}: its windows start {where(windows)}, but this task's runs cover windows "
            f"starting {where(runs)}{why}: each window straddles two runs, both computing it "
            f"from part of its data; {fix}")


def _ratio(longer: Duration, shorter: Duration) -> str:
    """`24 times` for 1d against 1h, `more than` when not a whole multiple."""
    a, b = longer.approx_ns(), shorter.approx_ns()
    if not longer.months and not shorter.months and b and a % b == 0:
        return f"{a // b} times"
    return "more than"


# -- 3. the columns reaching to() ------------------------------------------------------------------
def _to_needs(call: ast.CallExpr) -> dict[str, str]:
    """Column -> what to() calls it, for the columns it needs (literal column names only)."""
    args = _args(call)
    needs = {}
    for key, default, role in (("timeColumn", "_time", TIME),
                               ("measurementColumn", "_measurement", MEASUREMENT)):
        column = _string(args[key]) if key in args else default
        if column is not None:
            needs[column] = role
    if "fieldFn" not in args:
        needs.setdefault("_field", FIELD)
        needs.setdefault("_value", VALUE)
    return needs


class _Columns:
    """What happens to to()'s columns along a pipe chain: which call removed which."""

    def __init__(self, needs: Mapping[str, str]) -> None:
        self.needs = needs
        self.removed: dict[str, ast.CallExpr] = {}
        self.key: frozenset[str] | None = None  # the group key, when a literal group() set it

    def reset(self) -> None:
        self.removed.clear()
        self.key = None

    def keep_only(self, columns: frozenset[str], call: ast.CallExpr) -> None:
        for column in self.needs:
            if column in columns:
                self.removed.pop(column, None)
            else:
                self.removed[column] = call
        if self.key is not None:
            self.key &= columns

    def remove(self, columns: frozenset[str], call: ast.CallExpr) -> None:
        for column in columns & self.needs.keys():
            self.removed[column] = call
        if self.key is not None:
            self.key -= columns

    def add(self, columns: frozenset[str]) -> None:
        for column in columns:
            self.removed.pop(column, None)

    def apply(self, call: ast.CallExpr, name: str | None) -> None:
        """Follow one call of the chain; a call not understood forgets what is known."""
        args = _args(call)
        if name in PRESERVING:
            return
        handler = _STEPS.get(name or "")
        if handler is None or not handler(self, call, args):
            self.reset()

    def culprits(self) -> dict[ast.CallExpr, list[str]]:
        by: dict[ast.CallExpr, list[str]] = {}
        order = (TIME, MEASUREMENT, FIELD, VALUE)
        for column in sorted(self.removed, key=lambda c: order.index(self.needs[c])):
            by.setdefault(self.removed[column], []).append(column)
        return by


def _keep(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    columns = _strings(args.get("columns"))
    if columns is None or "fn" in args:
        return False
    flow.keep_only(columns, call)
    return True


def _drop(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    columns = _strings(args.get("columns"))
    if columns is None or "fn" in args:
        return False
    flow.remove(columns, call)
    return True


def _rename(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    record = args.get("columns")
    if not isinstance(record, ast.RecordExpr) or record.with_ is not None or "fn" in args:
        return False
    pairs = {p.key: _string(p.value) if p.value is not None else None
             for p in record.properties}
    if any(new is None for new in pairs.values()):
        return False
    flow.remove(frozenset(pairs), call)
    flow.add(frozenset(new for new in pairs.values() if new is not None))
    if flow.key is not None:
        flow.key = frozenset(pairs.get(c) or c for c in flow.key)
    return True


def _set(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    column = _string(args.get("as" if "as" in args else "key"))
    if column is None:
        return False
    flow.add(frozenset({column}))
    return True


def _map(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    fn = args.get("fn")
    if not isinstance(fn, ast.FunctionExpr) or len(fn.params) != 1:
        return False
    body = fn.body
    if not isinstance(body, ast.RecordExpr):
        return False
    keys = frozenset(p.key for p in body.properties)
    if body.with_ is None:
        flow.keep_only(keys, call)  # upstream map (mergeKey false) keeps no other column
    elif body.with_.name == fn.params[0].name:
        flow.add(keys)
    else:
        return False
    return True


def _pivot(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    rows, columns = _strings(args.get("rowKey")), _strings(args.get("columnKey"))
    value = _string(args.get("valueColumn"))
    if rows is None or columns is None or value is None:
        return False
    flow.remove((columns | {value}) - rows, call)
    return True


def _group(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    mode = _string(args["mode"]) if "mode" in args else "by"
    columns = _strings(args["columns"]) if "columns" in args else frozenset()
    flow.key = columns if mode == "by" else None
    return True


def _window(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    flow.add(frozenset({"_start", "_stop"}))
    if flow.key is not None:
        flow.key |= {"_start", "_stop"}
    return True


def _aggregate(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    """Aggregates keep the group key and the aggregated column: never `_time` (unless keyed)."""
    method = _string(args["method"]) if "method" in args else "estimate_tdigest"
    if method is None:
        return False
    if method == "exact_selector":
        return True  # quantile/median as a selector keeps its rows whole
    column = _string(args["column"]) if "column" in args else "_value"
    if column is None:
        return False
    if flow.key is not None:
        flow.keep_only(flow.key | {column}, call)
    elif column != "_time":
        flow.remove(frozenset({"_time"}), call)
    return True


def _aggregate_window(flow: _Columns, call: ast.CallExpr, args: dict[str, ast.Expr]) -> bool:
    """aggregateWindow = window |> fn |> duplicate(timeSrc, timeDst) |> window(every: inf)."""
    column = _string(args["column"]) if "column" in args else "_value"
    time_dst = _string(args["timeDst"]) if "timeDst" in args else "_time"
    fn = args.get("fn")
    if column is None or time_dst is None:
        return False
    if flow.key is not None and isinstance(fn, ast.Identifier) and fn.name in AGGREGATES:
        flow.keep_only(flow.key | {"_start", "_stop", column, time_dst}, call)
    flow.add(frozenset({time_dst}))
    return True


_STEPS = {"keep": _keep, "drop": _drop, "rename": _rename, "set": _set, "duplicate": _set,
          "map": _map, "pivot": _pivot, "group": _group, "window": _window,
          "aggregateWindow": _aggregate_window, **{a: _aggregate for a in AGGREGATES}}

_RUNTIME_ERROR = {TIME: "no time column detected",
                  MEASUREMENT: "no column with label {} exists",
                  FIELD: "table has no _field column", VALUE: "table has no _value column"}


def _to_message(culprit: ast.CallExpr, lost: list[str], needs: Mapping[str, str]) -> str:
    """Which columns a call removed, the error runs fail with, and what to change."""
    name = _name(culprit.callee, {}) or "a call"
    where = f"{name}() at {culprit.span}"
    cols = " and ".join(filter(None, (", ".join(lost[:-1]), lost[-1])))
    them = "it" if len(lost) == 1 else "them"
    error = _RUNTIME_ERROR[needs[lost[0]]].format(lost[0])
    quoted = ", ".join(f'"{c}"' for c in lost)
    hints = {
        "keep": f"add {quoted} to keep's columns",
        "drop": f"take {quoted} out of drop's columns",
        "map": f"put {them} in map's record, or build it with {{r with ...}}",
        "rename": "rename back before to(), or give to() the new name (timeColumn, "
                  "measurementColumn)",
        "pivot": "give to() a fieldFn returning the pivoted columns as fields, "
                 "like fieldFn: (r) => ({temp: r.temp})",
    }
    if name in hints:
        hint = hints[name]
    else:  # an aggregate: it keeps the group key and its column, no time
        times = [c for c in lost if needs[c] == TIME]
        keyed = ", ".join(f'"{c}"' for c in lost if needs[c] != TIME)
        parts = [f"{name}() keeps only the group key columns: add {keyed} to group(columns: ...)"
                 ] if keyed else []
        parts += [f'add |> duplicate(column: "_stop", as: "{c}") after {name}()' for c in times]
        hint = "; ".join(parts) + ("" if keyed else ", or use aggregateWindow()")
    return (f"to() needs the {cols} column{'s' if len(lost) > 1 else ''}, which {where} "
            f"removes: runs fail with \"{error}\"; {hint}")


def _upstream(expr: ast.Expr, env: Env) -> list[ast.CallExpr]:
    """The calls piped into a pipe chain's last call, first call first (through names too)."""
    calls: list[ast.CallExpr] = []
    names = 0
    while True:
        if isinstance(expr, ast.PipeExpr):
            calls.append(expr.call)
            expr = expr.argument
            continue
        bound = env.get(expr.name) if isinstance(expr, ast.Identifier) else None
        if bound is None or names > MAX_DEPTH:
            return calls[::-1]
        expr, names = bound, names + 1


# -- 4. chains across files --------------------------------------------------------------------
@dataclass(frozen=True)
class _Chained:
    name: str
    offset: Duration
    at: ast.Node  # where to point: the offset, or the option task statement
    reads: frozenset[str]
    writes: frozenset[str]


def _chained_task(source: str) -> _Chained | None:
    """The schedule and buckets of an `every` task script (None: not one, or not valid)."""
    try:
        file = parse(source)
        options = task_options(file)
        found = lineage(file)
    except (FluxError, RecursionError):
        return None
    if options.every is None:
        return None
    statement = next(s for s in file.body if isinstance(s, ast.OptionStatement)
                     and s.name == "task" and s.package is None)
    at: ast.Node = statement
    if isinstance(statement.init, ast.RecordExpr):
        offset = next((p for p in statement.init.properties if p.key == "offset"), None)
        at = offset.value if offset is not None and offset.value is not None else statement
    return _Chained(options.name, options.offset, at, found.reads, found.writes)


def _chain_warning(reader: _Chained, writer: _Chained, writer_file: str,
                   bucket: str) -> FluxWarning:
    mine, theirs = (format_duration(d) if not d.is_zero() else "0s"
                    for d in (reader.offset, writer.offset))
    return _warn(
        f'task "{reader.name}" reads bucket "{bucket}", which task "{writer.name}" '
        f"({writer_file}) writes, but its offset ({mine}) is not after that task's "
        f'({theirs}): it runs before "{writer.name}" has written the same window and reads '
        f"partial data; give it an offset greater than {theirs}", reader.at)


# -- reading the tree ---------------------------------------------------------------------------
def _is_task(file: ast.File) -> bool:
    return any(isinstance(s, ast.OptionStatement) and s.name == "task" and s.package is None
               for s in file.body)


def _warn(message: str, node: ast.Node) -> FluxWarning:
    return FluxWarning(message, node.span.line, node.span.col)


def _args(call: ast.CallExpr) -> dict[str, ast.Expr]:
    return {p.key: p.value if p.value is not None else ast.Identifier(p.key, span=p.span)
            for p in call.arguments}


def _name(callee: ast.Expr, env: Env) -> str | None:
    """A universe function's name (None for a name the script binds itself, or a member)."""
    if isinstance(callee, ast.Identifier) and callee.name not in env:
        return callee.name
    return None


def _string(expr: ast.Expr | None) -> str | None:
    if isinstance(expr, ast.StringLit) and expr.is_plain:
        return expr.text
    return None


def _strings(expr: ast.Expr | None) -> frozenset[str] | None:
    """A literal array of plain strings (None: anything else)."""
    if not isinstance(expr, ast.ArrayExpr):
        return None
    items = [_string(e) for e in expr.elements]
    if any(item is None for item in items):
        return None
    return frozenset(item for item in items if item is not None)


def _static(expr: ast.Expr, env: Env, depth: int = 0) -> Static | None:
    """What an expression is, when it can be told without running it (None: unknown)."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(expr, ast.DurationLit):
        return Duration.of(expr.values)
    if isinstance(expr, ast.UnaryExpr) and expr.operator in ("-", "+"):
        value = _static(expr.argument, env, depth + 1)
        if isinstance(value, Duration):
            return -value if expr.operator == "-" else value
        return None
    if isinstance(expr, ast.DateTimeLit | ast.IntegerLit):
        return _Mark("time")
    if isinstance(expr, ast.Identifier):
        bound = env.get(expr.name)
        return _static(bound, env, depth + 1) if bound is not None else None
    if isinstance(expr, ast.CallExpr):
        if _name(expr.callee, env) == "now" and not expr.arguments:
            return _Mark("now")
        return None
    if isinstance(expr, ast.MemberExpr) and isinstance(expr.object, ast.Identifier):
        return _member(expr.object.name, expr.property, env, depth)
    return None


def _member(name: str, key: str, env: Env, depth: int) -> Static | None:
    """`task.every`, `v.timeRangeStart`: a property of a record literal the name is bound to;
    `v` not set by the script is the run's window, which tsengine gives tasks."""
    if name not in env:
        if name == "v" and key in ("timeRangeStart", "timeRangeStop"):
            return _Mark("start" if key == "timeRangeStart" else "stop")
        return None
    record = env[name]
    while isinstance(record, ast.Identifier) and depth < MAX_DEPTH:
        record, depth = env.get(record.name), depth + 1
    if not isinstance(record, ast.RecordExpr) or record.with_ is not None:
        return None
    prop = next((p for p in record.properties if p.key == key), None)
    if prop is None or prop.value is None:
        return None
    return _static(prop.value, env, depth + 1)


def _scoped_block(body: tuple[ast.Statement, ...], env: Env
                  ) -> Iterator[tuple[ast.Node, Env]]:
    """Every node of a block with the names in scope where it is (a later name is not)."""
    for stmt in body:
        yield stmt, env
        if isinstance(stmt, ast.VariableAssignment | ast.OptionStatement):
            yield from _scoped(stmt.init, env)
            if not (isinstance(stmt, ast.OptionStatement) and stmt.package is not None):
                env = {**env, stmt.name: stmt.init}
        elif isinstance(stmt, ast.TestCaseStatement):
            yield from _scoped_block(stmt.body.body, env)
        else:
            for child in _children(stmt):
                yield from _scoped(child, env)


def _scoped(node: ast.Node, env: Env) -> Iterator[tuple[ast.Node, Env]]:
    yield node, env
    if isinstance(node, ast.FunctionExpr):
        for p in node.params:
            if p.default is not None:
                yield from _scoped(p.default, env)
        inner = {**env, **{p.name: None for p in node.params}}
        if isinstance(node.body, ast.Block):
            yield from _scoped_block(node.body.body, inner)
        else:
            yield from _scoped(node.body, inner)
        return
    for child in _children(node):
        yield from _scoped(child, env)


def _children(node: ast.Node) -> Iterator[ast.Node]:
    """The nodes directly under a node (as ast.walk goes, one level)."""
    for f in fields(node):
        value = getattr(node, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, tuple):
                yield from (sub for sub in item if isinstance(sub, ast.Node))
            elif isinstance(item, ast.Node):
                yield item
