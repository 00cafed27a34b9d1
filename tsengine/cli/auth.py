"""`tsengine setup` and `tsengine auth create|list|delete`, after `influx setup` and
`influx auth`: onboarding and the API tokens of a data directory (kept as hashes only)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from storage import InvalidArgument, format_time, parse_duration
from tsengine.cli.context import fail, open_engine
from tsengine.cli.tasks import json_option, print_table
from tsengine.engine import Engine

if TYPE_CHECKING:  # the server's modules import starlette: loaded when a command needs them
    from tsengine.server.auth import Authorization, Tokens
    from tsengine.server.onboarding import Onboarding

KEEP_IT = "keep the token: it is shown only this once (tsengine stores only its hash)"


def _retention(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int:
    if value is None:
        return 0
    try:
        return parse_duration(value)
    except InvalidArgument as e:
        raise click.BadParameter(str(e)) from None


@click.command("setup")
@click.option("-u", "--username", required=True, help="The name of the first user.")
@click.option("-p", "--password", default="", help="The user's password (8 to 72 characters).")
@click.option("-o", "--org", required=True,
              help="The organization's name (the data directory's default one is renamed).")
@click.option("-b", "--bucket", required=True,
              help="The first bucket (an existing one of that name is kept as it is).")
@click.option("-r", "--retention", callback=_retention,
              help="How long the bucket keeps points: 7d, 12h, 1w; 0 or none: forever.")
@click.option("-t", "--token", help="The operator token to create [default: a generated one].")
@click.option("-f", "--force", is_flag=True,
              help="Accepted for `influx setup` compatibility: tsengine never prompts.")
@click.pass_context
def setup(ctx: click.Context, username: str, password: str, org: str, bucket: str,
          retention: int, token: str | None, force: bool) -> None:
    """Onboard the data directory: its user, organization, bucket and operator token.

    Does what POST /api/v2/setup does, once per data directory, also on one the CLI already
    used (its buckets and data stay). Prints the user, organization, bucket and the token.
    """
    from tsengine.server.onboarding import SetupRequest

    del force
    request = SetupRequest(username, org, bucket, password, retention, token)
    with open_engine(ctx) as engine:
        result = _onboarding(engine).onboard(request)
    print_table(("User", "Organization", "Bucket", "Token"),
                [(result.user.name, result.org.name, result.bucket.name, result.token)])
    click.echo(KEEP_IT, err=True)


@click.group("auth")
def auth() -> None:
    """Create, list and delete API tokens."""


@auth.command("create")
@click.option("-d", "--description", default="", help="What the token is for.")
@click.option("-o", "--org", help="The token's organization, by name or id [default: the "
                                  "data directory's organization].")
@json_option
@click.pass_context
def create(ctx: click.Context, description: str, org: str | None, as_json: bool) -> None:
    """Create an API token and print it: the only time it is shown.

    Every token may do everything (tsengine has no per-resource permissions).
    """
    with open_engine(ctx) as engine:
        org_id = engine.store.org(org).id
        record, token = _tokens(engine).create(description, org_id=org_id)
        names = _names(engine)
    if as_json:
        click.echo(json.dumps(auth_json(record, names) | {"token": token}, indent=2))
    else:
        print_table(("ID", "Description", "Token", "Organization"),
                    [(record.id, record.description, token, names.get(record.org_id, ""))])
    click.echo(KEEP_IT, err=True)


@auth.command("list")
@click.option("-i", "--id", "auth_id", help="Only the token with this id.")
@json_option
@click.pass_context
def list_(ctx: click.Context, auth_id: str | None, as_json: bool) -> None:
    """List the tokens: id, description, organization, user and creation time (never the
    token itself)."""
    with open_engine(ctx) as engine:
        records = _tokens(engine).list()
        names = _names(engine)
    records = [r for r in records if auth_id is None or r.id == auth_id]
    if as_json:
        click.echo(json.dumps([auth_json(r, names) for r in records], indent=2))
        return
    print_table(("ID", "Description", "Organization", "User", "Created"),
                [(r.id, r.description, names.get(r.org_id, r.org_id),
                  names.get(r.user_id, "") if r.user_id else "", format_time(r.created_at))
                 for r in records])


@auth.command("delete")
@click.option("-i", "--id", "auth_id", required=True, help="The id of the token to delete.")
@click.pass_context
def delete(ctx: click.Context, auth_id: str) -> None:
    """Delete a token: requests carrying it are refused from then on."""
    with open_engine(ctx) as engine:
        if not _tokens(engine).delete(auth_id):
            raise fail(f"no token with id {auth_id}")
    click.echo(f"deleted token {auth_id}", err=True)


def auth_json(record: Authorization, names: dict[str, str]) -> dict[str, object]:
    """A token's record with InfluxDB's field names (no token)."""
    out: dict[str, object] = {"id": record.id, "description": record.description,
                              "status": "active", "orgID": record.org_id,
                              "org": names.get(record.org_id, "")}
    if record.user_id:
        out |= {"userID": record.user_id, "user": names.get(record.user_id, "")}
    out["createdAt"] = format_time(record.created_at)
    return out


def _tokens(engine: Engine) -> Tokens:
    from tsengine.server.auth import Tokens

    return Tokens(engine.store)


def _onboarding(engine: Engine) -> Onboarding:
    from tsengine.server.onboarding import Onboarding

    return Onboarding(engine.store, _tokens(engine))


def _names(engine: Engine) -> dict[str, str]:
    """Organization and user names by id."""
    names = {o.id: o.name for o in engine.store.orgs()}
    return names | {u.id: u.name for u in _onboarding(engine).users()}
