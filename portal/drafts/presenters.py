"""What the step pages and the check page show: the form as typed, titles, summary rows."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

import workflows
from forms.builder import DATE_PARTS, build_application_form, initial_values
from forms.messages import message_for
from portal.applications import presenters as application_pages
from portal.applications.models import Application
from portal.applications.services import today_local
from portal.certificates.services import display_value
from portal.procedures.services import definition_of
from portal.subjects.presenters import SUBJECT_TITLES
from workflows.conditions import is_blank
from workflows.guards import (
    applicable_data,
    applicable_documents,
    required_documents,
    visible_fields,
)
from workflows.steps import Step, step_of, steps

#: Titles of the steps by data-dictionary subject (those without one are named below).
STEP_TITLES = {
    **SUBJECT_TITLES,
    "person": lambda: _("Persona que presenta"),
    "works": lambda: _("Obra"),
}


def step_title(step: Step) -> str:
    if step.subject in STEP_TITLES:
        return STEP_TITLES[step.subject]()
    if step.documents and not step.fields:
        return _("Documentos")
    return _("Datos de la solicitud")


def form_for(
    application: Application, definition: workflows.Definition, locale: str, posted: bool = False
):
    """The application form filled as the person last saw it: saved answers, and over them
    what they typed and did not validate yet (`draft_answers`); or the posted form (with its
    files) when `posted`."""
    form_class = build_application_form(
        definition,
        locale=locale,
        districts=application_pages.district_choices(definition),
        today=today_local(),
    )
    if posted:
        return form_class()
    shown = MultiDict()
    for name, value in initial_values(application.data, definition).items():
        for item in value if isinstance(value, list) else [value]:
            shown.add(name, "" if item is None else str(item))
    for name, value in (application.draft_answers or {}).items():
        # Typed date boxes (`f_x-day`) win over the saved date (`f_x`): see DayMonthYearField.
        shown.setlist(name, value if isinstance(value, list) else [value])
    return form_class(formdata=shown)


def answers_elsewhere(application: Application, definition, step: Step) -> dict:
    """Saved answers of the other steps, for the browser's conditions (static/js/conditions.js)."""
    return {
        name: value
        for name, value in applicable_data(definition, application.data).items()
        if name not in step.fields
    }


@dataclass(frozen=True)
class Section:
    """One step on the check page: its title, rows (label, value, change link), and whether
    typed answers are waiting there for "Continuar"."""

    number: int
    title: str
    rows: list[tuple[str, object, str]]
    unsaved: bool


def check_sections(
    application: Application, definition: workflows.Definition, locale: str
) -> list[Section]:
    """Every applicable answer and document of the draft, step by step, with "Cambiar" links."""
    plan = steps(definition)
    data = applicable_data(definition, application.data)
    asked = set(visible_fields(definition, data))
    applicable = applicable_documents(definition, data)
    current = {d.requirement_code: d for d in application.current_documents}
    typed = application.draft_answers or {}
    sections = []
    for number, step in enumerate(plan, start=1):
        link = url_for("drafts.step", application_id=application.id, number=number, volver="1")
        rows: list[tuple[str, object, str]] = [
            (
                spec.label.get(locale),
                ""
                if is_blank(data.get(spec.name))
                else display_value(spec, data[spec.name], locale),
                f"{link}#f_{spec.name}",
            )
            for spec in definition.fields
            if spec.name in step.fields and spec.name in asked
        ]
        rows += [
            (
                definition.document(code).title.get(locale),
                current[code].filename if code in current else _("No adjuntado"),
                f"{link}#d_{code}",
            )
            for code in step.documents
            if code in applicable
        ]
        unsaved = any(
            _field_of(key) in step.fields for key, value in typed.items() if not is_blank(value)
        )
        if rows or unsaved:
            sections.append(Section(number, step_title(step), rows, unsaved))
    return sections


def filing_errors(application: Application, definition, result, locale: str) -> list[dict]:
    """The error summary of a refused filing, each item linking to the step that fixes it."""
    plan = steps(definition)
    items = []

    def link(name: str, anchor: str) -> str:
        number = step_of(plan, name)
        return (
            url_for("drafts.step", application_id=application.id, number=number, volver="1")
            + f"#{anchor}"
        )

    for reason in result.reasons:
        params = dict(reason.params)
        if reason.code == "form_incomplete":
            for name in params.get("fields", ()):
                label = definition.field(name).label.get(locale)
                items.append(
                    {
                        "text": message_for("required_named", label=label),
                        "href": link(name, f"f_{name}"),
                    }
                )
        elif reason.code == "missing_documents":
            for code in params.get("documents", ()):
                label = definition.document(code).title.get(locale)
                items.append(
                    {
                        "text": message_for("document_missing_named", label=label),
                        "href": link(code, f"d_{code}"),
                    }
                )
        else:
            items.append({"text": message_for(reason.code, **params)})
    for name in [*result.field_errors, *result.field_reasons]:
        label = definition.field(name).label.get(locale)
        items.append({"text": label, "href": link(name, f"f_{name}")})
    return items


def resume_url(application: Application) -> str:
    """Where "Continuar" takes the person: the first step with typed answers not yet checked,
    else the first with a required question or document still missing, else the check page."""
    definition = definition_of(application.procedure_version)
    plan = steps(definition)
    typed = {
        _field_of(key)
        for key, value in (application.draft_answers or {}).items()
        if not is_blank(value)
    }
    data = applicable_data(definition, application.data)
    missing = {
        name
        for name in visible_fields(definition, data)
        if definition.field(name).required and is_blank(data.get(name))
    } | (
        set(required_documents(definition, data))
        - {d.requirement_code for d in application.current_documents}
    )
    for wanted in (typed, missing):
        for number, step in enumerate(plan, start=1):
            if wanted & (set(step.fields) | set(step.documents)):
                return url_for("drafts.step", application_id=application.id, number=number)
    return url_for("drafts.check", application_id=application.id)


def _field_of(input_name: str) -> str:
    """The field an input answers: `f_fecha-day` and `f_fecha` answer `fecha`."""
    name = input_name.removeprefix("f_")
    base, _, part = name.rpartition("-")
    return base if base and part in DATE_PARTS else name
