"""`tsengine query`: run Flux against the data directory, after `influx query`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import polars as pl

from storage import format_time
from tsengine.cli.context import fail, open_engine
from tsengine.execute.table import Table
from tsengine.flux.values import Time


@click.command("query")
@click.argument("flux", required=False)
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False),
              help="Read the Flux script from this file ('-' for standard input).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Readable tables, or JSON for scripts.")
@click.option("-r", "--raw", is_flag=True,
              help="Print annotated CSV, as InfluxDB's query API returns it.")
@click.option("--explain", is_flag=True,
              help="Print each result's plan, with what was pushed into storage, and stop.")
@click.option("--now", help="Run as if now() were this time (RFC3339).")
@click.pass_context
def query(ctx: click.Context, flux: str | None, file: str | None, fmt: str, raw: bool,
          explain: bool, now: str | None) -> None:
    """Run the Flux script FLUX (or -f FILE) and print its results.

    Each table is printed with its group key; `--raw` prints annotated CSV (datatype, group and
    default annotations, as `influx query --raw`); `--format json` prints results, tables,
    group keys and rows as JSON.
    """
    source = _source(flux, file)
    with open_engine(ctx) as engine:
        if explain:
            click.echo(engine.explain(source, now=now))
            return
        if raw:
            click.echo(engine.query_csv(source, now=now).encode(), nl=False)  # CRLF kept
            return
        results = engine.query(source, now=now)
    if fmt == "json":
        click.echo(json.dumps({name: [_table_json(t) for t in tables]
                               for name, tables in results.items()}, indent=2))
        return
    for name, tables in results.items():
        click.echo(f"Result: {name}")
        for i, table in enumerate(tables):
            key = ", ".join(f"{k}={_show(v)}" for k, v in table.key_record().items())
            click.echo(f"Table {i}: keys: [{key}]")
            with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200,
                           tbl_hide_dataframe_shape=True):
                click.echo(str(table.frame))


def _source(flux: str | None, file: str | None) -> str:
    if (flux is None) == (file is None):
        raise fail("give the Flux script as an argument or with -f FILE (not both)")
    if flux is not None:
        return flux
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text()  # type: ignore[arg-type]
    except (OSError, UnicodeDecodeError) as e:
        raise fail(f"{file}: cannot read: {e}") from None


def _show(value: object) -> str:
    return format_time(value.ns) if isinstance(value, Time) else str(value)


def _table_json(table: Table) -> dict[str, object]:
    rows = table.frame.with_columns(
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")).to_dicts()
    return {"groupKey": {k: _show(v) for k, v in table.key_record().items()},
            "columns": [{"label": c, "type": t} for c, t in table.columns],
            "rows": rows}
