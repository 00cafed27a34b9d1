"""`tsengine compact` and `tsengine retention enforce`."""

from __future__ import annotations

import click

from tsengine.cli.context import open_engine


@click.command("compact")
@click.pass_context
def compact(ctx: click.Context) -> None:
    """Move recent writes from the hot tier into Parquet partitions now."""
    with open_engine(ctx) as engine:
        r = engine.compact()
    click.echo(f"compacted {r.rows_in} rows into {r.files_written} partition files", err=True)


@click.group("retention")
def retention() -> None:
    """Retention enforcement."""


@retention.command("enforce")
@click.option("--now", help="Enforce as of this time (RFC3339); default: the current time.")
@click.pass_context
def enforce(ctx: click.Context, now: str | None) -> None:
    """Delete the points every bucket's retention period has expired."""
    with open_engine(ctx) as engine:
        r = engine.enforce_retention(now)
    click.echo(f"deleted {r.hot_rows_deleted} hot rows and {r.partitions_dropped} partitions",
               err=True)
