"""The `inspection` and `opinions` blocks, and who schedules visits and consults institutions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.workflows.conftest import DEFINITIONS, t
from workflows import InvalidDefinition, allowed_tasks, load, load_file
from workflows.tasks import inspection_states

CHECKLIST = {
    "checklist": [
        {"code": "extintores", "label": t("Extintores vigentes")},
        {"code": "salidas", "label": t("Salidas libres")},
    ]
}
OPINIONS = [
    {"code": "marn", "name": t("MARN"), "business_days": 20, "suspends_clock": True},
    {"code": "bomberos", "name": t("Bomberos"), "business_days": 10},
]


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


@pytest.fixture
def full(demo_data: dict[str, Any]) -> dict[str, Any]:
    demo_data["inspection"] = copy.deepcopy(CHECKLIST)
    demo_data["opinions"] = copy.deepcopy(OPINIONS)
    return demo_data


def test_the_blocks_load_and_round_trip(full: dict[str, Any]) -> None:
    definition = load(full)
    assert [item.code for item in definition.inspection.checklist] == ["extintores", "salidas"]
    assert definition.inspection.checklist[0].label.es == "Extintores vigentes"
    marn, bomberos = definition.opinions
    assert (marn.code, marn.business_days, marn.suspends_clock) == ("marn", 20, True)
    assert bomberos.suspends_clock is False  # the default: the clock keeps running
    assert definition.opinion_source("bomberos") is bomberos
    assert definition.opinion_source("anda") is None
    assert load(definition.to_dict()) == definition


def test_without_the_blocks_nothing_changes(demo_data: dict[str, Any]) -> None:
    definition = load(demo_data)
    assert definition.inspection is None and definition.opinions == ()
    assert "inspection" not in definition.to_dict() and "opinions" not in definition.to_dict()


def test_codes_are_given_once_and_texts_in_both_languages(full: dict[str, Any]) -> None:
    full["inspection"]["checklist"].append({"code": "salidas", "label": t("Otra vez")})
    full["opinions"].append({"code": "marn", "name": {"es": "MARN", "en": ""}, "business_days": 5})
    assert problems(full) == [
        ("opinions[2].name.en", "missing_translation"),
        ("inspection.checklist[2].code", "duplicate_code"),
        ("opinions[2].code", "duplicate_code"),
    ]


def test_a_checklist_needs_a_transition_that_checks_the_inspection(full) -> None:
    for transition in full["workflow"]["transitions"]:
        transition["guards"] = [
            g for g in transition.get("guards", []) if g != "inspection_recorded"
        ]
    assert problems(full) == [("inspection", "inspection_not_checked")]


@pytest.mark.parametrize(
    ("block", "value"),
    [
        ("inspection", {"checklist": []}),
        ("inspection", {}),
        ("opinions", [{"code": "marn", "name": t("MARN")}]),
        ("opinions", [{"code": "MARN", "name": t("MARN"), "business_days": 5}]),
        ("opinions", [{"code": "marn", "name": t("MARN"), "business_days": 0}]),
    ],
)
def test_the_schema_refuses_malformed_blocks(full, block: str, value: Any) -> None:
    full[block] = value
    with pytest.raises(InvalidDefinition):
        load(full)


def test_whoever_sends_the_case_to_inspection_schedules_it_there_and_before(full) -> None:
    definition = load(full)
    assert inspection_states(definition) == {"inspeccion"}
    assert "schedule_inspection" in allowed_tasks(definition, "revision", "clerk")
    assert "schedule_inspection" in allowed_tasks(definition, "inspeccion", "clerk")
    assert "schedule_inspection" not in allowed_tasks(definition, "inspeccion", "inspector")
    assert "schedule_inspection" not in allowed_tasks(definition, "pago", "clerk")
    assert "record_inspection" in allowed_tasks(definition, "inspeccion", "inspector")


def test_the_office_asks_opinions_where_it_works_and_records_answers_while_open(full) -> None:
    definition = load(full)
    assert {"request_opinion", "record_opinion"} <= allowed_tasks(definition, "revision", "clerk")
    # Waiting for the visit: the clerk may record an answer, not ask a new opinion.
    clerk_there = allowed_tasks(definition, "inspeccion", "clerk")
    assert "record_opinion" in clerk_there and "request_opinion" not in clerk_there
    assert not {"request_opinion", "record_opinion"} & allowed_tasks(
        definition, "inspeccion", "inspector"
    )
    assert "request_opinion" in allowed_tasks(definition, "pago", "supervisor")
    assert not allowed_tasks(definition, "aprobado", "supervisor")
    assert not allowed_tasks(definition, "borrador", "clerk")


def test_without_opinions_nobody_consults(demo) -> None:
    assert not {"request_opinion", "record_opinion"} & allowed_tasks(demo, "revision", "clerk")


def test_the_seed_definitions_list_real_institutions() -> None:
    construccion = load_file(DEFINITIONS / "opamss" / "permiso-construccion.yaml")
    assert construccion.version == 5
    assert {"marn", "anda", "bomberos"} <= {o.code for o in construccion.opinions}
    assert construccion.opinion_source("marn").suspends_clock
    assert construccion.inspection.checklist
    licencia = load_file(DEFINITIONS / "aplan" / "licencia-funcionamiento.yaml")
    assert {"bomberos", "proteccion_civil"} <= {o.code for o in licencia.opinions}
