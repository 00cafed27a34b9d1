"""`tsengine bucket create|list|update|delete|stats`, after `influx bucket`."""

from __future__ import annotations

import click

from storage import format_duration, format_time
from tsengine.cli.context import open_engine


@click.group("bucket")
def bucket() -> None:
    """Create, list, update and delete buckets."""


@bucket.command("create")
@click.argument("name")
@click.option("-r", "--retention", default="0", show_default=True,
              help="How long points are kept: 30d, 12h, 1h30m; 0 keeps them forever.")
@click.option("-d", "--description", default="", help="A description of the bucket.")
@click.pass_context
def create(ctx: click.Context, name: str, retention: str, description: str) -> None:
    """Create bucket NAME."""
    with open_engine(ctx) as engine:
        b = engine.create_bucket(name, retention, description)
    click.echo(f"{b.id}\t{b.name}\t{_retention(b.retention)}")


@bucket.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """List the buckets of the organization."""
    with open_engine(ctx) as engine:
        buckets = engine.buckets()
    rows = [("ID", "Name", "Retention", "Description")]
    rows += [(b.id, b.name, _retention(b.retention), b.description) for b in buckets]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


@bucket.command("update")
@click.argument("name")
@click.option("-n", "--name", "new_name", help="A new name for the bucket.")
@click.option("-r", "--retention", help="A new retention period (0 keeps points forever).")
@click.option("-d", "--description", help="A new description.")
@click.pass_context
def update(ctx: click.Context, name: str, new_name: str | None, retention: str | None,
           description: str | None) -> None:
    """Rename bucket NAME or change its retention or description."""
    with open_engine(ctx) as engine:
        b = engine.update_bucket(name, new_name=new_name, retention=retention,
                                 description=description)
    click.echo(f"{b.id}\t{b.name}\t{_retention(b.retention)}")


@bucket.command("delete")
@click.argument("name")
@click.pass_context
def delete(ctx: click.Context, name: str) -> None:
    """Delete bucket NAME and all its points."""
    with open_engine(ctx) as engine:
        engine.delete_bucket(name)
    click.echo(f'deleted bucket "{name}"', err=True)


@bucket.command("stats")
@click.argument("name")
@click.pass_context
def stats(ctx: click.Context, name: str) -> None:
    """What bucket NAME holds, per measurement: series, points, time span, fields and types."""
    with open_engine(ctx) as engine:
        measurements = engine.stats(name)
        if not measurements:
            click.echo(f'bucket "{name}" holds no points')
        for s in measurements:
            span = (f"{format_time(s.first)} .. {format_time(s.last)}"
                    if s.first is not None and s.last is not None else "empty")
            click.echo(f"{s.name}: {s.series} series, {s.points} points, {span}")
            click.echo(f"  tags:   {', '.join(s.tags) or '(none)'}")
            fields = ", ".join(f"{k} ({t.value})" for k, t in sorted(s.fields.items()))
            click.echo(f"  fields: {fields}")


def _retention(ns: int) -> str:
    return "infinite" if ns == 0 else format_duration(ns)
