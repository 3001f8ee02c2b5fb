"""The draft editors of documents and fees (see `portal.admin.editors`)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from forms.messages import message_for
from portal.admin.editor_rows import money_text
from portal.admin.editors import (
    BLANKS,
    REQUIRED,
    Form,
    Money,
    Values,
    condition_values,
    field_types,
    finish_rows,
    flatten,
    plain_number,
    put,
    read_condition,
    read_money,
)
from workflows.model import MIME_TYPES, PRESENTATIONS
from workflows.numbers import NumberError
from workflows.schemas import schema

FEE_KINDS = ("fixed", "per_unit_above", "table", "by_regime", "surcharge")
#: The keys each fee kind has besides code, kind, label, when and placeholder.
FEE_KEYS = {
    "fixed": ("amount",),
    "per_unit_above": ("field", "base", "threshold", "rate", "rates"),
    "table": ("field", "amounts"),
    "by_regime": ("amounts",),
    "surcharge": ("amount", "percent"),
}

# --- Documents ----------------------------------------------------------------------------

MEGABYTE = 1024 * 1024
#: The largest file a requirement may accept, in MB: the schema's bound on `max_bytes`.
MAX_MB = schema()["$defs"]["document"]["properties"]["max_bytes"]["maximum"] // MEGABYTE


def documents_values(data: Mapping) -> Values:
    values: Values = {}
    for index, item in enumerate(data.get("documents") or []):
        at = f"documents[{index}]"
        values[f"{at}.origin"] = [str(index)]
        if not isinstance(item, dict):
            continue
        for key in ("code", "title", "help", "required", "presentation", "active_content"):
            flatten(values, f"{at}.{key}", item.get(key))
        values[f"{at}.accept"] = list(item.get("accept") or ["application/pdf"])
        size = item.get("max_bytes")
        if isinstance(size, int):
            values[f"{at}.max_mb"] = [str(plain_number(Decimal(size) / MEGABYTE))]
        condition_values(values, f"{at}.required_if", item.get("required_if"))
    return values


def write_documents(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    original = list(data.get("documents") or [])
    types = field_types(data)
    rows = []
    for index in form.rows("documents"):
        at = f"documents[{index}]"
        row = form.origin(original, at)
        row["code"] = form.one(f"{at}.code")
        row["title"] = form.text(f"{at}.title", row.get("title")) or {"es": "", "en": ""}
        put(row, "help", form.text(f"{at}.help", row.get("help")))
        put(row, "required", form.checked(f"{at}.required"))
        put(
            row,
            "required_if",
            read_condition(form, f"{at}.required_if", row.get("required_if"), types),
        )
        accept = [
            mime for mime in form.many(f"{at}.accept", row.get("accept")) if mime in MIME_TYPES
        ]
        put(row, "accept", accept)
        megabytes = form.number(f"{at}.max_mb")
        if megabytes is not None and not 0 < megabytes <= MAX_MB:
            form.errors[f"{at}.max_mb"] = message_for(
                "below_min" if megabytes <= 0 else "above_max", min=1, max=MAX_MB
            )
        elif megabytes is not None:
            row["max_bytes"] = max(1, int(Decimal(str(megabytes)) * MEGABYTE))
        presentation = form.one(f"{at}.presentation")
        put(row, "presentation", presentation if presentation in PRESENTATIONS[1:] else None)
        put(row, "active_content", form.one(f"{at}.active_content") or None)
        rows.append((at, row))
    out["documents"] = finish_rows(form, "documents", rows, op)
    return out


BLANKS["documents"] = {"code": "", "title": {"es": "", "en": ""}, "accept": ["application/pdf"]}
REQUIRED["documents"] = ("code", "title")


# --- Fees ---------------------------------------------------------------------------------


def fees_values(data: Mapping, regimes: tuple[str, ...]) -> Values:
    values: Values = {}
    for index, item in enumerate(data.get("fees") or []):
        at = f"fees[{index}]"
        values[f"{at}.origin"] = [str(index)]
        if not isinstance(item, dict):
            continue
        for key in ("code", "kind", "label", "placeholder", "field", "threshold", "percent"):
            flatten(values, f"{at}.{key}", item.get(key))
        for key in ("amount", "base", "rate"):
            _amount_values(values, f"{at}.{key}", item.get(key))
        amounts = item.get("amounts") or {}
        if item.get("kind") == "by_regime":
            _amount_values(values, f"{at}.amount", amounts)
        elif isinstance(amounts, dict):
            values[f"{at}.amounts"] = [
                "\n".join(f"{k} = {money_text(v)}" for k, v in amounts.items())
            ]
        condition_values(values, f"{at}.when", item.get("when"))
        for number, rate in enumerate(item.get("rates") or []):
            values[f"{at}.rates[{number}].origin"] = [str(number)]
            _amount_values(values, f"{at}.rates[{number}].rate", rate.get("rate"))
            condition_values(values, f"{at}.rates[{number}].when", rate.get("when"))
    return values


def _rates(form: Form, name: str, stored: list, types: dict, regimes: tuple[str, ...]) -> list:
    """The conditional rates of a `per_unit_above` fee: the first whose condition holds wins;
    a row with neither a condition nor a rate is left out."""
    rates = []
    for number in form.rows(name):
        at = f"{name}[{number}]"
        origin = form.origin(stored, at)
        when = read_condition(form, f"{at}.when", origin.get("when"), types)
        rate = _amount(form, f"{at}.rate", regimes)
        if when is None and rate in (None, {}):
            continue
        rates.append({"when": when, "rate": rate})
    return rates


def named_regimes(data: Mapping) -> set[str]:
    """The tariff regimes the draft's fees give amounts by."""
    found: set[str] = set()
    fees = data.get("fees")
    for item in fees if isinstance(fees, list) else []:
        if not isinstance(item, dict):
            continue
        keys = ["base", "rate"] + (["amounts"] if item.get("kind") == "by_regime" else [])
        for key in keys:
            if isinstance(item.get(key), dict):
                found |= {str(regime) for regime in item[key]}
        for rate in item.get("rates") if isinstance(item.get("rates"), list) else []:
            if isinstance(rate, dict) and isinstance(rate.get("rate"), dict):
                found |= {str(regime) for regime in rate["rate"]}
    return found


