"""Properties that hold for every seed definition, and for clocks, under random inputs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import Definition, Facts, TransitionNotAllowed, available_actions, fire, load_file
from workflows.calendar import BusinessCalendar
from workflows.clocks import Clock
from workflows.guards import review_items
from workflows.model import ROLES

DEFINITIONS = sorted((Path(__file__).parents[2] / "workflows" / "definitions").rglob("*.yaml"))
LOADED = [load_file(path) for path in DEFINITIONS]
SAMPLE = {
    "text": "Texto",
    "long_text": "Texto largo",
    "address": "Calle Arce 1",
    "number": "10",
    "integer": "3",
    "money": "100.00",
    "area_m2": "250",
    "date": "2026-04-06",
    "yes_no": True,
    "email": "ana@example.com",
    "phone": "2222-3333",
    "dui": "01234567-8",
    "nit": "0614-050707-104-8",
    "district": "0614",
    "point": "13.7,-89.2",
    "activity_code": "47112",
    "resolution": "OPAMSS-2026-000001",
}
CALENDAR = BusinessCalendar(extra_days_off=[date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)])


def sample(definition: Definition, name: str, pick: int = 0) -> Any:
    field = definition.field(name)
    if field.choices:
        value = field.choices[pick % len(field.choices)].value
        return [value] if field.type == "multi_choice" else value
    return SAMPLE[field.type]


@st.composite
def facts_for(draw: st.DrawFn, definition: Definition) -> Facts:
    names = [field.name for field in definition.fields]
    answered = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    data = {name: sample(definition, name, draw(st.integers(0, 5))) for name in answered}
    codes = [document.code for document in definition.documents]
    documents = draw(st.frozensets(st.sampled_from(codes))) if codes else frozenset()
    base = Facts(role="clerk", data=data, documents=documents)
    items = review_items(definition, base)
    return Facts(
        role=draw(st.sampled_from(ROLES)),
        data=data,
        documents=documents,
        fee_paid=draw(st.booleans()),
        comment=draw(st.sampled_from(["", "  ", "Motivo de la decisión"])),
        prerequisites_valid=draw(st.booleans()),
        inspection_recorded=draw(st.booleans()),
        verdicts={item: draw(st.booleans()) for item in items},
    )


def everything_given(definition: Definition, role: str) -> Facts:
    data = {field.name: sample(definition, field.name) for field in definition.fields}
    documents = frozenset(document.code for document in definition.documents)
    facts = Facts(role=role, data=data, documents=documents)
    return Facts(
        role=role,
        data=data,
        documents=documents,
        fee_paid=True,
        comment="Motivo",
        inspection_recorded=True,
        verdicts=dict.fromkeys(review_items(definition, facts), True),
        outputs={
            output.name: output.choices[0].value if output.choices else SAMPLE[output.type]
            for transition in definition.transitions
            for output in transition.outputs
        },
    )


def test_there_are_seed_definitions() -> None:
    assert any(path.name == "calificacion-lugar.yaml" for path in DEFINITIONS)


@pytest.mark.parametrize("definition", LOADED, ids=lambda d: f"{d.authority}/{d.slug}")
@settings(max_examples=60, deadline=None, database=None)
@given(data=st.data())
def test_random_walks_stay_in_defined_states(definition: Definition, data: st.DataObject) -> None:
    state = definition.initial_state
    for _ in range(12):
        facts = data.draw(facts_for(definition))
        offered = available_actions(definition, state, facts)
        assert all(state in t.sources and facts.role in t.roles for t in offered)
        transitions = definition.transitions_from(state)
        if not transitions:
            assert definition.state(state).is_final
            return
        action = data.draw(st.sampled_from([t.action for t in transitions] + ["volar"]))
        try:
            outcome = fire(definition, state, action, facts)
        except TransitionNotAllowed as refused:
            assert refused.reasons
            assert all(r.code == r.code.lower() and " " not in r.code for r in refused.reasons)
            continue
        assert outcome.source == state
        state = definition.state(outcome.target).code


@pytest.mark.parametrize("definition", LOADED, ids=lambda d: f"{d.authority}/{d.slug}")
def test_every_non_final_state_offers_a_way_out(definition: Definition) -> None:
    for state in definition.states:
        if state.is_final:
            continue
        offered = [
            transition
            for role in ROLES
            for transition in available_actions(
                definition, state.code, everything_given(definition, role)
            )
        ]
        timed_out = [action for action in state.breach if action.target]
        assert offered or timed_out, state.code
        for transition in offered:
            facts = everything_given(definition, transition.roles[0])
            assert (
                fire(definition, state.code, transition.action, facts).target == transition.target
            )


@pytest.mark.parametrize("definition", LOADED, ids=lambda d: f"{d.authority}/{d.slug}")
def test_every_breach_action_lands_in_a_defined_state(definition: Definition) -> None:
    actions = [*definition.breach, *(a for s in definition.states for a in s.breach)]
    for action in actions:
        if action.target is not None:
            assert definition.state(action.target).kind in {
                "approved",
                "approved_with_conditions",
                "abandoned",
            }
        else:
            assert action.role in ROLES


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=150, deadline=None, database=None)
@given(
    start=days,
    length=st.integers(1, 60),
    pauses=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=4),
)
def test_suspended_time_never_counts_toward_a_deadline(
    start: date, length: int, pauses: list[tuple[int, int]]
) -> None:
    clock = Clock(started_on=start, business_days=length, calendar=CALENDAR)
    day, suspended, before_due = start, 0, 0
    for run, pause in pauses:
        day += timedelta(days=run)
        due_before = clock.due_date
        clock = clock.suspend(day)
        frozen = clock.elapsed(day)
        end = day + timedelta(days=pause)
        assert clock.elapsed(end) == frozen
        spent = CALENDAR.business_days_between(day, end)
        suspended += spent
        # A suspension that starts once the period is over moves nothing (never negative);
        # nor do its days before the count starts (a filing on a non-working day).
        start_at = clock.counts_from
        inside = CALENDAR.business_days_between(max(day, start_at), max(end, start_at))
        before_due += 0 if due_before is not None and due_before <= day else inside
        clock, day = clock.resume(end), end
    assert clock.suspended_days == suspended
    due = clock.due_date
    assert due is not None and CALENDAR.is_business_day(due)
    assert clock.elapsed(due) == length
    assert not clock.is_breached(due)
    assert clock.is_breached(CALENDAR.add_business_days(due, 1))
    if before_due == suspended:  # every suspension fell inside the period
        assert CALENDAR.business_days_between(clock.counts_from, due) == length + suspended


@settings(max_examples=150, deadline=None, database=None)
@given(start=days, n=st.integers(0, 80))
def test_adding_business_days_is_inverted_by_counting_them(start: date, n: int) -> None:
    due = CALENDAR.add_business_days(start, n)
    assert CALENDAR.business_days_between(start, due) == n
    assert n == 0 or CALENDAR.is_business_day(due)
