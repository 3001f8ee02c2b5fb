"""The public verification forms: a code typed from the paper, or the PDF itself; and the
back office's revocation and replacement of an issued document."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


class DocumentCodeForm(FlaskForm):
    code = StringField(
        _l("Código de verificación"),
        description=_l(
            "Está impreso junto al código QR del documento, por ejemplo K7QM-2PXA-H4TW-9ZRC. "
            "Puede escribirlo con o sin guiones, en mayúsculas o minúsculas."
        ),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Escriba el código de verificación.")),
            # Room for a pasted address of the QR code with a query string (typed_code finds
            # the code in it); anything longer is not a code.
            Length(max=500, message=_l("El código de verificación es demasiado largo.")),
        ],
    )
    submit_code = SubmitField(_l("Verificar el código"), widget=GovSubmitInput())


class DocumentFileForm(FlaskForm):
    document = FileField(
        _l("Archivo PDF del documento"),
        description=_l(
            "El PDF tal como lo recibió. Comprobamos su huella y su firma electrónica; "
            "no guardamos el archivo."
        ),
        widget=GovFileInput(),
    )
    submit_file = SubmitField(_l("Verificar el archivo"), widget=GovSubmitInput())


class DocumentLifecycleForm(FlaskForm):
    """Revoke an issued document, or replace it with a corrected one, with a public reason."""

    act = RadioField(
        _l("Qué hacer con el documento"),
        choices=[
            ("reemplazar", _l("Reemplazarlo por uno corregido (nuevo código)")),
            ("revocar", _l("Revocarlo (deja de ser válido)")),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Elija si lo reemplaza o lo revoca."))],
    )
    reason = TextAreaField(
        _l("Motivo"),
        description=_l(
            "Es público: lo ven la persona solicitante y cualquiera que verifique el documento "
            "(junto al documento y, si lo reemplaza, junto al nuevo). No escriba nombres, DUI, "
            "NIT, correos ni otros datos que identifiquen a personas; describa el hecho, por "
            "ejemplo «Se corrigió el área del inmueble.». Al menos 10 caracteres."
        ),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Escriba el motivo.")),
            Length(max=1000, message=_l("Escriba como máximo 1000 caracteres.")),
        ],
    )
    submit_lifecycle = SubmitField(_l("Registrar"), widget=GovSubmitInput())
