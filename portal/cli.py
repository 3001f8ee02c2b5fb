"""Operators' commands: flask --app wsgi seed | users create | procedures validate | ..."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

import workflows
from portal.errors import InvalidInput

users = AppGroup("users", help="Manage accounts.")
procedures = AppGroup("procedures", help="Procedure definitions.")
api_clients = AppGroup("api-clients", help="Systems allowed to read the API (SIMDET).")
jobs = AppGroup("jobs", help="Background jobs.")


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["clerk", "supervisor", "inspector", "admin"])
)
@click.option(
    "--authority", "authority_code", required=True, help="Authority code, e.g. OPAMSS or 0614"
)
@click.option("--password", required=True)
@click.option(
    "--name", required=True, help="Full name, as signed documents and case histories show it"
)
def create_user(email, role, authority_code, password, name):
    """Create a staff account scoped to one authority."""
    from portal.accounts.services import create_staff

    try:
        user = create_staff(
            email=email, password=password, role=role, authority_code=authority_code, full_name=name
        )
    except InvalidInput as error:
        from forms.messages import message_for

        raise click.ClickException(message_for(error.code, **error.params)) from error
    click.echo(f"created {user.email} ({user.role} at {authority_code})")


@procedures.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def validate(paths):
    """Validate definition files (a folder: its *.yaml), alone and as a set; exit 1 if any."""
    from portal.procedures.services import definition_files
    from portal.procedures.validation import inspect_files

    files = [
        str(file)
        for path in paths
        for file in (definition_files(path) if Path(path).is_dir() else [Path(path)])
    ]
    sound, failed = inspect_files(files)
    by_file = dict(sound)
    for path in files:
        problems = failed.get(Path(path))
        if problems:
            click.echo(f"{path}: {len(problems)} problem(s)")
            for problem in problems:
                click.echo(f"  {problem.path}: {problem.code}: {problem.message}")
        else:
            definition = by_file[Path(path)]
            click.echo(
                f"{path}: ok ({definition.authority}/{definition.slug} v{definition.version})"
            )
    sys.exit(1 if failed else 0)


def _echo_problems(problems) -> None:
    for problem in problems:
        click.echo(f"  {problem.path}: {problem.code}: {problem.message}")


@procedures.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_definition(file):
    """Store a definition file as a draft, printing its problems; exit 1 if any."""
    from portal.procedures.services import import_draft

    draft, problems = import_draft(Path(file).read_bytes(), path=file)
    if draft is None:
        click.echo(f"{file}: not stored, {len(problems)} problem(s)")
    else:
        name = f"{draft.procedure.authority.code}/{draft.procedure.slug}@{draft.version}"
        click.echo(f"{file}: draft {name} stored, {len(problems)} problem(s)")
    _echo_problems(problems)
    sys.exit(1 if problems or draft is None else 0)


@procedures.command("publish")
@click.argument("target")
@click.option(
    "--valid-from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="First day new cases take it (YYYY-MM-DD); default the definition's valid_from.",
)
def publish(target, valid_from):
    """Publish a definition file or a draft (AUTHORITY/slug@N); refused with any problem."""
    from portal.procedures.services import find_version, publish_draft, publish_source

    day = valid_from.date() if valid_from else None
    try:
        if Path(target).is_file():
            version = publish_source(Path(target).read_bytes(), path=target, valid_from=day)
        else:
            draft = find_version(target)
            if draft is None:
                raise click.ClickException(f"no file or draft {target!r}")
            version = publish_draft(draft, valid_from=day)
    except workflows.InvalidDefinition as error:
        click.echo(f"{target}: not published, {len(error.problems)} problem(s)")
        _echo_problems(error.problems)
        sys.exit(1)
    except InvalidInput as error:
        raise click.ClickException(f"{target}: {error.code}") from error
    since = version.valid_from.isoformat() if version.valid_from else "today"
    name = f"{version.procedure.authority.code}/{version.procedure.slug}@{version.version}"
    click.echo(f"published {name}, valid from {since}")


@procedures.command("retire")
@click.argument("procedure")
@click.option("--version", "number", type=click.IntRange(1, 2**31 - 1), default=None)
def retire(procedure, number):
    """Retire AUTHORITY/slug (or one version): no new filings; its cases go on."""
    from portal.procedures.services import get_procedure
    from portal.procedures.services import retire as retire_versions

    authority, _, slug = procedure.partition("/")
    found = get_procedure(authority, slug) if slug else None
    if found is None:
        raise click.ClickException(f"no procedure {procedure!r}")
    retired = retire_versions(found, version=number)
    if not retired:
        raise click.ClickException(f"{procedure}: nothing published to retire")
    click.echo(f"retired {procedure} version(s) {', '.join(str(v.version) for v in retired)}")


@api_clients.command("create")
@click.option("--name", required=True)
def create_api_client(name):
    """Register a system and print its bearer token once."""
    from portal.simdet.services import create_api_client as create

    try:
        _client, token = create(name=name)
    except InvalidInput as error:
        raise click.ClickException(
            f"an API client named {name!r} already exists; revoke it or choose another name"
            if error.code == "api_client_exists"
            else "give the client a name"
        ) from error
    click.echo(token)


@api_clients.command("list")
def list_api_clients():
    """List the registered systems: name, created, revoked."""
    from portal.simdet.services import list_api_clients as list_clients

    for client in list_clients():
        revoked = f"revoked {client.revoked_at:%Y-%m-%d %H:%M}Z" if client.revoked_at else "active"
        click.echo(
            f"{client.name}\t{client.scope}\tcreated {client.created_at:%Y-%m-%d}\t{revoked}"
        )


@api_clients.command("revoke")
@click.option("--name", required=True)
def revoke_api_client(name):
    """Revoke a system's token at once (it gets 401 from then on)."""
    from portal.simdet.services import revoke_api_client as revoke

    try:
        revoke(name=name)
    except InvalidInput as error:
        raise click.ClickException(f"no API client named {name!r}") from error
    click.echo(f"revoked {name}")


