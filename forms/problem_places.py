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
    for key, index in _STEP.findall(path):
        if key:
            parts.append(str(_NAMES.get(key, key)))
            node = node.get(key) if isinstance(node, Mapping) else None
            continue
        position = int(index)
        item = node[position] if isinstance(node, list) and position < len(node) else None
        name = _item_name(item)
        mark = f"«{name}»" if name else str(_l("n.º %(n)s", n=position + 1))
        parts[-1:] = [f"{parts[-1]} {mark}" if parts else mark]
        node = item
    return " › ".join(parts)


def _item_name(item: object) -> str | None:
    if not isinstance(item, Mapping):
        return None
    for key in _ITEM_KEYS:
        value = item.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None
