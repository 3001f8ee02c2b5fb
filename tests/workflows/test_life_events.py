"""Life events: a fixed vocabulary definitions tag their catalogue entry with."""

from __future__ import annotations

from typing import Any

import pytest

from tests.workflows.conftest import DEFINITIONS
from workflows import InvalidDefinition, load, load_file
from workflows.life_events import LIFE_EVENTS, life_event_problems


def test_the_vocabulary_is_the_issue_s_five_events_in_both_languages() -> None:
    assert list(LIFE_EVENTS) == ["abrir_negocio", "construir", "rotulo", "renovar", "cerrar"]
    assert LIFE_EVENTS["rotulo"].get("es") == "Poner un rótulo"
    assert LIFE_EVENTS["rotulo"].get("en") == "Put up a sign"


def test_a_definition_lists_its_life_events_and_round_trips(demo_data: dict[str, Any]) -> None:
    demo_data["catalogue"]["life_events"] = ["abrir_negocio", "renovar"]
    definition = load(demo_data)
    assert definition.catalogue.life_events == ("abrir_negocio", "renovar")
    assert load(definition.to_dict()) == definition


def test_life_events_are_optional(demo_data: dict[str, Any]) -> None:
    assert load(demo_data).catalogue.life_events == ()
    assert "life_events" not in load(demo_data).to_dict()["catalogue"]


def test_the_validator_refuses_an_unknown_life_event(demo_data: dict[str, Any]) -> None:
    demo_data["catalogue"]["life_events"] = ["construir", "casarse"]
    with pytest.raises(InvalidDefinition) as invalid:
        load(demo_data)
    assert [(p.path, p.code) for p in invalid.value.problems] == [
        ("catalogue.life_events[1]", "unknown_life_event")
    ]


def test_life_event_problems_of_known_codes_are_none() -> None:
    assert life_event_problems(["cerrar"], "catalogue.life_events") == []


def test_every_seeded_definition_is_filed_under_some_life_event() -> None:
    for path in sorted(DEFINITIONS.glob("**/*.yaml")):
        assert load_file(path).catalogue.life_events, path
