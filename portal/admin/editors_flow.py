"""The draft editors of the workflow and of its notice texts (see `portal.admin.editors`).

Pure, like `portal.admin.editors`: a stored mapping and posted values in, a new mapping out.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from forms.messages import message_for
from portal.admin.editors import (
    BLANKS,
    REQUIRED,
    Form,
    Values,
    condition_values,
    field_types,
    finish_rows,
    flatten,
    put,
    read_condition,
)
from workflows.effects import NOTIFY

#: The one parameter an effect row edits, by effect name (others keep theirs as stored).
EFFECT_PARAM = {
    "emit_feed_event": "type",
    "extend_clock": "business_days",
    "request_payment": "due_business_days",
    "assign_to_role": "role",
}
_INTEGER_PARAMS = frozenset({"business_days", "due_business_days"})


def _ref(item: Any) -> tuple[str, dict]:
    """A guard or effect as (name, params), written bare or as `{name, params}`."""
    if isinstance(item, str):
        return item, {}
    if isinstance(item, dict):
        return str(item.get("name", "")), dict(item.get("params") or {})
    return "", {}


def _ref_out(name: str, params: dict) -> str | dict:
    return {"name": name, "params": params} if params else name


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value or []]


# --- Workflow -----------------------------------------------------------------------------


def workflow_values(data: Mapping) -> Values:
    workflow = data.get("workflow") or {}
    values: Values = {"workflow.initial": [str(workflow.get("initial", ""))]}
    for index, state in enumerate(workflow.get("states") or []):
        at = f"workflow.states[{index}]"
        values[f"{at}.origin"] = [str(index)]
        for key in ("code", "kind", "label", "roles", "business_days", "clock"):
            flatten(values, f"{at}.{key}", state.get(key))
        for key in ("applicant_can_edit", "business_days_placeholder"):
            flatten(values, f"{at}.{key}", state.get(key))
        _breach_values(values, f"{at}.breach", state.get("breach"))
    for index, transition in enumerate(workflow.get("transitions") or []):
        at = f"workflow.transitions[{index}]"
        values[f"{at}.origin"] = [str(index)]
        for key in ("action", "to", "label", "kind", "comment_required", "verdicts_required"):
            flatten(values, f"{at}.{key}", transition.get(key))
        values[f"{at}.from"] = _listed(transition.get("from"))
        values[f"{at}.roles"] = _listed(transition.get("roles"))
        guards = [_ref(item) for item in transition.get("guards") or []]
        values[f"{at}.guards"] = [name for name, _params in guards if name != "condition"]
        condition = next((params for name, params in guards if name == "condition"), None)
        condition_values(values, f"{at}.guard_condition", condition)
        for number, effect in enumerate(transition.get("effects") or []):
            name, params = _ref(effect)
            values[f"{at}.effects[{number}].origin"] = [str(number)]
            values[f"{at}.effects[{number}].name"] = [name]
            if name in EFFECT_PARAM:
                values[f"{at}.effects[{number}].param"] = [str(params.get(EFFECT_PARAM[name], ""))]
    _breach_values(values, "workflow.breach", workflow.get("breach"))
    return values


def _breach_values(values: Values, name: str, actions: Any) -> None:
    for number, action in enumerate(actions or []):
        at = f"{name}[{number}]"
        values[f"{at}.origin"] = [str(number)]
        for key in ("kind", "role", "target", "after_business_days"):
            flatten(values, f"{at}.{key}", action.get(key))


def _breach(form: Form, name: str, stored: list) -> list:
    actions = []
    for number in form.rows(name):
        at = f"{name}[{number}]"
        kind = form.one(f"{at}.kind")
        if not kind:
            continue
        row = form.origin(stored, at)
        row["kind"] = kind
        put(row, "role", form.one(f"{at}.role"))
        put(row, "target", form.one(f"{at}.target"))
        put(row, "after_business_days", form.number(f"{at}.after_business_days", integer=True))
        actions.append(row)
    return actions


def _effects(form: Form, name: str, stored: list) -> list:
    effects = []
    for number in form.rows(name):
        at = f"{name}[{number}]"
        effect = form.one(f"{at}.name")
        if not effect:
            continue
        origin = form.origin([{"e": item} for item in stored], at).get("e")
        old_name, params = _ref(origin)
        params = params if old_name == effect else {}
        key = EFFECT_PARAM.get(effect)
        if key is not None:
            if key in _INTEGER_PARAMS:
                put(params, key, form.number(f"{at}.param", integer=True))
            else:
                put(params, key, form.one(f"{at}.param"))
        effects.append(_ref_out(effect, params))
    return effects


def write_workflow(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    workflow = dict(out.get("workflow") or {})
    types = field_types(data)
    workflow["initial"] = form.one("workflow.initial")
    original = list(workflow.get("states") or [])
    states = []
    for index in form.rows("workflow.states"):
        at = f"workflow.states[{index}]"
        row = form.origin(original, at)
        row["code"] = form.one(f"{at}.code")
        row["kind"] = form.one(f"{at}.kind")
        row["label"] = form.text(f"{at}.label", row.get("label")) or {"es": "", "en": ""}
        put(row, "roles", form.many(f"{at}.roles", row.get("roles")))
        put(row, "business_days", form.number(f"{at}.business_days", integer=True))
        put(row, "clock", form.one(f"{at}.clock"))
        put(row, "applicant_can_edit", form.checked(f"{at}.applicant_can_edit"))
        put(row, "business_days_placeholder", form.checked(f"{at}.business_days_placeholder"))
        put(row, "breach", _breach(form, f"{at}.breach", list(row.get("breach") or [])))
        states.append((at, row))
    workflow["states"] = finish_rows(form, "workflow.states", states, op)
    original = list(workflow.get("transitions") or [])
    transitions = []
    for index in form.rows("workflow.transitions"):
        at = f"workflow.transitions[{index}]"
        row = form.origin(original, at)
        sources = form.many(f"{at}.from", row.get("from"))
        row["action"] = form.one(f"{at}.action")
        row["from"] = sources[0] if len(sources) == 1 else sources
        row["to"] = form.one(f"{at}.to")
        put(row, "roles", form.many(f"{at}.roles", row.get("roles")))
        row["label"] = form.text(f"{at}.label", row.get("label")) or {"es": "", "en": ""}
        put(row, "kind", form.one(f"{at}.kind"))
        put(row, "comment_required", form.checked(f"{at}.comment_required"))
        put(row, "verdicts_required", form.checked(f"{at}.verdicts_required"))
        stored_guards = [_ref(item) for item in row.get("guards") or []]
        old_condition = next((p for n, p in stored_guards if n == "condition"), None)
        names = [name for name, _params in stored_guards if name != "condition"]
        guards: list[Any] = list(form.many(f"{at}.guards", names))
        condition = read_condition(form, f"{at}.guard_condition", old_condition, types)
        if condition:
            guards.append({"name": "condition", "params": condition})
        put(row, "guards", guards)
        put(row, "effects", _effects(form, f"{at}.effects", list(row.get("effects") or [])))
        transitions.append((at, row))
    workflow["transitions"] = finish_rows(form, "workflow.transitions", transitions, op)
    put(workflow, "breach", _breach(form, "workflow.breach", list(workflow.get("breach") or [])))
    out["workflow"] = workflow
    return out


BLANKS["workflow.states"] = {"code": "", "kind": "active", "label": {"es": "", "en": ""}}
REQUIRED["workflow.states"] = ("code", "kind", "label")
BLANKS["workflow.transitions"] = {"action": "", "from": "", "to": "", "label": {"es": "", "en": ""}}
REQUIRED["workflow.transitions"] = ("action", "from", "to", "label")


# --- Notices ------------------------------------------------------------------------------


def notice_slots(data: Mapping) -> list[tuple[str, int, str]]:
    """Where a notice text goes: `(input name, transition index, kind)` for each notify
    effect's message (kind `notice`) and each transition's reasoned text (`reasoned`)."""
    slots = []
    for index, transition in enumerate((data.get("workflow") or {}).get("transitions") or []):
        if not isinstance(transition, dict):
            continue
        for number, effect in enumerate(transition.get("effects") or []):
            if _ref(effect)[0] == NOTIFY:
                at = f"workflow.transitions[{index}].effects[{number}].params.message"
                slots.append((at, index, "notice"))
        if transition.get("comment_required") or transition.get("reasoned_text"):
            slots.append((f"workflow.transitions[{index}].reasoned_text", index, "reasoned"))
    return slots


def notices_values(data: Mapping) -> Values:
    values: Values = {}
    transitions = (data.get("workflow") or {}).get("transitions") or []
    for name, index, kind in notice_slots(data):
        if kind == "reasoned":
            flatten(values, name, transitions[index].get("reasoned_text"))
            continue
        number = int(name.split(".effects[")[1].split("]")[0])
        _name, params = _ref(transitions[index]["effects"][number])
        flatten(values, name, params.get("message"))
    return values


def write_notices(data: Mapping, form: Form, op: str) -> dict:
    out = copy.deepcopy(dict(data))
    transitions = (out.get("workflow") or {}).get("transitions") or []
    for name, index, kind in notice_slots(data):
        if kind == "reasoned":
            text = form.text(name, transitions[index].get("reasoned_text"))
            put(transitions[index], "reasoned_text", text)
            continue
        number = int(name.split(".effects[")[1].split("]")[0])
        effect_name, params = _ref(transitions[index]["effects"][number])
        text = form.text(name, params.get("message"))
        for language in ("es", "en"):
            if text and not text[language]:
                form.errors[f"{name}.{language}"] = message_for("other_language_missing")
        put(params, "message", text)
        transitions[index]["effects"][number] = _ref_out(effect_name, params)
    return out
