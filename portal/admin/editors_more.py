"""The draft editors of the certificate, routing, validity, retention and SIMDET mapping.

Pure, like `portal.admin.editors`: a stored mapping and posted values in, a new mapping out.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from portal.admin.editors import (
    BLANKS,
    REQUIRED,
    Form,
    Values,
    condition_values,
    field_types,
    finish_rows,
    flatten,
    kept,
    put,
    read_condition,
)
from workflows.conditions import read_date
from workflows.text import TITLE_MAX_LENGTH

# --- Certificate --------------------------------------------------------------------------


def certificate_values(data: Mapping) -> Values:
    values: Values = {}
    spec = data.get("certificate")
    if not isinstance(spec, dict):
        return values
    for key in ("template", "layout", "title", "paper", "revoke_roles"):
        flatten(values, f"certificate.{key}", spec.get(key))
    return values


def write_certificate(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    spec = dict(out.get("certificate") or {})
    layout = kept(spec.get("layout"), form.raw("certificate.layout").strip())
    template = form.one("certificate.template")
    # The definition names one design: a built-in `template` or its own `layout`, never both.
    put(spec, "template", None if layout else template)
    put(spec, "layout", layout)
    title = form.text("certificate.title", spec.get("title"), limit=TITLE_MAX_LENGTH)
    spec["title"] = title or {"es": "", "en": ""}
    put(spec, "paper", form.one("certificate.paper"))
    put(spec, "revoke_roles", form.many("certificate.revoke_roles", spec.get("revoke_roles")))
    if not spec.get("template") and not layout and not form.text("certificate.title"):
        out.pop("certificate", None)
    else:
        out["certificate"] = spec
    return out


# --- Routing, validity, retention, SIMDET -------------------------------------------------

SIMDET_KEYS = ("activity_field", "employees_field", "annual_sales_field", "location_field")


def other_values(data: Mapping) -> Values:
    values: Values = {}
    routing = data.get("routing") or {}
    flatten(values, "routing.default_authority", routing.get("default_authority"))
    for index, rule in enumerate(routing.get("rules") or []):
        at = f"routing.rules[{index}]"
        values[f"{at}.origin"] = [str(index)]
        flatten(values, f"{at}.authority", rule.get("authority"))
        condition_values(values, f"{at}.when", rule.get("when"))
    validity = data.get("validity") or {}
    for key in ("months", "ends_with_fiscal_year", "until", "note"):
        flatten(values, f"validity.{key}", validity.get(key))
    until = read_date(validity.get("until")) if isinstance(validity.get("until"), str) else None
    if until is not None:  # shown as people write it, and as the hint says
        values["validity.until"] = [until.strftime("%d/%m/%Y")]
    flatten(values, "draft_retention_days", data.get("draft_retention_days"))
    simdet = data.get("simdet") or {}
    for key in SIMDET_KEYS:
        flatten(values, f"simdet.{key}", simdet.get(key))
    return values


def write_other(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    types = field_types(data)
    routing = dict(out.get("routing") or {})
    put(routing, "default_authority", form.one("routing.default_authority"))
    original = list(routing.get("rules") or [])
    rules = []
    for index in form.rows("routing.rules"):
        at = f"routing.rules[{index}]"
        row = form.origin(original, at)
        row["authority"] = form.one(f"{at}.authority")
        row["when"] = read_condition(form, f"{at}.when", row.get("when"), types)
        rules.append((at, row))
    rules = finish_rows(form, "routing.rules", rules, op)
    put(routing, "rules", rules)
    put(out, "routing", routing)
    validity = dict(out.get("validity") or {})
    put(validity, "months", form.number("validity.months", integer=True))
    put(validity, "ends_with_fiscal_year", form.checked("validity.ends_with_fiscal_year"))
    put(validity, "until", form.date("validity.until"))
    put(validity, "note", form.text("validity.note", validity.get("note")))
    put(out, "validity", validity)
    put(out, "draft_retention_days", form.number("draft_retention_days", integer=True))
    simdet = {key: form.one(f"simdet.{key}") for key in SIMDET_KEYS}
    put(out, "simdet", {key: value for key, value in simdet.items() if value})
    return out


BLANKS["routing.rules"] = {"authority": "", "when": None}
REQUIRED["routing.rules"] = ("authority",)
