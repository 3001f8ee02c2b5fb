"""Fee rules: fixed, per unit above a threshold, table, by tariff regime, surcharge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from workflows import Definition, Text, load
from workflows.fees import (
    FeeRegimeError,
    FeeRule,
    as_decimal,
    compute_fees,
    fee_inputs,
    fee_total,
    unanswered_fee_inputs,
)


def t(es: str) -> dict[str, str]:
    return {"es": es, "en": f"{es} (en)"}


STORMWATER = {
    "code": "factibilidad",
    "kind": "per_unit_above",
    "label": t("Factibilidad de aguas lluvias"),
    "field": "area",
    "base": 273,
    "threshold": 200,
    "rate": 1.00,
    "rates": [{"when": {"field": "tipo", "op": "in", "value": ["a"]}, "rate": 0.50}],
}
PERMIT = {
    "code": "permiso",
    "kind": "per_unit_above",
    "label": t("Permiso de construcción"),
    "field": "area",
    "base": {"tasas_2004": 87, "decreto_27_2023": 115},
    "threshold": 75,
    "rate": {"tasas_2004": 1.07, "decreto_27_2023": 1.33},
}


def with_fees(demo_data: dict[str, Any], *fees: dict[str, Any]) -> Definition:
    demo_data["fees"] = list(fees)
    if not fees:  # nothing to charge: no payment order either (`payment_without_fees`)
        demo_data["workflow"]["transitions"][2]["effects"] = []
    return load(demo_data)


def amounts(definition: Definition, data: dict[str, Any], regime: str | None = None) -> list:
    return [(line.code, line.amount) for line in compute_fees(definition, data, regime)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"area": "150", "tipo": "a"}, Decimal("273.00")),
        ({"area": "350", "tipo": "a"}, Decimal("348.00")),
        ({"area": "350", "tipo": "b"}, Decimal("423.00")),
        ({"area": "200.01", "tipo": "b"}, Decimal("273.01")),
        ({"tipo": "b"}, Decimal("273.00")),
    ],
)
def test_stormwater_fee_depends_on_area_and_use(
    demo_data: dict[str, Any], data: dict[str, Any], expected: Decimal
) -> None:
    definition = with_fees(demo_data, STORMWATER)
    assert amounts(definition, data) == [("factibilidad", expected)]


@pytest.mark.parametrize(
    ("regime", "expected"),
    [("tasas_2004", Decimal("113.75")), ("decreto_27_2023", Decimal("148.25"))],
)
def test_construction_fee_depends_on_the_district_regime(
    demo_data: dict[str, Any], regime: str, expected: Decimal
) -> None:
    # 100 m²: base + 25 m² above 75 × rate; 87 + 26.75 = 113.75; 115 + 33.25 = 148.25
    definition = with_fees(demo_data, PERMIT)
    assert amounts(definition, {"area": 100}, regime) == [("permiso", expected)]


@pytest.mark.parametrize("regime", [None, "tasas_1990"])
def test_regime_fee_without_a_known_regime_is_refused(
    demo_data: dict[str, Any], regime: str | None
) -> None:
    definition = with_fees(
        demo_data,
        {"code": "r", "kind": "by_regime", "label": t("R"), "amounts": {"tasas_2004": 87}},
    )
    assert amounts(definition, {}, "tasas_2004") == [("r", Decimal("87.00"))]
    with pytest.raises(FeeRegimeError, match="tasas_2004"):
        compute_fees(definition, {}, regime)


def test_table_fee_by_choice_and_conditional_lines(demo_data: dict[str, Any]) -> None:
    definition = with_fees(
        demo_data,
        {"code": "cat", "kind": "table", "label": t("Categoría"), "field": "tipo",
         "amounts": {"a": 806.65}},
        {"code": "insp", "kind": "fixed", "label": t("Inspección"), "amount": 15,
         "when": {"field": "express", "op": "eq", "value": True}},
    )  # fmt: skip
    assert amounts(definition, {"tipo": "a"}) == [("cat", Decimal("806.65"))]
    assert amounts(definition, {"tipo": "b", "express": "sí"}) == [("insp", Decimal("15.00"))]


def test_express_surcharge_doubles_the_lines_before_it(demo_data: dict[str, Any]) -> None:
    express = {"field": "express", "op": "eq", "value": True}
    definition = with_fees(
        demo_data,
        {"code": "ordinario", "kind": "fixed", "label": t("Ordinario"), "amount": 165.31},
        {"code": "expres", "kind": "surcharge", "label": t("Exprés"), "percent": 100,
         "when": express},
        {"code": "visita", "kind": "surcharge", "label": t("Visita"), "amount": 412.56},
    )  # fmt: skip
    lines = compute_fees(definition, {"express": True})
    assert [(line.code, line.amount) for line in lines] == [
        ("ordinario", Decimal("165.31")),
        ("expres", Decimal("165.31")),
        ("visita", Decimal("412.56")),
    ]
    assert fee_total(lines) == Decimal("743.18")
    assert fee_total(compute_fees(definition, {})) == Decimal("577.87")


def test_amounts_round_half_up_to_cents(demo_data: dict[str, Any]) -> None:
    definition = with_fees(
        demo_data,
        {"code": "base", "kind": "fixed", "label": t("Base"), "amount": 0.25},
        {"code": "pct", "kind": "surcharge", "label": t("Recargo"), "percent": 10},
    )
    # 10 % of 0.25 = 0.025 -> 0.03 (half up; banker's rounding would give 0.02)
    assert amounts(definition, {}) == [("base", Decimal("0.25")), ("pct", Decimal("0.03"))]


def test_fee_rules_round_trip(demo_data: dict[str, Any]) -> None:
    definition = with_fees(
        demo_data,
        STORMWATER,
        PERMIT,
        {"code": "pct", "kind": "surcharge", "label": t("Recargo"), "percent": 10,
         "placeholder": True},
    )  # fmt: skip
    assert load(definition.to_dict()) == definition
    assert definition.fees[2].placeholder


def test_empty_total_is_zero_dollars() -> None:
    assert str(fee_total(())) == "0.00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,200.5", Decimal("1200.5")),
        ("x", 0),
        (None, 0),
        (True, 0),
        ("inf", 0),
        ("2,5", 0),
        ("1e30", 0),
    ],
)
def test_submitted_numbers_read_as_decimals(raw: object, expected: Decimal) -> None:
    assert as_decimal(raw) == expected


def test_abstract_fee_rule_has_no_amount() -> None:
    rule = FeeRule(code="x", label=Text("X", "X (en)"))  # type: ignore[call-arg]
    assert rule.fields() == ()
    assert rule.to_dict() == {"code": "x", "kind": "abstract", "label": t("X")}
    with pytest.raises(NotImplementedError):
        rule.amount({}, None, Decimal(0))


def test_fee_inputs_are_what_the_rules_read_and_need_a_regime(demo_data: dict[str, Any]) -> None:
    regime_fee = {"code": "r", "kind": "by_regime", "label": t("R"), "amounts": {"x": 1}}
    definition = with_fees(demo_data, STORMWATER, regime_fee)
    assert fee_inputs(definition) == (("area", "tipo"), True)
    assert fee_inputs(with_fees(demo_data, PERMIT)) == (("area",), True)
    assert fee_inputs(with_fees(demo_data, STORMWATER)) == (("area", "tipo"), False)


def test_fee_inputs_include_the_questions_that_show_a_charged_one(
    demo_data: dict[str, Any],
) -> None:
    charged = {
        "code": "c",
        "kind": "fixed",
        "label": t("C"),
        "amount": 5,
        "when": {"field": "correo", "op": "eq", "value": "a@b.sv"},
    }
    definition = with_fees(demo_data, charged)
    assert fee_inputs(definition) == (("express", "correo"), False)
    assert fee_inputs(with_fees(demo_data)) == ((), False)


# --- Which answers the fees of some answers still need (the estimator's and the plan's rule) ---

CHARGED_BY_EMAIL = {
    "code": "c",
    "kind": "fixed",
    "label": t("C"),
    "amount": 5,
    "when": {"field": "correo", "op": "eq", "value": "a@b.sv"},
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, ("area", "tipo")),
        ({"area": " ", "tipo": "a"}, ("area",)),
        ({"area": "300"}, ("tipo",)),  # the rate's condition reads it
        ({"area": "300", "tipo": "b"}, ()),
        ({"area": Decimal("0"), "tipo": "a"}, ()),  # zero is an answer
    ],
)
def test_a_blank_figure_or_rate_condition_is_unanswered(
    demo_data: dict[str, Any], data: dict[str, Any], expected: tuple[str, ...]
) -> None:
    definition = with_fees(demo_data, STORMWATER)
    assert unanswered_fee_inputs(definition, data) == (expected, False)


def test_a_rule_by_regime_needs_a_regime_it_knows(demo_data: dict[str, Any]) -> None:
    permit = with_fees(demo_data, PERMIT)
    assert unanswered_fee_inputs(permit, {}) == (("area",), True)
    assert unanswered_fee_inputs(permit, {"area": "100"}) == ((), True)
    assert unanswered_fee_inputs(permit, {"area": "100"}, "otro") == ((), True)
    assert unanswered_fee_inputs(permit, {"area": "100"}, "tasas_2004") == ((), False)
    regime_fee = {"code": "r", "kind": "by_regime", "label": t("R"), "amounts": {"x": 1}}
    assert unanswered_fee_inputs(with_fees(demo_data, regime_fee), {}) == ((), True)
    assert unanswered_fee_inputs(with_fees(demo_data, regime_fee), {}, "x") == ((), False)


def test_what_decides_whether_a_rule_applies_is_asked_before_its_figures(
    demo_data: dict[str, Any],
) -> None:
    by_regime_when_express = PERMIT | {"when": {"field": "express", "op": "eq", "value": True}}
    definition = with_fees(demo_data, by_regime_when_express)
    assert unanswered_fee_inputs(definition, {}) == (("express",), False)
    assert unanswered_fee_inputs(definition, {"express": False}) == ((), False)
    assert unanswered_fee_inputs(definition, {"express": True}) == (("area",), True)


def test_a_hidden_question_is_not_unanswered_but_a_blank_one_that_hides_it_is(
    demo_data: dict[str, Any],
) -> None:
    # "correo" is asked only when "express" is yes.
    definition = with_fees(demo_data, CHARGED_BY_EMAIL)
    assert unanswered_fee_inputs(definition, {}) == (("express",), False)
    assert unanswered_fee_inputs(definition, {"express": False, "correo": "a@b.sv"}) == ((), False)
    assert unanswered_fee_inputs(definition, {"express": True}) == (("correo",), False)
    assert unanswered_fee_inputs(definition, {"express": True, "correo": "x@y.sv"}) == ((), False)
    empleados = next(item for item in demo_data["fields"] if item["name"] == "empleados")
    empleados["visible_if"] = {"field": "express", "op": "eq", "value": True}
    per_employee = PERMIT | {"field": "empleados", "base": 0, "threshold": 0, "rate": 2}
    definition = with_fees(demo_data, per_employee)
    assert unanswered_fee_inputs(definition, {}) == (("express",), False)
    assert unanswered_fee_inputs(definition, {"express": "no"}) == ((), False)
    assert unanswered_fee_inputs(definition, {"express": "si"}) == (("empleados",), False)


def test_a_question_hidden_by_its_own_answer_is_never_unanswered(
    demo_data: dict[str, Any],
) -> None:
    correo = next(item for item in demo_data["fields"] if item["name"] == "correo")
    correo["visible_if"] = {"field": "correo", "op": "present"}
    definition = with_fees(demo_data, CHARGED_BY_EMAIL)
    assert unanswered_fee_inputs(definition, {}) == ((), False)


def test_fees_that_read_nothing_are_never_unanswered(demo_data: dict[str, Any]) -> None:
    fixed = {"code": "f", "kind": "fixed", "label": t("F"), "amount": 15}
    assert unanswered_fee_inputs(with_fees(demo_data, fixed), {}) == ((), False)
    assert unanswered_fee_inputs(with_fees(demo_data), {}) == ((), False)


def test_a_placeholder_label_that_already_says_unconfirmed_needs_no_notice():
    from workflows.fees import needs_unconfirmed_notice

    assert not needs_unconfirmed_notice(
        "Tasa (valor de demostración, pendiente de confirmar)", True
    )
    assert not needs_unconfirmed_notice("Fee (demonstration value, to be confirmed)", True)
    assert needs_unconfirmed_notice("Tasa de inspección", True)
    assert not needs_unconfirmed_notice("Tasa de inspección", False)
