"""Forms of inspections (schedule, reschedule, cancel, record a visit) and opinions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from forms.fields import DayMonthYearField, SpanishDateInput, long_text

_MAX = long_text()
RESULTS = [
    ("conforme", _l("Conforme")),
    ("con_observaciones", _l("Con observaciones")),
    ("no_conforme", _l("No conforme")),
]
CHECKLIST_CHOICES = [
    ("cumple", _l("Cumple")),
    ("no_cumple", _l("No cumple")),
    ("no_aplica", _l("No aplica")),
]
OPINION_ANSWERS = [
    ("positiva", _l("Favorable")),
    ("negativa", _l("Desfavorable")),
    ("con_condiciones", _l("Favorable con condiciones")),
]


def _coerce_id(value):
    """An inspector's id as posted; anything else is no choice (the service says so)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _visit_day(label):
    return DayMonthYearField(
        label,
        widget=SpanishDateInput(),
        validators=[InputRequired(_l("Escriba la fecha, como 27 3 2026."))],
    )


def _inspector():
    # The service checks the inspector is one of the case's scope; choices are set by the view.
    return SelectField(
        _l("Inspector o inspectora"),
        widget=GovSelect(),
        coerce=_coerce_id,
        validate_choice=False,
        validators=[InputRequired(_l("Elija quién hará la visita."))],
    )


def _reason(label):
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=[InputRequired(_l("Escriba el motivo.")), _MAX],
    )


class InspectionScheduleForm(FlaskForm):
    """Schedule the site visit: the day and the inspector."""

    scheduled_for = _visit_day(_l("Fecha de la visita"))
    inspector = _inspector()
    notes = TextAreaField(
        _l("Indicaciones para la visita (opcional)"), widget=GovTextArea(), validators=[_MAX]
    )
    submit_schedule = SubmitField(_l("Programar inspección"), widget=GovSubmitInput())


class InspectionRescheduleForm(FlaskForm):
    """Move a scheduled visit to another day or inspector, saying why."""

    scheduled_for = _visit_day(_l("Nueva fecha de la visita"))
    inspector = _inspector()
    reason = _reason(_l("Motivo del cambio"))
    submit_reschedule = SubmitField(_l("Reprogramar"), widget=GovSubmitInput())


class InspectionCancelForm(FlaskForm):
    """Cancel a scheduled visit, saying why."""

    reason = _reason(_l("Motivo de la cancelación"))
    submit_cancel = SubmitField(_l("Cancelar la visita"), widget=GovSubmitInput())


def build_visit_form(checklist: list[tuple[str, str]]) -> type[FlaskForm]:
    """The record of a visit: day, result, each checklist item (code, label), photos, notes.

    Each item gets `c_<code>` (cumple / no cumple / no aplica) and `o_<code>` (observation).
    """

    class InspectionVisitForm(FlaskForm):
        visited_on = _visit_day(_l("Fecha de la visita"))
        result = RadioField(
            _l("Resultado"),
            widget=GovRadioInput(),
            choices=RESULTS,
            validators=[InputRequired(_l("Elija el resultado de la visita."))],
        )
        notes = TextAreaField(_l("Acta u observaciones"), widget=GovTextArea(), validators=[_MAX])
        photos = MultipleFileField(
            _l("Fotografías (opcional)"),
            description=_l("JPG o PNG, hasta 10 fotografías de 10 MB cada una."),
            widget=GovFileInput(multiple=True),
            render_kw={"accept": "image/jpeg,.jpg,.jpeg,image/png,.png", "multiple": True},
        )
        submit_visit = SubmitField(_l("Registrar inspección"), widget=GovSubmitInput())

    for code, label in checklist:
        setattr(
            InspectionVisitForm,
            f"c_{code}",
            RadioField(
                label,
                widget=GovRadioInput(),
                choices=CHECKLIST_CHOICES,
                validators=[InputRequired(_l("Elija cumple, no cumple o no aplica."))],
            ),
        )
        setattr(
            InspectionVisitForm,
            f"o_{code}",
            TextAreaField(_l("Observación"), widget=GovTextArea(), validators=[_MAX]),
        )
    InspectionVisitForm.checklist = list(checklist)
    return InspectionVisitForm


class OpinionRequestForm(FlaskForm):
    """Ask an institution for its technical opinion; choices are set by the view."""

    institution = RadioField(
        _l("Institución"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Elija la institución a consultar."))],
    )
    question = TextAreaField(
        _l("Qué se consulta"),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Escriba qué se consulta.")), _MAX],
    )
    due_on = DayMonthYearField(
        _l("Fecha límite de respuesta (opcional)"),
        description=_l("Si la deja vacía, se calcula con los días hábiles de la institución."),
        widget=SpanishDateInput(),
        validators=[Optional()],
    )
    submit_opinion = SubmitField(_l("Solicitar opinión técnica"), widget=GovSubmitInput())


class OpinionAnswerForm(FlaskForm):
    """Record the institution's answer and its document."""

    answer = RadioField(
        _l("Sentido de la opinión"),
        widget=GovRadioInput(),
        choices=OPINION_ANSWERS,
        validators=[InputRequired(_l("Elija el sentido de la opinión."))],
    )
    text = TextAreaField(
        _l("Conclusiones o condiciones"),
        description=_l("Obligatorio si es desfavorable o con condiciones."),
        widget=GovTextArea(),
        validators=[_MAX],
    )
    answered_on = _visit_day(_l("Fecha de la respuesta"))
    document = FileField(
        _l("Documento de la respuesta"),
        description=_l("PDF, JPG o PNG, hasta 20 MB."),
        widget=GovFileInput(),
        render_kw={"accept": "application/pdf,.pdf,image/jpeg,.jpg,.jpeg,image/png,.png"},
    )
    submit_answer = SubmitField(_l("Registrar respuesta"), widget=GovSubmitInput())


class OpinionCancelForm(FlaskForm):
    """Withdraw a pending request, saying why."""

    reason = _reason(_l("Motivo de la cancelación"))
    submit_cancel_opinion = SubmitField(_l("Cancelar la consulta"), widget=GovSubmitInput())
