"""Loading rejects bad definitions, naming every problem with its path and code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workflows import InvalidDefinition, Problem, load, load_file
from workflows.validator import excludes


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


def transition(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["workflow"]["transitions"][index]


def state(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["workflow"]["states"][index]


# Schema problems


def test_missing_key(demo_data: dict[str, Any]) -> None:
    del demo_data["title"]
    del transition(demo_data, 0)["to"]
    assert problems(demo_data) == [
        ("title", "missing_key"),
        ("workflow.transitions[0].to", "missing_key"),
    ]


def test_unknown_key(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][0]["colour"] = "red"
    assert problems(demo_data) == [("fields[0].colour", "unknown_key")]


def test_wrong_type_and_value(demo_data: dict[str, Any]) -> None:
    demo_data["version"] = "2"
    state(demo_data, 0)["kind"] = "borrador"
    demo_data["slug"] = "Demo X"
    assert sorted(problems(demo_data)) == [
        ("slug", "bad_format"),
        ("version", "wrong_type"),
        ("workflow.states[0].kind", "not_allowed"),
    ]


def test_texts_are_bounded_a_title_more_tightly(demo_data: dict[str, Any]) -> None:
    from workflows.text import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH

    demo_data["title"]["es"] = "T" * 640
    demo_data["summary"] = {"es": "S" * 20000, "en": "S" * TEXT_MAX_LENGTH}
    with pytest.raises(InvalidDefinition) as invalid:
        load(demo_data)
    assert [(p.path, p.code, dict(p.params)) for p in invalid.value.problems] == [
        ("title.es", "too_long", {"variant": "chars", "max": TITLE_MAX_LENGTH, "length": 640}),
        ("summary.es", "too_long", {"variant": "chars", "max": TEXT_MAX_LENGTH, "length": 20000}),
    ]


def test_fee_keys_depend_on_the_kind(demo_data: dict[str, Any]) -> None:
    demo_data["fees"][0]["field"] = "area"
    demo_data["fees"].append({"code": "x", "kind": "table", "label": {"es": "x", "en": "x"}})
    assert problems(demo_data) == [
        ("fees[0].field", "unknown_key"),
        ("fees[1].field", "missing_key"),
        ("fees[1].amounts", "missing_key"),
    ]


def test_condition_shapes(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][3]["visible_if"] = {"field": "express", "op": "present", "value": True}
    demo_data["documents"][1]["required_if"] = {"field": "tipo", "op": "in", "value": "b"}
    found = problems(demo_data)
    assert ("fields[3].visible_if", "not_allowed") in found
    assert ("documents[1].required_if.value", "wrong_type") in found


def test_invalid_ref_shape_points_inside(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 0)["effects"][1] = {"name": "notify", "param": {}}
    assert problems(demo_data) == [("workflow.transitions[0].effects[1].param", "unknown_key")]


def test_choice_field_needs_choices(demo_data: dict[str, Any]) -> None:
    del demo_data["fields"][1]["choices"]
    assert problems(demo_data) == [("fields[1].choices", "missing_key")]


def test_surcharge_is_an_amount_or_a_percentage(demo_data: dict[str, Any]) -> None:
    demo_data["fees"].append(
        {
            "code": "s",
            "kind": "surcharge",
            "label": {"es": "s", "en": "s"},
            "amount": 1,
            "percent": 5,
        }
    )
    assert problems(demo_data) == [("fees[1]", "invalid_shape")]


def test_amount_is_a_number_or_amounts_by_regime(demo_data: dict[str, Any]) -> None:
    demo_data["fees"].append(
        {"code": "r", "kind": "per_unit_above", "label": {"es": "r", "en": "r"}, "field": "area",
         "base": "87", "threshold": 75, "rate": {"tasas_2004": "1.07"}}
    )  # fmt: skip
    assert problems(demo_data) == [
        ("fees[1].base", "invalid_shape"),
        ("fees[1].rate.tasas_2004", "wrong_type"),
    ]


# Semantic problems


def test_missing_translation(demo_data: dict[str, Any]) -> None:
    demo_data["title"]["en"] = " "
    del state(demo_data, 1)["label"]["es"]
    assert problems(demo_data) == [
        ("title.en", "missing_translation"),
        ("workflow.states[1].label.es", "missing_translation"),
    ]


def test_unknown_state(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 3)["to"] = "aprobada"
    transition(demo_data, 1)["from"] = ["revision", "revisión"]
    demo_data["workflow"]["initial"] = "inicio"
    found = problems(demo_data)
    assert ("workflow.transitions[3].to", "unknown_state") in found
    assert ("workflow.transitions[1].from[1]", "unknown_state") in found
    assert ("workflow.initial", "unknown_state") in found


def test_unknown_role(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 1)["roles"] = ["clerk", "jefe"]
    state(demo_data, 1)["roles"] = ["registro"]
    assert problems(demo_data) == [
        ("workflow.states[1].roles[0]", "unknown_role"),
        ("workflow.transitions[1].roles[1]", "unknown_role"),
    ]


def test_unknown_guard_and_effect(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 0)["guards"].append("pagado")
    transition(demo_data, 0)["effects"].append("send_sms")
    assert problems(demo_data) == [
        ("workflow.transitions[0].guards[2]", "unknown_guard"),
        ("workflow.transitions[0].effects[2]", "unknown_effect"),
    ]


def test_guard_and_effect_params_are_checked(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 0)["guards"][0] = {"name": "form_complete", "params": {"x": 1}}
    transition(demo_data, 0)["effects"].append(
        {"name": "emit_feed_event", "params": {"type": "case.lost"}}
    )
    transition(demo_data, 3)["guards"][1]["params"] = {"field": "tipo"}
    assert problems(demo_data) == [
        ("workflow.transitions[0].guards[0].params", "invalid_params"),
        ("workflow.transitions[0].effects[2].params", "invalid_params"),
        ("workflow.transitions[3].guards[1].params", "invalid_params"),
        ("workflow.transitions[4].action", "ambiguous_transition"),
    ]


def test_certificate_effect_needs_a_certificate(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 3)["effects"] = ["issue_certificate"]
    assert problems(demo_data) == [
        ("workflow.transitions[3].effects[0]", "certificate_not_defined")
    ]


def test_a_resolution_is_issued_only_by_a_decision(demo_data: dict[str, Any]) -> None:
    denial, admission = transition(demo_data, 4), transition(demo_data, 1)
    denial.setdefault("effects", []).append("issue_resolution")  # resolver -> denegado: final
    admission.setdefault("effects", []).append("issue_resolution")  # -> inspeccion: not final
    assert problems(demo_data) == [
        (
            f"workflow.transitions[1].effects[{len(admission['effects']) - 1}]",
            "resolution_not_final",
        )
    ]


def test_unknown_field_in_conditions_fees_and_simdet(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][3]["visible_if"]["field"] = "urgente"
    demo_data["documents"][1]["required_if"] = {"not": {"field": "clase", "op": "absent"}}
    transition(demo_data, 3)["guards"][1]["params"] = {"field": "tipos", "op": "eq", "value": "a"}
    demo_data["fees"].append(
        {"code": "t", "kind": "table", "label": {"es": "t", "en": "t"}, "field": "cat",
         "amounts": {"a": 1}}
    )  # fmt: skip
    demo_data["simdet"] = {"activity_field": "actividad"}
    assert problems(demo_data) == [
        ("fields[3].visible_if.field", "unknown_field"),
        ("documents[1].required_if.not.field", "unknown_field"),
        ("fees[1].field", "unknown_field"),
        ("workflow.transitions[3].guards[1].params.field", "unknown_field"),
        ("workflow.transitions[4].action", "ambiguous_transition"),
        ("simdet.activity_field", "unknown_field"),
    ]


def test_type_mismatch(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][3]["visible_if"] = {"field": "area", "op": "gt", "value": "grande"}
    demo_data["documents"][1]["required_if"] = {"field": "tipo", "op": "lt", "value": "b"}
    demo_data["fees"].append(
        {"code": "u", "kind": "per_unit_above", "label": {"es": "u", "en": "u"}, "field": "tipo",
         "base": 1, "threshold": 0, "rate": 1,
         "rates": [{"when": {"field": "express", "op": "eq", "value": "si"}, "rate": 2}]}
    )  # fmt: skip
    demo_data["fees"].append(
        {"code": "t", "kind": "table", "label": {"es": "t", "en": "t"}, "field": "area",
         "amounts": {"a": 1}, "when": {"field": "inicio", "op": "ge", "value": "2026-13-01"}}
    )  # fmt: skip
    demo_data["simdet"] = {"employees_field": "tipo"}
    assert problems(demo_data) == [
        ("fields[3].visible_if.value", "type_mismatch"),
        ("documents[1].required_if.op", "type_mismatch"),
        ("fees[1].rates[0].when.value", "type_mismatch"),
        ("fees[1].field", "type_mismatch"),
        ("fees[2].when.value", "type_mismatch"),
        ("fees[2].field", "type_mismatch"),
        ("simdet.employees_field", "type_mismatch"),
    ]


def test_condition_guard_with_a_list_value_loads(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 3)["guards"][1]["params"] = {"field": "tipo", "op": "in", "value": ["a"]}
    transition(demo_data, 4)["guards"][1]["params"] = {"field": "tipo", "op": "in", "value": ["b"]}
    assert load(demo_data).transitions[3].guards[1].params["value"] == ("a",)


def test_text_value_for_a_number_field_is_a_type_mismatch(demo_data: dict[str, Any]) -> None:
    demo_data["documents"][1]["required_if"] = {"field": "tipo", "op": "eq", "value": 2}
    assert problems(demo_data) == [("documents[1].required_if.value", "type_mismatch")]


def test_unknown_choice(demo_data: dict[str, Any]) -> None:
    demo_data["documents"][1]["required_if"] = {"field": "tipo", "op": "in", "value": ["b", "c"]}
    demo_data["fees"].append(
        {"code": "t", "kind": "table", "label": {"es": "t", "en": "t"}, "field": "tipo",
         "amounts": {"a": 1, "z": 2}}
    )  # fmt: skip
    assert problems(demo_data) == [
        ("documents[1].required_if.value", "unknown_choice"),
        ("fees[1].amounts.z", "unknown_choice"),
    ]


def test_unreachable_state(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["states"].append(
        {"code": "archivo", "kind": "active", "label": {"es": "Archivo", "en": "Archive"}}
    )
    demo_data["workflow"]["transitions"].append(
        {"action": "cerrar", "from": "archivo", "to": "denegado", "roles": ["clerk"],
         "label": {"es": "Cerrar", "en": "Close"}}
    )  # fmt: skip
    assert problems(demo_data) == [("workflow.states[6]", "unreachable_state")]


def test_dead_end_state(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 2)["from"] = "revision"
    found = problems(demo_data)
    assert ("workflow.states[2]", "dead_end_state") in found
    assert ("workflow.transitions[2].action", "ambiguous_transition") not in found


def test_no_approval_reachable(demo_data: dict[str, Any]) -> None:
    del demo_data["workflow"]["transitions"][3]
    found = problems(demo_data)
    assert ("workflow.states", "no_approval_reachable") in found
    assert ("workflow.states[4]", "unreachable_state") in found


def test_positive_silence_makes_approval_reachable(demo_data: dict[str, Any]) -> None:
    del demo_data["workflow"]["transitions"][3]
    demo_data["workflow"]["breach"] = [{"kind": "deem_approved", "target": "aprobado"}]
    assert load(demo_data).breach[0].target == "aprobado"


def test_breach_problems(demo_data: dict[str, Any]) -> None:
    state(demo_data, 1)["breach"] = [
        {"kind": "deem_approved"},
        {"kind": "deem_abandoned", "target": "denegado"},
        {"kind": "deem_approved", "target": "aprobada"},
        {"kind": "notify"},
        {"kind": "escalate", "role": "jefe"},
    ]
    state(demo_data, 2)["breach"] = [{"kind": "notify", "role": "supervisor"}]
    del demo_data["catalogue"]["legal_max_business_days"]
    demo_data["workflow"]["breach"] = [{"kind": "deem_approved", "target": "denegado"}]
    assert problems(demo_data) == [
        ("workflow.states[1].breach[0].target", "breach_without_target"),
        ("workflow.states[1].breach[1].target", "wrong_target_kind"),
        ("workflow.states[1].breach[2].target", "unknown_state"),
        ("workflow.states[1].breach[3].role", "breach_without_role"),
        ("workflow.states[1].breach[4].role", "unknown_role"),
        ("workflow.states[2].breach[0]", "breach_without_deadline"),
        ("workflow.breach[0]", "breach_without_deadline"),
        ("workflow.breach[0].target", "wrong_target_kind"),
    ]


def test_transition_from_final_state(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 1)["from"] = ["revision", "aprobado"]
    assert problems(demo_data) == [
        ("workflow.transitions[1].from[1]", "transition_from_final_state")
    ]


def test_a_declared_transition_kind_must_fit_its_target(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 0)["kind"] = "withdraw"
    transition(demo_data, 3)["kind"] = "decide"
    transition(demo_data, 1)["kind"] = "submit"
    assert problems(demo_data) == [("workflow.transitions[0].kind", "wrong_target_kind")]
    transition(demo_data, 0)["kind"] = "cancelar"
    assert problems(demo_data) == [("workflow.transitions[0].kind", "not_allowed")]


def test_ambiguous_transition(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 4)["guards"] = ["comment_given"]
    assert problems(demo_data) == [("workflow.transitions[4].action", "ambiguous_transition")]


def test_same_action_for_different_roles_is_not_ambiguous(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 4)["guards"] = ["comment_given"]
    transition(demo_data, 4)["roles"] = ["clerk"]
    assert load(demo_data).transitions[4].roles == ("clerk",)


def test_duplicate_names_and_codes(demo_data: dict[str, Any]) -> None:
    demo_data["fields"].append(dict(demo_data["fields"][0]))
    demo_data["documents"].append(dict(demo_data["documents"][0]))
    demo_data["fees"].append(dict(demo_data["fees"][0]))
    demo_data["fields"][1]["choices"].append(dict(demo_data["fields"][1]["choices"][0]))
    assert problems(demo_data) == [
        ("fields[6].name", "duplicate_name"),
        ("documents[3].code", "duplicate_code"),
        ("fees[1].code", "duplicate_code"),
        ("fields[1].choices[2].value", "duplicate_value"),
    ]


def test_duplicate_state(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["states"].append(dict(state(demo_data, 5)))
    assert problems(demo_data) == [("workflow.states[6].code", "duplicate_code")]


def test_field_constraints_must_fit_the_type(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][1].update(min=1, max=0, max_length=3, pattern="[a-")
    demo_data["fields"][2]["choices"] = [{"value": "x", "label": {"es": "x", "en": "x"}}]
    demo_data["fields"][0].update(min=10, max=5)
    demo_data["fields"][5]["pattern"] = "(["
    found = problems(demo_data)
    assert found == [
        ("fields[0].max", "invalid_range"),
        ("fields[1].min", "not_applicable"),
        ("fields[1].max", "not_applicable"),
        ("fields[1].max_length", "not_applicable"),
        ("fields[1].pattern", "not_applicable"),
        ("fields[1].max", "invalid_range"),
        ("fields[1].pattern", "invalid_pattern"),
        ("fields[2].choices", "not_applicable"),
        ("fields[5].pattern", "not_applicable"),
        ("fields[5].pattern", "invalid_pattern"),
    ]


def test_every_problem_is_reported_at_once_one_per_line(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 0)["to"] = "nada"
    transition(demo_data, 1)["roles"] = ["nadie"]
    with pytest.raises(InvalidDefinition) as invalid:
        load(demo_data)
    lines = str(invalid.value).splitlines()
    assert lines[0] == "workflow.transitions[0].to: unknown_state: no state 'nada'"
    assert lines[1].startswith("workflow.transitions[1].roles[0]: unknown_role")
    assert invalid.value.problems[0] == Problem(
        "workflow.transitions[0].to", "unknown_state", "no state 'nada'"
    )


def test_file_must_be_a_yaml_mapping(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(InvalidDefinition) as invalid:
        load_file(broken)
    assert invalid.value.problems[0].code == "not_yaml"
    with pytest.raises(InvalidDefinition) as invalid:
        load_file(listing)
    assert invalid.value.problems[0].code == "not_a_mapping"


def test_yaml_dates_stay_iso_strings(tmp_path: Path, demo_data: dict[str, Any]) -> None:
    import yaml

    demo_data["fields"][3]["visible_if"] = {"field": "inicio", "op": "ge", "value": "2026-01-01"}
    path = tmp_path / "demo.yaml"
    path.write_text(
        yaml.safe_dump(demo_data, allow_unicode=True).replace("'2026-01-01'", "2026-01-01")
    )
    assert "value: 2026-01-01\n" in path.read_text()
    assert load_file(path).field("correo").visible_if["value"] == "2026-01-01"  # type: ignore[index]


@pytest.mark.parametrize(
    ("first", "second", "exclusive"),
    [
        (
            {"field": "a", "op": "eq", "value": 1},
            {"not": {"field": "a", "op": "eq", "value": 1}},
            True,
        ),
        (
            {"not": {"field": "a", "op": "eq", "value": 1}},
            {"field": "a", "op": "eq", "value": 1},
            True,
        ),
        ({"field": "a", "op": "eq", "value": 1}, {"field": "a", "op": "eq", "value": 2}, True),
        (
            {"field": "a", "op": "eq", "value": 1},
            {"field": "a", "op": "in", "value": (1, 2)},
            False,
        ),
        (
            {"field": "a", "op": "in", "value": (1,)},
            {"field": "a", "op": "not_in", "value": (1, 2)},
            True,
        ),
        ({"field": "a", "op": "ne", "value": 1}, {"field": "a", "op": "eq", "value": 1}, True),
        ({"field": "a", "op": "ne", "value": 1}, {"field": "a", "op": "eq", "value": 2}, False),
        ({"field": "a", "op": "present"}, {"field": "a", "op": "absent"}, True),
        ({"field": "a", "op": "gt", "value": 1}, {"field": "a", "op": "le", "value": 1}, False),
        ({"field": "a", "op": "eq", "value": 1}, {"field": "b", "op": "eq", "value": 2}, False),
        ({"all": [{"field": "a", "op": "present"}]}, {"field": "a", "op": "absent"}, False),
    ],
)
def test_exclusive_conditions(first: dict, second: dict, exclusive: bool) -> None:
    assert excludes(first, second) is exclusive


def test_extension_days_and_notice_texts_are_checked(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 0)["effects"].append({"name": "extend_clock", "params": {}})
    transition(demo_data, 0)["effects"].append(
        {"name": "notify", "params": {"message": {"es": "Su expediente {{ tracking_number }}"}}}
    )
    assert problems(demo_data) == [
        ("workflow.transitions[0].effects[2].params", "invalid_params"),
        ("workflow.transitions[0].effects[3].params", "invalid_params"),
    ]
    transition(demo_data, 0)["effects"][2]["params"] = {"business_days": 10}
    transition(demo_data, 0)["effects"][3]["params"]["message"]["en"] = "Your case"
    effects = load(demo_data).transitions[0].effects
    assert effects[2].params == {"business_days": 10}
    assert effects[3].params["message"]["en"] == "Your case"


# Payment orders: a declared fee is charged, and an order has a fee to charge.


def test_fees_never_requested(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 2)["effects"] = []
    assert problems(demo_data) == [("fees", "fees_never_requested")]


def test_fees_requested_on_any_transition_are_charged(demo_data: dict[str, Any]) -> None:
    transition(demo_data, 2)["effects"] = []
    transition(demo_data, 0)["effects"].append({"name": "request_payment"})
    load(demo_data)


def test_payment_without_fees(demo_data: dict[str, Any]) -> None:
    demo_data["fees"] = []
    transition(demo_data, 0)["effects"].append("request_payment")
    assert problems(demo_data) == [
        ("workflow.transitions[0].effects[2]", "payment_without_fees"),
        ("workflow.transitions[2].effects[0]", "payment_without_fees"),
    ]


def test_no_fees_and_no_payment_order_is_sound(demo_data: dict[str, Any]) -> None:
    demo_data["fees"] = []
    transition(demo_data, 2)["effects"] = []
    load(demo_data)


# Checks that refuse publication, not loading


def test_a_document_named_as_a_field_is_refused_for_publication_but_still_loads(
    demo_data: dict[str, Any],
) -> None:
    from workflows.validator import publication_problems

    demo_data["documents"][1]["code"] = "tipo"  # the field `tipo` and the document share it
    demo_data["documents"][2]["code"] = "area"
    found = load(demo_data)  # a stored version that has it still loads: its cases go on
    assert publication_problems(found) == [
        Problem(
            "documents[1].code",
            "review_item_clash",
            "the field and the document share the name 'tipo'",
        ),
        Problem(
            "documents[2].code",
            "review_item_clash",
            "the field and the document share the name 'area'",
        ),
    ]


def test_distinct_field_and_document_names_may_be_published(demo) -> None:
    from workflows.validator import publication_problems

    assert publication_problems(demo) == []
