"""Transition outputs: what the deciding officer gives with an action (account number, category)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from workflows import Definition, Facts, InvalidDefinition, Reason, TransitionNotAllowed, fire, load
from workflows.loader import load_file

from .conftest import DEFINITIONS, t

ACCOUNT = {
    "name": "cuenta",
    "type": "text",
    "required": True,
    "max_length": 20,
    "pattern": "[0-9A-Z-]+",
    "label": t("Número de cuenta"),
}
CATEGORY = {
    "name": "categoria",
    "type": "choice",
    "required": True,
    "label": t("Categoría"),
    "choices": [{"value": "i", "label": t("I")}, {"value": "ii", "label": t("II")}],
}
SINCE = {"name": "desde", "type": "date", "label": t("Vigente desde")}
CAPITAL = {"name": "capital", "type": "money", "label": t("Capital"), "min": 0}


def with_outputs(demo_data: dict[str, Any], *outputs: dict[str, Any], index: int = 3) -> Definition:
    demo_data["workflow"]["transitions"][index]["outputs"] = list(outputs)
    return load(demo_data)


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


def approve(definition: Definition, **outputs: object):
    facts = Facts(
        role="supervisor", data={"area": "120", "tipo": "a"}, fee_paid=True, outputs=outputs
    )
    return fire(definition, "pago", "resolver", facts)


def refusal(definition: Definition, **outputs: object) -> tuple[Reason, ...]:
    with pytest.raises(TransitionNotAllowed) as refused:
        approve(definition, **outputs)
    return refused.value.reasons


def test_outputs_load_and_round_trip(demo_data: dict[str, Any]) -> None:
    definition = with_outputs(demo_data, ACCOUNT, CATEGORY)

    outputs = definition.transitions[3].outputs
    assert [(o.name, o.type, o.required) for o in outputs] == [
        ("cuenta", "text", True),
        ("categoria", "choice", True),
    ]
    assert outputs[1].choice_values() == ("i", "ii")
    assert load(definition.to_dict()) == definition
    assert definition.to_dict()["workflow"]["transitions"][3]["outputs"][0]["name"] == "cuenta"


def test_a_transition_without_outputs_keeps_none_in_its_mapping(demo: Definition) -> None:
    assert demo.transitions[3].outputs == ()
    assert "outputs" not in demo.transitions[3].to_dict()


def test_firing_returns_the_outputs_normalised(demo_data: dict[str, Any]) -> None:
    definition = with_outputs(demo_data, ACCOUNT, CATEGORY, SINCE, CAPITAL)

    outcome = approve(
        definition, cuenta=" 0511-2026-00042 ", categoria="ii", desde="2026-12-01", capital="1500"
    )

    assert outcome.target == "aprobado"
    assert dict(outcome.outputs) == {
        "cuenta": "0511-2026-00042",
        "categoria": "ii",
        "desde": date(2026, 12, 1),
        "capital": Decimal("1500"),
    }


def test_blank_optional_outputs_are_left_out_and_undeclared_ones_ignored(
    demo_data: dict[str, Any],
) -> None:
    definition = with_outputs(demo_data, ACCOUNT, SINCE)

    outcome = approve(definition, cuenta="A-1", desde="", state="aprobado", role="admin")

    assert dict(outcome.outputs) == {"cuenta": "A-1"}


def test_every_missing_or_invalid_output_is_a_reason_with_its_field_and_rule(
    demo_data: dict[str, Any],
) -> None:
    definition = with_outputs(demo_data, ACCOUNT, CATEGORY, SINCE, CAPITAL)

    reasons = refusal(definition, cuenta="A" * 21, categoria="iii", capital="-5")

    assert reasons == (
        Reason("invalid_output", {"field": "cuenta", "error": "too_long"}),
        Reason("invalid_output", {"field": "categoria", "error": "invalid_choice"}),
        Reason("invalid_output", {"field": "capital", "error": "below_min"}),
    )
    assert refusal(definition, categoria="i") == (
        Reason("invalid_output", {"field": "cuenta", "error": "required"}),
    )
    assert refusal(definition, cuenta="cuenta con espacios", categoria="i") == (
        Reason("invalid_output", {"field": "cuenta", "error": "pattern_mismatch"}),
    )


def test_outputs_are_checked_on_the_transition_that_fires_not_its_sibling(
    demo_data: dict[str, Any],
) -> None:
    # "resolver" has two transitions; only the approving one asks for the account number.
    definition = with_outputs(demo_data, ACCOUNT)
    facts = Facts(role="supervisor", data={"area": "120", "tipo": "b"}, comment="No procede")

    outcome = fire(definition, "pago", "resolver", facts)

    assert (outcome.target, dict(outcome.outputs)) == ("denegado", {})


def test_outputs_are_validated_like_fields(demo_data: dict[str, Any]) -> None:
    bad_range = {"name": "monto", "type": "money", "label": t("Monto"), "min": 10, "max": 1}
    misplaced = {"name": "nota", "type": "yes_no", "label": t("Nota"), "max_length": 3}
    hidden = ACCOUNT | {"visible_if": {"field": "tipo", "op": "eq", "value": "zz"}}
    demo_data["workflow"]["transitions"][3]["outputs"] = [ACCOUNT, bad_range, misplaced, hidden]

    assert problems(demo_data) == [
        ("workflow.transitions[3].outputs[3].name", "duplicate_name"),
        ("workflow.transitions[3].outputs[1].max", "invalid_range"),
        ("workflow.transitions[3].outputs[2].max_length", "not_applicable"),
        ("workflow.transitions[3].outputs[3].visible_if.value", "unknown_choice"),
        ("workflow.transitions[3].outputs[3].visible_if", "not_applicable"),
    ]


def test_outputs_need_a_person_of_the_office_to_give_them(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["transitions"][0]["outputs"] = [ACCOUNT]
    demo_data["workflow"]["transitions"][0]["roles"] = ["applicant", "system", "clerk"]

    assert problems(demo_data) == [("workflow.transitions[0].outputs", "outputs_not_for_role")]


def test_outputs_are_fields_in_the_schema(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["transitions"][3]["outputs"] = [{"name": "x", "type": "colour"}]

    found = problems(demo_data)

    assert ("workflow.transitions[3].outputs[0].type", "not_allowed") in found
    assert ("workflow.transitions[3].outputs[0].label", "missing_key") in found


@pytest.mark.parametrize(
    ("path", "action", "promised"),
    [
        ("0511/inscripcion-establecimiento.yaml", "inscribir", {"cuenta", "calificacion"}),
        ("0614/inscripcion-establecimiento.yaml", "inscribir", {"cuenta", "calificacion"}),
    ],
)
def test_seeded_registrations_ask_for_what_their_sheet_promises(
    path: str, action: str, promised: set[str]
) -> None:
    definition = load_file(DEFINITIONS / path)
    (transition,) = [t for t in definition.transitions if t.action == action]

    names = {o.name for o in transition.outputs}
    assert all(any(word in name for name in names) for word in promised), names
    assert all(o.required for o in transition.outputs)
