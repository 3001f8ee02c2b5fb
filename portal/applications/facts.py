"""The facts the engine decides on: typed data, documents, payments, verdicts, prerequisites."""

from __future__ import annotations

import workflows
from portal.applications.models import Application
from portal.procedures.services import definition_of
from workflows.guards import applicable_data
from workflows.identifiers import validate_value


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


def facts_for(
    application: Application,
    role: str,
    comment: str = "",
    outputs: dict | None = None,
    statuses: tuple | None = None,
    verdicts: dict | None = None,
) -> workflows.Facts:
    """Snapshot what the engine needs to decide on this case (and what the actor gives).

    `statuses` are the case's prerequisite statuses (`subjects.statuses`) and `verdicts` its
    current verdicts (`review.current_verdicts`, item -> verdict) when the caller has read
    them already for the same request.
    """
    from portal.review import services as review
    from portal.subjects import services as subjects

    definition = definition_of(application.procedure_version)
    data = typed_data(definition, application.data)
    missing = tuple(
        status.prerequisite.procedure
        for status in (subjects.statuses(application, definition) if statuses is None else statuses)
        if not status.satisfied
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
        verdicts={
            item: v.ok
            for item, v in (
                review.current_verdicts(application) if verdicts is None else verdicts
            ).items()
        },
    )
