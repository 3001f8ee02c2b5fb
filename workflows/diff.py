"""Compare two versions of a procedure definition and describe the changes in plain sentences."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from workflows.model import Definition
from workflows.text import Text

#: Lists whose items are keyed by a stable identifier instead of their position.
_KEYS = {"fields": "name", "documents": "code", "fees": "code", "states": "code", "choices": "value"}
#: Lists of names where the order carries no meaning.
_UNORDERED = frozenset({"roles", "from", "accept", "placeholders"})
#: Values compared as a whole: conditions, guard and effect lists, breach actions, legal basis.
_ATOMIC = frozenset({"visible_if", "required_if", "when", "guards", "effects", "breach", "rates"})
_ATOMIC |= {"legal_basis"}
_MONEY = frozenset({"amount", "amounts", "base", "rate"})
_DAYS = frozenset({"business_days", "legal_max_business_days"})
_MISSING: Any = object()
_PATH = re.compile(r"(?:workflow\.)?(fields|documents|fees|states|transitions)\[([^\]]+)\]\.?(.*)")
_CHOICE = re.compile(r"choices\[([^\]]+)\]")
_ITEMS = {
    "fields": ("el campo", "the field"),
    "documents": ("el documento", "the document"),
    "fees": ("la tasa", "the fee"),
    "states": ("el estado", "the state"),
    "transitions": ("la acción", "the action"),
}
#: Attribute names: Spanish with its article, English without; None means the item itself.
_ATTRS: dict[str, tuple[str, str] | None] = {
    "amount": None,
    "amounts": None,
    "accept": ("los formatos aceptados", "accepted formats"),
    "activity_field": ("el campo de actividad para SIMDET", "SIMDET activity field"),
    "annual_sales_field": ("el campo de ventas anuales para SIMDET", "SIMDET annual sales field"),
    "applicant_can_edit": ("la edición por el solicitante", "editing by the applicant"),
    "authority": ("la autoridad", "authority"),
    "base": ("la base", "base amount"),
    "breach": ("las acciones al vencer el plazo", "actions when the deadline passes"),
    "business_days": ("el plazo", "deadline"),
    "business_days_placeholder": ("el plazo de demostración", "placeholder deadline"),
    "catalogue": ("la ficha del catálogo", "catalogue entry"),
    "certificate": ("el certificado", "certificate"),
    "choices": ("las opciones", "options"),
    "clock": ("el reloj del plazo", "deadline clock"),
    "comment_required": ("el comentario obligatorio", "required comment"),
    "cost_summary": ("el resumen del costo", "cost summary"),
    "effects": ("los efectos", "effects"),
    "employees_field": ("el campo de empleados para SIMDET", "SIMDET employees field"),
    "ends_with_fiscal_year": ("el vencimiento con el año fiscal", "expiry with the fiscal year"),
    "field": ("el campo de cálculo", "field it is computed from"),
    "from": ("los estados de origen", "source states"),
    "guards": ("las verificaciones", "checks"),
    "help": ("la ayuda", "help text"),
    "hours": ("el horario", "opening hours"),
    "initial": ("el estado inicial", "initial state"),
    "kind": ("el tipo", "kind"),
    "label": ("el nombre", "label"),
    "legal_basis": ("la base legal", "legal basis"),
    "legal_max_business_days": ("el plazo legal máximo", "legal maximum period"),
    "location_field": ("el campo de ubicación para SIMDET", "SIMDET location field"),
    "max": ("el valor máximo", "maximum"),
    "max_bytes": ("el tamaño máximo", "maximum size"),
    "max_length": ("la longitud máxima", "maximum length"),
    "min": ("el valor mínimo", "minimum"),
    "months": ("la vigencia en meses", "validity in months"),
    "note": ("la nota", "note"),
    "office": ("la oficina", "office"),
    "outputs": ("lo que se entrega", "outputs"),
    "pattern": ("el patrón", "pattern"),
    "percent": ("el porcentaje", "percentage"),
    "placeholder": ("el valor de demostración", "placeholder flag"),
    "placeholders": ("los valores de demostración", "placeholder values"),
    "presentation": ("la forma de presentación", "presentation"),
    "purpose": ("el propósito", "purpose"),
    "rate": ("la tarifa por unidad", "unit rate"),
    "rates": ("las tarifas condicionales", "conditional rates"),
    "required_if": ("la condición de obligatoriedad", "condition for being required"),
    "roles": ("los roles", "roles"),
    "simdet": ("la correspondencia con SIMDET", "SIMDET mapping"),
    "slug": ("el identificador", "slug"),
    "summary": ("el resumen", "summary"),
    "template": ("la plantilla", "template"),
    "threshold": ("el umbral", "threshold"),
    "title": ("el título", "title"),
    "to": ("el estado de destino", "target state"),
    "type": ("el tipo", "type"),
    "validity": ("la vigencia", "validity"),
    "verdicts_required": ("la revisión completa obligatoria", "required verdicts"),
    "visible_if": ("la condición de visibilidad", "visibility condition"),
    "when": ("la condición", "condition"),
    "who_may_apply": ("quién puede solicitarlo", "who may apply"),
}
_QUALIFIERS = {"es": ("en español", "in Spanish"), "en": ("en inglés", "in English")}
_ROLES = {"applicant": "persona solicitante", "clerk": "técnico", "admin": "administrador"}
_ROLES |= {"system": "sistema"}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two versions of a definition.

    Attributes:
        kind: "added", "removed" or "changed".
        path: Where, in the style of validator problems (`fields[area].max`).
        old: The old value as plain data (`to_dict` style); None when added.
        new: The new value as plain data; None when removed.
        subject: The label of the field, document, fee, state or action the path is in
            (from the new version when it has one), for `summary`.
    """

    kind: Literal["added", "removed", "changed"]
    path: str
    old: object
    new: object
    subject: Text | None = None


