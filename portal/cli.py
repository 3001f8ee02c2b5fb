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
calendar = AppGroup("calendar", help="Authorities' non-working days (layered calendars).")
subjects = AppGroup("subjects", help="Records of legal units, establishments and properties.")


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


CALENDAR_ERRORS = {
    "unknown_authority": "no authority with code {authorities!r} (use a code such as 0614, or ALL)",
    "unknown_day_kind": "unknown kind; use one of: {kinds}",
    "name_required": "give the day a name (--name)",
    "source_required": "give the day its legal source (--source)",
    "day_off_exists": "that authority already has {day}; remove it first",
    "not_a_vacation_day": "{day} is not a vacation day of that authority ({what}): only a "
    "vacation day can be taken back with --kind working",
    "day_off_not_found": "no day {day} of that authority to remove (with --every-year: the "
    "yearly one); national holidays and vacation periods are not rows",
    "unknown_holy_week": "unknown Holy Week variant; use one of: {variants}",
}


def _calendar_error(error: InvalidInput) -> click.ClickException:
    params = {k: v.get("en", v) if isinstance(v, dict) else v for k, v in error.params.items()}
    return click.ClickException(CALENDAR_ERRORS[error.code].format(**params))


@calendar.command("list")
@click.argument("authority_code")
@click.argument("year", type=click.IntRange(1900, 2100))
def calendar_list(authority_code, year):
    """List an authority's non-working days of YEAR (weekends aside) with their sources."""
    from portal.authorities.services import calendar_for, calendar_settings, get_authority

    authority = get_authority(authority_code)
    if authority is None:
        raise click.ClickException(
            CALENDAR_ERRORS["unknown_authority"].format(authorities=authority_code)
        )
    vacations, holy_week = calendar_settings(authority)
    click.echo(
        f"{authority.code} {authority.name} {year}: vacation periods "
        f"{'on' if vacations else 'off'}, Holy Week {holy_week}"
    )
    for off in calendar_for(authority).days_off(year):
        click.echo(f"{off.day:%Y-%m-%d %a}\t{off.kind}\t{off.name['es']}\t{off.source}")


def _day_options(command):
    command = click.option(
        "--every-year", is_flag=True, help="The day recurs every year (only month and day count)."
    )(command)
    command = click.argument("day", metavar="DATE", type=click.DateTime(formats=["%Y-%m-%d"]))(
        command
    )
    return click.argument("authority_code", metavar="AUTHORITY|ALL")(command)


@calendar.command("add")
@_day_options
@click.option("--kind", required=True, type=click.Choice(["local", "decreed", "working"]))
@click.option("--name", required=True, help="Spanish name, as the public calendar shows it.")
@click.option("--name-en", default=None, help="English name.")
@click.option("--source", required=True, help="Legal source: decree and Diario Oficial, article.")
def calendar_add(authority_code, day, every_year, kind, name, name_en, source):
    """Add a non-working day (or, with --kind working, take back a vacation day)."""
    from portal.authorities.services import add_day_off

    try:
        add_day_off(
            authority_code=authority_code, day=day.date(), kind=kind, name=name,
            name_en=name_en, source=source, every_year=every_year,
        )  # fmt: skip
    except InvalidInput as error:
        raise _calendar_error(error) from error
    click.echo(f"added {day:%Y-%m-%d}{' every year' if every_year else ''} to {authority_code}")


@calendar.command("remove")
@_day_options
def calendar_remove(authority_code, day, every_year):
    """Remove a day added with `calendar add` (or seeded)."""
    from portal.authorities.services import remove_day_off

    try:
        remove_day_off(authority_code=authority_code, day=day.date(), every_year=every_year)
    except InvalidInput as error:
        raise _calendar_error(error) from error
    click.echo(f"removed {day:%Y-%m-%d}{' every year' if every_year else ''} from {authority_code}")


@calendar.command("settings")
@click.argument("authority_code")
@click.option(
    "--vacations", type=click.Choice(["on", "off", "inherit"]), default=None,
    help="Whether the public-office vacation periods (D.L. 17 of 1940) apply.",
)  # fmt: skip
@click.option(
    "--holy-week", default=None,
    help="Holy Week variant (palm_sunday_to_easter_sunday, holy_monday_to_easter_monday) "
    "or inherit.",
)  # fmt: skip
def calendar_settings_command(authority_code, vacations, holy_week):
    """Set an authority's vacation periods and Holy Week variant (its districts inherit them)."""
    from portal.authorities.services import get_authority, set_calendar_settings

    authority = get_authority(authority_code)
    if authority is None:
        raise click.ClickException(
            CALENDAR_ERRORS["unknown_authority"].format(authorities=authority_code)
        )
    chosen = {"on": True, "off": False, "inherit": None}
    try:
        set_calendar_settings(
            authority_code=authority_code,
            vacations=authority.calendar_vacations if vacations is None else chosen[vacations],
            holy_week=authority.calendar_holy_week
            if holy_week is None
            else (None if holy_week == "inherit" else holy_week),
        )
    except InvalidInput as error:
        raise _calendar_error(error) from error
    click.echo(f"calendar settings of {authority_code} saved")


@subjects.command("backfill")
def backfill_subjects():
    """Link cases filed before records existed to their legal units, establishments, properties."""
    from portal.subjects.services import backfill

    report = backfill()
    click.echo(f"cases read: {report['cases']}; links made: {report['links']}")


@click.command("seed")
@click.option(
    "--demo/--no-demo", default=False, help="Also create demo accounts and a demo SIMDET token."
)
def seed(demo):
    """Seed authorities, procedure definitions and CLAEES activity codes (idempotent)."""
    from portal.main.services import DEMO_PASSWORD, DEMO_SIMDET_TOKEN, DEMO_TOTP_SECRET
    from portal.main.services import seed as run_seed

    try:
        report = run_seed(definitions_dir=current_app.config["DEFINITIONS_DIR"], demo=demo)
    except (workflows.InvalidDefinition, InvalidInput) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"authorities created: {report['authorities_created']}; "
        f"procedure versions: {report['versions']}; "
        f"activity codes added: {report['activity_codes']}"
    )
    if demo:
        click.echo(f"\nDemo accounts (password: {DEMO_PASSWORD}):")
        for email, role, authority in report["accounts"]:
            click.echo(f"  {role:<11} {email}" + (f"  [{authority}]" if authority else ""))
        click.echo(
            f"\nSupervisor and admin also give a code (two-step verification): add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app (time-based), or print the current code "
            f"with: .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}')"
            f'.now())"'
        )
        click.echo(f"\nDemo SIMDET token: {DEMO_SIMDET_TOKEN}")


def register(app: Flask) -> None:
    for group in (users, procedures, api_clients, jobs, calendar, subjects, seed):
        app.cli.add_command(group)
