"""Sign-up and sign-in forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length


class AccountRegisterForm(FlaskForm):
    full_name = StringField(
        _l("Nombre completo"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Escriba su nombre completo.")),
            Length(max=200, message=_l("Escriba como máximo 200 caracteres.")),
        ],
    )
    email = EmailField(
        _l("Correo electrónico"),
        widget=GovTextInput(),
        description=_l("Le enviaremos aquí los avisos de sus trámites."),
        validators=[
            InputRequired(_l("Escriba su correo electrónico.")),
            Email(
                _l("Escriba un correo electrónico válido, como nombre@ejemplo.com."),
                check_deliverability=False,
            ),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Contraseña"),
        widget=GovPasswordInput(),
        description=_l("Al menos 10 caracteres. Una frase fácil de recordar es una buena opción."),
        validators=[
            InputRequired(_l("Escriba una contraseña.")),
            Length(min=10, max=256, message=_l("La contraseña debe tener al menos 10 caracteres.")),
        ],
    )
    password_confirm = PasswordField(
        _l("Repita la contraseña"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Repita la contraseña.")),
            EqualTo("password", _l("Las contraseñas no coinciden.")),
        ],
    )
    submit = SubmitField(_l("Crear cuenta"), widget=GovSubmitInput())


class AccountLoginForm(FlaskForm):
    email = EmailField(
        _l("Correo electrónico"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Escriba su correo electrónico."))],
    )
    password = PasswordField(
        _l("Contraseña"),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Escriba su contraseña."))],
    )
    submit = SubmitField(_l("Entrar"), widget=GovSubmitInput())
