"""The public tracking form: a tracking number and the secret code printed on the receipt."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length


class CaseTrackingForm(FlaskForm):
    number = StringField(
        _l("Número de expediente"),
        description=_l("Está en su constancia de recepción, por ejemplo OPAMSS-2026-000123."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Escriba el número de expediente.")),
            Length(max=60, message=_l("El número de expediente es demasiado largo.")),
        ],
    )
    code = StringField(
        _l("Código de seguimiento"),
        description=_l("Está impreso junto al número de expediente, por ejemplo K7QM-2PXA."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Escriba el código de seguimiento.")),
            Length(max=60, message=_l("El código de seguimiento es demasiado largo.")),
        ],
    )
    submit = SubmitField(_l("Consultar"), widget=GovSubmitInput())
