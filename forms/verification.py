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


_ASK_CODE = _l(
    "Para verificarlo escriba el código de verificación de 16 caracteres impreso junto al "
    "código QR, o suba el archivo PDF."
)

#: What the code box says, at its field, of a text that is not a verification code, by what
#: it is (`portal.tracking.identifiers.read_typed`); "%(ask)s" asks for the code.
NOT_A_CODE = {
    "blank": _l("Escriba el código de verificación."),
    "serial": _l("Ese es el número de serie del documento. %(ask)s"),
    "test_serial": _l(
        "Ese es el número de serie de un documento de prueba: la institución lo generó al "
        "ensayar un trámite. Es un documento de prueba, sin validez, y no se puede verificar."
    ),
    "test_number": _l(
        "Ese es el número de un expediente de prueba: la institución lo abrió al ensayar un "
        "trámite. Sus documentos son de prueba, sin validez, y no se pueden verificar."
    ),
    "payment_order": _l(
        "Ese es el número o la referencia de pago de un mandamiento de pago, no su código de "
        "verificación. %(ask)s"
    ),
    "tracking_number": _l(
        "Ese es un número de expediente, no un código de verificación. Consulte el estado del "
        "expediente en Seguimiento, con ese número y el código de seguimiento de su constancia "
        "de recepción."
    ),
    "tracking_code": _l(
        "Ese parece un código de seguimiento de un expediente (8 caracteres), no un código de "
        "verificación. Consulte el expediente en Seguimiento, con el número de expediente y ese "
        "código."
    ),
    "address": _l("Esa dirección no lleva un código de verificación. %(ask)s"),
    "foreign_characters": _l(
        "Revise %(chars)s: los códigos de verificación no llevan las letras I, L, O, U ni V ni "
        "las cifras 0 y 1. Quizá sea una letra o cifra parecida; compárelo con el documento."
    ),
    "wrong_length": _l(
        "El código de verificación tiene 16 letras y cifras, como K7QM-2PXA-H4TW-9ZRC; lo que "
        "escribió tiene %(count)s. Revíselo en el documento."
    ),
    "no_code": _l(
        "No encontramos un código de verificación en lo que escribió. Tiene 16 letras y "
        "cifras, como K7QM-2PXA-H4TW-9ZRC, y está impreso junto al código QR del documento."
    ),
}


def not_a_code_message(kind: str, **params: object) -> str:
    """The message at the code box for a text of `kind` (a key of `NOT_A_CODE`)."""
    return str(NOT_A_CODE[kind]) % {"ask": str(_ASK_CODE), **params}


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
