"""The `tsengine` command group and its global options."""

from __future__ import annotations

import errno
import os

import click

from tsengine.cli.auth import auth, setup
from tsengine.cli.bench import bench
from tsengine.cli.buckets import bucket
from tsengine.cli.context import default_data_dir
from tsengine.cli.data import export, write
from tsengine.cli.flux import check
from tsengine.cli.maintenance import compact, retention
from tsengine.cli.query import query
from tsengine.cli.scheduler import scheduler
from tsengine.cli.serve import serve
from tsengine.cli.tasks import task
from tsengine.cli.test import test


class TsengineGroup(click.Group):
    """The root group: an error nobody anticipated still ends as one `Error:` line, exit 1.

    Set `TSENGINE_DEBUG=1` to get the traceback instead.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, EOFError):
            raise
        except Exception as e:
            if os.environ.get("TSENGINE_DEBUG") or (
                    isinstance(e, OSError) and e.errno == errno.EPIPE):
                raise  # click itself handles a closed pipe (`export | head`) quietly
            text = str(e).strip().splitlines()
            detail = f": {text[0]}" if text else ""
            raise click.ClickException(f"unexpected {type(e).__name__}{detail}") from None


@click.group(cls=TsengineGroup)
@click.option("--data-dir", envvar="TSENGINE_DATA_DIR", default=default_data_dir,
              show_default="$TSENGINE_DATA_DIR or ~/.tsengine/data",
              type=click.Path(file_okay=False), help="The data directory to use.")
@click.version_option(package_name="tsengine")
@click.pass_context
def cli(ctx: click.Context, data_dir: str) -> None:
    """tsengine: a local, embeddable stand-in for InfluxDB 2.x."""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir


for command in (bucket, write, export, query, compact, retention, check, task, scheduler, serve,
                setup, auth, bench, test):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(obj={})
