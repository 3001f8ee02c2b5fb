"""The engine: available actions, firing, guards and the reasons it gives for a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from workflows import (
    Definition,
    Facts,
    Reason,
    TransitionNotAllowed,
    available_actions,
    fire,
    load,
)

FILED = {"area": "120", "tipo": "a"}


def refusal(definition: Definition, state: str, action: str, facts: Facts) -> tuple[Reason, ...]:
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(definition, state, action, facts)
    return refused.value.reasons


def test_hidden_required_field_is_not_asked(demo: Definition) -> None:
    facts = Facts(role="applicant", data=FILED, documents=frozenset({"plano"}))
    assert fire(demo, "borrador", "presentar", facts).target == "revision"


def test_visible_required_field_must_be_answered(demo: Definition) -> None:
    facts = Facts(role="applicant", data=FILED | {"express": "si"}, documents=frozenset({"plano"}))
    reasons = refusal(demo, "borrador", "presentar", facts)
    assert reasons == (Reason("form_incomplete", {"fields": ("correo",)}),)


def test_counter_documents_are_not_uploaded(demo: Definition) -> None:
    facts = Facts(role="applicant", data=FILED | {"tipo": "b"}, documents=frozenset({"plano"}))
    assert refusal(demo, "borrador", "presentar", facts) == (
        Reason("missing_documents", {"documents": ("poder",)}),
    )


def test_outcome_carries_effects_with_params(demo: Definition) -> None:
    facts = Facts(role="applicant", data=FILED, documents=frozenset({"plano"}))
    outcome = fire(demo, "borrador", "presentar", facts)
    assert outcome.action == "presentar"
    assert outcome.effects[1].name == "assign_to_role"
    assert outcome.effects[1].params == {"role": "clerk"}


def test_review_needs_a_verdict_on_every_item(demo: Definition) -> None:
    facts = Facts(role="clerk", data=FILED, documents=frozenset({"plano"}), verdicts={"area": True})
    assert refusal(demo, "revision", "admitir", facts) == (
        Reason("items_not_verified", {"items": ("tipo", "plano")}),
    )


def test_admission_needs_every_item_verified_ok(demo: Definition) -> None:
    verdicts = {"area": True, "tipo": False, "plano": True}
    facts = Facts(role="clerk", data=FILED, documents=frozenset({"plano"}), verdicts=verdicts)
    assert refusal(demo, "revision", "admitir", facts) == (
        Reason("items_not_verified", {"items": ("tipo",)}),
    )
    facts = Facts(
        role="clerk", data=FILED, documents=frozenset({"plano"}), verdicts=verdicts | {"tipo": True}
    )
    assert fire(demo, "revision", "admitir", facts).target == "inspeccion"


def test_refusal_lists_every_failing_guard(demo: Definition) -> None:
    facts = Facts(role="inspector", prerequisites_valid=False)
    assert [r.code for r in refusal(demo, "inspeccion", "registrar", facts)] == [
        "inspection_not_recorded",
        "prerequisites_not_valid",
    ]
    assert available_actions(demo, "inspeccion", facts) == ()
    passing = Facts(role="inspector", inspection_recorded=True)
    assert [t.action for t in available_actions(demo, "inspeccion", passing)] == ["registrar"]


def test_condition_guard_picks_between_transitions_of_one_action(demo: Definition) -> None:
    approve = Facts(role="supervisor", data={"tipo": "a"}, fee_paid=True)
    deny = Facts(role="supervisor", data={"tipo": "b"}, comment="No cumple")
    assert fire(demo, "pago", "resolver", approve).target == "aprobado"
    assert fire(demo, "pago", "resolver", deny).target == "denegado"
    assert [t.target for t in available_actions(demo, "pago", deny)] == ["denegado"]


def test_refusal_comes_from_the_transition_whose_condition_holds(demo: Definition) -> None:
    facts = Facts(role="supervisor", data={"tipo": "a"})
    assert refusal(demo, "pago", "resolver", facts) == (Reason("fee_not_paid"),)
    facts = Facts(role="supervisor", data={"tipo": "b"})
    assert refusal(demo, "pago", "resolver", facts) == (Reason("comment_required"),)


def test_blank_value_satisfies_a_not_equal_condition(demo: Definition) -> None:
    facts = Facts(role="supervisor", data={})
    assert refusal(demo, "pago", "resolver", facts) == (Reason("comment_required"),)


def test_refusal_merges_reasons_when_no_condition_holds(demo_data: dict[str, Any]) -> None:
    deny = demo_data["workflow"]["transitions"][4]
    deny["guards"][1]["params"] = {"field": "tipo", "op": "eq", "value": "b"}
    definition = load(demo_data)
    reasons = refusal(definition, "pago", "resolver", Facts(role="supervisor", data={}))
    assert [r.code for r in reasons] == ["fee_not_paid", "condition_not_met", "comment_required"]


def test_unknown_action_names_the_action_and_state(demo: Definition) -> None:
    reasons = refusal(demo, "borrador", "volar", Facts(role="applicant"))
    assert reasons == (Reason("unknown_action", {"action": "volar", "state": "borrador"}),)


def test_refusal_message_lists_the_codes(demo: Definition) -> None:
    with pytest.raises(
        TransitionNotAllowed, match="inspection_not_recorded, prerequisites_not_valid"
    ):
        fire(demo, "inspeccion", "registrar", Facts(role="inspector", prerequisites_valid=False))


def test_reasons_are_hashable_and_frozen() -> None:
    reason = Reason("form_incomplete", {"fields": ["a", "b"]})
    assert reason.params["fields"] == ("a", "b")
    assert len({reason, Reason("form_incomplete", {"fields": ("a", "b")})}) == 1
    with pytest.raises(TypeError):
        reason.params["fields"] = ()  # type: ignore[index]


def test_facts_default_to_nothing_given() -> None:
    facts = Facts(role="clerk")
    assert (facts.data, facts.documents, facts.verdicts) == ({}, frozenset(), {})
    assert not facts.fee_paid and facts.prerequisites_valid and not facts.inspection_recorded
