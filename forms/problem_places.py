"""Say where a definition problem is, in words: `workflow.transitions[2].to` → «Flujo › …».

A problem's path is in the definition's own terms; an admin reads the place where it is, with
each list item named by its code, name or label when the definition gives one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
#: What a key of the definition is called (sections, list items and attributes).
_NAMES = {
    "workflow": _l("Flujo"),
    "states": _l("Estado"),
    "transitions": _l("Acción"),
    "effects": _l("Efecto"),
    "guards": _l("Verificación"),
    "breach": _l("Acción al vencer el plazo"),
    "fields": _l("Campo"),
    "choices": _l("Opción"),
    "documents": _l("Documento"),
    "fees": _l("Tasa"),
    "rates": _l("Tarifa"),
    "routing": _l("Asignación de la institución"),
    "rules": _l("Regla"),
    "certificate": _l("Certificado"),
    "layout": _l("diseño"),
    "template": _l("formato"),
    "reasons": _l("Motivo"),
    "items": _l("elementos"),
    "prerequisites": _l("Trámite previo"),
    "inspection": _l("Inspección"),
    "checklist": _l("Punto de la lista"),
    "opinions": _l("Opinión externa"),
    "catalogue": _l("Catálogo"),
    "outputs": _l("Dato de la decisión"),
    "params": _l("parámetros"),
    "message": _l("mensaje"),
    "label": _l("nombre"),
    "title": _l("título"),
    "summary": _l("resumen"),
    "help": _l("ayuda"),
    "to": _l("estado de destino"),
    "from": _l("estados de origen"),
    "roles": _l("roles"),
    "business_days": _l("plazo"),
    "visible_if": _l("condición para mostrarlo"),
    "required_if": _l("condición para exigirlo"),
    "when": _l("condición"),
    "bind": _l("dato del diccionario"),
    "authority": _l("Institución"),
    "default_authority": _l("institución por defecto"),
    "slug": _l("Identificador"),
    "version": _l("Número de versión"),
    "valid_from": _l("Vigente desde"),
    "amount": _l("monto"),
    "es": _l("(español)"),
    "en": _l("(inglés)"),
}
#: What the editor calls a place (its field's label), by path without list positions.
_LABELS = {
    "title": _l("Título"),
    "summary": _l("Resumen"),
    "draft_retention_days": _l("Días que se guarda un borrador sin tocar"),
    "catalogue.legal_max_business_days": _l("Plazo legal máximo (días hábiles)"),
    "catalogue.max_extension_business_days": _l("Máximo de prórrogas (días hábiles)"),
    "catalogue.legal_basis": _l("Base legal"),
    "catalogue.life_events": _l("Hechos de vida en los que aparece el trámite"),
    "catalogue.placeholders": _l(
        "Valores de demostración (se muestran como pendientes de confirmar)"
    ),
    "certificate.layout": _l("Diseño propio (HTML con Jinja, opcional)"),
    "certificate.title": _l("Título del documento"),
    "certificate.paper": _l("Papel"),
    "certificate.template": _l("Diseño"),
    "certificate.revoke_roles": _l("Roles que pueden revocar o reemplazar una constancia emitida"),
    "validity.ends_with_fiscal_year": _l("Vence al terminar el año fiscal"),
    "validity.note": _l("Nota sobre la vigencia"),
    "validity.months": _l("Meses desde su emisión"),
    "validity.until": _l("O hasta un día fijo"),
    "routing.default_authority": _l("Institución predeterminada"),
    "routing.rules.authority": _l("Resuelve"),
    "routing.rules.when": _l("Cuando"),
    "workflow.initial": _l("Estado inicial"),
    "workflow.states.code": _l("Código"),
    "workflow.states.kind": _l("Tipo"),
    "workflow.states.label": _l("Nombre"),
    "workflow.states.roles": _l("Roles"),
    "workflow.states.business_days": _l("Plazo (días hábiles)"),
    "workflow.states.clock": _l("Plazo legal"),
    "workflow.states.applicant_can_edit": _l("La persona solicitante puede modificar"),
    "workflow.transitions.action": _l("Código de la acción"),
    "workflow.transitions.from": _l("Desde"),
    "workflow.transitions.to": _l("Hacia"),
    "workflow.transitions.kind": _l("Qué significa"),
    "workflow.transitions.roles": _l("Roles"),
    "workflow.transitions.guards": _l("Verificaciones"),
    "workflow.transitions.comment_required": _l("Exige un comentario"),
    "workflow.transitions.verdicts_required": _l("Exige revisar cada elemento"),
    "fields.name": _l("Nombre (clave)"),
    "fields.type": _l("Tipo"),
    "fields.bind": _l("Dato del diccionario"),
    "fields.label": _l("Pregunta"),
    "fields.help": _l("Ayuda"),
    "fields.required": _l("Obligatorio cuando se muestra"),
    "fields.min": _l("Mínimo"),
    "fields.max": _l("Máximo"),
    "fields.max_length": _l("Largo máximo"),
    "fields.pattern": _l("Patrón"),
    "fields.choices": _l("Opciones"),
    "fields.visible_if": _l("Mostrar solo cuando"),
    "documents.code": _l("Código"),
    "documents.max_mb": _l("Tamaño máximo (MB)"),
    "documents.presentation": _l("Se presenta"),
    "documents.title": _l("Qué presentar"),
    "documents.help": _l("Detalles"),
    "documents.required": _l("Siempre obligatorio"),
    "documents.accept": _l("Tipos de archivo aceptados"),
    "documents.active_content": _l("PDF con contenido activo"),
    "documents.required_if": _l("Obligatorio solo cuando"),
    "opinions.code": _l("Código"),
    "opinions.business_days": _l("Días hábiles para responder"),
    "opinions.name": _l("Nombre"),
    "opinions.suspends_clock": _l("El plazo legal del trámite se suspende mientras responde"),
    "reasons.code": _l("Código"),
    "reasons.label": _l("Texto del motivo"),
    "reasons.for": _l("Se ofrece al"),
    "reasons.items": _l("En una corrección, se marca sobre"),
    "fees.code": _l("Código"),
    "fees.kind": _l("Tipo de regla"),
    "fees.label": _l("Concepto"),
    "fees.amount": _l("Monto (US$)"),
    "fees.percent": _l("o porcentaje de las tasas anteriores"),
    "fees.field": _l("Campo que se cobra"),
    "fees.base": _l("Base (US$)"),
    "fees.threshold": _l("Umbral (unidades sin cargo)"),
    "fees.rate": _l("Monto por unidad sobre el umbral (US$)"),
    "fees.amounts": _l("Montos por opción"),
    "fees.when": _l("Se cobra solo cuando"),
    "inspection.checklist.code": _l("Código"),
    "inspection.checklist.label": _l("Qué se verifica"),
}
#: Keys that name a list item, best first.
_ITEM_KEYS = ("code", "name", "action", "value", "procedure")


def problem_place(path: str, data: Mapping | None) -> str:
    """Name the place `path` points at in the definition `data` (its raw mapping).

    An empty path is the whole text. A list item is named by its identifier from `data`
    («aprobar») or, when the data has none there, by its position (n.º 3).
    """
    if not path:
        return str(_l("Todo el texto"))
    parts: list[str] = []
    node: object = data
    at = ""
    for key, index in _STEP.findall(path):
        if key:
            at = f"{at}.{key}" if at else key
            parts.append(str(_LABELS.get(at) or _NAMES.get(key) or _readable(key)))
            node = node.get(key) if isinstance(node, Mapping) else None
            continue
        position = int(index)
        item = node[position] if isinstance(node, list) and position < len(node) else None
        name = _item_name(item)
        mark = f"«{name}»" if name else str(_l("n.º %(n)s", n=position + 1))
        parts[-1:] = [f"{parts[-1]} {mark}" if parts else mark]
        node = item
    return " › ".join(parts)


def _readable(key: str) -> str:
    """Write a key without a label as words: `max_extension` → «max extension»."""
    return key.replace("_", " ")


def _item_name(item: object) -> str | None:
    if not isinstance(item, Mapping):
        return None
    for key in _ITEM_KEYS:
        value = item.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None
