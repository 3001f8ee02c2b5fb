"""Seed procedure definitions into versions, and read the pinned definition of a case."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import workflows
from portal.authorities.services import get_authority
from portal.errors import InvalidInput, NotFound
from portal.extensions import db, utcnow
from portal.procedures.models import Procedure, ProcedureVersion

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def definition_files(root: str | Path) -> list[Path]:
    return sorted(Path(root).glob("**/*.yaml"))


def _procedure_for(
    authority_code: str, slug: str, title: dict, *, retitle: bool = True
) -> Procedure:
    """The procedure `authority_code/slug`, created when new; `retitle` sets the title anew."""
    authority = get_authority(authority_code)
    if authority is None:
        raise InvalidInput("unknown_authority", field="authority", authority=authority_code)
    procedure = db.session.scalar(
        sa.select(Procedure).where(Procedure.authority_id == authority.id, Procedure.slug == slug)
    )
    if procedure is None:
        procedure = Procedure(authority=authority, slug=slug, title=title)
        db.session.add(procedure)
    elif retitle:
        procedure.title = title
    return procedure


def _version_row(procedure: Procedure, number: int) -> ProcedureVersion | None:
    if procedure.id is None:
        return None
    return db.session.scalar(
        sa.select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.version == number
        )
    )


def publish_definition(
    definition: workflows.Definition,
    *,
    valid_from: date | None = None,
    source: str | None = None,
) -> ProcedureVersion:
    """Store a sound definition as a published version (flush only).

    The caller has validated it (`portal.procedures.validation`). A draft of the same version
    becomes this published version; a published or retired one must be identical.

    Args:
        definition: The loaded definition.
        valid_from: First day new cases may take it; default the definition's `valid_from`.
        source: The file's text, kept with the version.

    Raises:
        InvalidInput: `unknown_authority`, or `published_version_changed`.
    """
    procedure = _procedure_for(
        definition.authority,
        definition.slug,
        {"es": definition.title.es, "en": definition.title.en},
    )
    existing = _version_row(procedure, definition.version)
    if existing is not None and existing.status != "draft":
        if existing.digest != definition.digest:
            raise InvalidInput(
                "published_version_changed",
                field="version",
                slug=definition.slug,
                version=definition.version,
            )
        if existing.source is None and source is not None:
            existing.source = source  # the text it was published from, kept to clone it
        _refresh_catalogue(procedure)
        return existing
    version = existing or ProcedureVersion(procedure=procedure, version=definition.version)
    version.definition = definition.to_dict()
    version.digest = definition.digest
    version.status = "published"
    version.valid_from = valid_from or definition.valid_from
    version.published_at = utcnow()
    version.source = source if source is not None else version.source
    db.session.add(version)
    db.session.flush()
    _refresh_catalogue(procedure)
    return version


def _refresh_catalogue(procedure: Procedure) -> None:
    from portal.catalogue.services import refresh_entries

    refresh_entries(procedure)


def import_draft(
    source: str | bytes, *, path: str = ""
) -> tuple[ProcedureVersion | None, list[workflows.Problem]]:
    """Store a definition file as a draft version, with its problems (committed).

    A draft may have problems (an administrator fixes them before publishing), but it must
    at least be a readable mapping naming a known authority, a slug and a version number.
    A draft replaces an earlier draft of the same version, never a published one.

    Returns:
        `(draft, problems)`: the stored draft (None when nothing could be stored) and every
        problem the validator found (empty when the draft can be published as it is).
    """
    draft, problems = _import_draft(source, path)
    if draft is None:
        db.session.rollback()
    else:
        db.session.commit()
    return draft, problems


def _import_draft(
    source: str | bytes, path: str
) -> tuple[ProcedureVersion | None, list[workflows.Problem]]:
    from portal.procedures.validation import catalogue_problems, inspect
    from workflows.source import read_source

    definition, problems = inspect(source, path=path)
    if definition is not None:
        problems = catalogue_problems(definition)  # what publishing it would refuse, told now
    data, unreadable = read_source(source)
    if unreadable:
        return None, problems
    identity = _identity(data)
    if identity is None:
        return None, problems
    authority, slug, number = identity
    title = data.get("title")
    title = title if isinstance(title, dict) else {}
    try:
        procedure = _procedure_for(
            authority,
            slug,
            {locale: str(title.get(locale, slug)) for locale in ("es", "en")},
            retitle=False,  # a draft does not rename the procedure the public sees
        )
    except InvalidInput:
        unknown = workflows.Problem("authority", "unknown_authority", f"no authority {authority!r}")
        return None, problems if unknown in problems else [*problems, unknown]
    existing = _version_row(procedure, number)
    if existing is not None and existing.status != "draft":
        taken = workflows.Problem("version", "version_published", f"version {number} is published")
        return None, [*problems, taken]
    text = source.decode("utf-8") if isinstance(source, bytes) else source
    version = existing or ProcedureVersion(procedure=procedure, version=number)
    version.status = "draft"
    version.definition = definition.to_dict() if definition is not None else data
    version.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    version.source = text
    version.valid_from = None
    version.published_at = utcnow()
    db.session.add(version)
    db.session.flush()
    return version, problems


def _identity(data: object) -> tuple[str, str, int] | None:
    """A draft's (authority, slug, version) when the raw data names them plausibly."""
    if not isinstance(data, dict):
        return None
    authority, slug, number = data.get("authority"), data.get("slug"), data.get("version")
    if not isinstance(authority, str) or not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        return None
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31:
        return None
    return authority, slug, number


