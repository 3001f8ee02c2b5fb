"""The counter's filing form (ventanilla) and the citizen's claim form (/reclamar).

A DUI or NIT is read by the one identifier rule (`workflows.identifiers.check_dui`,
`check_nit`), a phone and an e-mail by the same checks as a form field of those types
(`workflows.identifiers.validate_value`); each refusal is said at its field in Spanish
(`forms.messages`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from forms.builder import INPUT_PARAMS, TypedTextInput
from forms.messages import message_for
from workflows.identifiers import check_dui, check_nit, validate_value
from workflows.model import Field
from workflows.text import Text

#: How the citizen is identified: a DUI (persons) or a NIT (persons and companies).
ID_KINDS = ("dui", "nit")
_CHECK = {"dui": check_dui, "nit": check_nit}


def read_identifier(kind: str, value: str) -> tuple[str | None, str | None]:
    """Normalise a DUI or NIT by the one identifier rule: `(formatted, None)` or `(None, code)`."""
    return _CHECK.get(kind, check_nit)(value or "")


def _stripped(value):
    """The text without spaces around it, each run of spaces inside made one (None stays None)."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _identifier_check(form, field) -> None:
    """Check the identifier against the kind chosen and keep it as formatted."""
    value, code = read_identifier(form.id_kind.data, field.data)
    if code is not None:
        raise StopValidation(message_for(code))
    field.data = value


def _typed_check(kind: str):
    """Check an optional answer as a form field of this type would be checked."""
    spec = Field(name=kind, type=kind, label=Text(es=kind, en=kind))

    def check(form, field) -> None:
        value, code = validate_value(spec, (field.data or "").strip())
        if code is not None:
            raise StopValidation(message_for(code))
        field.data = value

    return check


def _identifier_field(label) -> StringField:
    return StringField(
        label,
        description=_l("Con o sin guiones: 01234567-8 o 0614-050707-104-8."),
        widget=TypedTextInput({"spellcheck": False, "autocomplete": "off"}),
        validators=[
            InputRequired(_l("Escriba el DUI o NIT.")),
            Length(max=40, message=_l("El DUI o NIT es demasiado largo.")),
            _identifier_check,
        ],
    )


class CounterFilingForm(FlaskForm):
    """Open a draft for a citizen at the counter; the token makes a double click open one.

    The procedure's choices are those of the clerk's scope; the view refuses any other (404,
    audited: a tampered form), so the field only asks that one be chosen.
    """

    token = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    procedure = SelectField(
        _l("Trámite"),
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired(_l("Elija el trámite."))],
        validate_choice=False,
    )
    id_kind = RadioField(
        _l("Documento de identidad"),
        widget=GovRadioInput(),
        choices=[("dui", _l("DUI")), ("nit", _l("NIT"))],
        default="dui",
        validators=[InputRequired(_l("Elija DUI o NIT."))],
    )
    identifier = _identifier_field(_l("Número de DUI o NIT"))
    full_name = StringField(
        _l("Nombre completo"),
        widget=TypedTextInput({"autocomplete": "off", "spellcheck": False}),
        # A name of only spaces is no name: stripped, then required like an empty box.
        filters=[_stripped],
        validators=[
            DataRequired(_l("Escriba el nombre completo de la persona.")),
            Length(max=200, message=_l("El nombre es demasiado largo.")),
        ],
    )
    email = StringField(
        _l("Correo electrónico (opcional)"),
        description=_l("Si lo da, recibirá allí los avisos de su expediente."),
        widget=TypedTextInput(INPUT_PARAMS["email"]),
        validators=[Optional(), Length(max=254), _typed_check("email")],
    )
    phone = StringField(
        _l("Teléfono (opcional)"),
        widget=TypedTextInput(INPUT_PARAMS["phone"]),
        validators=[Optional(), Length(max=30), _typed_check("phone")],
    )
    submit = SubmitField(_l("Comenzar solicitud en ventanilla"), widget=GovSubmitInput())


class ClaimForm(FlaskForm):
    """Claim a case filed at the counter: the receipt's number and claim code, and one's ID."""

    number = StringField(
        _l("Número de expediente"),
        description=_l("Está en su constancia de ventanilla, por ejemplo OPAMSS-2026-000123."),
        widget=TypedTextInput({"spellcheck": False, "autocomplete": "off"}),
        validators=[
            InputRequired(_l("Escriba el número de expediente.")),
            Length(max=60, message=_l("El número de expediente es demasiado largo.")),
        ],
    )
    code = StringField(
        _l("Código para reclamar"),
        description=_l("Está impreso en su constancia de ventanilla, por ejemplo K7QM-2PXA."),
        widget=TypedTextInput({"spellcheck": False, "autocomplete": "off"}),
        validators=[
            InputRequired(_l("Escriba el código para reclamar.")),
            Length(max=60, message=_l("El código para reclamar es demasiado largo.")),
        ],
    )
    identifier = StringField(
        _l("Su DUI o NIT"),
        description=_l("El mismo que dio en la ventanilla, con o sin guiones."),
        widget=TypedTextInput({"spellcheck": False, "autocomplete": "off"}),
        validators=[
            InputRequired(_l("Escriba su DUI o NIT.")),
            Length(max=40, message=_l("El DUI o NIT es demasiado largo.")),
        ],
    )
    submit = SubmitField(_l("Reclamar expediente"), widget=GovSubmitInput())
