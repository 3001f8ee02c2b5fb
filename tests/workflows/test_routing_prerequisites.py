"""Routing to the issuing authority, prerequisite procedures and `valid_from`: format and use."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workflows import (
    Definition,
    Facts,
    InvalidDefinition,
    Reason,
    TransitionNotAllowed,
    fire,
    load,
)
from workflows.model import DEFAULT_VALID_STATE_KINDS, Prerequisite
from workflows.prerequisites import (
    Held,
    add_months,
    is_satisfied,
    missing_prerequisites,
    required_prerequisites,
)
from workflows.routing import issuing_authority

TODAY = date(2026, 4, 6)
CALIFICACION = "OPAMSS/calificacion-lugar"
LINEA = "OPAMSS/linea-construccion"
VIAL = "OPAMSS/revision-vial-zonificacion"


def t(es: str) -> dict[str, str]:
    return {"es": es, "en": f"{es} (en)"}


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


@pytest.fixture
def routed_data(demo_data: dict[str, Any]) -> dict[str, Any]:
    """The demo definition with every new section."""
    demo_data["valid_from"] = "2026-05-01"
    demo_data["routing"] = {
        "rules": [
            {"when": {"field": "area", "op": "ge", "value": 250}, "authority": "DOT"},
            {"when": {"field": "tipo", "op": "eq", "value": "b"}, "authority": "APLAN"},
        ],
        "default_authority": "OPAMSS",
    }
    demo_data["prerequisites"] = [
        {"procedure": CALIFICACION, "title": t("Calificación de lugar")},
        {
            "procedure": LINEA,
            "title": t("Línea de construcción"),
            "valid_states_kinds": ["approved"],
            "max_age_months": 12,
        },
        {
            "procedure": VIAL,
            "title": t("Revisión vial"),
            "when": {"field": "express", "op": "eq", "value": True},
        },
    ]
    return demo_data


@pytest.fixture
def routed(routed_data: dict[str, Any]) -> Definition:
    return load(routed_data)


# Format: loading and the round trip


def test_new_sections_load(routed: Definition) -> None:
    assert routed.valid_from == date(2026, 5, 1)
    assert routed.routing is not None
    assert [rule.authority for rule in routed.routing.rules] == ["DOT", "APLAN"]
    assert routed.routing.default_authority == "OPAMSS"
    first, second, third = routed.prerequisites
    assert (
        first.valid_states_kinds
        == DEFAULT_VALID_STATE_KINDS
        == ("approved", "approved_with_conditions")
    )
    assert (first.max_age_months, first.when) == (None, None)
    assert (second.valid_states_kinds, second.max_age_months) == (("approved",), 12)
    assert third.when == {"field": "express", "op": "eq", "value": True}
    assert (first.authority, first.slug) == ("OPAMSS", "calificacion-lugar")


def test_new_sections_round_trip(routed: Definition) -> None:
    body = routed.to_dict()
    assert body["valid_from"] == "2026-05-01"
    assert body["routing"]["rules"][0] == {
        "when": {"field": "area", "op": "ge", "value": 250},
        "authority": "DOT",
    }
    assert body["prerequisites"][0] == {
        "procedure": CALIFICACION,
        "title": t("Calificación de lugar"),
        "valid_states_kinds": ["approved", "approved_with_conditions"],
    }
    again = load(body)
    assert again == routed
    assert again.digest == routed.digest


def test_definitions_without_them_keep_their_mapping(demo: Definition) -> None:
    body = demo.to_dict()
    assert not {"valid_from", "routing", "prerequisites"} & set(body)
    assert (demo.valid_from, demo.routing, demo.prerequisites) == (None, None, ())


def test_routing_may_hold_only_a_default(demo_data: dict[str, Any]) -> None:
    demo_data["routing"] = {"default_authority": "DOT"}
    found = load(demo_data)
    assert found.routing is not None and found.routing.rules == ()
    assert load(found.to_dict()) == found


def test_max_age_may_be_null(demo_data: dict[str, Any]) -> None:
    demo_data["prerequisites"] = [
        {"procedure": CALIFICACION, "title": t("C"), "max_age_months": None}
    ]
    demo_data["workflow"]["transitions"][2]["guards"] = ["prerequisites_valid"]
    assert load(demo_data).prerequisites[0].max_age_months is None


def test_definitions_are_frozen(routed: Definition) -> None:
    assert routed.routing is not None
    with pytest.raises(AttributeError):
        routed.routing.default_authority = "X"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        routed.prerequisites[0].procedure = "X/y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        routed.routing.rules[0].when["op"] = "lt"  # type: ignore[index]


# Format: problems


def test_schema_problems_of_the_new_sections(routed_data: dict[str, Any]) -> None:
    routed_data["valid_from"] = "1/5/2026"
    routed_data["routing"]["rules"][0]["authority"] = ""
    routed_data["routing"]["rules"][1]["target"] = "X"
    routed_data["routing"]["default_authority"] = "dot"
    routed_data["prerequisites"][0]["procedure"] = "calificacion-lugar"
    routed_data["prerequisites"][1]["valid_states_kinds"] = ["denied"]
    routed_data["prerequisites"][1]["max_age_months"] = 0
    del routed_data["prerequisites"][2]["title"]
    assert sorted(problems(routed_data)) == [
        ("prerequisites[0].procedure", "bad_format"),
        ("prerequisites[1].max_age_months", "out_of_range"),
        ("prerequisites[1].valid_states_kinds[0]", "not_allowed"),
        ("prerequisites[2].title", "missing_key"),
        ("routing.default_authority", "bad_format"),
        ("routing.rules[0].authority", "empty"),
        ("routing.rules[1].target", "unknown_key"),
        ("valid_from", "bad_format"),
    ]


def test_empty_routing_and_empty_state_kinds(routed_data: dict[str, Any]) -> None:
    routed_data["routing"] = {}
    routed_data["prerequisites"][0]["valid_states_kinds"] = []
    assert problems(routed_data) == [
        ("routing", "empty"),
        ("prerequisites[0].valid_states_kinds", "empty"),
    ]


def test_valid_from_must_be_a_calendar_date(routed_data: dict[str, Any]) -> None:
    routed_data["valid_from"] = "2026-02-30"
    assert problems(routed_data) == [("valid_from", "invalid_date")]


def test_routing_conditions_are_checked(routed_data: dict[str, Any]) -> None:
    rules = routed_data["routing"]["rules"]
    rules[0]["when"] = {"field": "superficie", "op": "ge", "value": 250}
    rules[1]["when"] = {"all": [{"field": "tipo", "op": "eq", "value": "c"},
                                {"field": "area", "op": "gt", "value": "grande"}]}  # fmt: skip
    assert problems(routed_data) == [
        ("routing.rules[0].when.field", "unknown_field"),
        ("routing.rules[1].when.all[0].value", "unknown_choice"),
        ("routing.rules[1].when.all[1].value", "type_mismatch"),
    ]


def test_prerequisite_conditions_are_checked(routed_data: dict[str, Any]) -> None:
    routed_data["prerequisites"][2]["when"] = {"field": "urgente", "op": "present"}
    assert problems(routed_data) == [("prerequisites[2].when.field", "unknown_field")]


def test_duplicate_procedure(routed_data: dict[str, Any]) -> None:
    routed_data["prerequisites"][2]["procedure"] = CALIFICACION
    assert problems(routed_data) == [("prerequisites[2].procedure", "duplicate_procedure")]


def test_self_prerequisite(routed_data: dict[str, Any]) -> None:
    routed_data["prerequisites"][0]["procedure"] = "DEMO/demo"
    assert problems(routed_data) == [("prerequisites[0].procedure", "self_prerequisite")]


def test_conditional_self_prerequisite_is_allowed(routed_data: dict[str, Any]) -> None:
    # A renewal may require the previous licence of the same procedure.
    routed_data["prerequisites"][2]["procedure"] = "DEMO/demo"
    assert load(routed_data).prerequisites[2].procedure == "DEMO/demo"


def test_prerequisites_need_the_guard(routed_data: dict[str, Any]) -> None:
    routed_data["workflow"]["transitions"][2]["guards"] = ["inspection_recorded"]
    assert problems(routed_data) == [("prerequisites", "prerequisites_not_checked")]


# Routing


def test_issuing_authority_without_routing_is_the_definitions(demo: Definition) -> None:
    assert issuing_authority(demo, {"area": "900"}) == "DEMO"


@pytest.mark.parametrize(
    ("data", "authority"),
    [
        ({"area": "250", "tipo": "b"}, "DOT"),  # the first rule that holds wins
        ({"area": "1,200.5"}, "DOT"),
        ({"area": 249.99, "tipo": "b"}, "APLAN"),
        ({"area": "100", "tipo": "a"}, "OPAMSS"),
        ({}, "OPAMSS"),
    ],
)
def test_issuing_authority_follows_the_rules(
    routed: Definition, data: dict[str, object], authority: str
) -> None:
    assert issuing_authority(routed, data) == authority


def test_without_a_default_the_definitions_authority_applies(
    routed_data: dict[str, Any],
) -> None:
    del routed_data["routing"]["default_authority"]
    found = load(routed_data)
    assert issuing_authority(found, {"area": "10"}) == "DEMO"
    assert issuing_authority(found, {"area": "300"}) == "DOT"


# Prerequisites


def approved(decided_on: date = date(2026, 1, 10), expires_on: date | None = None) -> Held:
    return Held("approved", decided_on, expires_on)


def test_nothing_held_misses_every_prerequisite_that_applies(routed: Definition) -> None:
    assert missing_prerequisites(routed, {}, {}, TODAY) == (CALIFICACION, LINEA)
    assert missing_prerequisites(routed, {"express": "si"}, {}, TODAY) == (
        CALIFICACION,
        LINEA,
        VIAL,
    )
    assert [p.procedure for p in required_prerequisites(routed, {"express": False})] == [
        CALIFICACION,
        LINEA,
    ]


def test_valid_resolutions_satisfy(routed: Definition) -> None:
    held = {
        CALIFICACION: Held("approved_with_conditions", date(2020, 1, 1)),
        LINEA: approved(expires_on=TODAY),
        "OTRA/cosa": Held("denied", date(2026, 1, 1)),
    }
    assert missing_prerequisites(routed, {}, held, TODAY) == ()


@pytest.mark.parametrize(
    ("held", "missing"),
    [
        (Held("denied", date(2026, 1, 10)), True),
        (Held("active", date(2026, 1, 10)), True),
        (Held("approved_with_conditions", date(2026, 1, 10)), True),  # only "approved" here
        (approved(expires_on=date(2026, 4, 5)), True),  # expired yesterday
        (approved(expires_on=TODAY), False),
        (approved(decided_on=date(2025, 4, 6)), False),  # exactly 12 months
        (approved(decided_on=date(2025, 4, 5)), True),  # older than 12 months
    ],
)
def test_kind_expiry_and_age(routed: Definition, held: Held, missing: bool) -> None:
    everything = {CALIFICACION: approved(), LINEA: held}
    assert missing_prerequisites(routed, {}, everything, TODAY) == ((LINEA,) if missing else ())


def test_is_satisfied_on_its_own() -> None:
    prerequisite = Prerequisite(CALIFICACION, title=None, max_age_months=6)  # type: ignore[arg-type]
    decided = date(2025, 8, 31)  # six months later is 2026-02-28
    assert is_satisfied(prerequisite, approved(decided), date(2026, 2, 28))
    assert not is_satisfied(prerequisite, approved(decided), date(2026, 3, 1))
    assert not is_satisfied(prerequisite, None, date(2026, 3, 1))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 15), 6, date(2026, 9, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# The guard, through Facts


def test_missing_prerequisites_make_facts_invalid() -> None:
    facts = Facts(role="clerk", missing_prerequisites=[CALIFICACION])  # type: ignore[arg-type]
    assert facts.missing_prerequisites == (CALIFICACION,)
    assert facts.prerequisites_valid is False
    assert Facts(role="clerk", missing_prerequisites=()).prerequisites_valid is True


def test_refusal_names_the_missing_procedures(routed: Definition) -> None:
    held = {CALIFICACION: approved()}
    missing = missing_prerequisites(routed, {}, held, TODAY)
    facts = Facts(role="inspector", inspection_recorded=True, missing_prerequisites=missing)
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(routed, "inspeccion", "registrar", facts)
    assert refused.value.reasons == (Reason("prerequisites_not_valid", {"procedures": (LINEA,)}),)


def test_flag_alone_still_refuses_without_names(demo: Definition) -> None:
    facts = Facts(role="inspector", inspection_recorded=True, prerequisites_valid=False)
    with pytest.raises(TransitionNotAllowed) as refused:
        fire(demo, "inspeccion", "registrar", facts)
    assert refused.value.reasons == (Reason("prerequisites_not_valid"),)
    passing = Facts(role="inspector", inspection_recorded=True)
    assert fire(demo, "inspeccion", "registrar", passing).target == "pago"
