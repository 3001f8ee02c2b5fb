"""Spanish messages (English through Flask-Babel) for every error and reason code."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_DOWN, Decimal

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # field values (workflows.identifiers.validate_value)
    "required": _l("Este dato es obligatorio."),
    "row_incomplete": _l(
        "Falta este dato: escríbalo, o quite la fila con «Quitar» si no la necesita."
    ),
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
    "text_too_long": _l("Escriba como máximo %(max)s caracteres; este texto tiene %(length)s."),
    "money_half_cent": _l(
        "Escriba el monto en dólares con dos decimales como máximo, por ejemplo 1,250.50."
    ),
    "money_negative": _l("Un monto en dólares no puede ser negativo."),
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
    # /verificar: a phone's photo of the paper, where the PDF was asked for
    "photo_not_verifiable": _l(
        "Ese archivo es una foto o una imagen, no el PDF del documento. Una foto o un escaneo "
        "del papel no se puede comprobar por su archivo: escriba el código de verificación "
        "impreso junto al código QR, o escanee el QR con el teléfono."
    ),
    "pdf_active_content": _l(
        "El PDF contiene elementos activos (%(findings)s), que no se aceptan. Ábralo y use "
        "«Imprimir» como PDF, o escanee el documento de nuevo, y adjunte ese archivo."
    ),
    "document_replaced": _l(
        "Este documento ya fue reemplazado: revoque o reemplace el documento que lo reemplazó."
    ),
    "document_revoked": _l("Este documento está revocado: no se puede reemplazar."),
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
    "staff_email_taken": _l(
        "Ya existe una cuenta con este correo. Búsquela en la lista de personal."
    ),
    "staff_no_role": _l("Elija al menos un rol."),
    "last_admin": _l(
        "Es la única persona que administra su institución: dé antes ese rol a otra persona."
    ),
    "cannot_deactivate_self": _l("No puede desactivar su propia cuenta."),
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
    "assignee_role_not_acting": _l(
        "Ninguno de sus roles atiende el expediente en el estado en que está."
    ),
    "assignee_cannot_see": _l("Es un expediente de una institución que esa persona no atiende."),
    "assignee_not_in_scope": _l("Esa persona no es personal activo de su institución."),
    "reassign_case_closed": _l("El expediente ya no está abierto."),
    "reassign_case_moved": _l(
        "Otra persona cambió su asignación mientras usted veía la página: revise quién lo tiene."
    ),
    "reassign_target": _l("Elija a otra persona activa de su institución."),
    "queue_date": _l("Escriba la fecha como año-mes-día, por ejemplo 2026-11-30."),
    "audit_date": _l("Escriba una fecha del calendario como día/mes/año, por ejemplo 30/11/2026."),
    "date_range": _l("La fecha «hasta» debe ser igual o posterior a la fecha «desde»."),
    "view_not_allowed": _l("Solo la jefatura y la administración ven toda la oficina."),
    "bad_cursor": _l(
        "El enlace de la página no es válido o caducó. Le mostramos la primera página."
    ),
    "transition_not_allowed": _l("La acción no está permitida."),
    # test mode (portal.testcases)
    "not_a_test_case": _l(
        "Solo se simulan plazos en un caso de prueba: los expedientes reales los revisa la"
        " tarea diaria de plazos."
    ),
    "no_deadline_running": _l(
        "En este estado no corre ningún plazo con una acción al vencer: no hay nada que simular."
    ),
    "opinion_recorder_missing": _l(
        "En este estado ningún rol registra respuestas de instituciones consultadas."
    ),
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
    # reference data of the admin console (portal.authorities, portal.reference)
    "day_in_past": _l(
        "Elija una fecha desde hoy, %(today)s: los plazos ya contados no cambian. Un día pasado "
        "que faltó se corrige por la línea de comandos, con su fuente."
    ),
    "day_off_exists": _l("Ese día ya está en el calendario de la institución."),
    "day_off_not_found": _l("Ese día no es de esta institución o ya no rige."),
    "not_a_vacation_day": _l(
        "Solo un día de vacación puede volverse día hábil; el %(day)s es: %(what)s."
    ),
    "unknown_day_kind": _l("Elija el tipo de día."),
    "name_required": _l("Escriba el nombre del día."),
    "source_required": _l("Escriba la fuente legal: decreto, artículo o acuerdo."),
    "valid_from_past": _l(
        "Elija una fecha desde hoy, %(today)s: una versión desde una fecha pasada cambiaría lo "
        "que ya se calculó en expedientes presentados o resueltos."
    ),
    "version_exists": _l(
        "Ya hay una versión desde el %(version)s: elija otra fecha, o corrija esa versión "
        "mientras no rija."
    ),
    "version_in_force": _l(
        "Esta versión rige desde el %(day)s: ya no se corrige ni se retira. Agregue una versión "
        "nueva desde una fecha próxima."
    ),
    "year_past": _l(
        "Elija un año desde %(year)s: el cambio rige desde el 1 de enero y los años ya "
        "empezados no cambian."
    ),
    "year_exists": _l("Ya hay un cambio desde ese año: elija otro año."),
    "day_already_off": _l(
        "El %(day)s ya no es día hábil (%(what)s): no hace falta agregarlo al calendario."
    ),
    "day_is_holiday": _l(
        "El %(day)s ya es asueto nacional (%(what)s): no hace falta agregarlo al calendario."
    ),
    "day_other_year": _l(
        "Esta página es el calendario de %(year)s: escriba una fecha de %(year)s, o vaya al "
        "calendario de %(other)s."
    ),
    "amount_positive": _l("Escriba un número mayor que cero."),
    "micro_below_small": _l("Debe ser mayor que el límite de la microempresa."),
    "version_required": _l("Escriba el nombre de la versión, como CAT-019/2027."),
    "table_header": _l("La primera línea del archivo debe ser: code,description"),
    "table_empty": _l("Elija un archivo CSV con al menos un código."),
    "table_rows_invalid": _l("Hay %(count)s errores en el archivo."),
    "code_format": _l("Línea %(line)s: el código «%(value)s» debe tener cuatro o cinco dígitos."),
    "code_repeated": _l("Línea %(line)s: el código %(value)s ya está en una línea anterior."),
    "description_required": _l("Línea %(line)s: falta la descripción."),
    "description_too_long": _l("Línea %(line)s: la descripción tiene más de %(max)s caracteres."),
    "reason_too_short": _l(
        "Explique el motivo en al menos %(min_length)s caracteres; es público y debe entenderse."
    ),
    "reason_names_a_person": _l(
        "El motivo es público: quite el DUI, NIT, correo u otro dato que identifique a una "
        "persona, y describa el hecho sin nombrarla."
    ),
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
    # versions in the admin console (portal.admin.services)
    "draft_unchanged": _l(
        "Este borrador no tiene cambios respecto de la versión %(version)s en vigor. Si solo "
        "quiere que rija desde otro día, marque «Publicarla igualmente, sin cambios»."
    ),
    "not_a_draft": _l("La versión %(version)s ya no es un borrador: no se puede cambiar."),
    "not_published": _l("Solo se retira una versión publicada; un borrador se elimina."),
    "draft_has_cases": _l(
        "Hay %(count)s expedientes presentados con este borrador: no se puede eliminar."
    ),
    "draft_not_loadable": _l(
        "La versión %(version)s es un borrador con problemas: corríjalos para compararla."
    ),
    "same_versions": _l("Elija dos versiones distintas para compararlas."),
    "authority_out_of_scope": _l("Elija una de las instituciones que usted administra."),
    "same_authority": _l(
        "El trámite ya es de esa institución: para una versión nueva use «Crear borrador»."
    ),
    "slug_taken": _l(
        "%(authority)s ya tiene un trámite «%(slug)s». Edite ese trámite o elimine su borrador "
        "antes de copiar este."
    ),
    "stale_draft_mine": _l(
        "Usted guardó este borrador en otra pestaña o ventana mientras lo revisaba aquí. "
        "Vuelva a revisarlo."
    ),
    "stale_draft": _l(
        "Otra persona guardó este borrador mientras usted lo revisaba. Vuelva a revisarlo."
    ),
    "import_file_required": _l("Elija el archivo exportado del trámite."),
    "dates_reversed": _l("«Hasta» es anterior a «Desde»: escriba una fecha igual o posterior."),
    "import_empty": _l("El archivo está vacío. Elija el archivo tal como lo exportó el portal."),
    "import_unreadable": _l(
        "No se pudo leer el archivo: %(problem)s Elija el archivo tal como lo exportó el portal."
    ),
    "import_wrong_format": _l(
        "El archivo no es una exportación de trámite de este portal (formato «%(found)s»; se "
        "espera «%(expected)s»)."
    ),
    "import_malformed": _l(
        "El archivo dice ser una exportación de trámite, pero le faltan datos o fue modificado "
        "(institución, identificador o versiones). Exporte el trámite de nuevo."
    ),
    "import_no_such_version": _l("El archivo no contiene la versión %(version)s."),
    "import_out_of_scope": _l(
        "El archivo es de la institución «%(authority)s», que usted no administra."
    ),
    "import_draft_exists": _l(
        "Este trámite ya tiene un borrador (versión %(version)s): publíquelo o elimínelo antes "
        "de importar otro."
    ),
    # the draft editors (portal.admin.editors*)
    "section_not_drawable": _l(
        "Esta sección del borrador tiene una forma que el editor no puede mostrar: corríjala "
        "en el editor YAML."
    ),
    "other_language_missing": _l(
        "Escriba el texto también en el otro idioma: un aviso se envía en español o en inglés."
    ),
}

#: What each problem of a procedure definition means (`workflows.Problem.code`; the validator,
#: the file reader and the portal's checks): the one place their Spanish text lives.
PROBLEMS = {
    # the file itself (workflows.source)
    "too_large": _l("El texto es demasiado grande (más de 1 MB)."),
    "not_text": _l("El archivo no es texto UTF-8 o contiene caracteres de control."),
    "too_deep": _l("El texto anida demasiados niveles."),
    "not_yaml": _l("El texto no es YAML válido: revise la sangría, los dos puntos y las comillas."),
    "too_many_values": _l("El texto se expande a demasiados valores (alias repetidos)."),
    "recursive_alias": _l("Un alias se refiere a sí mismo."),
    "duplicate_key": _l("Esta clave aparece dos veces."),
    "unsupported_tag": _l("Las etiquetas YAML («!») no se admiten."),
    "complex_key": _l("Una clave debe ser un texto sencillo."),
    "not_a_mapping": _l("El texto debe ser un mapa de claves y valores."),
    "not_readable": _l("No se pudo leer el archivo."),
    "identity_changed": _l(
        "La institución, el identificador y el número de versión de un borrador no cambian."
    ),
    # the schema (workflows.schemas)
    "missing_key": _l("Falta este dato obligatorio."),
    "unknown_key": _l("Esta clave no existe aquí: revise cómo se escribe."),
    "wrong_type": _l("El valor no es del tipo esperado (texto, número, lista o mapa)."),
    "wrong_type.number": _l(
        "Aquí va un número, con cifras y el punto como decimal, sin comillas (por ejemplo "
        "1250.50); «%(value)s» no lo es."
    ),
    "wrong_type.integer": _l(
        "Aquí va un número entero, sin decimales ni comillas (por ejemplo 30); «%(value)s» no "
        "lo es."
    ),
    "wrong_type.string": _l("Aquí va un texto; «%(value)s» no lo es: escríbalo entre comillas."),
    "wrong_type.boolean": _l("Aquí va true (sí) o false (no); «%(value)s» no lo es."),
    "wrong_type.object": _l("Aquí van claves con sus valores (un mapa), no un solo valor."),
    "wrong_type.array": _l("Aquí va una lista (elementos que empiezan con «- »)."),
    "not_allowed": _l("Este valor no está entre los permitidos."),
    "bad_format": _l("El valor no tiene el formato esperado."),
    "out_of_range": _l("El número está fuera del rango permitido."),
    "out_of_range.between": _l("El número debe estar entre %(min)s y %(max)s."),
    "out_of_range.above_below": _l("El número debe ser mayor que %(min)s y no pasar de %(max)s."),
    # a file size (`max_bytes`): the editor and the forms speak of MB (`megabytes`)
    "out_of_range.megabytes": _l(
        "El tamaño máximo del archivo debe ser mayor que 0 MB y no pasar de %(max)s MB."
    ),
    "not_finite": _l(
        "Escriba un número con cifras: .inf (infinito) y .nan (no es un número) no se admiten."
    ),
    # money (workflows.numbers.money_problem): the rule the Tasas editor applies as typed
    "number_too_long": MESSAGES["number_too_long"],
    "money_half_cent": MESSAGES["money_half_cent"],
    "money_negative": MESSAGES["money_negative"],
    "not_a_number": MESSAGES["not_a_number"],
    "empty": _l("No puede quedar vacío."),
    "too_many_items": _l("La lista tiene más elementos de los permitidos."),
    "too_long": _l("El texto es más largo de lo permitido."),
    "too_long.chars": _l("Escriba como máximo %(max)s caracteres; este texto tiene %(length)s."),
    "mixed_shapes": _l("Use una sola de las formas posibles, no varias a la vez."),
    "duplicate_item": _l("La lista repite un elemento."),
    "invalid_shape": _l("El valor no tiene ninguna de las formas permitidas."),
    "invalid_params": _l("Los parámetros no son los que esta verificación o efecto admite."),
    # duplicates (workflows.validator)
    "duplicate_code": _l("Este código ya se usa en otro elemento de la lista."),
    "duplicate_name": _l("Este nombre ya se usa en otro elemento de la lista."),
    "duplicate_value": _l("Esta opción aparece dos veces."),
    "duplicate_procedure": _l("Este trámite previo aparece dos veces."),
    "duplicate_field": _l("Este campo ya cumple otra función."),
    "duplicate_binding": _l("Otro campo ya está vinculado a este dato del diccionario."),
    # meaning (workflows.validator)
    "ambiguous_transition": _l(
        "Dos transiciones con la misma acción salen del mismo estado: no se sabe cuál tomar."
    ),
    "too_many_alternatives": _l("Demasiadas alternativas para la misma acción y estado."),
    "breach_without_deadline": _l("Hay una acción al vencer el plazo, pero no hay plazo."),
    "breach_without_role": _l("La acción al vencer el plazo no dice a quién avisar."),
    "breach_without_target": _l("La acción al vencer el plazo no dice a qué estado pasar."),
    "effects_without_move": _l("La acción al vencer el plazo no mueve ni hace nada."),
    "certificate_not_defined": _l("Falta la sección del certificado que se emite."),
    "condition_too_deep": _l("La condición anida demasiados niveles."),
    "dead_end_state": _l("Un expediente en este estado no tendría salida."),
    "trapped_states": _l(
        "Estos estados forman un ciclo sin salida: los expedientes quedarían atrapados."
    ),
    "unreachable_state": _l("Ningún expediente puede llegar a este estado."),
    "no_approval_reachable": _l("Ningún camino lleva a una aprobación."),
    "transition_from_final_state": _l("Una transición sale de un estado final."),
    "wrong_target_kind": _l("Esta acción no puede llevar a ese tipo de estado."),
    "resolution_not_final": _l("La resolución debe llevar a un estado que decide el expediente."),
    "suspension_not_resumed": _l(
        "Se puede decidir sin reanudar el plazo suspendido (falta «resume_clock»)."
    ),
    "silence_while_correcting": _l(
        "El plazo corre mientras la persona solicitante corrige: suspéndalo en ese estado."
    ),
    "zero_correction_days": _l(
        "El expediente se abandonaría el mismo día en que se piden correcciones: dé días."
    ),
    "extension_beyond_limit": _l("La prórroga supera el máximo que permite el catálogo."),
    "fees_never_requested": _l("Hay tasas, pero ninguna transición emite el mandamiento de pago."),
    "payment_without_fees": _l("Se emite un mandamiento de pago sin tasas que cobrar."),
    "inspection_not_checked": _l(
        "Hay lista de inspección, pero ninguna transición verifica que se registró."
    ),
    "prerequisites_not_checked": _l(
        "Hay trámites previos, pero ninguna transición verifica que estén vigentes."
    ),
    "prerequisite_cycle": _l("Estos trámites se exigen unos a otros: ninguno podría iniciarse."),
    "self_prerequisite": _l("El trámite se exige a sí mismo: ningún primer caso podría avanzar."),
    "resolution_without_prerequisite": _l("Ningún trámite previo usa este campo de resolución."),
    "visibility_mismatch": _l(
        "Este campo debe mostrarse exactamente cuando el trámite previo se exige."
    ),
    "unknown_prerequisite": _l("El trámite previo no está publicado en el catálogo."),
    "version_not_newer": _l(
        "Ya hay publicada una versión con número mayor: los casos nuevos nunca tomarían esta."
    ),
    "version_published": _l("Esa versión ya está publicada y no cambia."),
    "not_applicable": _l("Este dato no aplica a este tipo de campo."),
    "invalid_range": _l("El máximo es menor que el mínimo."),
    "invalid_bound": _l("El límite no es un número."),
    "invalid_pattern": _l("El patrón no es una expresión válida."),
    "invalid_date": _l("No es una fecha del calendario (use AAAA-MM-DD)."),
    "missing_translation": _l("Falta el texto en uno de los idiomas."),
    "outputs_not_for_role": _l("Este rol no puede entregar los datos de la decisión."),
    "reason_never_offered": _l("Este motivo nunca se ofrece en el flujo."),
    "reason_items_never_offered": _l("Estos elementos del motivo nunca se ofrecen."),
    "reason_items_unused": _l("Los elementos de un motivo solo se usan en correcciones."),
    "review_item_clash": _l("Un campo y un documento comparten el mismo nombre."),
    "subject_not_bound": _l("Ningún campo está vinculado a este dato de la persona titular."),
    "type_mismatch": _l("El tipo del campo no corresponde al dato del diccionario."),
    "unknown_choice": _l("Esta opción no existe en el dato del diccionario."),
    "unknown_element": _l("Este dato no existe en el diccionario de datos."),
    "unknown_field": _l("Ese campo no existe en el formulario."),
    "unknown_question": _l("Esta pregunta no existe."),
    "unknown_state": _l("Este estado no existe en el flujo."),
    "unknown_role": _l("Este rol no existe."),
    "unknown_guard": _l("Esta verificación no existe."),
    "unknown_effect": _l("Este efecto no existe."),
    "unsupported_effect": _l("El portal no sabe realizar este efecto."),
    "unknown_authority": _l("Esta institución no existe."),
    "unknown_journey": _l("Este recorrido no existe."),
    "unknown_life_event": _l("Este hecho de vida no existe."),
    "unknown_certificate_template": _l("Este formato de certificado no existe."),
    "invalid_certificate_layout": _l("El diseño del certificado no es válido."),
    "unsafe_certificate_layout": _l("El diseño del certificado usa algo no permitido."),
    "invalid_notice": _l("El texto del aviso no es válido: revise las marcas {{ }} que usa."),
    "bad_template": _l("El texto no es válido: revise las marcas {{ }} que usa."),
    "unknown_placeholder": _l("Esta marca {{ }} no existe en este texto."),
    "unknown_placeholder.named": _l("La marca «%(mark)s» no existe en este texto."),
    "invalid": _l("Este valor no es válido."),
    # the draft editors (portal.admin.editors*)
    "duplicate_action": _l("La acción está repetida desde el mismo estado."),
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


def problem_message(problem: object) -> str:
    """Return what a definition problem means, in the person's language: `problem` is a
    `workflows.Problem` or its code; a code without a text yet is named as it is.

    A problem's `params` fill its message: `variant` picks the code's message that fits
    (`out_of_range.between`, `wrong_type.number`), the others name what it says (the range's
    `min` and `max`, the `value` typed, the `mark`). Without them, the code's own message.
    """
    code = getattr(problem, "code", problem)
    params = dict(getattr(problem, "params", ()))
    variant = params.pop("variant", None)
    if code == "out_of_range" and _key(getattr(problem, "path", "")) in SIZES_IN_BYTES:
        variant, params = "megabytes", {"max": megabytes(params.get("max", 0))}
    template = PROBLEMS.get(f"{code}.{variant}") or PROBLEMS.get(code)
    if template is None:
        return str(_l("Hay un problema de tipo «%(code)s».", code=code))
    if not params:
        return str(template)
    shown = {key: _number_shown(value) for key, value in params.items()}
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):
        return str(PROBLEMS.get(code, template))


#: The keys a definition writes in bytes that people read in MB (the document editor's unit).
SIZES_IN_BYTES = frozenset({"max_bytes"})
MEGABYTE = 1024 * 1024


def megabytes(size: object) -> str:
    """A size in bytes as people read it: MB to the hundredth, never rounded up (an upload of
    that size is accepted): 10485760 -> "10", 1572864 -> "1.5", 1000000 -> "0.95"."""
    if not isinstance(size, int | float) or isinstance(size, bool):
        return str(size)
    shown = (Decimal(str(size)) / MEGABYTE).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{shown.normalize():,f}"


def _key(path: object) -> str:
    """The last key of a problem's path (`documents[2].max_bytes` -> `max_bytes`)."""
    return str(path or "").rsplit(".", 1)[-1]


def _number_shown(value: object) -> object:
    """A limit as people read it: 3650, 999,999,999,999,999 (grouped like the forms' numbers)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return value