def _amount_values(values: Values, name: str, amount: Any) -> None:
    if isinstance(amount, dict):
        for regime, figure in amount.items():
            values[f"{name}@{regime}"] = [money_text(figure)]
    elif amount is not None:
        values[name] = [money_text(amount)]


def _amount(form: Form, name: str, regimes: tuple[str, ...]) -> Any:
    """A figure, or figures by tariff regime when any regime's input is filled."""
    by_regime = {regime: form.money(f"{name}@{regime}") for regime in regimes}
    given = {regime: figure for regime, figure in by_regime.items() if figure is not None}
    return given or form.money(name)


def _table(form: Form, name: str) -> dict:
    """A table typed one a line: `value = amount`."""
    table = {}
    for line in form.raw(name).splitlines():
        if not line.strip():
            continue
        value, _sep, figure = line.partition("=")
        try:
            table[value.strip()] = Money(read_money(figure.strip()))
        except NumberError as refused:
            form.errors[name] = message_for(refused.code)
    return table


def write_fees(data: Mapping, form: Form, op: str, regimes: tuple[str, ...]) -> dict:
    out = copy.deepcopy(dict(data))
    original = list(data.get("fees") or [])
    types = field_types(data)
    rows = []
    for index in form.rows("fees"):
        at = f"fees[{index}]"
        row = form.origin(original, at)
        kind = form.one(f"{at}.kind")
        for keys in FEE_KEYS.values():
            for key in keys:
                if key not in FEE_KEYS.get(kind, ()):
                    row.pop(key, None)
        row["code"] = form.one(f"{at}.code")
        row["kind"] = kind
        row["label"] = form.text(f"{at}.label", row.get("label")) or {"es": "", "en": ""}
        put(row, "placeholder", form.checked(f"{at}.placeholder"))
        put(row, "when", read_condition(form, f"{at}.when", row.get("when"), types))
        if kind in ("fixed", "surcharge"):
            put(row, "amount", form.money(f"{at}.amount"))
        if kind == "surcharge":
            put(row, "percent", form.number(f"{at}.percent"))
        if kind in ("per_unit_above", "table"):
            put(row, "field", form.one(f"{at}.field"))
        if kind == "per_unit_above":
            put(row, "base", _amount(form, f"{at}.base", regimes))
            put(row, "threshold", form.money(f"{at}.threshold", cents=False))
            put(row, "rate", _amount(form, f"{at}.rate", regimes))
            stored = row.get("rates") if isinstance(row.get("rates"), list) else []
            put(row, "rates", _rates(form, f"{at}.rates", stored, types, regimes))
        if kind == "table":
            put(row, "amounts", _table(form, f"{at}.amounts"))
        if kind == "by_regime":
            put(row, "amounts", _amount(form, f"{at}.amount", regimes) or None)
        rows.append((at, row))
    out["fees"] = finish_rows(form, "fees", rows, op, _fee_needs)
    return out


BLANKS["fees"] = {"code": "", "kind": "fixed", "label": {"es": "", "en": ""}}
#: What a fee of each kind cannot be saved without, besides its code, kind and concept.
_FEE_NEEDS: dict[str, tuple[str | tuple[str, str], ...]] = {
    "fixed": ("amount",),
    "per_unit_above": ("field",),
    "table": ("field", "amounts"),
    "by_regime": (("amounts", "amount"),),
}


def _fee_needs(row: dict) -> tuple[str | tuple[str, str], ...]:
    return ("code", "kind", "label", *_FEE_NEEDS.get(str(row.get("kind")), ()))
