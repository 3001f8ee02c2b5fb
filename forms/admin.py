"""Forms of the admin console's reference data: days off, wages, MYPE rules, regimes, CLAEES."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from forms.fields import DayMonthYearField, SpanishDateInput
from forms.messages import message_for
from workflows.numbers import NumberError, parse_number

_DATE_REQUIRED = InputRequired(_l("Escriba la fecha, como 27 3 2027."))
_SOURCE = Length(max=300, message=_l("Escriba como máximo 300 caracteres."))
_NAME = Length(max=200, message=_l("Escriba como máximo 200 caracteres."))
_REASON = Length(max=1000, message=_l("Escriba como máximo 1000 caracteres."))
DAY_KINDS = [
    ("local", _l("Día de fiesta local (Código de Trabajo, Art. 190)")),
    ("decreed", _l("Día decretado no laborable")),
    ("working", _l("Día de vacación en que la oficina atiende")),
]


def _date(label):
    return DayMonthYearField(label, widget=SpanishDateInput(), validators=[_DATE_REQUIRED])


def _source():
    return StringField(
        _l("Fuente legal"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Escriba la fuente legal: decreto, artículo o acuerdo.")),
            _SOURCE,
        ],
        description=_l("Decreto y Diario Oficial, artículo o acuerdo del Concejo."),
    )


def _reason():
    return TextAreaField(
        _l("Motivo del cambio"),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Escriba el motivo.")), _REASON],
        description=_l("Queda en el registro de auditoría."),
    )


class DayOffAddForm(FlaskForm):
    """Add a day to an authority's calendar, with its source and the reason for adding it."""

    date = _date(_l("Fecha"))
    every_year = BooleanField(_l("Se repite cada año desde esa fecha"), widget=GovCheckboxInput())
    kind = RadioField(
        _l("Tipo de día"),
        choices=DAY_KINDS,
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Elija el tipo de día."))],
    )
    name = StringField(
        _l("Nombre del día"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Escriba el nombre del día.")), _NAME],
    )
    name_en = StringField(
        _l("Nombre en inglés (opcional)"), widget=GovTextInput(), validators=[_NAME]
    )
    source = _source()
    reason = _reason()
    submit = SubmitField(_l("Agregar el día"), widget=GovSubmitInput())


class DayOffRemoveForm(FlaskForm):
    """Take one of the authority's own days out of its calendar, from today on."""

    reason = _reason()
    submit = SubmitField(_l("Quitar el día"), widget=GovSubmitInput())


def read_amount(_form, field) -> None:
    """Check a money amount typed as the portal reads numbers (`workflows.numbers`)."""
    if not (field.data or "").strip():
        raise ValidationError(_l("Escriba el monto, como 408.80."))
    try:
        number = parse_number(field.data, money=True)
    except NumberError as refused:
        raise ValidationError(message_for(refused.code)) from refused
    if number <= 0:  # told with the other fields' problems, not after them
        raise ValidationError(message_for("amount_positive"))


def read_whole(_form, field) -> None:
    """Check a whole number of minimum wages or workers."""
    try:
        number = parse_number((field.data or "").strip())
    except NumberError as refused:
        raise ValidationError(
            _l("Escriba un número entero, sin decimales, por ejemplo 500.")
        ) from refused
    if number != number.to_integral_value():
        raise ValidationError(_l("Escriba un número entero, sin decimales, por ejemplo 500."))
    if number <= 0:
        raise ValidationError(message_for("amount_positive"))


class WageVersionForm(FlaskForm):
    """A minimum wage of a sector in force from a date."""

    sector = SelectField(_l("Sector"), widget=GovSelect(), validate_choice=False)
    valid_from = _date(_l("Vigente desde"))
    monthly = StringField(
        _l("Salario mínimo mensual (US$)"), widget=GovTextInput(), validators=[read_amount]
    )
    source = _source()
    # Set by the second screen: the admin saw a change of more than half and confirmed it.
    confirmed = HiddenField()
    submit = SubmitField(_l("Agregar la versión"), widget=GovSubmitInput())


def _whole(label):
    return StringField(label, widget=GovTextInput(), validators=[read_whole])


class MypeVersionForm(FlaskForm):
    """The Ley MYPE thresholds in force from a date (sales in minimum wages, and workers)."""

    valid_from = _date(_l("Vigente desde"))
    micro_max_wages = _whole(_l("Microempresa: ventas anuales hasta (salarios mínimos)"))
    small_max_wages = _whole(_l("Pequeña empresa: ventas anuales hasta (salarios mínimos)"))
    micro_max_workers = _whole(_l("Microempresa: trabajadores hasta"))
    small_max_workers = _whole(_l("Pequeña empresa: trabajadores hasta"))
    source = _source()
    confirmed = HiddenField()
    submit = SubmitField(_l("Agregar la versión"), widget=GovSubmitInput())

    def validate_small_max_wages(self, field) -> None:
        _above_micro(self.micro_max_wages, field)

    def validate_small_max_workers(self, field) -> None:
        _above_micro(self.micro_max_workers, field)


def _above_micro(micro, small) -> None:
    """A small-company limit above the micro one, when both read (told with every other
    field's problem, not after them)."""
    try:
        below = parse_number((micro.data or "").strip()) >= parse_number((small.data or "").strip())
    except NumberError:
        return
    if below:
        raise ValidationError(message_for("micro_below_small"))


class VersionWithdrawForm(FlaskForm):
    """Withdraw a version of a reference value that is not in force yet."""

    submit = SubmitField(_l("Sí, retirar la versión"), widget=GovSubmitInput())


class RegimeVersionForm(FlaskForm):
    """A district's tariff regime in force from a date."""

    district = SelectField(_l("Distrito"), widget=GovSelect(), validate_choice=False)
    regime = RadioField(
        _l("Régimen de tasas"),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(_l("Elija el régimen de tasas."))],
    )
    valid_from = _date(_l("Vigente desde"))
    source = _source()
    submit = SubmitField(_l("Agregar la versión"), widget=GovSubmitInput())


