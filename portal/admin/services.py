"""The admin console's read models, scoped to the admin's authority.

What an admin may see: the procedures and versions of their scope (`list_versions_for`, the
`require_*` loaders that answer 404 out of it), a version's definition and raw mapping, the
authorities they may give a procedure to and the public versions they may copy. The commands
live beside it: `draft_services` (drafts), `lifecycle_services` (publish, retire, delete),
`transfer_services` (copy, export, import) and `reference_scope` (reference data); the views
of `portal/admin/views.py`, `versions.py`, `editor_views.py` and `test_views.py` show them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

import workflows
from portal.accounts.models import User
from portal.authorities.models import Authority
from portal.authorities.services import scope_ids
from portal.errors import NotFound
from portal.extensions import db
from portal.procedures.models import Procedure, ProcedureVersion
from portal.procedures.services import definition_of
from workflows.diff import diff, summary


def _scope(actor: User) -> set[int] | None:
    """Authority ids the admin manages; None means all (the metropolitan office)."""
    authority = db.session.get(Authority, actor.authority_id)
    if authority.kind == "metropolitan_office":
        return None
    return scope_ids(authority.id)


def list_procedures_for(actor: User) -> list[Procedure]:
    query = (
        sa.select(Procedure)
        .options(joinedload(Procedure.authority), selectinload(Procedure.versions))
        .order_by(Procedure.authority_id, Procedure.slug)
    )
    scope = _scope(actor)
    if scope is not None:
        query = query.where(Procedure.authority_id.in_(scope))
    return list(db.session.scalars(query))


def get_version_for(actor: User, procedure_id: int, version: int) -> ProcedureVersion | None:
    row = db.session.scalar(
        sa.select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure_id, ProcedureVersion.version == version)
        .options(joinedload(ProcedureVersion.procedure).joinedload(Procedure.authority))
    )
    scope = _scope(actor)
    if row is None or (scope is not None and row.procedure.authority_id not in scope):
        return None
    return row


def changes_since_previous(row: ProcedureVersion, locale: str) -> list[str] | None:
    """Sentences saying what changed from the previous version; None for the first one."""
    previous = db.session.scalar(
        sa.select(ProcedureVersion)
        .where(
            ProcedureVersion.procedure_id == row.procedure_id,
            ProcedureVersion.version < row.version,
        )
        .order_by(ProcedureVersion.version.desc())
        .limit(1)
    )
    if previous is None:
        return None
    return summary(diff(definition_of(previous), definition_of(row)), locale=locale)


@dataclass(frozen=True)
class Overview:
    """The procedures an admin manages, grouped by authority, with what the list shows.

    Attributes:
        groups: `(authority, procedures)` pairs, each procedure with its versions loaded.
        cases: Filed cases per version id (absent: none).
        editors: Names of the people who last saved a draft, by user id.
    """

    groups: list[tuple[Authority, list[Procedure]]]
    cases: dict[int, int]
    editors: dict[int, str]


def list_versions_for(actor: User) -> Overview:
    """The actor's procedures by authority with their versions, case counts and editors."""
    from portal.applications.models import Application, real_cases

    procedures = list_procedures_for(actor)
    ids = [v.id for p in procedures for v in p.versions]
    cases: dict[int, int] = {}
    if ids:
        cases = dict(
            db.session.execute(
                # count(*), not count(id): the partial index alone answers it (index-only).
                sa.select(Application.procedure_version_id, sa.func.count())
                .where(
                    Application.procedure_version_id.in_(ids),
                    Application.filed_at.is_not(None),
                    real_cases(),
                )
                .group_by(Application.procedure_version_id)
            ).all()
        )
    editor_ids = {v.updated_by_id for p in procedures for v in p.versions if v.updated_by_id}
    editors = {}
    if editor_ids:
        editors = dict(
            db.session.execute(
                sa.select(User.id, User.full_name).where(User.id.in_(editor_ids))
            ).all()
        )
    groups: dict[int, tuple[Authority, list[Procedure]]] = {}
    for procedure in procedures:
        groups.setdefault(procedure.authority_id, (procedure.authority, []))[1].append(procedure)
    ordered = sorted(
        groups.values(), key=lambda pair: (pair[0].kind != "metropolitan_office", pair[0].name)
    )
    return Overview(ordered, cases, editors)


def require_procedure(actor: User, procedure_id: int) -> Procedure:
    """The procedure when it is in the actor's scope.

    Raises:
        NotFound: no such procedure, or not the actor's (the view answers 404, audited).
    """
    procedure = db.session.scalar(
        sa.select(Procedure)
        .where(Procedure.id == procedure_id)
        .options(joinedload(Procedure.authority), selectinload(Procedure.versions))
    )
    scope = _scope(actor)
    if procedure is None or (scope is not None and procedure.authority_id not in scope):
        raise NotFound("procedure_not_found", procedure_id=procedure_id)
    return procedure


def require_version(actor: User, procedure_id: int, version: int) -> ProcedureVersion:
    """`get_version_for`, raising NotFound (404, audited) instead of returning None."""
    row = get_version_for(actor, procedure_id, version)
    if row is None:
        raise NotFound("version_not_found", procedure_id=procedure_id, version=version)
    return row


def loaded_definition(row: ProcedureVersion) -> workflows.Definition | None:
    """The version's definition, or None for a draft whose text does not load yet."""
    try:
        return definition_of(row)
    except (workflows.InvalidDefinition, TypeError, ValueError, KeyError, AttributeError):
        return None


def draft_data(row: ProcedureVersion) -> dict:
    """A draft's raw definition mapping (to name the items its problems concern)."""
    return row.definition if isinstance(row.definition, dict) else {}


def text_data(text: str) -> dict:
    """The mapping a definition text holds (empty when it is not a readable mapping)."""
    from workflows.source import read_source

    data, _problems = read_source(text)
    return data if isinstance(data, dict) else {}


def current_published(procedure: Procedure) -> ProcedureVersion | None:
    """The newest published version of a procedure (what a draft is compared with)."""
    published = [v for v in procedure.versions if v.status == "published"]
    return published[-1] if published else None


def authorities_for(actor: User) -> list[Authority]:
    """The authorities an admin may give a procedure to (their scope), by name."""
    query = sa.select(Authority).order_by(Authority.name)
    scope = _scope(actor)
    if scope is not None:
        query = query.where(Authority.id.in_(scope))
    return list(db.session.scalars(query))


def list_public_versions(actor: User) -> list[ProcedureVersion]:
    """Published versions an admin may copy from outside their scope (the catalogue's, public).

    For an admin of every authority, every published version.
    """
    query = (
        sa.select(ProcedureVersion)
        .join(Procedure)
        .join(Authority, Procedure.authority_id == Authority.id)
        .where(ProcedureVersion.status == "published")
        .options(joinedload(ProcedureVersion.procedure).joinedload(Procedure.authority))
        .order_by(Authority.name, Procedure.slug, ProcedureVersion.version.desc())
    )
    scope = _scope(actor)
    if scope is not None:
        query = query.where(Procedure.authority_id.not_in(scope))
    return list(db.session.scalars(query))
