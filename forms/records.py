"""Forms of the applicant's records page ("Mis datos"): edit a record, invite a representative.

A record's inputs are the data dictionary's elements of its subject (`workflows.dictionary`),
each checked by the engine's value rules through `forms.builder.wtf_field`, like the same
element on any procedure's form.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from forms.accounts import _email_field
from forms.builder import initial_values, wtf_field
from workflows import dictionary
from workflows.model import Field

#: Element types a person edits on a record; districts, map points, choices and dates come
#: from cases and decisions, and the identifying element (NIT, cadastral key) never changes.
EDITABLE_TYPES = frozenset(
    {"text", "long_text", "address", "integer", "area_m2", "money", "number", "phone", "dui"}
    | {"activity_code", "yes_no", "email"}
)


def editable_elements(subject: str) -> tuple[dictionary.Element, ...]:
    """The elements of `subject` a person may change on their record, in dictionary order."""
    return tuple(
        item
        for item in dictionary.elements(subject)
        if item.path != dictionary.IDENTIFYING.get(subject) and item.types[0] in EDITABLE_TYPES
    )


def record_form(subject: str, locale: str) -> type[FlaskForm]:
    """A form class with one input per editable element (`f_<element name>`)."""

    class RecordForm(FlaskForm):
        submit = SubmitField(_l("Guardar cambios"), widget=GovSubmitInput())

    specs = []
    for item in editable_elements(subject):
        spec = Field(
            name=item.name,
            type=item.types[0],
            label=item.label,
            max_length=300 if item.types[0] in ("text", "address") else None,
            bind=item.path,
        )
        specs.append(spec)
        setattr(RecordForm, f"f_{item.name}", wtf_field(spec, locale, ()))
    RecordForm.field_names = tuple(spec.name for spec in specs)
    return RecordForm


class InviteRepresentativeForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Enviar invitación"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button that changes something (accept, revoke): only the CSRF token is posted."""

    submit = SubmitField(_l("Confirmar"), widget=GovSubmitInput())


def shown(values: dict, names: Sequence[str]) -> dict[str, object]:
    """A record's stored values as the form's inputs show them (`f_<name>`)."""
    return {key: value for key, value in initial_values(values).items() if key[2:] in names}