class ClaeesVersionForm(FlaskForm):
    """A new CLAEES table version from a CSV file (`code,description`)."""

    table_version = StringField(
        _l("Nombre de la versión"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Escriba el nombre de la versión, como CAT-019/2027.")),
            Length(max=40, message=_l("Escriba como máximo 40 caracteres.")),
        ],
    )
    valid_from = _date(_l("Vigente desde"))
    file = FileField(
        _l("Archivo CSV"),
        widget=GovFileInput(),
        description=_l(
            "Columnas code y description, en UTF-8; las líneas que empiezan con # se omiten."
        ),
    )
    submit = SubmitField(_l("Cargar la tabla"), widget=GovSubmitInput())


INHERIT = "inherit"


FIRST_YEAR, LAST_YEAR = 1990, 2100
_YEAR = re.compile("[0-9]{1,4}")


def read_year(_form, field) -> None:
    """Check a year: a whole number written without separators (`2027`, never `2,027`).

    The number parser is not used: it reads `2,027` as 2027 and raises on `1e30`; a year has
    no thousands and no decimals, so anything but its digits is refused here, at the field.
    """
    text = (field.data or "").strip()
    if not text:
        raise ValidationError(_l("Escriba el año, como 2027."))
    if not _YEAR.fullmatch(text):
        raise ValidationError(
            _l("Escriba el año con sus cuatro cifras, sin puntos ni comas, como 2027.")
        )
    if not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValidationError(_l("Escriba un año entre 1990 y 2100."))


def year_of(field) -> int:
    """Return the year a field checked by `read_year` holds."""
    return int(field.data.strip())


class CalendarSettingsForm(FlaskForm):
    """The vacation periods and the Holy Week variant of an authority from 1 January of a year."""

    year = StringField(
        _l("Desde el año"),
        widget=GovTextInput(),
        validators=[read_year],
        description=_l("Rige desde el 1 de enero de ese año; los años anteriores no cambian."),
    )
    vacations = RadioField(
        _l("Vacaciones de la administración pública"),
        choices=[
            (INHERIT, _l("Como la institución superior")),
            ("on", _l("Se aplican")),
            ("off", _l("No se aplican")),
        ],
        default=INHERIT,
        widget=GovRadioInput(),
    )
    holy_week = RadioField(
        _l("Días de vacación de Semana Santa"),
        choices=[
            (INHERIT, _l("Como la institución superior")),
            ("palm_sunday_to_easter_sunday", _l("Del Domingo de Ramos al Domingo de Resurrección")),
            ("holy_monday_to_easter_monday", _l("Del Lunes Santo al Lunes de Pascua")),
        ],
        default=INHERIT,
        widget=GovRadioInput(),
    )
    source = _source()
    submit = SubmitField(_l("Guardar el cambio"), widget=GovSubmitInput())