def publish_draft(version: ProcedureVersion, *, valid_from: date | None = None) -> ProcedureVersion:
    """Publish a draft after validating its file again; refuse it when it has any problem.

    Committed when published, with the draft's test cases deleted in the same transaction (and
    their files once it committed, `portal.testcases`); nothing changes when refused.

    Raises:
        InvalidInput: `not_a_draft` when the version is published or retired.
        InvalidDefinition: every problem the validator finds, or a prerequisite cycle with
            the published catalogue (`catalogue_problems`); the draft stays a draft.
    """
    from portal.procedures.validation import catalogue_problems, inspect

    if version.status != "draft":
        raise InvalidInput("not_a_draft", field="version", version=version.version)
    definition, problems = inspect(version.source or "", path=f"draft {version.id}")
    if definition is not None:
        problems = catalogue_problems(definition)
    if problems:
        db.session.rollback()
        raise workflows.InvalidDefinition(problems)
    from portal.testcases.services import delete_test_cases, remove_files

    files = delete_test_cases(version)  # its test cases go with the draft, in this transaction
    published = publish_definition(definition, valid_from=valid_from, source=version.source)
    db.session.commit()
    remove_files(files)
    return published


def publish_source(
    source: bytes, *, path: str = "", valid_from: date | None = None
) -> ProcedureVersion:
    """Validate a definition file and publish it at once (committed).

    Raises:
        InvalidDefinition: every problem the validator finds, or a prerequisite cycle with
            the published catalogue (`catalogue_problems`); nothing is stored.
        InvalidInput: `published_version_changed` (that version is published, differently).
    """
    from portal.procedures.validation import catalogue_problems, inspect

    definition, problems = inspect(source, path=path)
    if definition is not None:
        problems = catalogue_problems(definition)
    if problems:
        raise workflows.InvalidDefinition(problems)
    try:
        version = publish_definition(
            definition, valid_from=valid_from, source=source.decode("utf-8")
        )
    except InvalidInput:
        db.session.rollback()
        raise
    db.session.commit()
    return version


def retire(procedure: Procedure, *, version: int | None = None) -> list[ProcedureVersion]:
    """Retire a procedure's published versions (or one): no new filings, cases go on.

    Returns:
        The versions retired now (none when there was nothing published to retire).
    """
    query = sa.select(ProcedureVersion).where(
        ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.status == "published"
    )
    if version is not None:
        query = query.where(ProcedureVersion.version == version)
    retired = list(db.session.scalars(query))
    for row in retired:
        row.status = "retired"
        row.retired_at = utcnow()
    db.session.flush()
    _refresh_catalogue(procedure)
    db.session.commit()
    return retired


