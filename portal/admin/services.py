"""Read models of the admin console, scoped to the admin's authority."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.authorities.models import Authority
from portal.authorities.services import scope_ids
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
