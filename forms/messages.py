"""Spanish messages (English through Flask-Babel) for every error and reason code."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # field values (workflows.identifiers.validate_value)
    "required": _l("Este dato es obligatorio."),
    "choose_activity": _l("Varias actividades coinciden: elija una de la lista."),
    "activity_not_found": _l(
        "No encontramos esa actividad. Escriba otras palabras, como «tienda», «pupusería» o"
        " «taller mecánico», o el código de cinco dígitos."
    ),
    "not_a_number": _l("Escriba un número con cifras, por ejemplo 250, 1250.50 o 1,250.50."),
    "number_ambiguous": _l(
        "No se sabe si la coma o el punto separa decimales. Use el punto para los decimales "
        "y la coma solo para los miles: escriba 2.5 (dos y medio) o 1,250.50."
    ),
    "number_grouping": _l(
        "Separe los miles en grupos de tres cifras, como 1,250,000.50, o escriba el número "
        "sin separadores: 1250000.50."
    ),
    "number_too_long": _l("El número tiene demasiadas cifras: escriba como máximo 15."),
    "money_half_cent": _l(
        "Escriba el monto en dólares con dos decimales como máximo, por ejemplo 1,250.50."
    ),
    "not_an_integer": _l("Escriba un número entero, sin decimales, por ejemplo 3."),
    "below_min": _l("El valor debe ser mayor o igual que %(min)s."),
    "above_max": _l("El valor debe ser menor o igual que %(max)s."),
    "too_long": _l("Escriba como máximo %(max_length)s caracteres."),
    "pattern_mismatch": _l("El formato no es válido."),
    "invalid_choice": _l("Elija una de las opciones."),
    "invalid_dui": _l("El DUI no es válido. Escríbalo como 01234567-8."),
    "dui_check_digit": _l(
        "El dígito verificador no coincide con los otros ocho dígitos del DUI. "
        "Revise que lo copió tal como aparece en el documento."
    ),
    "invalid_nit": _l("El NIT no es válido. Escríbalo como 0614-050707-104-8 o use su DUI."),
    "nit_check_digit": _l(
        "El dígito verificador no coincide con los demás dígitos del NIT. "
        "Revise que lo copió tal como aparece en la tarjeta o en su DUI."
    ),
    "invalid_cadastral_key": _l(
        "Escriba la matrícula del CNR como aparece en la escritura: ocho cifras, guion y cinco"
        " cifras, por ejemplo 60012345-00000."
    ),
    "invalid_district": _l("Elija uno de los distritos de la lista."),
    "invalid_district_choice": _l("Elija uno de los distritos de la lista."),
    "representative_self": _l(
        "Ese es su propio correo: escriba el correo de la persona que le representará."
    ),
    "invalid_email": _l("Escriba un correo electrónico válido, como nombre@ejemplo.com."),
    "invalid_phone": _l("Escriba un teléfono de El Salvador de 8 dígitos, como 2222-3333."),
    "invalid_date": _l("Escriba una fecha válida."),
    # dates (workflows.conditions.DateError, workflows.identifiers.date_bounds)
    "date_whole_in_day": _l("Escriba solo el día en esta casilla."),
    "date_incomplete": _l("Escriba el día, el mes y el año."),
    "date_day_invalid": _l("Escriba el día con cifras, de 1 a 31."),
    "date_month_invalid": _l("Escriba el mes con cifras, de 1 a 12, o con su nombre."),
    "date_month_out_of_range": _l("El mes va de 1 a 12."),
    "date_year_invalid": _l("Escriba el año con cuatro cifras, por ejemplo 2026."),
    "date_day_not_in_month": _l("Ese día no existe en %(month)s de %(year)s."),
    "date_too_early": _l("La fecha debe ser el %(min)s o posterior."),
    "date_too_late": _l("La fecha debe ser el %(max)s o anterior."),
    "invalid_activity_code": _l("Escriba el código de actividad económica de 5 dígitos (CLAEES)."),
    "invalid_point": _l("Escriba latitud y longitud, como 13.6929, -89.2182."),
    # resolution fields: the case a prerequisite needs (workflows.prerequisites.refusal)
    "resolution_not_found": _l(
        "El número %(number)s no está entre sus resoluciones. Elija una de la lista o revise "
        "el número."
    ),
    "resolution_other_procedure": _l(
        "El expediente %(number)s no es una resolución de %(procedure)s."
    ),
    "resolution_not_decided": _l("El expediente %(number)s todavía no ha sido resuelto."),
    "resolution_not_favourable": _l("La resolución %(number)s no fue favorable."),
    "resolution_expired": _l("La resolución %(number)s venció el %(expired_on)s."),
    "resolution_other_property": _l(
        "La resolución %(number)s es de otro inmueble; elija una de este inmueble."
    ),
    "resolution_other_establishment": _l(
        "La resolución %(number)s es de otro establecimiento; elija una de este establecimiento."
    ),
    "resolution_other_legal_unit": _l(
        "La resolución %(number)s es de otro titular (otro NIT); elija una del mismo titular."
    ),
    "resolution_missing": _l("No tiene una resolución de %(procedure)s favorable y vigente."),
    "invalid_resolution": _l(
        "Escriba el número de expediente de la resolución, como OPAMSS-2026-000001."
    ),
    # uploads
    "empty_file": _l("El archivo está vacío."),
    "file_too_large": _l("El archivo es demasiado grande (máximo %(max_mb)s MB)."),
    "file_type_not_accepted": _l(
        "El archivo debe ser %(types)s; el que adjuntó es de otro tipo por su contenido."
    ),
    "pdf_active_content": _l(
        "El PDF contiene elementos activos (%(findings)s), que no se aceptan. Ábralo y use "
        "«Imprimir» como PDF, o escanee el documento de nuevo, y adjunte ese archivo."
    ),
    "pdf_unreadable": _l("El PDF está dañado o protegido y no se puede leer. Adjunte otra copia."),
    "document_missing": _l("Adjunte este documento para presentar la solicitud."),
    # Named, so that the error summary at the top says which question or document it is.
    "required_named": _l("Complete «%(label)s»."),
    "document_missing_named": _l("Adjunte «%(label)s» para presentar la solicitud."),
    # A file sent with answers that came back with errors, under a requirement that only those
    # answers make apply: nothing of it was kept, and the browser cannot keep a chosen file.
    "document_attach_again": _l(
        "Este archivo no se guardó porque el formulario tiene errores. Corríjalos y adjúntelo "
        "de nuevo."
    ),
    "reason_required": _l("Escriba por qué no es conforme; la persona solicitante lo leerá."),
    "decision_reason_required": _l(
        "Marque al menos un motivo o escríbalo en el texto; la persona solicitante lo leerá."
    ),
    "reasoned_text_required": _l(
        "El texto de la decisión no puede quedar vacío: escriba sus fundamentos; la persona "
        "solicitante lo leerá."
    ),
    # A verdict saved from a page shown before someone else's (portal.review.services).
    "verdicts_changed": _l(
        "Otra persona guardó una revisión de «%(label)s» mientras usted tenía la página abierta. "
        "No se guardó nada: vea su veredicto actual y, si mantiene el suyo, guarde de nuevo."
    ),
    "verdicts_changed_all": _l(
        "La solicitud cambió mientras usted tenía la página abierta (otra revisión o una nueva "
        "presentación). No se guardó nada: revise lo que muestra ahora y guarde de nuevo."
    ),
    "date_in_future": _l("La fecha no puede ser posterior a hoy."),
    "date_before_filing": _l(
        "La fecha no puede ser anterior a la presentación de la solicitud (%(filed)s)."
    ),
    # accounts
    "email_taken": _l("Ya existe una cuenta con este correo. Inicie sesión."),
    "unknown_authority": _l("No existe una institución con el código «%(authority)s»."),
    "unknown_role": _l("No existe el rol «%(role)s»."),
    "password_too_short": _l("La contraseña debe tener al menos %(min)s caracteres."),
    "password_too_long": _l("La contraseña puede tener como máximo %(max)s caracteres."),
    "password_too_common": _l(
        "Esta contraseña es demasiado común o fácil de adivinar (aparece en listas de contraseñas "
        "filtradas o se parece a su correo o nombre). Use una frase de varias palabras."
    ),
    "current_password_wrong": _l("La contraseña actual no es correcta."),
    "passwords_differ": _l("Las contraseñas no coinciden."),
    "bad_credentials": _l("El correo o la contraseña no son correctos."),
    # second factor (portal/two_factor)
    "totp_format": _l("Escriba las 6 cifras del código, sin letras."),
    "totp_wrong": _l(
        "El código no es correcto. Escriba el que muestra ahora su aplicación de autenticación; "
        "si no funciona, revise que la hora de su teléfono sea la correcta."
    ),
    "totp_used": _l(
        "Ese código ya se usó. Espere a que su aplicación muestre uno nuevo y escríbalo."
    ),
    "recovery_code_wrong": _l(
        "El código de recuperación no es correcto o ya se usó. Cada código sirve una sola vez."
    ),
    "second_factor_required": _l(
        "Su rol exige la verificación en dos pasos, así que no puede desactivarla."
    ),
    # engine reasons
    "unknown_action": _l("Esta acción ya no es posible en el estado actual del expediente."),
    "role_not_allowed": _l("Su rol no permite esta acción en este estado."),
    "order_not_pending": _l(
        "Este mandamiento de pago ya no está pendiente: ya fue pagado o anulado."
    ),
    "online_payment_off": _l(
        "El pago en línea no está disponible. Pague en ventanilla o en el banco."
    ),
    "form_incomplete": _l("Faltan datos obligatorios."),
    "missing_documents": _l("Faltan documentos obligatorios."),
    "comment_required": _l("Escriba el motivo; la persona solicitante lo verá."),
    "fee_not_paid": _l("Falta el pago de la tasa."),
    "prerequisites_not_valid": _l("Falta una resolución previa vigente."),
    "inspection_not_recorded": _l("Falta registrar la inspección."),
    "items_not_verified": _l("Falta revisar todos los datos y documentos."),
    "invalid_output": _l("Revise los datos que pide esta decisión."),
    "procedure_retired": _l(
        "Este trámite ya no recibe solicitudes nuevas. Puede desistir de este borrador."
    ),
    "extension_beyond_limit": _l(
        "La prórroga supera el máximo que permite el procedimiento (%(limit)s días hábiles)."
    ),
    "stale_application": _l(
        "Otra persona actuó en este expediente mientras usted lo revisaba. Revise su estado actual."
    ),
    "not_editable": _l("Esta solicitud ya no se puede modificar."),
    # the queues and assignment (portal.review.queues, portal.review.assignment)
    "assignee_changed": _l(
        "Otra persona tomó o asignó este expediente mientras usted lo veía. No se cambió nada:"
        " revise quién lo tiene ahora."
    ),
    "invalid_assignee": _l(
        "Elija a una persona de su oficina cuyo rol atiende el expediente en su estado actual."
    ),
    "queue_date": _l("Escriba la fecha como año-mes-día, por ejemplo 2026-11-30."),
    "date_range": _l("La fecha «hasta» debe ser igual o posterior a la fecha «desde»."),
    "view_not_allowed": _l("Solo la jefatura y la administración ven toda la oficina."),
    "bad_cursor": _l(
        "El enlace de la página no es válido o caducó. Le mostramos la primera página."
    ),
    "transition_not_allowed": _l("La acción no está permitida."),
    # claiming a case filed at the counter (portal.walkin)
    "claim_not_found": _l(
        "No encontramos un expediente de ventanilla con ese número y ese código para reclamar. "
        "Revíselos tal como aparecen en su constancia de ventanilla."
    ),
    "claim_already_claimed": _l(
        "Este expediente ya fue reclamado y no se puede reclamar otra vez."
    ),
    "claim_already_yours": _l("Este expediente ya está en su cuenta, en «Mis solicitudes»."),
    "claim_identifier_mismatch": _l(
        "El DUI o NIT no coincide con el que se dio en la ventanilla o con el de sus datos. "
        "Escriba el mismo documento que presentó en la ventanilla."
    ),
    # inspections and opinions (portal.inspections, portal.opinions)
    "date_in_past": _l("La fecha no puede ser anterior a hoy."),
    "reason_required_plain": _l("Escriba el motivo."),
    "inspection_already_scheduled": _l(
        "Ya hay una visita programada para este expediente. Reprográmela o cancélela."
    ),
    "inspection_not_scheduled": _l(
        "Esta visita ya no está programada: fue registrada o cancelada."
    ),
    "not_your_inspection": _l("Esta visita está asignada a otra persona."),
    "checklist_answer_required": _l("Elija cumple, no cumple o no aplica."),
    "observation_required": _l("Escriba la observación: qué no cumple."),
    "too_many_photos": _l("Adjunte como máximo %(max)s fotografías."),
    "opinion_document_required": _l("Adjunte el documento de la respuesta."),
    "photo_heic": _l(
        "Las fotos HEIC del iPhone no se aceptan: en Ajustes > Cámara > Formatos elija «Más "
        "compatible», o envíela como JPG."
    ),
    "visit_day_off": _l(
        "El %(day)s no es día hábil de la oficina (%(reason)s). Elija un día hábil, como el "
        "%(next)s."
    ),
    "result_contradicts_checklist": _l(
        "El resultado no puede ser «Conforme» si algún punto de la lista no cumple: elija "
        "«Con observaciones» o «No conforme»."
    ),
    "inspection_needs_visit": _l(
        "Este trámite se inspecciona con su lista de verificación: programe la visita y "
        "regístrela desde «Mis inspecciones»."
    ),
    "inspection_already_recorded": _l(
        "Ya se registró una inspección en esta etapa del expediente; no se registra otra."
    ),
    "opinion_text_required": _l("Escriba las conclusiones o las condiciones de la opinión."),
    "date_before_request": _l("La fecha no puede ser anterior a la solicitud (%(requested)s)."),
    "opinion_not_pending": _l("Esta consulta ya no está pendiente: fue respondida o cancelada."),
}


#: How people call the MIME types a requirement accepts (workflows.model.MIME_TYPES).
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}
#: The file name endings a file input offers for each type (its `accept` attribute).
TYPE_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


def accepted_types(accept: tuple[str, ...] | list[str]) -> str:
    """Name a requirement's accepted types for people: "PDF", "PDF, JPG o PNG"."""
    names = [TYPE_NAMES.get(mime, mime) for mime in accept]
    if len(names) == 1:
        return names[0]
    return str(_l("%(first)s o %(last)s", first=", ".join(names[:-1]), last=names[-1]))


