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

#: Lists whose items are matched by a stable identifier instead of their position.
_KEYS = {
    **dict.fromkeys(("documents", "fees", "states"), "code"),
    "fields": "name",
    "choices": "value",
}
_LISTS = frozenset({*_KEYS, "transitions"})
#: Lists of names whose order carries no meaning.
_UNORDERED = frozenset({"roles", "from", "accept", "placeholders"})
#: Values compared whole: conditions, guards and effects, breach actions, rates, legal basis.
_ATOMIC = frozenset(
    {"visible_if", "required_if", "when", "guards", "effects", "breach", "rates", "legal_basis"}
)
_MONEY = frozenset({"amount", "amounts", "base", "rate"})
_DAYS = frozenset({"business_days", "legal_max_business_days"})
_MISSING: Any = object()
_ITEM_PATH = re.compile(r"(?:workflow\.)?(fields|documents|fees|states|transitions)\[([^]]+)\]")
_CHOICE_PATH = re.compile(r"\.choices\[([^]]+)\]\.?")
_ITEMS = {
    "fields": ("el campo", "the field"),
    "documents": ("el documento", "the document"),
    "fees": ("la tasa", "the fee"),
    "states": ("el estado", "the state"),
    "transitions": ("la acción", "the action"),
}
#: What a key is called, with its article; None: the item itself (a fee's amount).
_ATTRS: dict[str, tuple[str, str] | None] = {
    "amount": None,
    "amounts": None,
    "accept": ("los formatos aceptados", "the accepted formats"),
    "activity_field": ("el campo de actividad", "the activity field"),
    "annual_sales_field": ("el campo de ventas anuales", "the annual sales field"),
    "applicant_can_edit": ("la edición por la persona solicitante", "the applicant's editing"),
    "authority": ("la autoridad", "the authority"),
    "base": ("la base", "the base amount"),
    "bind": ("el dato del diccionario", "the data element"),
    "breach": ("las acciones al vencer el plazo", "the actions when the deadline passes"),
    "business_days": ("el plazo", "the deadline"),
    "business_days_placeholder": ("la marca de plazo de demostración", "the placeholder mark"),
    "certificate": ("el certificado", "the certificate"),
    "clock": ("el reloj del plazo", "the deadline clock"),
    "comment_required": ("el comentario obligatorio", "the required comment"),
    "cost_summary": ("el resumen del costo", "the cost summary"),
    "effects": ("los efectos", "the effects"),
    "employees_field": ("el campo de empleados", "the employees field"),
    "ends_with_fiscal_year": ("el vencimiento con el año fiscal", "the fiscal year expiry"),
    "field": ("el campo de cálculo", "the field it is computed from"),
    "from": ("los estados de origen", "the source states"),
    "guards": ("las verificaciones", "the checks"),
    "help": ("la ayuda", "the help text"),
    "hours": ("el horario", "the opening hours"),
    "initial": ("el estado inicial", "the initial state"),
    "kind": ("el tipo", "the kind"),
    "label": ("el nombre", "the label"),
    "legal_basis": ("la base legal", "the legal basis"),
    "legal_max_business_days": ("el plazo legal máximo", "the legal maximum period"),
    "location_field": ("el campo de ubicación", "the location field"),
    "max": ("el valor máximo", "the maximum"),
    "max_bytes": ("el tamaño máximo", "the maximum size"),
    "max_length": ("la longitud máxima", "the maximum length"),
    "min": ("el valor mínimo", "the minimum"),
    "months": ("la vigencia en meses", "the validity in months"),
    "note": ("la nota", "the note"),
    "office": ("la oficina", "the office"),
    "outputs": ("lo que se entrega", "the outputs"),
    "pattern": ("el patrón", "the pattern"),
    "percent": ("el porcentaje", "the percentage"),
    "placeholder": ("el valor de demostración", "the placeholder flag"),
    "placeholders": ("los valores de demostración", "the placeholder values"),
    "presentation": ("la forma de presentación", "the presentation"),
    "active_content": ("el trato de los PDF con contenido activo", "the handling of active PDFs"),
    "purpose": ("el propósito", "the purpose"),
    "rate": ("la tarifa por unidad", "the unit rate"),
    "rates": ("las tarifas condicionales", "the conditional rates"),
    "required_if": ("la condición de obligatoriedad", "the condition for being required"),
    "roles": ("los roles", "the roles"),
    "revoke_roles": ("los roles de revocación y reemplazo", "the revoking and replacing roles"),
    "simdet": ("la correspondencia con SIMDET", "the SIMDET mapping"),
    "slug": ("el identificador", "the slug"),
    "summary": ("el resumen", "the summary"),
    "template": ("la plantilla", "the template"),
    "threshold": ("el umbral", "the threshold"),
    "title": ("el título", "the title"),
    "to": ("el estado de destino", "the target state"),
    "type": ("el tipo", "the type"),
    "until": ("la fecha de vencimiento", "the expiry date"),
    "validity": ("la vigencia", "the validity"),
    "verdicts_required": ("la revisión completa obligatoria", "the required verdicts"),
    "visible_if": ("la condición de visibilidad", "the visibility condition"),
    "when": ("la condición", "the condition"),
    "who_may_apply": ("quién puede solicitarlo", "who may apply"),
}
_LANGUAGES = {"es": ("en español", "in Spanish"), "en": ("en inglés", "in English")}
_ROLES = {"applicant": "persona solicitante", "clerk": "técnico", "admin": "administrador"}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two versions of a definition.

    Attributes:
        kind: "added", "removed" or "changed".
        path: Where, in the style of validator problems (`fields[area].max`).
        old: The old value as plain data (as in `to_dict`); None when added.
        new: The new value as plain data; None when removed.
        subject: Label of the field, document, fee, state or action the path is in (the new
            version's when it has one); `summary` names the item by it.
    """

    kind: Literal["added", "removed", "changed"]
    path: str
    old: object
    new: object
    subject: Text | None = None


def diff(old: Definition, new: Definition) -> tuple[Change, ...]:
    """Return what changed from `old` to `new`.

    Fields, documents, fees, states, choices and transitions are matched by their identifier,
    so reordering them is no change; nor is reordering roles, sources, accepted formats or
    catalogue placeholders. A transition is matched by its action; where two share an action
    in either version, by action and sources (`[resolver:pago]`), then also by target
    (`[resolver:pago>aprobado]`). Texts are compared per language (`title.es`); conditions,
    guards, effects, breach actions, conditional rates and the legal basis are compared whole.
    The version number is not compared.

    Args:
        old: The earlier version (usually the published one).
        new: The version to compare it with.

    Returns:
        The changes in `old`'s order, then what only `new` has.
    """
    before, after = old.to_dict(), new.to_dict()
    del before["version"], after["version"]
    out: list[Change] = []
    _walk("", before, after, None, out)
    return tuple(out)


def _walk(path: str, old: Any, new: Any, subject: Text | None, out: list[Change]) -> None:
    name = path.rsplit(".", 1)[-1]
    if old is _MISSING or new is _MISSING:
        added = old is _MISSING
        old, new = (None, new) if added else (old, None)
        out.append(Change("added" if added else "removed", path, old, new, subject))
        return
    if old == new or (name in _UNORDERED and sorted(old) == sorted(new)):
        return
    parts = None if name in _ATOMIC else _parts(name, old, new)
    if parts is None:
        out.append(Change("changed", path, old, new, subject))
        return
    olds, news = parts
    for key in olds | news:
        before, after = olds.get(key, _MISSING), news.get(key, _MISSING)
        inner = subject
        if key[0] == "[" and name != "choices":
            item = before if after is _MISSING else after
            inner = Text(**item.get("label", item.get("title")))
        child = path + key if key[0] == "[" or not path else f"{path}.{key}"
        _walk(child, before, after, inner, out)


def _parts(name: str, old: Any, new: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return the parts of two values to compare one by one, or None to compare them whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = old | new
        old, new = (
            {key: side.get(key, [] if key in _LISTS else _MISSING) for key in keys}
            for side in (old, new)
        )
        return old, new
    if name == "transitions":
        return _transitions(old, new)
    if name in _KEYS:
        old, new = ({f"[{item[_KEYS[name]]}]": item for item in side} for side in (old, new))
        return old, new
    return None


def _transitions(old: list[Any], new: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Key transitions by action, adding sources, then target, where either version needs it."""

    def key(item: Mapping[str, Any], level: int) -> str:
        parts = (item["action"], ":" + ",".join(sorted(item["from"])), ">" + item["to"])
        return "".join(parts[: level + 1])

    def unique(items: list[Any], action: str, level: int) -> bool:
        keys = [key(item, level) for item in items if item["action"] == action]
        return len(keys) == len(set(keys))

    levels = {
        action: next((n for n in (0, 1) if unique(old, action, n) and unique(new, action, n)), 2)
        for action in {item["action"] for item in old + new}
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
    """Return one plain sentence per change, in Spanish, or in English for an "en" locale.

    Args:
        changes: What `diff` returned.
        locale: A locale such as "es", "es-SV", "en" or "en_US".

    Returns:
        The sentences, in the order of the changes, e.g. "El plazo del estado «Presentado»
        cambió de 25 a 20 días hábiles".
    """
    english = locale[:2].lower() == "en"
    return [_sentence(change, english) for change in changes]


def _sentence(change: Change, en: bool) -> str:
    phrase, rest = _locate(change, en)
    if rest == "required" and change.kind == "changed":
        now = ("is now" if change.new else "is no longer") if en else (
            "ahora es" if change.new else "ya no es")  # fmt: skip
        return f"{_capital(phrase)} {now} {'required' if en else 'obligatorio'}"
    segments = rest.split(".") if rest else []
    known = [index for index, segment in enumerate(segments) if segment in _ATTRS]
    last = known[-1] if known else len(segments) - 1
    for segment in segments[: last + 1]:  # containers (catalogue, workflow) are not named
        noun = _ATTRS.get(segment, None if known else (segment, segment))
        phrase = phrase if noun is None else _of(noun, phrase, en)
    for segment in segments[last + 1 :]:
        phrase += f" ({_LANGUAGES.get(segment, (segment, segment))[en]})"
    key = segments[last] if segments else ""
    unit = (" business days" if en else " días hábiles") if key in _DAYS else ""
    old, new = (
        _quote(str(value), en) if rest.endswith((".es", ".en")) else _value(key, value, en)
        for value in (change.old, change.new)
    )
    verb = {"changed": "cambi", "added": "agreg", "removed": "elimin"}[change.kind]
    verb += "aron" if phrase.startswith(("los ", "las ")) else "ó"
    if change.kind == "changed":
        changed = f"changed from {old} to {new}" if en else f"{verb} de {old} a {new}"
        return f"{_capital(phrase)} {changed}{unit}"
    value = new if change.kind == "added" else old
    detail = f" ({value}{unit})" if rest and "." in change.path else ""  # not whole sections
    if en:
        return f"{change.kind.capitalize()} {phrase}{detail}"
    return f"Se {verb} {phrase}{detail}"


def _locate(change: Change, en: bool) -> tuple[str, str]:
    """Return the phrase naming the item a change is in (if any) and the rest of its path."""
    match = _ITEM_PATH.match(change.path)
    if match is None:
        return "", change.path
    label = change.subject.get("en" if en else "es") if change.subject else match[2]
    phrase, rest = f"{_ITEMS[match[1]][en]} {_quote(label, en)}", change.path[match.end() :]
    choice = _CHOICE_PATH.match(rest)
    if choice is None:
        return phrase, rest.removeprefix(".")
    rest = rest[choice.end() :]
    value = change.new if change.kind == "added" else change.old
    option = _quote(_plain(value["label"], en) if not rest else choice[1], en)  # type: ignore[index]
    return _of((f"la opción {option}", f"the option {option}"), phrase, en), rest


def _of(noun: tuple[str, str], phrase: str, en: bool) -> str:
    """Return "noun of phrase" ("el plazo del estado «X»"), or the noun alone."""
    if not phrase:
        return noun[en]
    if en:
        return f"{noun[1]} of {phrase}"
    return f"{noun[0]} {'del ' + phrase[3:] if phrase.startswith('el ') else 'de ' + phrase}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quote(text: str, en: bool) -> str:
    return f"“{text}”" if en else f"«{text}»"


def _is_text(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"es", "en"}


def _value(key: str, value: Any, en: bool) -> str:
    """Return a value as an administrator reads it: money, sizes, roles, quoted texts."""
    if key in _MONEY and isinstance(value, int | float):
        return f"${Decimal(str(value)):,.2f}"
    if key in _MONEY and isinstance(value, dict):
        return ", ".join(f"{name}: {_value(key, item, en)}" for name, item in value.items())
    if key == "max_bytes" and isinstance(value, int):
        return f"{value / 1048576:g} MB"
    if key in ("roles", "revoke_roles") and value:
        return ", ".join(role if en else _ROLES.get(role, role) for role in value)
    return _quote(_plain(value, en), en) if _is_text(value) else _plain(value, en)


def _plain(value: Any, en: bool) -> str:
    """Return plain data as short text: yes or no, lists joined, texts, compact JSON."""
    if isinstance(value, bool):
        return ("yes" if en else "sí") if value else "no"
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item, en) for item in value)
    if _is_text(value):
        return Text(**value).get("en" if en else "es")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
