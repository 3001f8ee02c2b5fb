"""Second-factor forms: a code from the authenticator app, or a recovery code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SecondFactorCodeForm(FlaskForm):
    """A 6-digit code (checked by portal.two_factor.services: format, window, replay)."""

    code = StringField(
        _l("Código de verificación"),
        widget=GovTextInput(),
        filters=[_strip],
        description=_l("Las 6 cifras que muestra ahora su aplicación de autenticación."),
        validators=[
            InputRequired(_l("Escriba el código de 6 cifras de su aplicación.")),
            Length(max=20, message=_l("Escriba las 6 cifras del código, sin letras.")),
        ],
    )
    submit = SubmitField(_l("Continuar"), widget=GovSubmitInput())


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        _l("Código de recuperación"),
        widget=GovTextInput(),
        filters=[_strip],
        description=_l(
            "Uno de los 10 códigos que guardó al activar la verificación, como abcde-fghjk."
        ),
        validators=[
            InputRequired(_l("Escriba uno de sus códigos de recuperación.")),
            Length(max=40, message=_l("Escriba el código como lo guardó, como abcde-fghjk.")),
        ],
    )
    submit = SubmitField(_l("Continuar"), widget=GovSubmitInput())
