"""Forms of the back office and of simple actions."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from forms.builder import json_safe, wtf_field
from forms.fields import DayMonthYearField, SpanishDateInput, long_text


class CaseDecisionForm(FlaskForm):
    """Choose one of the actions the engine offers; choices are set by the view."""

    # The engine, not the list of choices, decides whether an action is allowed: a stale or
    # forged choice reaches it and is refused with its reason.
    action = RadioField(
        _l("¿Qué decide?"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Elija una acción."))],
    )
    comment = TextAreaField(
        _l("Motivo u observaciones"),
        widget=GovTextArea(),
        description=_l(
            "Obligatorio para prevenir, condicionar o denegar. La persona solicitante "
            "lo verá tal como lo escriba."
        ),
        validators=[long_text()],
    )
    lock_version = IntegerField(widget=HiddenField.widget)
    submit = SubmitField(_l("Registrar decisión"), widget=GovSubmitInput())
    # Input names of the outputs each action asks for (build_decision_form); none here.
    output_groups: dict[str, list[str]] = {}
    # Input names of the reasons and reasoned text of each action (with_reasons); none here.
    reason_groups: dict[str, list[str]] = {}


class ApplicationStartForm(FlaskForm):
    """The 'start' button; the token makes a double click open one draft."""

    token = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Comenzar solicitud"), widget=GovSubmitInput())


class ApplicationActionForm(FlaskForm):
    """A bare CSRF-protected form for one-button actions (withdraw)."""

    submit = SubmitField(_l("Confirmar"), widget=GovSubmitInput())


class CaseInspectionForm(FlaskForm):
    """Record a site visit."""

    visited_on = DayMonthYearField(
        _l("Fecha de la visita"),
        widget=SpanishDateInput(),
        validators=[InputRequired(_l("Escriba la fecha de la visita, como 27 3 2026."))],
    )
    result = RadioField(
        _l("Resultado"),
        widget=GovRadioInput(),
        choices=[
            ("conforme", _l("Conforme")),
            ("con_observaciones", _l("Con observaciones")),
            ("no_conforme", _l("No conforme")),
        ],
        validators=[InputRequired(_l("Elija el resultado de la visita."))],
    )
    notes = TextAreaField(
        _l("Acta u observaciones"), widget=GovTextArea(), validators=[long_text()]
    )
    submit_inspection = SubmitField(_l("Registrar inspección"), widget=GovSubmitInput())


class CasePaymentForm(FlaskForm):
    """Record that a payment order was paid (counter or bank receipt)."""

    reference = StringField(
        _l("Número de recibo o referencia bancaria"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Escriba el número del recibo.")), Length(max=80)],
    )
    submit_payment = SubmitField(_l("Registrar pago"), widget=GovSubmitInput())


def _reason_choices(label, reasons: list[tuple[str, str]]) -> SelectMultipleField:
    """Checkboxes of a procedure's reasons (code, label); a forged code is dropped later."""
    return SelectMultipleField(
        label, widget=GovCheckboxesInput(), choices=list(reasons), validate_choice=False
    )


def build_verdict_form(
    items: list[tuple[str, str]], reasons: Mapping[str, list[tuple[str, str]]] | None = None
) -> type[FlaskForm]:
    """A form with, per review item (key, label), 'conforme / no conforme' and a reason.

    `reasons` maps an item to the procedure's correction reasons that fit it (code, label):
    the item then offers them as checkboxes (`x_<key>`) under "No conforme", beside the free
    text (`r_<key>`). `seen` carries, hidden, what the page showed of the review
    (`portal.review.rounds.Seen`), so that a save from a stale page is refused.
    """
    reasons = reasons or {}

    class CaseVerdictForm(FlaskForm):
        seen = HiddenField(validators=[Length(max=20000)])
        submit_verdicts = SubmitField(_l("Guardar revisión"), widget=GovSubmitInput())

    for key, label in items:
        setattr(
            CaseVerdictForm,
            f"v_{key}",
            RadioField(
                label,
                widget=GovRadioInput(),
                validate_choice=True,
                choices=[("ok", _l("Conforme")), ("no", _l("No conforme"))],
                validators=[Optional()],
            ),
        )
        setattr(
            CaseVerdictForm,
            f"r_{key}",
            TextAreaField(
                _l("Motivo (si no es conforme)"),
                widget=GovTextArea(),
                validators=[Length(max=2000)],
            ),
        )
        if reasons.get(key):
            setattr(CaseVerdictForm, f"x_{key}", _reason_choices(_l("Motivos"), reasons[key]))
    CaseVerdictForm.items = tuple(items)
    return CaseVerdictForm


