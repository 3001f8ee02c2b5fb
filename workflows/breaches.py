"""Which breach actions are due for a case: deadlines passed, decided purely from dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflows.calendar import BusinessCalendar
from workflows.model import BreachAction, Definition


@dataclass(frozen=True)
class DueBreach:
    """A breach action whose deadline has passed.

    Attributes:
        key: Stable identity within the state visit (`state:presentado:0`, `procedure:1`), so
            the portal applies each one once.
        action: The breach action from the definition.
        due_on: The last day of the period; the action is due from the next day on.
    """

    key: str
    action: BreachAction
    due_on: date


def due_breaches(
    definition: Definition,
    state: str,
    *,
    entered_on: date,
    filed_on: date | None,
    procedure_due_on: date | None,
    today: date,
    calendar: BusinessCalendar,
) -> tuple[DueBreach, ...]:
    """Return the breach actions due on `today` for a case in `state`, in definition order.

    A state's actions count from the day the case entered the state: `after_business_days`
    when given, else the state's `business_days`. The procedure's actions count against the
    stored overall due date (which already excludes suspended time), or `after_business_days`
    from filing. Nothing is due in a final state, nor for the procedure while its clock is
    suspended (`procedure_due_on` is None then).

    Args:
        definition: The case's pinned definition.
        state: The case's current state.
        entered_on: Local date the case entered `state`.
        filed_on: Local date the case was filed, if it was.
        procedure_due_on: The stored overall due date, None while suspended or not filed.
        today: The local date of the sweep.
        calendar: The issuing authority's business calendar.

    Returns:
        The due actions; empty when none is due.
    """
    current = definition.state(state)
    if current.is_final:
        return ()
    due: list[DueBreach] = []
    for index, action in enumerate(current.breach):
        # The validator guarantees one of the two (`breach_without_deadline`).
        days = action.after_business_days
        days = current.business_days if days is None else days
        last_day = calendar.add_business_days(entered_on, days or 0)
        if today > last_day:
            due.append(DueBreach(f"state:{state}:{index}", action, last_day))
    for index, action in enumerate(definition.breach):
        if action.after_business_days is not None and filed_on is not None:
            if procedure_due_on is None:
                continue
            last_day = calendar.add_business_days(filed_on, action.after_business_days)
        elif procedure_due_on is not None:
            last_day = procedure_due_on
        else:
            continue
        if today > last_day:
            due.append(DueBreach(f"procedure:{index}", action, last_day))
    return tuple(due)
