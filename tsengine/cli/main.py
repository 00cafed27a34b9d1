"""The `tsengine` command group and its global options."""

from __future__ import annotations

import click

from tsengine.cli.buckets import bucket
from tsengine.cli.context import default_data_dir
from tsengine.cli.data import export, write
from tsengine.cli.maintenance import compact, retention


@click.group()
@click.option("--data-dir", envvar="TSENGINE_DATA_DIR", default=default_data_dir,
              show_default="$TSENGINE_DATA_DIR or ~/.tsengine/data",
              type=click.Path(file_okay=False), help="The data directory to use.")
@click.version_option(package_name="tsengine")
@click.pass_context
def cli(ctx: click.Context, data_dir: str) -> None:
    """tsengine: a local, embeddable stand-in for InfluxDB 2.x."""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir


for command in (bucket, write, export, compact, retention):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(obj={})
