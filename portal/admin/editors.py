"""The draft editors: one section of a definition mapping <-> the values of its HTML form.

Pure: a mapping and the posted values in, a new mapping (or messages at the inputs) out; no
database, no request. Inputs are named by the definition's own paths (`fields[3].label.es`),
so the validator's problems (`Problem.path`) land next to the input or row they concern. A row
carries the index it had when the page was drawn (`<row>.origin`): what the form does not edit
(a field's `outputs`, an effect's parameters, an advanced condition) is kept from that row.
Rows are removed and moved with the `op` button (`remove:fields:3`, `up:fields:3`); `add:fields`
saves and draws a new row that is never stored as drawn: saved blank, it is dropped; half filled,
it is refused at the inputs it lacks (`finish_rows`), so no form save leaves a row the engine
cannot load.
Documents and fees are in `editors_fees`; the workflow and notices in `editors_flow`; the
certificate and other data in `editors_more`; the reasons for corrections and denials, the
inspection's checklist and the institutions consulted in `editors_review`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from forms.messages import date_message, message_for
from portal.admin.editor_rows import BLANKS, REQUIRED, Money, finish_rows
from workflows.conditions import COMPARISON_OPS, DateError, parse_date, read_yes_no
from workflows.model import (
    CATALOGUE_TEXTS,
    NUMERIC_FIELD_TYPES,
)
from workflows.numbers import NumberError, money_problem, parse_number
from workflows.text import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH

#: What a form posts: every input name with its values (`MultiDict.to_dict(flat=False)`).
Values = dict[str, list[str]]
_ROW = "{prefix}[{index}]"


class Form:
    """The posted values of one section, read with messages at the inputs that are wrong."""

    def __init__(self, values: Values) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def one(self, name: str) -> str:
        return (self.values.get(name) or [""])[0].strip()

    def raw(self, name: str) -> str:
        return (self.values.get(name) or [""])[0]

    def many(self, name: str, stored: Any = None) -> list[str]:
        """The ticked values; those that were `stored` keep the stored order (the page lists
        them in its own order, so an untouched list would otherwise be rewritten)."""
        posted = [item.strip() for item in self.values.get(name, []) if item.strip()]
        old = [stored] if isinstance(stored, str) else stored
        if not isinstance(old, list):
            return posted
        return [item for item in old if item in posted] + [
            item for item in posted if item not in old
        ]

    def checked(self, name: str) -> bool:
        return bool(self.one(name))

    def text(
        self, name: str, stored: Any = None, *, limit: int = TEXT_MAX_LENGTH
    ) -> dict[str, str] | None:
        """A `{es, en}` text; None when both are blank. A language longer than `limit`
        characters (the schema's bound) is refused at its input.

        A language posted as `stored` has it, read the same way (trimmed, browser line ends),
        keeps the stored value: a save changes only what the person changed.
        """
        es, en = self.raw(f"{name}.es").strip(), self.raw(f"{name}.en").strip()
        if not es and not en:
            return None
        for language, typed in (("es", es), ("en", en)):
            if (length := len(_as_posted(typed))) > limit:
                self.errors[f"{name}.{language}"] = message_for(
                    "text_too_long", max=f"{limit:,}", length=f"{length:,}"
                )
        old = stored if isinstance(stored, Mapping) else {}
        return {"es": kept(old.get("es"), es), "en": kept(old.get("en"), en)}

    def number(self, name: str, *, integer: bool = False) -> int | float | None:
        raw = self.one(name)
        if not raw:
            return None
        try:
            value = parse_number(raw, money=not integer)
        except NumberError as refused:
            self.errors[name] = message_for(refused.code)
            return None
        if integer and value != value.to_integral_value():
            self.errors[name] = message_for("not_an_integer")
            return None
        return plain_number(value)

    def money(self, name: str, *, cents: bool = True) -> int | float | None:
        """An amount in dollars (`read_money`), written with its cents (`Money`) unless
        `cents` is False (a threshold in units, held to the same rule); None when blank or
        refused."""
        raw = self.one(name)
        if not raw:
            return None
        try:
            value = read_money(raw)
        except NumberError as refused:
            self.errors[name] = message_for(refused.code)
            return None
        return Money(value) if cents else plain_number(value)

    def date(self, name: str) -> str | None:
        """A day typed as people write it (`31/12/2027`, `31/dic/2027` or `2027-12-31`), read
        by the project's one date parser, as the definition writes it (`2027-12-31`)."""
        raw = self.one(name)
        if not raw:
            return None
        try:
            return parse_date(raw).isoformat()
        except DateError as refused:
            self.errors[name] = date_message(refused)
            return None

    def rows(self, prefix: str) -> list[int]:
        """The indices of the rows `prefix[i].…` posted, in order."""
        pattern = re.compile(re.escape(prefix) + r"\[(\d+)\]\.")
        found = {int(m.group(1)) for name in self.values if (m := pattern.match(name))}
        return sorted(found)

    def origin(self, original: list, name: str) -> dict:
        """A copy of the stored row the posted row started from (empty for a new one)."""
        raw = self.one(f"{name}.origin")
        if raw.isdigit() and int(raw) < len(original) and isinstance(original[int(raw)], dict):
            return copy.deepcopy(original[int(raw)])
        return {}


def read_money(raw: str) -> Decimal:
    """Read an amount in dollars as people write it (`parse_number`), held to the one money
    rule the definition validator applies (`workflows.numbers.money_problem`).

    Raises:
        NumberError: with the parser's or the rule's code (`money_negative`, ...).
    """
    value = parse_number(raw, money=True)
    refused = money_problem(value)
    if refused is not None:
        raise NumberError(refused)
    return value


def plain_number(value: Decimal) -> int | float:
    """A Decimal as YAML writes a number: an int when whole."""
    return int(value) if value == value.to_integral_value() else float(value)


def kept(stored: Any, posted: str) -> Any:
    """The stored text when the posted one is it as a form reads it back, else the posted one.

    Inputs are trimmed and browsers send line ends as CRLF, so an untouched text would lose a
    trailing space or newline on every save; it keeps its stored value instead.
    """
    if isinstance(stored, str) and _as_posted(stored) == _as_posted(posted):
        return stored
    return posted


def _as_posted(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def put(base: dict, key: str, value: Any) -> None:
    """Set `key`, or drop it when the value is blank (None, "", empty list or mapping)."""
    if value is None or value == "" or value == [] or value == {} or value is False:
        base.pop(key, None)
    else:
        base[key] = value


# --- Values from a mapping ----------------------------------------------------------------


def flatten(values: Values, name: str, value: Any) -> None:
    """Write a stored value into form values under `name` (texts as `.es`/`.en`)."""
    if value is None:
        return
    if isinstance(value, dict) and set(value) <= {"es", "en"}:
        for language in ("es", "en"):
            values[f"{name}.{language}"] = [str(value.get(language, ""))]
    elif isinstance(value, bool):
        values[name] = ["1"] if value else []
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        values[name] = list(value)
    else:
        values[name] = [str(value)]


def _is_leaf(item: object) -> bool:
    return isinstance(item, dict) and "field" in item and "op" in item


def flat_condition(condition: Any) -> tuple[str, list[dict]] | None:
    """A condition the builder draws: one comparison, or comparisons all/any; else None."""
    if not condition:
        return "all", []
    if _is_leaf(condition):
        return "all", [condition]
    if isinstance(condition, dict) and len(condition) == 1:
        join, items = next(iter(condition.items()))
        if join in ("all", "any") and isinstance(items, list) and all(map(_is_leaf, items)):
            return join, list(items)
    return None


def condition_values(values: Values, name: str, condition: Any) -> None:
    """The builder's inputs for a stored condition (advanced ones are kept, not drawn)."""
    drawn = flat_condition(condition)
    if drawn is None:
        values[f"{name}.advanced"] = ["1"]
        return
    join, leaves = drawn
    values[f"{name}.join"] = [join]
    for index, leaf in enumerate(leaves):
        value = leaf.get("value")
        if isinstance(value, list):
            value = ", ".join(_shown(item) for item in value)
        values[f"{name}.c[{index}].field"] = [str(leaf["field"])]
        values[f"{name}.c[{index}].op"] = [str(leaf["op"])]
        values[f"{name}.c[{index}].value"] = [_shown(value) if value is not None else ""]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "sí" if value else "no"
    return str(value)


def read_condition(form: Form, name: str, stored: Any, types: Mapping[str, str]) -> Any:
    """The condition the builder posted: comparisons over fields picked from the definition.

    Each comparison is a field (a select of the definition's fields), an operator (a select
    of `COMPARISON_OPS`) and a value typed as the field's answers are: numbers for numeric
    fields, yes/no for `yes_no` ones, a comma-separated list for `in` and `not_in`.
    """
    if form.checked(f"{name}.advanced"):
        return None if form.checked(f"{name}.clear") else stored
    leaves = []
    for index in form.rows(f"{name}.c"):
        at = f"{name}.c[{index}]"
        field, op = form.one(f"{at}.field"), form.one(f"{at}.op")
        if not field:
            continue
        if op not in COMPARISON_OPS:
            form.errors[f"{at}.op"] = message_for("invalid_choice")
            continue
        leaf: dict[str, Any] = {"field": field, "op": op}
        if op not in ("present", "absent"):
            leaf["value"] = _condition_value(form, f"{at}.value", op, types.get(field))
        leaves.append(leaf)
    if not leaves:
        return None
    if len(leaves) == 1:
        return leaves[0]
    join = form.one(f"{name}.join")
    return {join if join in ("all", "any") else "all": leaves}


def _condition_value(form: Form, name: str, op: str, type_: str | None) -> Any:
    raw = form.one(name)
    if op in ("in", "not_in"):
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return [_typed(form, name, item, type_) for item in items]
    return _typed(form, name, raw, type_)


def _typed(form: Form, name: str, raw: str, type_: str | None) -> Any:
    if type_ in NUMERIC_FIELD_TYPES:
        try:
            number = parse_number(raw, money=type_ == "money")
            return Money(number) if type_ == "money" else plain_number(number)
        except NumberError as refused:
            form.errors[name] = message_for(refused.code)
            return raw
    if type_ == "yes_no":
        answer = read_yes_no(raw)
        if answer is None:
            form.errors[name] = message_for("invalid_choice")
            return raw
        return answer
    return raw


def field_types(data: Mapping) -> dict[str, str]:
    """Each field's type by name, as the stored mapping has them (for typing values)."""
    return {
        str(item.get("name")): str(item.get("type"))
        for item in data.get("fields") or []
        if isinstance(item, dict) and item.get("name")
    }


# --- Catalogue ----------------------------------------------------------------------------


def catalogue_values(data: Mapping) -> Values:
    values: Values = {}
    flatten(values, "title", data.get("title"))
    flatten(values, "summary", data.get("summary"))
    catalogue = data.get("catalogue") or {}
    for key in CATALOGUE_TEXTS:
        flatten(values, f"catalogue.{key}", catalogue.get(key))
    bases = catalogue.get("legal_basis") or []
    for language in ("es", "en"):
        values[f"catalogue.legal_basis.{language}"] = [
            "\n".join(str(item.get(language, "")) for item in bases if isinstance(item, dict))
        ]
    for key in ("legal_max_business_days", "max_extension_business_days"):
        flatten(values, f"catalogue.{key}", catalogue.get(key))
    values["catalogue.placeholders"] = list(catalogue.get("placeholders") or [])
    values["catalogue.life_events"] = list(catalogue.get("life_events") or [])
    return values


def write_catalogue(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    title = form.text("title", data.get("title"), limit=TITLE_MAX_LENGTH)
    put(out, "title", title or {"es": "", "en": ""})
    put(out, "summary", form.text("summary", data.get("summary")) or {"es": "", "en": ""})
    catalogue = dict(out.get("catalogue") or {})
    purpose = form.text("catalogue.purpose", catalogue.get("purpose"))
    catalogue["purpose"] = purpose or {"es": "", "en": ""}
    for key in CATALOGUE_TEXTS[1:]:
        put(catalogue, key, form.text(f"catalogue.{key}", catalogue.get(key)))
    es = form.raw("catalogue.legal_basis.es").splitlines()
    en = form.raw("catalogue.legal_basis.en").splitlines()
    pairs = [
        {"es": (es[i] if i < len(es) else "").strip(), "en": (en[i] if i < len(en) else "").strip()}
        for i in range(max(len(es), len(en)))
    ]
    put(catalogue, "legal_basis", [pair for pair in pairs if pair["es"] or pair["en"]])
    for key in ("legal_max_business_days", "max_extension_business_days"):
        put(catalogue, key, form.number(f"catalogue.{key}", integer=True))
    put(
        catalogue,
        "placeholders",
        form.many("catalogue.placeholders", catalogue.get("placeholders")),
    )
    put(catalogue, "life_events", form.many("catalogue.life_events", catalogue.get("life_events")))
    out["catalogue"] = catalogue
    return out


# --- Fields -------------------------------------------------------------------------------


def fields_values(data: Mapping) -> Values:
    values: Values = {}
    for index, item in enumerate(data.get("fields") or []):
        at = _ROW.format(prefix="fields", index=index)
        values[f"{at}.origin"] = [str(index)]
        if not isinstance(item, dict):
            continue
        for key in ("name", "type", "bind", "label", "help", "required"):
            flatten(values, f"{at}.{key}", item.get(key))
        for key in ("min", "max", "max_length", "pattern"):
            flatten(values, f"{at}.{key}", item.get(key))
        values[f"{at}.choices"] = [
            "\n".join(
                f"{c.get('value', '')} = {(c.get('label') or {}).get('es', '')}"
                f" = {(c.get('label') or {}).get('en', '')}"
                for c in item.get("choices") or []
                if isinstance(c, dict)
            )
        ]
        condition_values(values, f"{at}.visible_if", item.get("visible_if"))
    return values


def _choices(form: Form, name: str) -> list[dict]:
    """Choices typed one a line: `value = Spanish label = English label`."""
    choices = []
    for line in form.raw(name).splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("=")]
        value, es = parts[0], parts[1] if len(parts) > 1 else parts[0]
        en = parts[2] if len(parts) > 2 else es
        choices.append({"value": value, "label": {"es": es, "en": en}})
    return choices


def _bound(form: Form, name: str, type_: str) -> int | float | str | None:
    """A field's `min`/`max`: a number, or for a date a day as the definition writes it."""
    if type_ == "date":
        return form.one(name) or None
    return form.number(name)


def write_fields(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    original = list(data.get("fields") or [])
    types = field_types(data)
    rows = []
    for index in form.rows("fields"):
        at = _ROW.format(prefix="fields", index=index)
        row = form.origin(original, at)
        type_ = form.one(f"{at}.type")
        types[form.one(f"{at}.name")] = type_
        row["name"] = form.one(f"{at}.name")
        row["type"] = type_
        put(row, "bind", form.one(f"{at}.bind"))
        row["label"] = form.text(f"{at}.label", row.get("label")) or {"es": "", "en": ""}
        put(row, "help", form.text(f"{at}.help", row.get("help")))
        put(row, "required", form.checked(f"{at}.required"))
        put(row, "min", _bound(form, f"{at}.min", type_))
        put(row, "max", _bound(form, f"{at}.max", type_))
        put(row, "max_length", form.number(f"{at}.max_length", integer=True))
        put(row, "pattern", form.one(f"{at}.pattern"))
        put(row, "choices", _choices(form, f"{at}.choices"))
        rows.append((at, row))
    for at, row in rows:
        put(
            row,
            "visible_if",
            read_condition(form, f"{at}.visible_if", row.get("visible_if"), types),
        )
    out["fields"] = finish_rows(form, "fields", rows, op)
    return out


BLANKS["fields"] = {"name": "", "type": "text", "label": {"es": "", "en": ""}}
REQUIRED["fields"] = ("name", "type", "label")