def accept_attribute(accept: tuple[str, ...] | list[str]) -> str:
    """The `accept` attribute of a file input for a requirement: MIME types and endings."""
    return ",".join(item for mime in accept for item in (mime, *TYPE_EXTENSIONS.get(mime, ())))


def date_message(refused) -> str:
    """The message of a `workflows.conditions.DateError`: each impossible part its own, the
    month of `date_day_not_in_month` named in the person's language."""
    from babel.dates import get_month_names
    from flask_babel import get_locale

    params: dict[str, object] = {}
    if "month" in refused.params:
        names = get_month_names("wide", locale=get_locale())
        params = {"month": names[refused.params["month"]], "year": refused.params["year"]}
    return message_for(refused.code, **params)


def _shown(value: object) -> object:
    """A message parameter as the person reads it: a date written out in their language
    ("domingo, 6 de diciembre de 2026"), a `{"es": ..., "en": ...}` name in their language."""
    from flask_babel import format_date, get_locale

    if isinstance(value, date):
        return format_date(value, "full")
    if isinstance(value, Mapping):
        locale = str(get_locale() or "es")
        return value.get(locale) or value.get("es") or ""
    return value


def message_for(code: str, **params: object) -> str:
    """Return the translated message of a code, with its parameters filled in.

    A `datetime.date` parameter is written out in the person's language, a mapping of
    language to text (`workflows.calendar.DayOff.name`) gives the person's language's text.
    """
    template = MESSAGES.get(code)
    if template is None:
        return str(_l("No se pudo completar la acción (%(code)s).", code=code))
    text = str(template)
    params = {key: _shown(value) for key, value in params.items()}
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text
