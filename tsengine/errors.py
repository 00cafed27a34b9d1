"""tsengine's exceptions above the storage layer (Flux, planning, tasks, server).

Flux errors carry the position they point at and render the source line with a caret.
"""

from __future__ import annotations


class TsengineError(Exception):
    """Root of every error raised by `tsengine` itself (storage has `storage.StorageError`)."""


class FluxError(TsengineError):
    """An error in a Flux script, at `line`:`column` (1-based) when known."""

    kind = "error"

    def __init__(self, message: str, line: int = 0, column: int = 0,
                 source: str | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        """`error at 3:18: <message>` followed by the source line and a caret under the column."""
        if not self.line:
            return f"{self.kind}: {self.message}"
        head = f"{self.kind} at {self.line}:{self.column}: {self.message}"
        if self.source is None:
            return head
        lines = self.source.splitlines()
        if not 0 < self.line <= len(lines):
            return head
        text = lines[self.line - 1]
        caret = " " * (max(self.column, 1) - 1) + "^"
        return f"{head}\n  {text}\n  {caret}"

    def with_source(self, source: str) -> FluxError:
        """The same error, rendered against the script's text."""
        if self.source is None:
            self.source = source
            self.args = (self.render(),)
        return self


class FluxSyntaxError(FluxError):
    """The script does not parse."""

    kind = "error"


class FluxRuntimeError(FluxError):
    """The script parsed but failed while it ran (a type error, a missing argument, ...)."""

    kind = "error"


class TaskOptionsError(FluxError):
    """`option task` is missing or malformed."""

    kind = "error"


class TaskError(TsengineError):
    """A task operation failed: an unknown task or run, a refused update, a bad schedule."""


class TaskNotFound(TaskError):
    """No task has the id asked for."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(f"task {task_id} not found")


class RunNotFound(TaskError):
    """The task has no run with the id asked for."""

    def __init__(self, task_id: str, run_id: str) -> None:
        self.task_id, self.run_id = task_id, run_id
        super().__init__(f"run {run_id} of task {task_id} not found")


class AuthError(TsengineError):
    """A token operation failed (a token already in use, an unknown token id)."""
