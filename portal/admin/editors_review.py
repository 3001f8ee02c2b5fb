"""The draft editors of the review's catalogues: the reasons for corrections and denials, the
site inspection's checklist and the institutions the office may consult for an opinion.

Pure, like `portal.admin.editors`: a stored mapping and posted values in, a new mapping out.
Each row keeps what the form does not draw from the row it started from (`Form.origin`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from portal.admin.editors import BLANKS, REQUIRED, Form, Values, finish_rows, flatten, put

REASONS = "reasons"
CHECKLIST = "inspection.checklist"
OPINIONS = "opinions"


def _blank_text() -> dict[str, str]:
    return {"es": "", "en": ""}


# --- Reasons for corrections and denials --------------------------------------------------


def _rows_values(items, path: str, keys: tuple[str, ...]) -> Values:
    """The form's inputs of a list of rows at `path` (each row's `keys`, and where it came
    from), named by the definition's own paths."""
    values: Values = {}
    for index, item in enumerate(items or []):
        at = f"{path}[{index}]"
        values[f"{at}.origin"] = [str(index)]
        for key in keys:
            flatten(values, f"{at}.{key}", item.get(key))
    return values


def reasons_values(data: Mapping) -> Values:
    return _rows_values(data.get("reasons"), REASONS, ("code", "label", "for", "items"))


def write_reasons(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    original = list(data.get("reasons") or [])
    rows = []
    for index in form.rows(REASONS):
        at = f"{REASONS}[{index}]"
        row = form.origin(original, at)
        row["code"] = form.one(f"{at}.code")
        row["label"] = form.text(f"{at}.label", row.get("label")) or _blank_text()
        # None ticked is a problem the validator names at the input (a reason is for something).
        row["for"] = form.many(f"{at}.for", row.get("for"))
        put(
            row, "items", form.many(f"{at}.items", row.get("items"))
        )  # none ticked: it fits every item
        rows.append((at, row))
    put(out, "reasons", finish_rows(form, REASONS, rows, op))
    return out


BLANKS[REASONS] = {"code": "", "label": _blank_text(), "for": []}
REQUIRED[REASONS] = ("code", "label")


# --- The inspection's checklist -----------------------------------------------------------


def checklist_values(data: Mapping) -> Values:
    inspection = data.get("inspection") or {}
    return _rows_values(inspection.get("checklist"), CHECKLIST, ("code", "label"))


def write_checklist(data: Mapping, form: Form, op: str) -> dict:
    """The checklist as posted; without items the procedure has no site inspection."""
    out = copy.deepcopy(dict(data))
    inspection = dict(out.get("inspection") or {})
    original = list(inspection.get("checklist") or [])
    rows = []
    for index in form.rows(CHECKLIST):
        at = f"{CHECKLIST}[{index}]"
        row = form.origin(original, at)
        row["code"] = form.one(f"{at}.code")
        row["label"] = form.text(f"{at}.label", row.get("label")) or _blank_text()
        rows.append((at, row))
    put(inspection, "checklist", finish_rows(form, CHECKLIST, rows, op))
    put(out, "inspection", inspection)
    return out


# --- Institutions consulted for an opinion ------------------------------------------------


def opinions_values(data: Mapping) -> Values:
    keys = ("code", "name", "business_days", "suspends_clock")
    return _rows_values(data.get("opinions"), OPINIONS, keys)


def write_opinions(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    original = list(data.get("opinions") or [])
    rows = []
    for index in form.rows(OPINIONS):
        at = f"{OPINIONS}[{index}]"
        row = form.origin(original, at)
        row["code"] = form.one(f"{at}.code")
        row["name"] = form.text(f"{at}.name", row.get("name")) or _blank_text()
        put(row, "business_days", form.number(f"{at}.business_days", integer=True))
        suspends = form.checked(f"{at}.suspends_clock")
        if suspends or "suspends_clock" in row:  # an explicit `false` stays as it was written
            row["suspends_clock"] = suspends
        rows.append((at, row))
    put(out, "opinions", finish_rows(form, OPINIONS, rows, op))
    return out


BLANKS[CHECKLIST] = {"code": "", "label": _blank_text()}
REQUIRED[CHECKLIST] = ("code", "label")
BLANKS[OPINIONS] = {"code": "", "name": _blank_text()}
REQUIRED[OPINIONS] = ("code", "name", "business_days")
