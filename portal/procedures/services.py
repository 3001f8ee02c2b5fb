"""Seed procedure definitions into versions, and read the pinned definition of a case."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import workflows
from portal.authorities.services import get_authority
from portal.errors import InvalidInput
from portal.extensions import db
from portal.procedures.models import Procedure, ProcedureVersion
from workflows.fees import FixedFee


def definition_files(root: str | Path) -> list[Path]:
    return sorted(Path(root).glob("**/*.yaml"))


def publish_definition(definition: workflows.Definition) -> ProcedureVersion:
    """Store a loaded definition as a published version; an existing version must be identical."""
    authority = get_authority(definition.authority)
    if authority is None:
        raise InvalidInput("unknown_authority", field="authority", authority=definition.authority)
    procedure = db.session.scalar(
        sa.select(Procedure).where(
            Procedure.authority_id == authority.id, Procedure.slug == definition.slug
        )
    )
    if procedure is None:
        procedure = Procedure(authority=authority, slug=definition.slug, title={})
        db.session.add(procedure)
    procedure.title = {"es": definition.title.es, "en": definition.title.en}
    existing = db.session.scalar(
        sa.select(ProcedureVersion).where(
            ProcedureVersion.procedure == procedure, ProcedureVersion.version == definition.version
        )
    )
    if existing is not None:
        if existing.digest != definition.digest:
            raise InvalidInput(
                "published_version_changed",
                field="version",
                slug=definition.slug,
                version=definition.version,
            )
        return existing
    version = ProcedureVersion(
        procedure=procedure,
        version=definition.version,
        definition=definition.to_dict(),
        digest=definition.digest,
    )
    db.session.add(version)
    db.session.flush()
    return version


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
    return [publish_definition(definition) for _file, definition in sound]


@lru_cache(maxsize=256)
def _load_cached(digest: str, version_id: int) -> workflows.Definition:
    row = db.session.get(ProcedureVersion, version_id)
    return workflows.load(row.definition)


def definition_of(version: ProcedureVersion) -> workflows.Definition:
    """Return the frozen definition of a published version (cached: versions never change)."""
    return _load_cached(version.digest, version.id)


def latest_version(procedure: Procedure, today: date | None = None) -> ProcedureVersion:
    """The version new cases take: the newest one already in force (`valid_from` reached)."""
    from portal.applications.effects import local_now

    today = today or local_now().date()
    versions = db.session.scalars(
        sa.select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure.id)
        .order_by(ProcedureVersion.version.desc())
    ).all()
    for version in versions:
        valid_from = definition_of(version).valid_from
        if valid_from is None or valid_from <= today:
            return version
    return versions[-1]  # none in force yet: the first one, rather than no procedure at all


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


def compute_catalogue_fees(definition: workflows.Definition) -> list[dict]:
    """Fixed, unconditional fees a person can know before starting (others need their data)."""
    return [
        {"label": rule.label, "amount": rule.fixed, "placeholder": rule.placeholder}
        for rule in definition.fees
        if isinstance(rule, FixedFee) and rule.when is None
    ]
