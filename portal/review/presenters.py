"""What the case page of the back office shows: items to review, and its forms."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_wtf import FlaskForm

import workflows
from forms.review import (
    CaseDecisionForm,
    CaseInspectionForm,
    CasePaymentForm,
    build_decision_form,
    build_verdict_form,
)
from portal.applications.facts import facts_for
from portal.applications.models import Application
from portal.review.services import current_verdicts
from workflows.guards import review_items


@dataclass
class CaseContext:
    """One case as the back office sees it in one request; the engine's facts read once."""

    application: Application
    definition: workflows.Definition
    locale: str
    facts: workflows.Facts
    items: list[tuple[str, str]]
    statuses: tuple = ()


def load_context(
    application: Application, definition: workflows.Definition, role: str, locale: str
) -> CaseContext:
    """Read the facts once, and label each field and document the reviewer judges."""
    from portal.subjects.services import statuses

    found = statuses(application, definition)  # for the guard and the page, read once
    case_facts = facts_for(application, role, statuses=found)
    labels = {f.name: f.label.get(locale) for f in definition.fields}
    labels |= {d.code: d.title.get(locale) for d in definition.documents}
    items = [(key, labels[key]) for key in review_items(definition, case_facts)]
    return CaseContext(application, definition, locale, case_facts, items, found)


def decision_form(case: CaseContext, lock_version: int) -> CaseDecisionForm:
    """The decision form, with the outputs the actions offered to this role ask for."""
    outputs = [
        (transition.action, spec)
        for transition in case.definition.transitions_from(case.application.state)
        if case.facts.role in transition.roles
        for spec in transition.outputs
    ]
    return build_decision_form(outputs, case.locale)(lock_version=lock_version)


@dataclass
class CaseForms:
    """The forms of the case page; a POST handler passes the one it validated."""

    decision: CaseDecisionForm
    verdicts: FlaskForm
    inspection: CaseInspectionForm = field(
        default_factory=lambda: CaseInspectionForm(formdata=None)
    )
    payment: CasePaymentForm = field(default_factory=lambda: CasePaymentForm(formdata=None))


def verdict_form(case: CaseContext, formdata: bool) -> FlaskForm:
    """The verdict form, filled with the current round's verdicts on a GET."""
    form_class = build_verdict_form(case.items)
    if formdata:
        return form_class()
    data = {}
    for key, verdict in current_verdicts(case.application).items():
        data[f"v_{key}"] = "ok" if verdict.ok else "no"
        data[f"r_{key}"] = verdict.reason
    return form_class(formdata=None, data=data)


def verdicts_from(form: FlaskForm) -> dict[str, tuple[bool, str]]:
    """The verdicts a reviewer gave (items left unanswered are left out)."""
    given = {}
    for key, _label in form.items:
        choice = getattr(form, f"v_{key}").data
        if choice in ("ok", "no"):
            given[key] = (choice == "ok", getattr(form, f"r_{key}").data or "")
    return given


def correction_draft(case: CaseContext) -> str:
    """A starting text for a correction request: each item found not OK, with its reason."""
    labels = dict(case.items)
    return "\n".join(
        f"- {labels.get(key, key)}: {verdict.reason}"
        for key, verdict in current_verdicts(case.application).items()
        if not verdict.ok
    )
