"""One money rule for every sum a definition holds, and no number that breaks a page.

Faults of issue 11: a fee of 40 digits, half a cent or `.inf` typed in the YAML view passed
the validator (or failed with an exception). Every money value obeys
`workflows.numbers.money_problem` (the Tasas editor's rule), non-finite numbers are refused
at reading, and the other numbers stay within the schema's bounds.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
import yaml

from workflows import InvalidDefinition, load
from workflows.loader import inspect_source
from workflows.numbers import MAX_DIGITS, money_problem
from workflows.problems import Problem
from workflows.source import read_source
from workflows.validator import publication_problems

MARK = "__NUMBER__"


def t(es: str) -> dict[str, str]:
    return {"es": es, "en": f"{es} (en)"}


def fixed(amount: object) -> dict[str, Any]:
    return {"code": "tasa", "kind": "fixed", "label": t("Tasa"), "amount": amount}


def source_with(data: dict[str, Any], number: str) -> str:
    """The definition as YAML text with `MARK` replaced by a number as typed in the view."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    assert text.count(MARK) == 1
    return text.replace(MARK, number)


def refusals(text: str) -> list[Problem]:
    """What refuses publishing a definition text: loading's problems, else publication's."""
    definition, problems = inspect_source(text)
    return problems if definition is None else publication_problems(definition)


def everything(data: dict[str, Any]) -> list[Problem]:
    """What refuses publishing a definition mapping (see `refusals`)."""
    try:
        definition = load(data)
    except InvalidDefinition as invalid:
        return list(invalid.problems)
    return publication_problems(definition)


def found(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(problem.path, problem.code) for problem in problems]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, None),
        (Decimal("0.10"), None),
        (1250.5, None),
        (123456789012345, None),  # 15 digits: the form's limit
        (Decimal("1234567890123.45"), None),
        (Decimal("1E+2"), None),
        (1234567890123456789012345678901234567890, "number_too_long"),
        (1234567890123456, "number_too_long"),  # 16 digits
        (Decimal("12345678901234.56"), "number_too_long"),  # 16 with the cents
        (0.005, "money_half_cent"),
        (12.345, "money_half_cent"),
        (1e-7, "money_half_cent"),
        (-0.01, "money_negative"),
        (float("inf"), "not_a_number"),
        (Decimal("NaN"), "not_a_number"),
        (True, "not_a_number"),
        ("12", "not_a_number"),
    ],
)
def test_the_money_rule(value: object, code: str | None) -> None:
    assert money_problem(value) == code


def test_the_digit_limit_is_the_forms() -> None:
    assert MAX_DIGITS == 15


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1234567890123456789012345678901234567890", "number_too_long"),
        ("1234567890123456", "number_too_long"),
        ("0.005", "money_half_cent"),
        ("12.345", "money_half_cent"),
        ("-5", "money_negative"),
    ],
)
def test_a_fee_amount_typed_in_the_yaml_is_held_to_the_money_rule(
    demo_data: dict[str, Any], typed: str, code: str
) -> None:
    demo_data["fees"] = [fixed(MARK)]
    assert found(refusals(source_with(demo_data, typed))) == [("fees[0].amount", code)]


def test_a_version_published_with_half_cents_still_loads(demo_data: dict[str, Any]) -> None:
    demo_data["fees"] = [fixed(0.005)]
    definition = load(demo_data)  # cases filed on it go on; a new version cannot hold it
    assert found(publication_problems(definition)) == [("fees[0].amount", "money_half_cent")]


def test_a_negative_amount_breaks_the_money_rule(demo_data: dict[str, Any]) -> None:
    demo_data["fees"] = [fixed(MARK)]
    _definition, problems = inspect_source(source_with(demo_data, "-0.01"))
    assert found(problems) == [("fees[0].amount", "money_negative")]


@pytest.mark.parametrize("typed", [".inf", "-.inf", ".nan", ".NaN", "1.0e+400", "-1.5e+999"])
def test_a_non_finite_number_is_refused_at_reading(demo_data: dict[str, Any], typed: str) -> None:
    demo_data["fees"] = [fixed(MARK)]
    definition, problems = inspect_source(source_with(demo_data, typed))
    assert definition is None
    assert found(problems) == [("fees[0].amount", "not_finite")]


