"""Breach actions fire on their own day: after a period ends, or on day N of a reminder."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from workflows import load, load_file
from workflows.breaches import breach_schedule, due_breaches, next_breach_on
from workflows.calendar import BusinessCalendar
from workflows.clocks import Clock

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
    """`procedure_due` None: the clock is suspended since filing; else it ends that day."""
    clock = None
    if filed is not None:
        if procedure_due is None:
            clock = Clock(filed, 25, CAL).suspend(filed)
        else:
            clock = Clock(filed, CAL.business_days_between(filed, procedure_due), CAL)
    return [
        (d.key, d.action.kind, d.due_on)
        for d in due_breaches(
            definition,
            state,
            entered_on=entered,
            procedure_clock=clock,
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
    # Filed Monday 2 March 2026: the fifth business day is Monday 9 March, the notice's day.
    assert _due(changed, "presentado", date(2026, 3, 9)) == [
        ("procedure:0", "notify", date(2026, 3, 9))
    ]
    assert _due(changed, "presentado", date(2026, 3, 6)) == []
    assert _due(changed, "presentado", date(2026, 3, 10), procedure_due=None) == []
    assert _due(changed, "borrador", date(2026, 3, 10), filed=None, procedure_due=None) == []


SIGN = Path(__file__).resolve().parents[2] / "workflows/definitions/0511/permiso-rotulo.yaml"


def test_an_early_notice_fires_on_day_8_of_a_10_day_stage_once():
    definition = load_file(SIGN)
    stage = definition.state("presentado")
    assert stage.business_days == 10 and stage.breach[0].after_business_days == 8
    entered = date(2026, 6, 1)  # Monday; 17 June is a holiday, outside these two weeks
    day = {n: CAL.add_business_days(entered, n) for n in (7, 8, 9, 10, 11)}

    def keys(today, applied=frozenset()):
        found = due_breaches(
            definition,
            "presentado",
            entered_on=entered,
            procedure_clock=None,
            today=today,
            calendar=CAL,
            applied=applied,
        )
        return [d.key for d in found]

    assert keys(day[7]) == []
    assert keys(day[8]) == ["state:presentado:0"]
    assert keys(day[9], applied={"state:presentado:0"}) == []  # once
    assert keys(day[10], applied={"state:presentado:0"}) == []  # the last day is the office's
    assert keys(day[11], applied={"state:presentado:0"}) == ["state:presentado:1"]
    schedule = breach_schedule(
        definition, "presentado", entered_on=entered, procedure_clock=None, calendar=CAL
    )
    assert next_breach_on(schedule) == day[8]
    assert next_breach_on(schedule, {"state:presentado:0"}) == date(2026, 6, 16)
    assert next_breach_on(schedule, {"state:presentado:0", "state:presentado:1"}) is None


def test_the_procedure_counts_on_the_clock_suspensions_included(definition):
    clock = Clock(date(2026, 6, 1), 25, CAL).suspend(date(2026, 6, 5)).resume(date(2026, 6, 12))
    schedule = breach_schedule(
        definition, "presentado", entered_on=date(2026, 6, 12), procedure_clock=clock, calendar=CAL
    )
    procedure = next(d for d in schedule if d.key == "procedure:0")
    assert procedure.due_on == clock.due_date == CAL.add_business_days(date(2026, 7, 7), 5)
    assert procedure.fires_on == date(2026, 7, 15)
    assert (
        breach_schedule(
            definition,
            "favorable",
            entered_on=date(2026, 6, 12),
            procedure_clock=clock,
            calendar=CAL,
        )
        == ()
    )
