"""The sample a draft's certificate preview is drawn with: the procedure's own.

The preview of a draft (`editor_services.certificate_preview`) shows its authority (name, code,
logo, place, a case number of its prefix), its legal basis, a decision label of its own
states, the data its form asks and what its officers give (transition outputs), with sample
values by type; the fixed `layout_checks.SAMPLE` fills only what a draft cannot say (holder,
dates, signer). The draft may not validate yet: its raw mapping is read defensively.
"""

from __future__ import annotations

from collections.abc import Iterator

#: Sample values by field type (the rest: a choice's first label, else `TEXT_SAMPLE`).
TYPE_SAMPLES = {
    "number": "12",
    "integer": "12",
    "money": "1,250.00",
    "area_m2": "350",
    "date": "30/11/2026",
    "boolean": "Sí",
    "email": "empresa@example.sv",
    "phone": "2222-0000",
}
TEXT_SAMPLE = "(dato de ejemplo)"
#: How many of the form's answers the sample shows (enough to see the layout's table).
MAX_DATA_ROWS = 8
#: The decision a preview shows, in this order of preference among the draft's states.
DECISION_KINDS = ("approved_with_conditions", "approved")


def _label(spec: dict) -> str:
    label = spec.get("label")
    return str(label.get("es", "")) if isinstance(label, dict) else str(label or "")


def _value(spec: dict) -> str:
    choices = spec.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return _label(choices[0]) or TEXT_SAMPLE
    return TYPE_SAMPLES.get(str(spec.get("type", "")), TEXT_SAMPLE)


def _dicts(items) -> Iterator[dict]:
    return (item for item in items or () if isinstance(item, dict))


def draft_sample(definition: dict, authority) -> dict[str, object]:
    """Return the parts of the preview's context that the draft and its authority give."""
    from portal.certificates.services import authority_logo, clauses

    workflow = definition.get("workflow") if isinstance(definition.get("workflow"), dict) else {}
    outputs = [o for t in _dicts(workflow.get("transitions")) for o in _dicts(t.get("outputs"))]
    fields = [f for f in _dicts(definition.get("fields")) if _label(f)]
    states = {s.get("kind"): _label(s) for s in _dicts(workflow.get("states"))}
    decision = next((states[k] for k in DECISION_KINDS if states.get(k)), "")
    catalogue = definition.get("catalogue") if isinstance(definition.get("catalogue"), dict) else {}
    basis = [_label({"label": b}) for b in _dicts(catalogue.get("legal_basis"))]
    return {
        "authority_name": authority.name,
        "authority_code": authority.code,
        "authority_logo": authority_logo(authority.code),
        "place": authority.place,
        "district_name": authority.place,
        "tracking_number": f"{authority.tracking_prefix}-2026-000123",
        "decision_label": decision.upper(),
        "decision_data": [[_label(o), _value(o)] for o in outputs if _label(o)],
        "data_summary": [[_label(f), _value(f)] for f in fields[:MAX_DATA_ROWS]],
        "legal_basis": clauses(basis),
    }