def diff(old: Definition, new: Definition) -> tuple[Change, ...]:
    """Return what changed from `old` to `new`.

    Fields, documents, fees, states, choices and transitions are matched by their identifier
    (a transition by its action, adding its sources and then its target when the action alone
    is ambiguous), so reordering them is no change; nor is reordering roles, sources, accepted
    formats or catalogue placeholders. The version number is not compared.

    Args:
        old: The earlier version (usually the published one).
        new: The version to compare it with.

    Returns:
        The changes, old order first, then what only `new` has.
    """
    before, after = old.to_dict(), new.to_dict()
    before.pop("version")
    after.pop("version")
    out: list[Change] = []
    _walk("", before, after, None, out)
    return tuple(out)


def _walk(path: str, old: Any, new: Any, subject: Text | None, out: list[Change]) -> None:
    if old == new:
        return
    if old is _MISSING or new is _MISSING:
        added = old is _MISSING
        out.append(Change("added" if added else "removed", path, None if added else old,
                          new if added else None, subject))  # fmt: skip
        return
    name = path.rsplit(".", 1)[-1]
    children = None if name in _ATOMIC else _children(name, old, new)
    if children is None:
        if not (name in _UNORDERED and sorted(old) == sorted(new)):
            out.append(Change("changed", path, old, new, subject))
        return
    olds, news = children
    for key in [*olds, *(key for key in news if key not in olds)]:
        before, after = olds.get(key, _MISSING), news.get(key, _MISSING)
        inner = subject
        if key.startswith("[") and name != "choices":
            item = before if after is _MISSING else after
            inner = Text(**item.get("label", item.get("title")))
        _walk(f"{path}.{key}" if path and key[0] != "[" else path + key, before, after, inner, out)


