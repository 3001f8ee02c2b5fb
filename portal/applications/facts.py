"""The facts the engine decides on: typed data, documents, payments, verdicts, prerequisites."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import workflows
from portal.applications import effects
from portal.applications.models import Application
from portal.extensions import db
from portal.procedures.services import definition_of
from workflows.guards import applicable_data
from workflows.identifiers import validate_value
from workflows.prerequisites import Held, missing_prerequisites


def typed_data(definition: workflows.Definition, data: dict) -> dict[str, object]:
    """Return the applicable stored values as the engine's types (Decimal, date, ...).

    Answers to questions hidden by other answers are left out (`applicable_data`), also for
    cases saved before they were dropped at save time, so fees, routing and SIMDET never use
    them.
    """
    typed: dict[str, object] = {}
    for spec in definition.fields:
        raw = data.get(spec.name)
        if raw not in (None, "", []):
            value, error = validate_value(spec, raw)
            typed[spec.name] = raw if error else value
    return applicable_data(definition, typed)


def held_by(applicant_id: int) -> dict[str, Held]:
    """The applicant's most recent decided case of each procedure, keyed 'AUTHORITY/slug'."""
    rows = db.session.scalars(
        sa.select(Application)
        .where(Application.applicant_id == applicant_id, Application.decided_at.is_not(None))
        .options(selectinload(Application.procedure_version))
        .order_by(Application.decided_at)
    ).all()
    held: dict[str, Held] = {}
    for case in rows:
        definition = definition_of(case.procedure_version)
        decided_on = case.decided_at.astimezone(effects.LOCAL_TZ).date()
        held[f"{definition.authority}/{definition.slug}"] = Held(
            state_kind=definition.state(case.state).kind,
            decided_on=decided_on,
            expires_on=effects.expiry_of(definition, decided_on),
        )
    return held


def facts_for(
    application: Application, role: str, comment: str = "", outputs: dict | None = None
) -> workflows.Facts:
    """Snapshot what the engine needs to decide on this case (and what the actor gives)."""
    from portal.review import services as review

    definition = definition_of(application.procedure_version)
    data = typed_data(definition, application.data)
    missing = (
        missing_prerequisites(
            definition, data, held_by(application.applicant_id), effects.local_now().date()
        )
        if definition.prerequisites
        else ()
    )
    return workflows.Facts(
        role=role,
        data=data,
        missing_prerequisites=missing,
        comment=comment,
        outputs=outputs or {},
        documents=frozenset(d.requirement_code for d in application.current_documents),
        fee_paid=review.fee_paid(application),
        inspection_recorded=review.inspection_recorded(application),
        verdicts={item: v.ok for item, v in review.current_verdicts(application).items()},
    )
