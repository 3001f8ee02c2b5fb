"""Spanish messages (English through Flask-Babel) for every error and reason code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # field values (workflows.identifiers.validate_value)
    "required": _l("Este dato es obligatorio."),
    "not_a_number": _l("Escriba un número, por ejemplo 250 o 250.50."),
    "below_min": _l("El valor debe ser mayor o igual que %(min)s."),
    "above_max": _l("El valor debe ser menor o igual que %(max)s."),
    "too_long": _l("Escriba como máximo %(max_length)s caracteres."),
    "pattern_mismatch": _l("El formato no es válido."),
    "invalid_choice": _l("Elija una de las opciones."),
    "invalid_dui": _l("El DUI no es válido. Escríbalo como 01234567-8."),
    "invalid_nit": _l("El NIT no es válido. Escríbalo como 0614-050707-104-8 o use su DUI."),
    "invalid_email": _l("Escriba un correo electrónico válido, como nombre@ejemplo.com."),
    "invalid_phone": _l("Escriba un teléfono de El Salvador de 8 dígitos, como 2222-3333."),
    "invalid_date": _l("Escriba una fecha válida."),
    "invalid_activity_code": _l("Escriba el código de actividad económica de 5 dígitos (CLAEES)."),
    "invalid_point": _l("Escriba latitud y longitud, como 13.6929, -89.2182."),
    # uploads
    "empty_file": _l("El archivo está vacío."),
    "file_too_large": _l("El archivo es demasiado grande (máximo %(max_mb)s MB)."),
    "file_type_not_accepted": _l("El archivo debe ser PDF, JPG o PNG."),
    "document_missing": _l("Adjunte este documento para presentar la solicitud."),
    # Named, so that the error summary at the top says which question or document it is.
    "required_named": _l("Complete «%(label)s»."),
    "document_missing_named": _l("Adjunte «%(label)s» para presentar la solicitud."),
    "reason_required": _l("Escriba por qué no es conforme; la persona solicitante lo leerá."),
    "date_in_future": _l("La fecha no puede ser posterior a hoy."),
    # accounts
    "email_taken": _l("Ya existe una cuenta con este correo. Inicie sesión."),
    "password_too_short": _l("La contraseña debe tener al menos %(min)s caracteres."),
    "passwords_differ": _l("Las contraseñas no coinciden."),
    "bad_credentials": _l("El correo o la contraseña no son correctos."),
    # engine reasons
    "unknown_action": _l("Esta acción ya no es posible en el estado actual del expediente."),
    "role_not_allowed": _l("Su rol no permite esta acción en este estado."),
    "form_incomplete": _l("Faltan datos obligatorios."),
    "missing_documents": _l("Faltan documentos obligatorios."),
    "comment_required": _l("Escriba el motivo; la persona solicitante lo verá."),
    "fee_not_paid": _l("Falta el pago de la tasa."),
    "prerequisites_not_valid": _l("Falta una resolución previa vigente."),
    "inspection_not_recorded": _l("Falta registrar la inspección."),
    "items_not_verified": _l("Falta revisar todos los datos y documentos."),
    "invalid_output": _l("Revise los datos que pide esta decisión."),
    "stale_application": _l(
        "Otra persona actuó en este expediente mientras usted lo revisaba. Revise su estado actual."
    ),
    "not_editable": _l("Esta solicitud ya no se puede modificar."),
    "transition_not_allowed": _l("La acción no está permitida."),
}


def message_for(code: str, **params: object) -> str:
    """Return the translated message of a code, with its parameters filled in."""
    template = MESSAGES.get(code)
    if template is None:
        return str(_l("No se pudo completar la acción (%(code)s).", code=code))
    text = str(template)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text
