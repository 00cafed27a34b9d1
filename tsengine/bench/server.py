"""A `tsengine serve` subprocess on a free port, for tests, benchmarks and `bench run` against a
real server: started here once so every user parses its start-up lines the same way."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STARTUP_SECONDS = 60
SHUTDOWN_SECONDS = 60
_SERVING = re.compile(r"serving on (http://\S+)")
_TOKEN = "operator token: "


class RunningServer(tuple[str, str]):
    """(url, operator token) of a started server, and its process id (`pid`)."""

    pid: int

    def __new__(cls, url: str, token: str, pid: int) -> RunningServer:
        self = super().__new__(cls, (url, token))
        self.pid = pid
        return self


class ServerError(RuntimeError):
    """The server did not start, or did not stop cleanly."""


def tsengine_command() -> list[str]:
    """The `tsengine` console script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "tsengine"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tsengine.cli.main import main; main()"]


@contextmanager
def start_server(data_dir: str | Path, *args: str,
                 startup_seconds: float = STARTUP_SECONDS,
                 shutdown_seconds: float = SHUTDOWN_SECONDS) -> Iterator[RunningServer]:
    """Run `tsengine --data-dir DIR serve --port 0 [args]` and yield its (url, operator token)
    (with `.pid`);
    on exit stop it with SIGTERM and raise ServerError unless it exits with status 0."""
    proc = subprocess.Popen(
        [*tsengine_command(), "--data-dir", str(data_dir), "serve", "--port", "0", *args],
        stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    token = url = None
    seen: list[str] = []
    deadline = time.monotonic() + startup_seconds
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith(_TOKEN):
            token = line[len(_TOKEN):].strip()
        found = _SERVING.search(line)
        if found:
            url = found.group(1)
    if not (url and token):
        proc.kill()
        proc.wait()
        raise ServerError("tsengine serve did not start:\n" + "".join(seen[-20:]))
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
    failed = False
    try:
        yield RunningServer(url, token, proc.pid)
    except BaseException:
        failed = True
        raise
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            status = proc.wait(timeout=shutdown_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            status = None
        if status != 0 and not failed:
            raise ServerError(f"tsengine serve exited with status {status}")
