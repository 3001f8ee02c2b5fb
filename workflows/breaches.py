"""When each breach action of a case falls due, decided purely from dates and clocks.

Two kinds of day (Ley de Procedimientos Administrativos, Art. 82: the last day of a period
belongs to the office):

- An action that follows a period (no `after_business_days`: the state's `business_days` or
  the procedure's legal period) and every `deem_approved` / `deem_abandoned` fires on the
  first calendar day after the period's last day.
- A reminder (`notify`, `escalate`) with its own `after_business_days: N` fires on the day the
  count reaches N business days ("day N"), before or after the deadline: a notice after 8
  business days of a 10-day stage fires on day 8, while there is still time to act.

A state's actions count from the day the case entered the state; the procedure's count on the
case's clock, so suspended days never count and an unknown day (the clock suspended before
reaching it) means "not scheduled yet".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from workflows.calendar import BusinessCalendar
from workflows.clocks import Clock
from workflows.model import BreachAction, Definition

_REMINDERS = frozenset({"notify", "escalate"})


@dataclass(frozen=True)
class DueBreach:
    """A breach action and the day it fires.

    Attributes:
        key: Stable identity within the state visit (`state:presentado:0`, `procedure:1`), so
            the portal applies each one once.
        action: The breach action from the definition.
        due_on: The last day of the period counted (day N for a reminder); shown in notices.
        fires_on: The local day the action is due from.
    """

    key: str
    action: BreachAction
    due_on: date
    fires_on: date


def _scheduled(key: str, action: BreachAction, clock: Clock) -> DueBreach | None:
    days = action.after_business_days
    last_day = clock.day_of(clock.total_days if days is None else days)
    if last_day is None:
        return None
    if days is not None and action.kind in _REMINDERS:
        return DueBreach(key, action, last_day, last_day)
    return DueBreach(key, action, last_day, last_day + timedelta(days=1))


def breach_schedule(
    definition: Definition,
    state: str,
    *,
    entered_on: date,
    procedure_clock: Clock | None,
    calendar: BusinessCalendar,
) -> tuple[DueBreach, ...]:
    """Return every breach action of a case in `state` with the day it fires, in definition
    order (the state's first, then the procedure's).

    Nothing is scheduled in a final state, nor a procedure action before filing
    (`procedure_clock` None) or while the clock is suspended before its day.

    Args:
        definition: The case's pinned definition.
        state: The case's current state.
        entered_on: Local date the case entered `state` (a non-working day counts from the
            next working day).
        procedure_clock: The case's legal clock (with its suspensions and extensions), None
            before filing.
        calendar: The issuing authority's business calendar.
    """
    current = definition.state(state)
    if current.is_final:
        return ()
    stage = Clock(entered_on, current.business_days or 0, calendar)
    # The validator guarantees a period for actions without days (`breach_without_deadline`).
    pending = [(f"state:{state}:{i}", action, stage) for i, action in enumerate(current.breach)]
    if procedure_clock is not None:
        run = procedure_clock
        pending += [(f"procedure:{i}", item, run) for i, item in enumerate(definition.breach)]
    scheduled = (_scheduled(*entry) for entry in pending)
    return tuple(item for item in scheduled if item is not None)


def due_breaches(
    definition: Definition,
    state: str,
    *,
    entered_on: date,
    procedure_clock: Clock | None,
    today: date,
    calendar: BusinessCalendar,
    applied: frozenset[str] | set[str] = frozenset(),
) -> tuple[DueBreach, ...]:
    """Return the breach actions due by `today` and not yet `applied` (keys), in order.

    See `breach_schedule` for the arguments; `today` is the local date of the sweep.
    """
    return tuple(
        item
        for item in breach_schedule(
            definition,
            state,
            entered_on=entered_on,
            procedure_clock=procedure_clock,
            calendar=calendar,
        )
        if item.fires_on <= today and item.key not in applied
    )


def next_breach_on(
    schedule: tuple[DueBreach, ...], applied: frozenset[str] | set[str] = frozenset()
) -> date | None:
    """Return the first day an action not yet `applied` fires, or None when none is pending.

    The portal stores it on the case (indexed), so the daily sweep selects only the cases
    with something to do, whether before or after their deadline.
    """
    days = [item.fires_on for item in schedule if item.key not in applied]
    return min(days, default=None)