def _children(name: str, old: Any, new: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return the parts of two values to compare one by one, or None to compare them whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        lists = (*_KEYS, "transitions")
        return ({key: old.get(key, [] if key in lists else _MISSING) for key in old | new},
                {key: new.get(key, [] if key in lists else _MISSING) for key in old | new})  # fmt: skip
    if name == "transitions":
        return _transitions(old, new)
    if name in _KEYS:
        return ({f"[{item[_KEYS[name]]}]": item for item in old},
                {f"[{item[_KEYS[name]]}]": item for item in new})  # fmt: skip
    return None


def _transitions(old: list[Any], new: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Key transitions by action, adding sources, then target, where both versions need it."""

    def key(item: Mapping[str, Any], level: int) -> str:
        parts = (item["action"], ":" + ",".join(sorted(item["from"])), ">" + item["to"])
        return "".join(parts[: level + 1])

    def unique(items: list[Any], action: str, level: int) -> bool:
        keys = [key(item, level) for item in items if item["action"] == action]
        return len(keys) == len(set(keys))

    actions = {item["action"] for item in old + new}
    levels = {
        action: next((n for n in (0, 1) if unique(old, action, n) and unique(new, action, n)), 2)
        for action in actions
    }

    def keyed(items: list[Any]) -> dict[str, Any]:
        seen: Counter[str] = Counter()
        out = {}
        for item in items:
            name = key(item, levels[item["action"]])
            seen[name] += 1
            out[f"[{name}]" if seen[name] == 1 else f"[{name}#{seen[name]}]"] = item
        return out

    return keyed(old), keyed(new)


def summary(changes: Iterable[Change], locale: str = "es") -> list[str]:
    """Return one plain sentence per change, in Spanish or (`locale` "en…") in English.

    Args:
        changes: What `diff` returned.
        locale: A locale such as "es", "es-SV" or "en".

    Returns:
        The sentences, in the order of the changes.
    """
    english = locale[:2].lower() == "en"
    return [_sentence(change, english) for change in changes]


def _sentence(change: Change, en: bool) -> str:
    match = _PATH.fullmatch(change.path)
    if match is None:
        thing, rest = "", change.path
    else:
        label = change.subject.get("en" if en else "es") if change.subject else match[2]
        thing, rest = f"{_ITEMS[match[1]][en]} {_quote(label, en)}", match[3]
    added = change.kind == "added"
    if not rest:
        return f"{'Added' if added else 'Removed'} {thing}" if en else _se(change.kind, thing)
    choice = _CHOICE.fullmatch(rest)
    if choice and change.kind != "changed":
        option = _quote(_plain(((change.new or change.old) or {})["label"], en), en)  # type: ignore[index]
        if en:
            return f"{'Added' if added else 'Removed'} the option {option} {'to' if added else 'from'} {thing}"  # noqa: E501
        return f"{_se(change.kind, f'la opción {option}')} {'al' if added else 'del'} {thing[3:]}"
    head, *qualifiers = rest.split(".")
    attr = _ATTRS.get(re.sub(r"\[.*", "", head), (head, head))
    if head == "required" and rest == head and change.kind == "changed":
        state = ("is now" if change.new else "is no longer") if en else (
            "ahora es" if change.new else "ya no es")  # fmt: skip
        return f"{_capital(thing)} {state} {'required' if en else 'obligatorio'}"
    subject = thing
    if attr is not None:
        subject = f"the {attr[1]} of {thing}" if en else f"{attr[0]} de {thing}".replace(
            " de el ", " del ")  # fmt: skip
        subject = subject.removesuffix(" of ").removesuffix(" de ")
    extra = [_QUALIFIERS.get(q, (q, q))[en] for q in [head[len(head.split("[")[0]) :], *qualifiers] if q]  # noqa: E501
    subject += "".join(f" ({q})" for q in extra)
    unit = (" business days" if en else " días hábiles") if head in _DAYS else ""
    old, new = (_value(head, value, en) for value in (change.old, change.new))
    if change.kind == "changed":
        verb = "changed" if en else ("cambiaron" if subject[:4] in ("los ", "las ") else "cambió")
        return f"{_capital(subject)} {verb} {'from' if en else 'de'} {old} {'to' if en else 'a'} {new}{unit}"  # noqa: E501
    value, raw = (new, change.new) if added else (old, change.old)
    detail = "" if isinstance(raw, dict) and set(raw) != {"es", "en"} else f" ({value}{unit})"
    if en:
        return f"{'Added' if added else 'Removed'} {subject}{detail}"
    return _se(change.kind, subject) + detail


def _se(kind: str, subject: str) -> str:
    plural = subject[:4] in ("los ", "las ")
    verb = ("agregaron" if plural else "agregó") if kind == "added" else (
        "eliminaron" if plural else "eliminó")  # fmt: skip
    return f"Se {verb} {subject}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quote(text: str, en: bool) -> str:
    return f"“{text}”" if en else f"«{text}»"


def _value(key: str, value: Any, en: bool) -> str:
    """Return a value as an administrator reads it: money, sizes, roles, texts."""
    if key in _MONEY and isinstance(value, int | float):
        return f"${Decimal(str(value)):,.2f}"
    if key in _MONEY and isinstance(value, dict):
        return ", ".join(f"{name}: {_value(key, item, en)}" for name, item in value.items())
    if key == "max_bytes" and isinstance(value, int):
        return f"{value / 1048576:g} MB"
    if key == "roles" and isinstance(value, list):
        return ", ".join(role if en else _ROLES.get(role, role) for role in value)
    if isinstance(value, dict) and set(value) == {"es", "en"}:
        return _quote(_plain(value, en), en)
    return _plain(value, en)


def _plain(value: Any, en: bool) -> str:
    if isinstance(value, bool):
        return ("yes" if en else "sí") if value else "no"
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item, en) for item in value)
    if isinstance(value, dict) and set(value) == {"es", "en"}:
        return Text(**value).get("en" if en else "es")
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
