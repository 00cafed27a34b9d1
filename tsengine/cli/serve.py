"""`tsengine serve`: the InfluxDB v2 HTTP API on a data directory, on uvicorn, with the task
scheduler, retention and compaction running beside it until SIGINT or SIGTERM.

Shutdown order: uvicorn stops accepting, lets in-flight requests finish (up to
GRACEFUL_SECONDS), the app's lifespan stops and joins the background threads, then the engine
is closed and the data directory released; exit status 0.
"""

from __future__ import annotations

import re
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from tsengine.cli.context import open_engine
from tsengine.cli.tasks import SCHEDULER_SETTINGS, settings_options
from tsengine.tasks.scheduler import SchedulerSettings

if TYPE_CHECKING:
    import uvicorn

GRACEFUL_SECONDS = 30
_SIZE = re.compile(r"(\d+)\s*([kmg]?)(i?b)?", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from `52428800`, `512KB`, `50MB`, `1GiB` (K, M and G are powers of 1024, as
    influxd's size flags)."""
    m = _SIZE.fullmatch(text.strip())
    if not m or (m.group(3) and m.group(3).lower() == "ib" and not m.group(2)):
        raise ValueError(f"invalid size {text!r}: expected e.g. 50MB, 512KB or a byte count")
    return int(m.group(1)) * 1024 ** " kmg".index((m.group(2) or " ").lower())


def _size_option(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    try:
        size = parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    if size <= 0:
        raise click.BadParameter("must be more than 0")
    return size


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port (port 0: any free one); bound here so that the
    port is known before uvicorn starts and a taken port is a plain error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    return sock


def uvicorn_server(app: Any, on_listening: Callable[[], None]) -> uvicorn.Server:
    """uvicorn's server for the app, calling `on_listening` once it listens (uvicorn and the
    app are imported here, not with the CLI: other commands start faster)."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if not self.should_exit:
                on_listening()

    return Server(uvicorn.Config(app, lifespan="on", log_level="warning", server_header=False,
                                 timeout_graceful_shutdown=GRACEFUL_SECONDS))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8086, show_default=True, type=click.IntRange(0, 65535),
              help="The port to listen on; 0 picks a free one (printed when listening).")
@click.option("--max-body-size", default="50MB", show_default=True, callback=_size_option,
              help="Larger request bodies are refused with 413 (e.g. 50MB, 512KB, 1GiB).")
@click.option("--no-tasks", is_flag=True,
              help="Do not run the task scheduler (tasks can still be run manually).")
@settings_options(*SCHEDULER_SETTINGS)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, max_body_size: int, no_tasks: bool,
          settings: SchedulerSettings) -> None:
    """Serve the InfluxDB v2 HTTP API on the data directory until Ctrl-C or SIGTERM.

    Point influxdb-client, Telegraf or `influx` at http://HOST:PORT. The first time a data
    directory is served without any token, an operator token is created and printed once;
    `tsengine setup` (or POST /api/v2/setup) and `tsengine auth create` make others.
    """
    from storage.allocator import keep_freed_glibc_memory
    from tsengine.server.app import ServerConfig, create_app

    keep_freed_glibc_memory()
    server: uvicorn.Server | None = None
    stopping = False

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        # uvicorn handles the signals while it runs; this covers start-up and the signal
        # uvicorn raises again once it has shut down (the process then exits normally)
        nonlocal stopping
        stopping = True
        if server is not None:
            server.should_exit = True

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        sock = bind(host, port)
        with sock, open_engine(ctx, task_settings=settings) as engine:
            app = create_app(engine, ServerConfig(max_body_bytes=max_body_size,
                                                  run_tasks=not no_tasks))
            token = app.state.tokens.operator_token()
            if token:
                click.echo(f"operator token: {token}", err=True)
                click.echo("keep it: it is shown only this once (tsengine stores only its hash); "
                           "`tsengine auth create` makes more tokens", err=True)
            actual = sock.getsockname()[1]
            shown = f"[{host}]" if ":" in host else host

            def listening() -> None:
                click.echo(f"tsengine serving on http://{shown}:{actual} (data directory "
                           f"{engine.store.path})", err=True)

            server = uvicorn_server(app, listening)
            if not stopping:
                server.run(sockets=[sock])
            if not server.started and not stopping:
                raise click.ClickException("the server did not start (see the messages above)")
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    click.echo("tsengine stopped", err=True)
