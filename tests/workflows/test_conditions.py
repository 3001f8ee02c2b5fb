"""Condition trees: comparison semantics over typed and submitted values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflows.conditions import comparisons, evaluate, freeze, is_blank, thaw


@pytest.mark.parametrize(
    ("condition", "data", "expected"),
    [
        ({"field": "tipo", "op": "eq", "value": "juridica"}, {"tipo": "juridica"}, True),
        ({"field": "tipo", "op": "eq", "value": "juridica"}, {"tipo": " juridica "}, True),
        ({"field": "tipo", "op": "eq", "value": "juridica"}, {"tipo": "natural"}, False),
        ({"field": "tipo", "op": "ne", "value": "juridica"}, {"tipo": "natural"}, True),
        ({"field": "tipo", "op": "ne", "value": "juridica"}, {"tipo": "juridica"}, False),
        ({"field": "area", "op": "gt", "value": 200}, {"area": "200.5"}, True),
        ({"field": "area", "op": "gt", "value": 200}, {"area": Decimal(200)}, False),
        ({"field": "area", "op": "ge", "value": 200}, {"area": 200}, True),
        ({"field": "area", "op": "lt", "value": 75.5}, {"area": "1,000"}, False),
        ({"field": "area", "op": "le", "value": 75}, {"area": "75"}, True),
        ({"field": "area", "op": "gt", "value": 1}, {"area": "mucho"}, False),
        ({"field": "area", "op": "gt", "value": 1}, {"area": "NaN"}, False),
        ({"field": "area", "op": "gt", "value": 1}, {"area": True}, False),
        ({"field": "area", "op": "eq", "value": 100}, {"area": "100.00"}, True),
        (
            {"field": "inicio", "op": "ge", "value": "2026-01-01"},
            {"inicio": date(2026, 3, 1)},
            True,
        ),
        (
            {"field": "inicio", "op": "lt", "value": "2026-01-01"},
            {"inicio": date(2026, 3, 1)},
            False,
        ),
        ({"field": "inicio", "op": "lt", "value": "pronto"}, {"inicio": date(2026, 3, 1)}, False),
        ({"field": "inicio", "op": "lt", "value": "2026-01-01"}, {"inicio": "2025-12-31"}, True),
        ({"field": "express", "op": "eq", "value": True}, {"express": True}, True),
        ({"field": "express", "op": "eq", "value": True}, {"express": "sí"}, True),
        ({"field": "express", "op": "eq", "value": False}, {"express": "no"}, True),
        ({"field": "express", "op": "eq", "value": True}, {"express": "quizá"}, False),
        ({"field": "tipo", "op": "in", "value": ["a", "b"]}, {"tipo": "b"}, True),
        ({"field": "tipo", "op": "in", "value": ["a", "b"]}, {"tipo": "c"}, False),
        ({"field": "tipo", "op": "not_in", "value": ["a", "b"]}, {"tipo": "c"}, True),
        ({"field": "tipo", "op": "not_in", "value": ["a", "b"]}, {"tipo": "a"}, False),
        ({"field": "usos", "op": "eq", "value": "bar"}, {"usos": ["cafe", "bar"]}, True),
        ({"field": "usos", "op": "in", "value": ["hotel"]}, {"usos": ("cafe", "bar")}, False),
        ({"field": "tipo", "op": "present"}, {"tipo": "a"}, True),
        ({"field": "tipo", "op": "present"}, {"tipo": "  "}, False),
        ({"field": "tipo", "op": "absent"}, {}, True),
        ({"field": "tipo", "op": "absent"}, {"tipo": "a"}, False),
    ],
)
def test_comparison_holds_as_documented(condition: dict, data: dict, expected: bool) -> None:
    assert evaluate(freeze(condition), data) is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "a", False),
        ("ne", "a", True),
        ("lt", 3, False),
        ("ge", 3, False),
        ("in", ["a"], False),
        ("not_in", ["a"], True),
    ],
)
def test_blank_value_only_satisfies_negative_comparisons(
    op: str, value: object, expected: bool
) -> None:
    assert evaluate({"field": "x", "op": op, "value": value}, {"x": None}) is expected
    assert evaluate({"field": "x", "op": op, "value": value}, {}) is expected


def test_all_any_not_combine() -> None:
    condition = freeze(
        {
            "all": [
                {"field": "tipo", "op": "eq", "value": "juridica"},
                {
                    "any": [
                        {"field": "area", "op": "gt", "value": 500},
                        {"not": {"field": "express", "op": "eq", "value": False}},
                    ]
                },
            ]
        }
    )
    assert evaluate(condition, {"tipo": "juridica", "area": 600, "express": False})
    assert evaluate(condition, {"tipo": "juridica", "area": 100, "express": True})
    assert not evaluate(condition, {"tipo": "juridica", "area": 100, "express": False})
    assert not evaluate(condition, {"tipo": "natural", "area": 600})


def test_comparisons_yield_every_leaf_with_its_path() -> None:
    condition = {
        "all": [
            {"field": "a", "op": "present"},
            {"any": [{"not": {"field": "b", "op": "absent"}}]},
        ]
    }
    assert [(path, leaf["field"]) for path, leaf in comparisons(condition, "c")] == [
        ("c.all[0]", "a"),
        ("c.all[1].any[0].not", "b"),
    ]


def test_freeze_and_thaw_are_inverse() -> None:
    raw = {"field": "tipo", "op": "in", "value": ["a", "b"], "n": Decimal("0.5"), "m": Decimal(2)}
    frozen = freeze(raw)
    assert frozen["value"] == ("a", "b")
    with pytest.raises(TypeError):
        frozen["op"] = "eq"  # type: ignore[index]
    assert thaw(frozen) == {"field": "tipo", "op": "in", "value": ["a", "b"], "n": 0.5, "m": 2}
    assert isinstance(thaw(frozen)["m"], int)


@pytest.mark.parametrize(
    ("value", "blank"),
    [(None, True), ("", True), ("  ", True), ([], True), ({}, True), ("x", False), (0, False)],
)
def test_blank_means_none_whitespace_or_empty(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


@pytest.mark.parametrize(
    ("condition", "data", "types", "expected"),
    [
        ({"field": "area", "op": "gt", "value": 1000}, {"area": Decimal("1500")}, "number", True),
        ({"field": "area", "op": "gt", "value": 1000}, {"area": 1500.0}, "number", True),
        ({"field": "area", "op": "gt", "value": 1}, {"area": float("nan")}, "number", False),
        ({"field": "area", "op": "present"}, {"area": Decimal("Infinity")}, "number", False),
        ({"field": "pisos", "op": "eq", "value": 2}, {"pisos": 2}, "integer", True),
        ({"field": "pisos", "op": "present"}, {"pisos": Decimal("2.5")}, "integer", False),
        ({"field": "pisos", "op": "present"}, {"pisos": True}, "integer", False),
        ({"field": "x", "op": "lt", "value": "2026-01-01"}, {"x": date(2025, 1, 1)}, "date", True),
        ({"field": "express", "op": "eq", "value": True}, {"express": True}, "yes_no", True),
        ({"field": "usos", "op": "eq", "value": "bar"}, {"usos": ("bar",)}, "multi_choice", True),
        ({"field": "x", "op": "gt", "value": "no es fecha"}, {"x": "2026-01-01"}, "date", False),
        ({"field": "x", "op": "eq", "value": "2026-03-01"}, {"x": date(2026, 3, 1)}, "text", True),
    ],
)
def test_stored_answers_compare_by_their_field_type(
    condition: dict, data: dict, types: str, expected: bool
) -> None:
    field = condition["field"]
    assert evaluate(freeze(condition), data, {field: types}) is expected


def test_a_number_that_is_no_number_is_no_text_either() -> None:
    condition = freeze({"field": "codigo", "op": "in", "value": [float("nan"), "1"]})
    assert evaluate(condition, {"codigo": "NaN"}, {"codigo": "text"}) is False
    assert evaluate(condition, {"codigo": Decimal("1.00")}, {"codigo": "text"}) is True


def test_a_list_where_a_value_should_be_is_read_not_cached() -> None:
    # Only an unchecked tree has one (the validator refuses it); it simply matches nothing.
    assert evaluate({"field": "x", "op": "eq", "value": ["a"]}, {"x": "a"}) is False
    assert evaluate({"field": "x", "op": "ge", "value": [1]}, {"x": "2"}, {"x": "number"}) is False
