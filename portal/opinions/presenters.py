"""What the case page shows of external opinions, and the forms it offers to whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import workflows
from forms.inspections import (
    OPINION_ANSWERS,
    OpinionAnswerForm,
    OpinionCancelForm,
    OpinionRequestForm,
)
from portal.applications.models import Application
from portal.opinions import services
from workflows.guards import RECORD_OPINION, REQUEST_OPINION


@dataclass
class OpinionPanel:
    """The opinions of a case: rows (opinion, institution name), and the forms allowed.

    `request` is the form to ask one (None when the person may not), `answer` and `cancel`
    the forms on pending ones (None when the person may not record answers).
    """

    rows: list = field(default_factory=list)
    request: OpinionRequestForm | None = None
    answer: OpinionAnswerForm | None = None
    cancel: OpinionCancelForm | None = None
    answers: dict = field(default_factory=dict)
    today: date | None = None


def institution_choices(definition: workflows.Definition, locale: str, application, today):
    """The definition's institutions, each with its default answer day, for radios."""
    out = []
    for source in definition.opinions:
        due = services.default_due_on(application, source.code, today)
        out.append((source.code, f"{source.name.get(locale)} ({due.strftime('%d/%m/%Y')})"))
    return out


def request_form(application, definition, locale: str, today: date, formdata: bool = False):
    form = OpinionRequestForm() if formdata else OpinionRequestForm(formdata=None)
    form.institution.choices = institution_choices(definition, locale, application, today)
    return form


def panel(
    application: Application,
    definition: workflows.Definition,
    tasks: frozenset[str],
    locale: str,
    today: date,
) -> OpinionPanel:
    """Read the case's opinions (one statement) and the forms the person may use."""
    if not definition.opinions:
        return OpinionPanel()
    names = {s.code: s.name.get(locale) for s in definition.opinions}
    rows = [
        (o, names.get(o.institution, o.institution)) for o in services.list_opinions(application.id)
    ]
    out = OpinionPanel(rows=rows, today=today)
    out.answers = {key: str(label) for key, label in OPINION_ANSWERS}
    if REQUEST_OPINION in tasks:
        out.request = request_form(application, definition, locale, today)
    if RECORD_OPINION in tasks and any(o.status == "pending" for o, _name in rows):
        out.answer = OpinionAnswerForm(formdata=None)
        out.cancel = OpinionCancelForm(formdata=None)
    return out
