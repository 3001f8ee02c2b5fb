"""A case's legal clock as stored on its row, and the due dates derived from it.

`workflows.clocks.Clock` is the only clock: this module stores its primitives (start, length and
every suspension, resumption and extension with its reason and day) in `applications.clock`, and
derives from it, at each change, the columns queues sort and filter on: `due_on` (the legal
period), `state_due_on` (the stage's), `next_breach_on` (the first day a breach action is due,
which the daily sweep selects on) and `notify_by` (LPA Art. 97).
"""

from __future__ import annotations

from datetime import date

import workflows
from portal.applications.models import Application
from workflows.breaches import breach_schedule, next_breach_on
from workflows.calendar import BusinessCalendar
from workflows.clocks import Clock

#: Business days to notify a decision (Ley de Procedimientos Administrativos, Art. 97).
NOTIFY_WITHIN_BUSINESS_DAYS = 3


def local_date(moment) -> date:
    """Return the El Salvador date of an aware datetime."""
    from portal.applications.effects import LOCAL_TZ

    return moment.astimezone(LOCAL_TZ).date()


def calendar_of(application: Application) -> BusinessCalendar:
    """Return the issuing office's calendar (its and its parents' days off)."""
    from portal.authorities.services import calendar_for

    return calendar_for(application.authority)


def clock_of(
    application: Application, definition: workflows.Definition, calendar: BusinessCalendar
) -> Clock | None:
    """Rebuild the case's legal clock, or None before filing (or when the procedure has none)."""
    if not application.clock:
        return None
    return Clock.from_dict(
        application.clock, calendar, definition.catalogue.max_extension_business_days
    )


def start_clock(
    application: Application, definition: workflows.Definition, calendar, filed_on: date
) -> Clock | None:
    """Start the legal period at filing: the catalogue's maximum, else the first stage's."""
    first = definition.state(application.state)
    days = definition.catalogue.legal_max_business_days or first.business_days
    if not days:
        return None
    clock = Clock(filed_on, days, calendar)
    application.clock = clock.to_dict()
    return clock


def store(application: Application, clock: Clock) -> None:
    """Write the clock's primitives back on the case (a new dict, so the change is seen)."""
    application.clock = clock.to_dict()


def applied_breach_keys(application: Application) -> set[str]:
    """Keys of breach actions already applied: a state's in this visit, the procedure's ever."""
    keys = set()
    for entry in application.history:
        if not entry.action.startswith("breach:"):
            continue
        key = entry.action.removeprefix("breach:")
        if key.startswith("procedure:") or entry.occurred_at >= application.state_entered_at:
            keys.add(key)
    return keys


def schedule_of(application: Application, definition: workflows.Definition, calendar):
    """Return every breach action of the case in its state with the day it fires."""
    return breach_schedule(
        definition,
        application.state,
        entered_on=local_date(application.state_entered_at),
        procedure_clock=clock_of(application, definition, calendar),
        calendar=calendar,
    )


def derive_deadlines(
    application: Application, definition: workflows.Definition, calendar: BusinessCalendar
) -> None:
    """Set `state_due_on`, `due_on` and `next_breach_on` from the clocks (flush-free), and
    the queue columns with them (`portal.review.queues.derive`).

    In a final state they are all None: nothing is due any more.
    """
    from portal.review import queues

    state = definition.state(application.state)
    if state.is_final:
        application.state_due_on = application.due_on = application.next_breach_on = None
        queues.derive(application, definition, None)
        return
    entered_on = local_date(application.state_entered_at)
    application.state_due_on = (
        Clock(entered_on, state.business_days, calendar).due_date if state.business_days else None
    )
    clock = clock_of(application, definition, calendar)
    application.due_on = clock.due_date if clock is not None else None
    application.next_breach_on = next_breach_on(
        schedule_of(application, definition, calendar), applied_breach_keys(application)
    )
    queues.derive(application, definition, clock)


def decided(application: Application, decided_on: date, calendar: BusinessCalendar) -> None:
    """Record the last day to notify the act of `decided_on` (LPA Art. 97: three business
    days), a decision or a prevención."""
    application.notify_by = calendar.add_business_days(
        calendar.next_business_day(decided_on), NOTIFY_WITHIN_BUSINESS_DAYS
    )


def legal_period(
    application: Application,
    definition: workflows.Definition,
    today: date,
    calendar: BusinessCalendar | None = None,
) -> dict | None:
    """How the case stands against its legal period today, as staff and applicant read it.

    Returns:
        None before filing, in a final state, or without a period; else `{"suspended":
        bool, "remaining": int}` where `remaining` is the business days left after `today`
        (0 on the due date itself, negative once overdue: the days late). `calendar` is the
        office's (`calendar_of`), passed by a page that shows many cases of few offices.
    """
    if definition.state(application.state).is_final:
        return None
    calendar = calendar or calendar_of(application)
    clock = clock_of(application, definition, calendar)
    if clock is None:
        return None
    return {"suspended": clock.is_suspended, "remaining": clock.remaining(today)}