def find_version(reference: str) -> ProcedureVersion | None:
    """The version named `AUTHORITY/slug@N`, or the newest draft of `AUTHORITY/slug`."""
    name, _, number = reference.partition("@")
    authority, _, slug = name.partition("/")
    procedure = get_procedure(authority, slug) if slug else None
    if procedure is None:
        return None
    query = sa.select(ProcedureVersion).where(ProcedureVersion.procedure_id == procedure.id)
    if number:
        if not number.isdigit() or len(number) > 9:
            return None
        return db.session.scalar(query.where(ProcedureVersion.version == int(number)))
    return db.session.scalar(
        query.where(ProcedureVersion.status == "draft")
        .order_by(ProcedureVersion.version.desc())
        .limit(1)
    )


def seed_definitions(root: str | Path) -> list[ProcedureVersion]:
    """Validate every definition file and publish each version (flush only).

    Raises:
        InvalidDefinition: naming every problem of every file (`portal.procedures.validation`);
            nothing is published then.
    """
    from portal.procedures.validation import inspect_files, problems_error

    sound, failed = inspect_files(definition_files(root))
    if failed:
        raise problems_error(failed)
    return [
        publish_definition(definition, source=file.read_text(encoding="utf-8"))
        for file, definition in sound
    ]


@lru_cache(maxsize=256)
def _load_cached(digest: str, version_id: int) -> workflows.Definition:
    row = db.session.get(ProcedureVersion, version_id)
    return workflows.load(row.definition)


def definition_of(version: ProcedureVersion) -> workflows.Definition:
    """Return the frozen definition of a published version (cached: versions never change)."""
    return _load_cached(version.digest, version.id)


def latest_version(procedure: Procedure, today: date | None = None) -> ProcedureVersion | None:
    """The version new cases take: the newest published one in force today, or None.

    None when every version is a draft, retired, or not yet valid (`valid_from` ahead): the
    procedure accepts no new filing then, while cases on earlier versions go on.
    """
    from portal.applications.effects import local_now

    today = today or local_now().date()
    return db.session.scalar(
        sa.select(ProcedureVersion)
        .where(
            ProcedureVersion.procedure_id == procedure.id,
            ProcedureVersion.status == "published",
            sa.or_(ProcedureVersion.valid_from.is_(None), ProcedureVersion.valid_from <= today),
        )
        .order_by(ProcedureVersion.version.desc())
        .limit(1)
    )


def version_for_new_cases(procedure: Procedure) -> ProcedureVersion:
    """The version a new case of `procedure` takes today (`latest_version`).

    Raises:
        NotFound: `procedure_closed`, with `retired` True when the procedure was retired (the
            portal answers 410) and False when no version is in force yet (404).
    """
    version = latest_version(procedure)
    if version is None:
        raise NotFound("procedure_closed", retired=_is_retired(procedure))
    return version


def _is_retired(procedure: Procedure) -> bool:
    """Tell whether a procedure has retired versions and none published (it was closed)."""
    statuses = set(
        db.session.scalars(
            sa.select(ProcedureVersion.status).where(ProcedureVersion.procedure_id == procedure.id)
        )
    )
    return "retired" in statuses and "published" not in statuses


def list_procedures() -> list[Procedure]:
    return list(
        db.session.scalars(
            sa.select(Procedure).options(joinedload(Procedure.authority)).order_by(Procedure.id)
        )
    )


def get_procedure(authority_code: str, slug: str) -> Procedure | None:
    authority = get_authority(authority_code)
    if authority is None:
        return None
    return db.session.scalar(
        sa.select(Procedure).where(Procedure.authority_id == authority.id, Procedure.slug == slug)
    )
