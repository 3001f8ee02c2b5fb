"""Breach actions fall due the business day after their period ends, once per state visit."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from workflows import load, load_file
from workflows.breaches import due_breaches
from workflows.calendar import BusinessCalendar

DEFINITION = (
    Path(__file__).resolve().parents[2] / "workflows/definitions/opamss/calificacion-lugar.yaml"
)
CAL = BusinessCalendar()


@pytest.fixture(scope="module")
def definition():
    return load_file(DEFINITION)


def _due(
    definition,
    state,
    today,
    *,
    entered=date(2026, 3, 2),
    filed=date(2026, 3, 2),
    procedure_due=date(2026, 6, 1),
):
    return [
        (d.key, d.action.kind, d.due_on)
        for d in due_breaches(
            definition,
            state,
            entered_on=entered,
            filed_on=filed,
            procedure_due_on=procedure_due,
            today=today,
            calendar=CAL,
        )
    ]


def test_nothing_is_due_before_or_on_the_last_day_of_the_period(definition):
    # 25 business days after Monday 2 March 2026, skipping Holy Thursday and Good Friday.
    last_day = CAL.add_business_days(date(2026, 3, 2), 25)
    assert last_day == date(2026, 4, 8)
    assert [k for k, *_ in _due(definition, "presentado", last_day)] == ["state:presentado:0"]


def test_a_state_action_uses_its_own_days_or_the_states_period(definition):
    after_period = _due(definition, "presentado", date(2026, 4, 9))
    assert after_period == [
        ("state:presentado:0", "notify", CAL.add_business_days(date(2026, 3, 2), 20)),
        ("state:presentado:1", "escalate", date(2026, 4, 8)),
    ]


def test_the_procedure_action_counts_against_the_stored_overall_due_date(definition):
    keys = [k for k, *_ in _due(definition, "presentado", date(2026, 6, 2))]
    assert "procedure:0" in keys
    assert "procedure:0" not in [k for k, *_ in _due(definition, "presentado", date(2026, 6, 1))]


def test_a_suspended_clock_never_breaches_the_procedure(definition):
    due = _due(definition, "prevenido", date(2027, 1, 4), procedure_due=None)
    assert [k for k, *_ in due] == ["state:prevenido:0"]
    assert due[0][1] == "deem_abandoned"


def test_final_states_have_nothing_due(definition):
    assert _due(definition, "favorable", date(2030, 1, 1)) == []


def test_procedure_action_with_its_own_days_counts_from_filing(definition):
    data = copy.deepcopy(definition.to_dict())
    data["workflow"]["breach"] = [
        {"kind": "notify", "role": "supervisor", "after_business_days": 5}
    ]
    changed = load(data)
    # Filed Monday 2 March 2026: five business days end Monday 9 March.
    assert _due(changed, "presentado", date(2026, 3, 10)) == [
        ("procedure:0", "notify", date(2026, 3, 9))
    ]
    assert _due(changed, "presentado", date(2026, 3, 9)) == []
    assert _due(changed, "presentado", date(2026, 3, 10), procedure_due=None) == []
    assert _due(changed, "borrador", date(2026, 3, 10), filed=None, procedure_due=None) == []
