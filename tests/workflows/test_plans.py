"""Journeys and plans ("abrir mi negocio"): the questionnaire, the `plan` block, the plan."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

import workflows
from workflows import plans
from workflows.fees import unanswered_fee_inputs
from workflows.problems import InvalidDefinition

DEFINITIONS = Path(__file__).parents[2] / "workflows" / "definitions"
JOURNEY = plans.journey("abrir_negocio")
ALL = tuple(workflows.load_file(path) for path in sorted(DEFINITIONS.glob("*/*.yaml")))
RESTAURANT = {
    "distrito": "0614",
    "actividad": "56101",
    "local_arrendado": "si",
    "area_m2": "80",
    "obras": "ninguna",
    "rotulo": "si",
    "venta_alcohol": "si",
    "taller": "no",
}
WORKSHOP = RESTAURANT | {
    "distrito": "0511",
    "actividad": "45201",
    "local_arrendado": "no",
    "area_m2": "120",
    "obras": "remodelacion",
    "rotulo": "no",
    "venta_alcohol": "no",
    "taller": "si",
}


def serving(district: str):
    """OPAMSS serves every district; a district's office serves itself (the portal's rule)."""
    return lambda definition: definition.authority in ("OPAMSS", district)


def keys(plan: plans.Plan) -> list[str]:
    return [step.key for step in plan.steps]


def raw_definition(relative: str) -> dict:
    return yaml.safe_load((DEFINITIONS / relative).read_text("utf-8"))


def problems_of(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as caught:
        workflows.load(data)
    return [(item.path, item.code) for item in caught.value.problems]


# ------------------------------------------------------------------ the questionnaire


def test_the_journey_asks_its_questions_bound_to_the_dictionary():
    assert [q.name for q in JOURNEY.questions] == [
        "distrito",
        "actividad",
        "local_arrendado",
        "area_m2",
        "obras",
        "rotulo",
        "venta_alcohol",
        "taller",
    ]
    assert JOURNEY.fields["area_m2"].type == "area_m2"
    assert JOURNEY.field_types["obras"] == "choice"
    assert JOURNEY.questions[0].binds == ("establishment.district", "property.district")
    assert JOURNEY.title.get("es") == "Abrir mi negocio"
    assert plans.journey("no_such_journey") is None


def _journey_data() -> dict:
    path = plans.JOURNEYS_DIR / "abrir-negocio.yaml"
    return yaml.safe_load(path.read_text("utf-8"))


def test_a_journey_file_without_its_keys_is_refused():
    for data in ("text", {"journey": "x"}):
        with pytest.raises(InvalidDefinition) as caught:
            plans.load_journey(data)
        assert caught.value.problems[0].code == "invalid"


def test_a_journey_reports_every_problem_of_its_questions_at_once():
    data = _journey_data()
    data["questions"] = [
        "not a mapping",
        {"name": "sin_tipo", "label": {"es": "a", "en": "a"}},
        {"name": "raro", "type": "color", "label": {"es": "a", "en": "a"}},
        {"name": "uno", "type": "yes_no", "label": {"es": "Uno", "en": ""}},
        {"name": "uno", "type": "text", "label": {"es": "a", "en": "a"}, "binds": ["x.y"]},
        {"name": "dos", "type": "date", "label": {"es": "a", "en": "a"}, "binds": ["works.kind"]},
        {
            "name": "tres",
            "type": "choice",
            "label": {"es": "a", "en": "a"},
            "choices": [{"value": "marciano", "label": {"es": "a", "en": "a"}}],
            "binds": ["legal_unit.kind"],
        },
    ]
    with pytest.raises(InvalidDefinition) as caught:
        plans.load_journey(data)
    assert [(p.path, p.code) for p in caught.value.problems] == [
        ("questions[0]", "invalid"),
        ("questions[1]", "invalid"),
        ("questions[2].type", "invalid"),
        ("questions[4].name", "duplicate_name"),
        ("questions[4].binds[0]", "unknown_element"),
        ("questions[5].binds[0]", "type_mismatch"),
        ("questions[6].binds[0]", "unknown_choice"),
        ("questions[3].label.en", "missing_translation"),
    ]


def test_a_journey_may_have_no_questions_yet():
    data = _journey_data() | {"questions": None}
    assert plans.load_journey(data).questions == ()


# ------------------------------------------------------------------ the plan block


def test_the_plan_block_loads_and_round_trips():
    rotulo = next(d for d in ALL if d.authority == "0617")
    assert rotulo.plan is not None
    assert rotulo.plan.journey == "abrir_negocio"
    assert rotulo.to_dict()["plan"] == {
        "journey": "abrir_negocio",
        "when": {"field": "rotulo", "op": "eq", "value": True},
    }
    assert workflows.load(rotulo.to_dict()) == rotulo
    closing = next(d for d in ALL if d.slug == "cierre-establecimiento")
    assert closing.plan is None
    assert "plan" not in closing.to_dict()


def test_a_plan_block_naming_an_unknown_journey_is_refused():
    data = raw_definition("0617/permiso-rotulo.yaml")
    data["plan"] = {"journey": "cerrar_negocio"}
    assert problems_of(data) == [("plan.journey", "unknown_journey")]


def test_a_plan_condition_is_checked_against_the_questions_by_their_types():
    data = raw_definition("0617/permiso-rotulo.yaml")
    data["plan"] = {
        "journey": "abrir_negocio",
        "when": {
            "all": [
                {"field": "rotulo_grande", "op": "eq", "value": True},
                {"field": "rotulo", "op": "eq", "value": "si"},
                {"field": "obras", "op": "eq", "value": "demolicion"},
                {"field": "taller", "op": "gt", "value": 1},
                {"field": "area_m2", "op": "ge", "value": 50},
            ]
        },
    }
    assert problems_of(data) == [
        ("plan.when.all[0].field", "unknown_question"),
        ("plan.when.all[1].value", "type_mismatch"),
        ("plan.when.all[2].value", "unknown_choice"),
        ("plan.when.all[3].op", "type_mismatch"),
    ]


def test_the_schema_refuses_a_plan_block_without_a_journey():
    data = raw_definition("0617/permiso-rotulo.yaml")
    data["plan"] = {"when": {"field": "rotulo", "op": "eq", "value": True}}
    assert problems_of(data) == [("plan.journey", "missing_key")]


# ------------------------------------------------------------------ building a plan


def test_a_restaurant_in_san_salvador_selling_alcohol_with_a_sign():
    plan = plans.build_plan(JOURNEY, RESTAURANT, ALL, serving("0614"))
    assert keys(plan) == ["OPAMSS/calificacion-lugar", "0614/inscripcion-establecimiento"]
    first, second = plan.steps
    assert [key for key, _ in second.requires] == ["OPAMSS/calificacion-lugar"]
    assert (first.days, first.done_within) == (25, 25)
    assert (second.days, second.done_within) == (10, 35)
    assert plan.total_days == 35
    assert not plan.days_unknown
    # San Salvador has no sign permit online: said once, whichever office defines one.
    assert plan.not_online == ("0511/permiso-rotulo",)


def test_a_workshop_in_santa_tecla_with_works_adds_the_permits_prerequisites_in_order():
    plan = plans.build_plan(JOURNEY, WORKSHOP, ALL, serving("0511"))
    order = keys(plan)
    assert order == [
        "OPAMSS/calificacion-lugar",
        "0511/inscripcion-establecimiento",
        "OPAMSS/linea-construccion",
        "OPAMSS/factibilidad-aguas-lluvias",
        "OPAMSS/permiso-construccion",
        "OPAMSS/recepcion-obra",
    ]
    steps = {step.key: step for step in plan.steps}
    # Added because the building permit requires them, though no plan block asks for them.
    assert steps["OPAMSS/linea-construccion"].added
    assert not steps["OPAMSS/permiso-construccion"].added
    for step in plan.steps:
        for need, prerequisite in step.requires:
            assert order.index(need) < order.index(step.key)
            assert prerequisite.procedure == need
    # The longest chain: calificación 25 → permiso 75 → recepción 30.
    assert plan.total_days == 130
    assert plan.not_online == ()


def test_a_district_with_no_online_procedure_gets_an_empty_plan_that_says_what_is_missing():
    answers = RESTAURANT | {"distrito": "0608", "venta_alcohol": "no"}
    plan = plans.build_plan(JOURNEY, answers, ALL, serving("0608"))
    assert plan.steps == ()
    assert plan.total_days == 0
    assert plan.not_online == ("0511/inscripcion-establecimiento", "0511/permiso-rotulo")


def test_a_required_prerequisite_the_district_cannot_file_is_named_as_not_online():
    only_construction = serving("0511")

    def serves(definition):
        return only_construction(definition) and definition.slug != "linea-construccion"

    plan = plans.build_plan(JOURNEY, WORKSHOP, ALL, serves)
    assert "OPAMSS/linea-construccion" not in keys(plan)
    assert plan.not_online == ("OPAMSS/linea-construccion",)


def test_a_prerequisite_whose_condition_does_not_hold_is_not_added():
    # The building permit needs the road review only for a parcelación: not asked, not added.
    plan = plans.build_plan(JOURNEY, WORKSHOP, ALL, serving("0511"))
    assert "OPAMSS/revision-vial-zonificacion" not in keys(plan)


def test_a_prerequisite_unknown_to_the_catalogue_is_named_as_not_online():
    permit = next(d for d in ALL if d.slug == "permiso-construccion")
    others = [d for d in ALL if d.slug not in ("linea-construccion", "permiso-construccion")]
    plan = plans.build_plan(JOURNEY, WORKSHOP, [*others, permit], serving("0511"))
    assert "OPAMSS/linea-construccion" in plan.not_online


def test_steps_that_require_each_other_still_all_appear():
    first = raw_definition("opamss/linea-construccion.yaml")
    second = raw_definition("opamss/factibilidad-aguas-lluvias.yaml")
    for data, other in (
        (first, "OPAMSS/factibilidad-aguas-lluvias"),
        (second, "OPAMSS/linea-construccion"),
    ):
        data["plan"] = {"journey": "abrir_negocio"}
        data["prerequisites"] = [{"procedure": other, "title": {"es": "Otro", "en": "Other"}}]
    loaded = [_unchecked(first), _unchecked(second)]
    plan = plans.build_plan(JOURNEY, WORKSHOP, loaded, serving("0511"))
    assert sorted(keys(plan)) == ["OPAMSS/factibilidad-aguas-lluvias", "OPAMSS/linea-construccion"]


def _unchecked(data: dict) -> workflows.Definition:
    """A definition built without the validator (a cycle across files is a set-level problem)."""
    from workflows.loader import _Builder

    return _Builder().definition(data)


def test_a_step_without_a_legal_period_counts_nothing_and_says_so():
    data = copy.deepcopy(raw_definition("0511/inscripcion-establecimiento.yaml"))
    del data["catalogue"]["legal_max_business_days"]
    data["catalogue"]["placeholders"] = [
        item for item in data["catalogue"]["placeholders"] if item != "legal_max_business_days"
    ]
    loaded = _unchecked(data)
    plan = plans.build_plan(
        JOURNEY, WORKSHOP | {"obras": "ninguna", "taller": "no"}, [loaded], serving("0511")
    )
    assert plan.steps[0].days is None
    assert plan.days_unknown
    assert plan.total_days == 0


def test_a_definition_of_another_journey_or_none_is_no_step():
    rotulo = next(d for d in ALL if d.authority == "0617")
    assert plans.belongs(rotulo, JOURNEY, {"rotulo": "si"})
    assert not plans.belongs(rotulo, JOURNEY, {"rotulo": "no"})
    other = plans.Journey("cerrar_negocio", 1, JOURNEY.title, JOURNEY.summary, ())
    assert not plans.belongs(rotulo, other, {"rotulo": "si"})
    closing = next(d for d in ALL if d.slug == "cierre-establecimiento")
    assert not plans.belongs(closing, JOURNEY, RESTAURANT)


# ------------------------------------------------------------------ answers into drafts


def test_answers_reach_a_definitions_fields_through_their_bindings():
    registration = next(d for d in ALL if d.authority == "0614")
    assert plans.mapped_data(JOURNEY, registration, RESTAURANT) == {
        "actividad_claees": "56101",
        "inmueble_arrendado": "si",
        "area_local_m2": "80",
    }
    permit = next(d for d in ALL if d.slug == "permiso-construccion")
    assert plans.mapped_data(JOURNEY, permit, WORKSHOP) == {
        "distrito": "0511",
        "area_construida_m2": "120",
        "tipo_obra": "remodelacion",
    }


def test_a_choice_the_field_does_not_offer_and_blank_answers_are_not_given():
    permit = next(d for d in ALL if d.slug == "permiso-construccion")
    data = plans.mapped_data(JOURNEY, permit, WORKSHOP | {"obras": "ninguna", "area_m2": " "})
    assert data == {"distrito": "0511"}


def test_the_plan_s_answers_leave_what_the_fees_still_need():
    registration = next(d for d in ALL if d.authority == "0614")
    data = plans.mapped_data(JOURNEY, registration, RESTAURANT)
    assert unanswered_fee_inputs(registration, data) == (("contribuyente_inscrito",), False)
    permit = next(d for d in ALL if d.slug == "permiso-construccion")
    data = plans.mapped_data(JOURNEY, permit, WORKSHOP)
    assert unanswered_fee_inputs(permit, data, "decreto_27_2023") == ((), False)
    stormwater = next(d for d in ALL if d.slug == "factibilidad-aguas-lluvias")
    assert unanswered_fee_inputs(stormwater, {})[0] == ("area_terreno_m2", "tipo_proyecto")
    qualification = next(d for d in ALL if d.slug == "calificacion-lugar")
    assert unanswered_fee_inputs(qualification, {}) == ((), False)
