"""Sign-up, sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length


def _strip(value):
    """Spaces pasted around an address are not part of it."""
    return value.strip() if isinstance(value, str) else value


# The policy itself (length, common passwords) is portal.accounts.passwords, applied by the
# services; the form only asks for a value and its repetition.
def _new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("Contraseña"),
        widget=GovPasswordInput(),
        description=_l(
            "Al menos 12 caracteres. Una frase de varias palabras es fácil de recordar y difícil "
            "de adivinar; no use contraseñas comunes como 1234567890."
        ),
        validators=[InputRequired(_l("Escriba una contraseña."))],
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        _l("Repita la contraseña"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Repita la contraseña.")),
            EqualTo("password", _l("Las contraseñas no coinciden.")),
        ],
    )


def _email_field() -> EmailField:
    return EmailField(
        _l("Correo electrónico"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired(_l("Escriba su correo electrónico.")),
            Email(
                _l("Escriba un correo electrónico válido, como nombre@ejemplo.com."),
                check_deliverability=False,
            ),
            Length(max=254, message=_l("Escriba como máximo 254 caracteres.")),
        ],
    )


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
        filters=[_strip],
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
    password = _new_password_field()
    password_confirm = _confirm_field()
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


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Contraseña actual"),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Escriba su contraseña actual."))],
    )
    password = _new_password_field(_l("Contraseña nueva"))
    password_confirm = _confirm_field()
    submit = SubmitField(_l("Cambiar contraseña"), widget=GovSubmitInput())


class PasswordForgotForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Enviar enlace"), widget=GovSubmitInput())


class PasswordResetForm(FlaskForm):
    password = _new_password_field(_l("Contraseña nueva"))
    password_confirm = _confirm_field()
    submit = SubmitField(_l("Guardar contraseña"), widget=GovSubmitInput())


class EmailConfirmForm(FlaskForm):
    """One button: the link in the e-mail only shows it, so a mail scanner's visit changes
    nothing (state changes only by POST)."""

    submit = SubmitField(_l("Confirmar mi correo"), widget=GovSubmitInput())
