"""Forms of the version lifecycle in the admin console: publish, confirm, copy, edit, import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, Regexp

from forms.fields import DayMonthYearField, SpanishDateInput


def _coerce_int(value):
    """A posted id or number; anything else is no choice (the service or view says so)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _revision():
    return HiddenField(filters=[lambda value: _coerce_int(value) if value is not None else None])


class VersionPublishForm(FlaskForm):
    """Publish a draft from a day on (today or later: the service checks it too)."""

    valid_from = DayMonthYearField(
        _l("Vigente desde"),
        widget=SpanishDateInput(),
        description=_l(
            "Los expedientes nuevos usarán esta versión desde ese día; los ya presentados "
            "siguen con la suya. Por ejemplo, 15 1 2027."
        ),
        validators=[InputRequired(_l("Escriba desde qué día rige, como 15 1 2027."))],
    )
    revision = _revision()
    #: Drawn only when the draft has no changes from the version in force (the service asks).
    unchanged = BooleanField(
        _l("Publicarla igualmente, sin cambios: solo cambia desde qué día rige"),
        widget=GovCheckboxInput(),
    )
    submit = SubmitField(_l("Publicar esta versión"), widget=GovSubmitInput())


class VersionConfirmForm(FlaskForm):
    """A button that confirms an action (retire, delete, create a draft)."""

    submit = SubmitField(_l("Confirmar"), widget=GovSubmitInput())


class VersionCloneForm(FlaskForm):
    """Copy a version into another authority the admin manages (choices set by the view)."""

    authority = SelectField(
        _l("Institución que recibe la copia"),
        widget=GovSelect(),
        coerce=_coerce_int,
        validate_choice=False,
        validators=[InputRequired(_l("Elija la institución."))],
    )
    submit = SubmitField(_l("Copiar como borrador"), widget=GovSubmitInput())


class DraftSourceForm(FlaskForm):
    """A draft's whole text (YAML), saved against the revision it was loaded at."""

    source = TextAreaField(
        _l("Texto de la definición (YAML)"),
        widget=GovTextArea(),
        validators=[InputRequired(_l("El texto no puede quedar vacío."))],
    )
    revision = _revision()
    submit = SubmitField(_l("Guardar el borrador"), widget=GovSubmitInput())


class ProcedureImportForm(FlaskForm):
    """An exported procedure file, stored as a new draft."""

    file = FileField(
        _l("Archivo exportado (YAML o JSON)"),
        widget=GovFileInput(),
        description=_l("El archivo que descargó con «Exportar» de este portal."),
    )
    version = StringField(
        _l("Versión que desea importar (opcional)"),
        widget=GovTextInput(),
        description=_l(
            "Si el archivo tiene varias versiones y deja esto vacío, se importa la más nueva."
        ),
        validators=[
            Optional(),
            Regexp(r"^[1-9][0-9]{0,8}$", message=_l("Escriba el número de versión, como 3.")),
        ],
    )
    submit = SubmitField(_l("Importar como borrador"), widget=GovSubmitInput())


class VersionCompareForm(FlaskForm):
    """Two versions of a procedure to compare (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    de = SelectField(
        _l("Versión anterior"), widget=GovSelect(), coerce=_coerce_int, validate_choice=False
    )
    a = SelectField(
        _l("Versión nueva"), widget=GovSelect(), coerce=_coerce_int, validate_choice=False
    )
    submit = SubmitField(_l("Comparar"), widget=GovSubmitInput())


class ProcedureCopyForm(FlaskForm):
    """Copy a published procedure of another authority (choices set by the view)."""

    source = SelectField(
        _l("Trámite publicado que desea copiar"),
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(_l("Elija el trámite."))],
    )
    authority = SelectField(
        _l("Institución que recibe la copia"),
        widget=GovSelect(),
        coerce=_coerce_int,
        validate_choice=False,
        validators=[InputRequired(_l("Elija la institución."))],
    )
    submit = SubmitField(_l("Copiar como borrador"), widget=GovSubmitInput())