@jobs.command("sweep")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Only messages older than this (default: OUTBOX_SWEEP_OLDER_THAN, 60).",
)
def sweep(older_than):
    """Dispatch again outbox messages a crash left behind (expired leases, lost RQ jobs)."""
    from datetime import timedelta

    from portal.jobs.services import dispatch_stale

    age = None if older_than is None else timedelta(seconds=older_than)
    click.echo(f"re-dispatched {dispatch_stale(age)} message(s)")


@jobs.command("failed")
def failed():
    """List the outbox messages that gave up, with their last error; exit 1 if any."""
    from portal.jobs.services import failed_messages

    messages = failed_messages()
    for m in messages:
        click.echo(
            f"#{m.id} {m.task} {m.args} attempts={m.attempts} "
            f"failed_at={m.failed_at:%Y-%m-%d %H:%M:%S} last_error={m.last_error}"
        )
    if not messages:
        click.echo("no failed message")
    sys.exit(1 if messages else 0)


@jobs.command("deadlines")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Sweep as of this local date (default: today in El Salvador).",
)
def deadlines(today):
    """Apply the breach actions of every case whose deadline has passed."""
    from portal.deadlines.services import sweep_deadlines

    report = sweep_deadlines(today.date() if today else None)
    click.echo(f"cases swept: {report['cases']}; actions applied: {report['actions']}")


@click.command("seed")
@click.option(
    "--demo/--no-demo", default=False, help="Also create demo accounts and a demo SIMDET token."
)
def seed(demo):
    """Seed authorities and procedure definitions (idempotent)."""
    from portal.main.services import DEMO_PASSWORD, DEMO_SIMDET_TOKEN
    from portal.main.services import seed as run_seed

    try:
        report = run_seed(definitions_dir=current_app.config["DEFINITIONS_DIR"], demo=demo)
    except (workflows.InvalidDefinition, InvalidInput) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"authorities created: {report['authorities_created']}; "
        f"procedure versions: {report['versions']}"
    )
    if demo:
        click.echo(f"\nDemo accounts (password: {DEMO_PASSWORD}):")
        for email, role, authority in report["accounts"]:
            click.echo(f"  {role:<11} {email}" + (f"  [{authority}]" if authority else ""))
        click.echo(f"\nDemo SIMDET token: {DEMO_SIMDET_TOKEN}")


def register(app: Flask) -> None:
    for group in (users, procedures, api_clients, jobs, seed):
        app.cli.add_command(group)
