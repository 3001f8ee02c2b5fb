"""The "abrir mi negocio" questionnaire, built from the journey's questions (workflows/journeys)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from forms.builder import json_safe, wtf_field
from forms.messages import message_for
from workflows.plans import Journey


def build_journey_form(
    journey: Journey, *, locale: str, districts: Sequence[tuple[str, str]]
) -> type[FlaskForm]:
    """Return a form class with one input per question (`f_<name>`), checked by the engine.

    The activity is typed as words or as a code (`f_<name>` is free text); when the words fit
    several activities the view offers them in `activity_choice`. `districts` are (code,
    name) pairs from the authorities table.
    """

    class JourneyForm(FlaskForm):
        activity_choice = RadioField(
            _l("Elija la actividad"), widget=GovRadioInput(), choices=[], validate_choice=False
        )
        submit = SubmitField(_l("Ver mi plan"), widget=GovSubmitInput())

    for question in journey.questions:
        spec = question.field
        if spec.type == "activity_code":
            field = StringField(
                spec.label.get(locale),
                description=spec.help.get(locale) if spec.help else "",
                widget=GovTextInput(),
                validators=[Length(max=200)],
            )
        else:
            field = wtf_field(spec, locale, districts)
        setattr(JourneyForm, f"f_{question.name}", field)
    JourneyForm.question_names = tuple(q.name for q in journey.questions)
    JourneyForm.activity_name = next(
        (q.name for q in journey.questions if q.field.type == "activity_code"), None
    )
    JourneyForm.required_names = tuple(q.name for q in journey.questions if q.field.required)
    return JourneyForm


def check_required(form: FlaskForm) -> bool:
    """Put "Complete «<question>»." at every required question left blank; True if none.

    The message names the question, so the error summary's links tell the questions apart.
    """
    ok = True
    for name in form.required_names:
        field = getattr(form, f"f_{name}")
        if field.data in (None, "", []) and not field.errors:
            field.errors = [*field.errors, message_for("required_named", label=field.label.text)]
            ok = False
    return ok


def answers_of(form: FlaskForm) -> dict[str, object]:
    """Return the checked answers by question name, as JSON primitives (the activity as typed)."""
    out: dict[str, object] = {}
    for name in form.question_names:
        field = getattr(form, f"f_{name}")
        value = field.data if name == form.activity_name else getattr(field, "clean", None)
        out[name] = json_safe(value)
    return out


def shown_values(answers: dict) -> dict[str, object]:
    """Map saved answers to the form's inputs (yes/no as "si"/"no")."""
    shown = {}
    for name, value in answers.items():
        if isinstance(value, bool):
            value = "si" if value else "no"
        shown[f"f_{name}"] = value
    return shown


class PlanSaveForm(FlaskForm):
    """ "Guardar mi plan": the answers travel in one hidden field, checked again when saved."""

    answers = HiddenField(validators=[InputRequired(), Length(max=4000)])
    submit = SubmitField(_l("Guardar mi plan"), widget=GovSubmitInput())


class PlanStepStartForm(FlaskForm):
    """A step's "Comenzar" button; the token makes a double click open one draft."""

    token = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Comenzar"), widget=GovSubmitInput())
