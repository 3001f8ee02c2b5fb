"""The definition's clock settings: extension limits and the effects breach actions carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from workflows import InvalidDefinition, load
from workflows.model import Ref

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "workflows/definitions/opamss/calificacion-lugar.yaml"


@pytest.fixture
def data() -> dict[str, Any]:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


def _prevenido(data: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in data["workflow"]["states"] if s["code"] == "prevenido")


def _extension(data: dict[str, Any]) -> tuple[int, int]:
    for index, transition in enumerate(data["workflow"]["transitions"]):
        for number, effect in enumerate(transition.get("effects", ())):
            if isinstance(effect, dict) and effect["name"] == "extend_clock":
                return index, number
    raise AssertionError("no extension")


def test_an_extension_within_the_limit_loads_and_round_trips(data) -> None:
    data["catalogue"]["max_extension_business_days"] = 10
    definition = load(data)
    assert definition.catalogue.max_extension_business_days == 10
    assert load(definition.to_dict()) == definition


def test_an_extension_beyond_the_limit_is_refused_with_its_path(data) -> None:
    data["catalogue"]["max_extension_business_days"] = 5
    index, number = _extension(data)
    assert _problems(data) == [
        (
            f"workflow.transitions[{index}].effects[{number}].params.business_days",
            "extension_beyond_limit",
        )
    ]


def test_a_negative_limit_is_a_schema_problem(data) -> None:
    data["catalogue"]["max_extension_business_days"] = -1
    assert _problems(data) == [("catalogue.max_extension_business_days", "out_of_range")]


def test_breach_actions_may_carry_effects(data) -> None:
    _prevenido(data)["breach"][0]["effects"] = [
        "notify",
        {"name": "emit_feed_event", "params": {"type": "case.resolved"}},
    ]
    definition = load(data)
    action = definition.state("prevenido").breach[0]
    assert action.effects == (Ref("notify"), Ref("emit_feed_event", {"type": "case.resolved"}))
    assert load(definition.to_dict()) == definition


def test_breach_effects_are_checked(data) -> None:
    index = data["workflow"]["states"].index(_prevenido(data))
    _prevenido(data)["breach"][0]["effects"] = [
        "explode",
        {"name": "emit_feed_event", "params": {"type": "nope"}},
    ]
    data["workflow"]["breach"][0]["effects"] = ["notify"]
    here = f"workflow.states[{index}].breach[0].effects"
    assert _problems(data) == [
        (f"{here}[0]", "unknown_effect"),
        (f"{here}[1].params", "invalid_params"),
        ("workflow.breach[0].effects", "effects_without_move"),
    ]
