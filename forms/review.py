"""Forms of the back office and of simple actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length


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
        validators=[Length(max=5000, message=_l("Escriba como máximo 5000 caracteres."))],
    )
    lock_version = IntegerField(widget=HiddenField.widget)
    submit = SubmitField(_l("Registrar decisión"), widget=GovSubmitInput())


class ApplicationStartForm(FlaskForm):
    """The 'start' button; the token makes a double click open one draft."""

    token = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    submit = SubmitField(_l("Comenzar solicitud"), widget=GovSubmitInput())


class ApplicationActionForm(FlaskForm):
    """A bare CSRF-protected form for one-button actions (withdraw)."""

    submit = SubmitField(_l("Confirmar"), widget=GovSubmitInput())
