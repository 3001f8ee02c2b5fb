"""What pages show of subjects and prerequisites: choices, what is missing, each status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

import workflows
from forms.messages import message_for
from portal.applications.models import Application
from portal.establishments.models import Establishment
from portal.extensions import db
from portal.subjects import services
from portal.subjects.models import RECORD_SUBJECTS, LegalUnit, Property
from workflows.prerequisites import Held

_MODELS = {"legal_unit": LegalUnit, "establishment": Establishment, "property": Property}
SUBJECT_TITLES = {
    "legal_unit": lambda: _("Titular (persona natural o jurídica)"),
    "establishment": lambda: _("Establecimiento"),
    "property": lambda: _("Inmueble"),
}


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def refusal_message(
    prerequisite: workflows.Prerequisite, reason: workflows.Reason, locale: str
) -> str:
    """The reason a resolution does not qualify, in the person's language, at its field."""
    params = dict(reason.params)
    code = reason.code
    if code == "resolution_other_subject":
        code = f"resolution_other_{params.pop('subject')}"
    if "expired_on" in params:
        params["expired_on"] = _day(params["expired_on"])
    params["procedure"] = prerequisite.title.get(locale)
    params.setdefault("number", "")
    return message_for(code, **params)


def _subject_text(held: Held, subject: str | None) -> str:
    """The subject a held case is about, as its owner knows it (trade name, address, NIT)."""
    for name in (subject,) if subject else RECORD_SUBJECTS:
        record_id = held.subjects.get(name) if name else None
        if record_id is not None:
            record = db.session.get(_MODELS[name], record_id)
            if record is not None:
                return services.subject_label(name, record)
    return ""


def _load_records(held: list[Held]) -> list:
    """Read at once the records the held cases are about (labels then need no query each).

    The caller keeps the list while it labels: the session holds loaded rows only as long as
    something refers to them.
    """
    loaded: list = []
    for subject in RECORD_SUBJECTS:
        ids = {item.subjects[subject] for item in held if subject in item.subjects}
        if ids:
            model = _MODELS[subject]
            loaded += db.session.scalars(sa.select(model).where(model.id.in_(ids))).all()
    return loaded


def held_label(held: Held, prerequisite: workflows.Prerequisite, locale: str) -> str:
    """`OPAMSS-2026-000001 · Calificación de Lugar · resuelta el 12/03/2026 · Calle Arce 1234`."""
    parts = [
        held.tracking_number,
        prerequisite.title.get(locale),
        _("resuelta el %(date)s", date=held.decided_on.strftime("%d/%m/%Y")),
        _subject_text(held, prerequisite.same_subject),
    ]
    return " · ".join(part for part in parts if part)


@dataclass
class Missing:
    """A prerequisite the applicant holds no qualifying case of, and where to start one."""

    title: str
    start_url: str | None


@dataclass
class Picker:
    """A choice of the applicant's records for one subject of the draft."""

    subject: str
    title: str
    options: list[tuple[int, str]]
    chosen: int | None


def edit_view(application: Application, definition: workflows.Definition, locale: str) -> dict:
    """What the applicant's form shows besides its fields: choices, what is missing, pickers."""
    held = services.held_cases(application.applicant_id, application.id)
    choices = services.resolution_choices(application, definition, held)
    records = _load_records([item for found in choices.values() for item in found])
    by_field = {item.field: item for item in definition.prerequisites if item.field}
    resolution_options = {
        name: [(held.tracking_number, held_label(held, by_field[name], locale)) for held in found]
        for name, found in choices.items()
    }
    missing = []
    for status in services.statuses(application, definition, held=held):
        item = status.prerequisite
        if status.satisfied or (item.field and choices.get(item.field)):
            continue
        procedure = services.procedure_of(item.procedure)
        missing.append(
            Missing(
                item.title.get(locale),
                url_for("catalogue.detail", authority=item.authority, slug=item.slug)
                if procedure is not None
                else None,
            )
        )
    links = services.links_of(application)
    pickers = []
    for subject in services.bound_subjects(definition):
        records = services.records_of(application.applicant_id, subject)
        if len(records) > 1 or (records and subject not in links):
            link = links.get(subject)
            pickers.append(
                Picker(
                    subject,
                    SUBJECT_TITLES[subject](),
                    [(r.id, services.subject_label(subject, r)) for r in records],
                    link.record_id if link else None,
                )
            )
    del records  # labelled
    return {"resolution_options": resolution_options, "missing": missing, "pickers": pickers}


def prerequisite_rows(
    application: Application,
    definition: workflows.Definition,
    viewer,
    locale: str,
    found: tuple | None = None,
) -> list[dict]:
    """Each prerequisite of the case: title, met or why not, and a link to the case that counts.

    The link goes to the back office for staff, to the status page for the applicant, and is
    left out when the viewer may not see that case. `found` are the statuses when the caller
    has read them already (`services.statuses`).
    """
    from portal.permissions import role_on

    rows = []
    if found is None:
        found = services.statuses(application, definition)
    records = _load_records([status.held for status in found if status.held is not None])
    for status in found:
        item, held = status.prerequisite, status.held
        url = None
        if held is not None:
            case = services.case_by_number(held.tracking_number)
            if case is not None and role_on(case, viewer) is not None:
                page = "review.case" if viewer.is_staff else "applications.status"
                url = url_for(page, application_id=case.id)
        rows.append(
            {
                "title": item.title.get(locale),
                "satisfied": status.satisfied,
                "text": held_label(held, item, locale)
                if status.satisfied
                else refusal_message(item, status.reason, locale),
                "number": held.tracking_number if held else None,
                "url": url,
            }
        )
    del records  # labelled
    return rows