def with_reasons(
    form_class: type[CaseDecisionForm],
    reasons: dict[str, list[tuple[str, str]]],
    texts: dict[str, str],
) -> type[CaseDecisionForm]:
    """Add to a decision form, per action, its reasons (`x_<action>`) and its text (`t_<action>`).

    `reasons` maps an action to the reasons it offers (code, label); `texts` an action to its
    reasoned text, prefilled from the definition (`portal.review.reasoned`). Both are shown
    under the action's choice, with its outputs.
    """

    class CaseDecisionWithReasonsForm(form_class):
        pass

    extra: dict[str, list[str]] = {}
    for action, offered in reasons.items():
        if offered:
            name = f"x_{action}"
            setattr(CaseDecisionWithReasonsForm, name, _reason_choices(_l("Motivos"), offered))
            extra.setdefault(action, []).append(name)
    for action, text in texts.items():
        name = f"t_{action}"
        setattr(
            CaseDecisionWithReasonsForm,
            name,
            TextAreaField(
                _l("Texto de la resolución"),
                widget=GovTextArea(),
                default=text,
                description=_l(
                    "Texto propuesto por el procedimiento: revíselo y complételo. La persona "
                    "solicitante lo verá tal como quede."
                ),
                validators=[Length(max=10000, message=_l("Escriba como máximo 10000 caracteres."))],
            ),
        )
        extra.setdefault(action, []).append(name)
    CaseDecisionWithReasonsForm.reason_groups = extra
    return CaseDecisionWithReasonsForm


class CaseNoteForm(FlaskForm):
    """An internal note of the office on a case (never shown to the applicant)."""

    body = TextAreaField(
        _l("Nota interna"),
        widget=GovTextArea(),
        description=_l("Solo la ve el personal de la institución, nunca la persona solicitante."),
        validators=[
            DataRequired(_l("Escriba la nota.")),
            long_text(),
        ],
    )
    submit_note = SubmitField(_l("Agregar nota"), widget=GovSubmitInput())


def build_decision_form(outputs, locale: str) -> type[CaseDecisionForm]:
    """The decision form plus an input per output of each offered action that declares some.

    `outputs` is a list of (action, output field spec) pairs, in the definition's order. An
    output's input is named `o_<action>__<name>` and checked, with the engine's value rules
    (the application form's own check), only when its action is the one chosen.
    """

    class CaseDecisionWithOutputsForm(CaseDecisionForm):
        pass

    groups: dict[str, list[str]] = {}
    for action, spec in outputs:
        unbound = wtf_field(spec, locale, ())
        unbound.kwargs["validators"] = [_only_when_chosen(action), *unbound.kwargs["validators"]]
        name = f"o_{action}__{spec.name}"
        setattr(CaseDecisionWithOutputsForm, name, unbound)
        groups.setdefault(action, []).append(name)
    CaseDecisionWithOutputsForm.output_groups = groups
    return CaseDecisionWithOutputsForm


def _only_when_chosen(action: str):
    def check(form, field) -> None:
        if form.action.data != action:
            field.errors[:] = []
            raise StopValidation()

    return check


def decision_outputs(form: CaseDecisionForm, action: str) -> dict[str, object]:
    """The chosen action's outputs as the form checked them, as JSON-safe primitives."""
    names = getattr(form, "output_groups", {}).get(action, ())
    prefix = f"o_{action}__"
    return {name.removeprefix(prefix): json_safe(getattr(form, name).clean) for name in names}


class SubjectChoiceForm(FlaskForm):
    """Which of the applicant's records a draft is about (one subject); choices set by the view.

    The service checks the record is the applicant's; a forged id changes nothing.
    """

    subject = HiddenField(validators=[InputRequired(), Length(max=20)])
    record = SelectField(
        _l("Use los datos de"),
        widget=GovSelect(),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Elija uno de sus registros."))],
    )
    submit_choice = SubmitField(_l("Usar estos datos"), widget=GovSubmitInput())