def test_a_non_finite_number_anywhere_is_named_where_it_is(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["states"][1]["business_days"] = MARK  # a days field
    text = source_with(demo_data, ".nan") + "extra:\n  - [1, -.inf]\n"
    data, problems = read_source(text)
    assert data is None
    assert found(problems) == [
        ("workflow.states[1].business_days", "not_finite"),
        ("extra[0][1]", "not_finite"),
    ]


def test_a_mapping_with_a_non_finite_number_does_not_load(demo_data: dict[str, Any]) -> None:
    demo_data["fees"] = [fixed(float("inf"))]
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    assert found(list(refused.value.problems)) == [("fees[0].amount", "not_finite")]


def test_1e400_without_a_point_is_a_text_and_said_so(demo_data: dict[str, Any]) -> None:
    demo_data["fees"] = [fixed(MARK)]
    _definition, problems = inspect_source(source_with(demo_data, "1e400"))
    assert found(problems) == [("fees[0].amount", "wrong_type")]
    assert dict(problems[0].params) == {"variant": "number", "value": "1e400"}


@pytest.mark.parametrize(
    ("value", "variant", "shown"),
    [
        ("1.250,50", "number", "1.250,50"),
        (True, "number", "True"),
        ("x" * 60, "number", "x" * 39 + "…"),
        ([1], "number", ""),
    ],
)
def test_a_type_problem_names_the_type_wanted_and_the_value(
    demo_data: dict[str, Any], value: object, variant: str, shown: str
) -> None:
    demo_data["fees"] = [fixed(value)]
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    (problem,) = refused.value.problems
    assert (problem.path, problem.code) == ("fees[0].amount", "wrong_type")
    assert dict(problem.params) == {"variant": variant, "value": shown}
    assert "a number is expected here" in problem.message


def test_type_problems_of_other_types(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["states"][1]["business_days"] = "30"
    demo_data["fields"][0]["required"] = {"a": 1}
    demo_data["fields"][0]["label"] = ["x"]
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    variants = {p.path: dict(p.params)["variant"] for p in refused.value.problems}
    assert variants == {
        "fields[0].label": "object",
        "fields[0].required": "boolean",
        "workflow.states[1].business_days": "integer",
    }
    messages = {p.path: p.message for p in refused.value.problems}
    assert messages["fields[0].label"] == "a mapping is expected here, not a list"
    assert messages["fields[0].required"] == "true or false is expected here, not a mapping"
    assert messages["workflow.states[1].business_days"] == (
        "a whole number is expected here, not a text"
    )


def test_a_value_of_several_types_is_named_mixed(demo_data: dict[str, Any]) -> None:
    condition = {"field": "tipo", "op": "eq", "value": {"a": 1}}
    demo_data["fields"][2]["visible_if"] = condition
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    wrong = [p for p in refused.value.problems if p.code == "wrong_type"]
    assert wrong and dict(wrong[0].params)["variant"] == "mixed"
    assert wrong[0].message == "another type is expected here, not a mapping"


@pytest.mark.parametrize(
    ("place", "value", "params"),
    [
        (("documents", 0, "max_bytes"), 10**12, {"variant": "between", "min": 1, "max": 31457280}),
        (("workflow", "states", 1, "business_days"), 10**9, {"variant": "between"}),
        (("catalogue", "legal_max_business_days"), 3651, {"max": 3650}),
        (("fields", 0, "max"), 10**20, {"max": 999999999999999}),
        (("version",), 10**12, {"max": 100000}),
        (("fees", 0, "percent"), 5000, {"variant": "above_below", "min": 0, "max": 1000}),
        (("fees", 0, "percent"), 0, {"variant": "above_below"}),
    ],
)
def test_other_numbers_stay_within_the_schemas_bounds(
    demo_data: dict[str, Any], place: tuple, value: int, params: dict
) -> None:
    demo_data["fees"] = [{"code": "extra", "kind": "surcharge", "label": t("Extra"), "percent": 5}]
    node = demo_data
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = value
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    (problem,) = refused.value.problems
    path = ".".join(str(k) for k in place).replace(".0", "[0]").replace(".1", "[1]")
    assert (problem.path, problem.code) == (path, "out_of_range")
    assert params.items() <= dict(problem.params).items()


def test_every_number_of_the_schema_has_both_limits_or_is_money() -> None:
    from workflows.schemas import schema

    unbounded = []
    pending: list[tuple[str, Any]] = [("", schema())]
    while pending:
        path, node = pending.pop()
        if isinstance(node, dict):
            numeric = node.get("type") in ("number", "integer") or "minimum" in node
            least = "minimum" in node or "exclusiveMinimum" in node
            if numeric and not (least and "maximum" in node):
                unbounded.append(path)
            pending += [(f"{path}/{key}", value) for key, value in node.items()]
        elif isinstance(node, list):
            pending += [(f"{path}/{index}", value) for index, value in enumerate(node)]
    # Sums of money are bounded by the money rule (`_money_problems`), not by the schema.
    assert sorted(unbounded) == ["/$defs/fee/properties/threshold", "/$defs/money"]


def test_every_money_value_of_every_fee_kind(demo_data: dict[str, Any]) -> None:
    demo_data["fields"].append(
        {"name": "presupuesto", "type": "money", "label": t("Presupuesto"), "min": -5.001}
    )
    demo_data["fields"].append(
        {"name": "hasta", "type": "money", "label": t("Hasta"), "min": 0, "max": 0.125}
    )
    when = {"field": "tipo", "op": "eq", "value": "a"}
    demo_data["fees"] = [
        fixed(0.005),
        {
            "code": "obra",
            "kind": "per_unit_above",
            "label": t("Obra"),
            "field": "area",
            "base": {"tasas_2004": 87.001, "decreto_27_2023": 115},
            "threshold": 75.125,
            "rate": 1.005,
            "rates": [{"when": when, "rate": {"tasas_2004": 0.001}}],
        },
        {
            "code": "por_tipo",
            "kind": "table",
            "label": t("Por tipo"),
            "field": "tipo",
            "amounts": {"a": 10, "b": 2.999},
        },
        {
            "code": "regimen",
            "kind": "by_regime",
            "label": t("Régimen"),
            "amounts": {"tasas_2004": 99.999},
        },
        {"code": "recargo", "kind": "surcharge", "label": t("Recargo"), "amount": 0.015},
        {"code": "pct", "kind": "surcharge", "label": t("Porcentaje"), "percent": 12.5},
    ]
    money = [
        (p.path, p.code)
        for p in everything(demo_data)
        if p.code in ("money_half_cent", "number_too_long")
    ]
    assert money == [
        ("fees[0].amount", "money_half_cent"),
        ("fees[1].base.tasas_2004", "money_half_cent"),
        ("fees[1].threshold", "money_half_cent"),
        ("fees[1].rate", "money_half_cent"),
        ("fees[1].rates[0].rate.tasas_2004", "money_half_cent"),
        ("fees[2].amounts.b", "money_half_cent"),
        ("fees[3].amounts.tasas_2004", "money_half_cent"),
        ("fees[4].amount", "money_half_cent"),
        (f"fields[{len(demo_data['fields']) - 2}].min", "money_half_cent"),
        (f"fields[{len(demo_data['fields']) - 1}].max", "money_half_cent"),
    ]


def test_a_sum_too_long_never_loads(demo_data: dict[str, Any]) -> None:
    regime = {"code": "r", "kind": "by_regime", "label": t("R"), "amounts": {"tasas_2004": 10**15}}
    demo_data["fees"] = [regime]
    demo_data["fields"].append({"name": "cuando", "type": "money", "label": t("C"), "max": "today"})
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    assert found(list(refused.value.problems)) == [
        (f"fields[{len(demo_data['fields']) - 1}].max", "invalid_bound"),  # no number: not money
        ("fees[0].amounts.tasas_2004", "number_too_long"),
    ]


def test_sound_money_loads(demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["fees"] = [fixed(123456789012.34)]
    data["fields"].append(
        {"name": "presupuesto", "type": "money", "label": t("Presupuesto"), "min": -5.5}
    )
    assert load(data).fees[0].amount({}, None, Decimal(0)) == Decimal("123456789012.34")


def test_an_unknown_mark_in_a_reasoned_text_is_named(demo_data: dict[str, Any]) -> None:
    demo_data["workflow"]["transitions"][4]["reasoned_text"] = {
        "es": "Expediente {plazo} {reasons}",
        "en": "Case {",
    }
    with pytest.raises(InvalidDefinition) as refused:
        load(demo_data)
    problems = {p.path: p for p in refused.value.problems}
    named = problems["workflow.transitions[4].reasoned_text.es"]
    assert (named.code, dict(named.params)) == (
        "unknown_placeholder",
        {"variant": "named", "mark": "{plazo}"},
    )
    assert problems["workflow.transitions[4].reasoned_text.en"].params == ()
