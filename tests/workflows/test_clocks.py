"""One clock: overdue suspensions, stored events, bounded extensions, months, filing days."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.calendar import BusinessCalendar
from workflows.clocks import Clock, ClockError, ClockEvent, months_period_end

CAL = BusinessCalendar()


def stormwater() -> Clock:
    # 25 business days from Tuesday 2 June 2026, skipping 17 June (a holiday).
    return Clock(date(2026, 6, 2), 25, CAL)


def test_before_the_count_starts_the_days_left_include_the_day_it_starts() -> None:
    # Filed on Saturday 4 July 2026: the count starts after Monday 6 July, the next working
    # day. On the Saturday as on the Sunday, Monday is still a working day before the due
    # date, so one more day is left than on the Monday; every page counts the same way.
    filed = Clock(date(2026, 7, 4), 5, CAL)
    assert filed.counts_from == date(2026, 7, 6) and filed.due_date == date(2026, 7, 13)
    assert [filed.remaining(date(2026, 7, d)) for d in (4, 5, 6, 7, 13, 14)] == [6, 6, 5, 4, 0, -1]


def test_the_due_date_is_the_25th_business_day() -> None:
    assert stormwater().due_date == date(2026, 7, 8)
    assert stormwater().day_of(0) == date(2026, 6, 2)
    assert stormwater().day_of(1) == date(2026, 6, 3)


def test_an_overdue_case_is_suspended_and_resumed_without_a_negative_period() -> None:
    late = stormwater().suspend(date(2026, 7, 20), "Falta el plano firmado.")
    assert late.is_suspended and late.due_date == date(2026, 7, 8)  # known: already passed
    assert late.is_breached(date(2026, 7, 21))
    answered = late.resume(date(2026, 7, 24), "Correcciones presentadas.")
    assert not answered.is_suspended
    assert answered.due_date == date(2026, 7, 8)  # the case stays overdue
    assert answered.suspended_days == 4
    assert answered.elapsed(date(2026, 7, 27)) == 34  # 25 + 8 late + 1, not the 4 suspended
    # The days late count from the due date on the calendar, as the queue counts them from
    # its stored due date: the 13 business days from 9 to 27 July, suspended ones included
    # (the period was over before the suspension; elapsed still leaves them out).
    assert answered.remaining(date(2026, 7, 27)) == -13
    assert answered.remaining(date(2026, 7, 27)) == CAL.business_days_between(
        date(2026, 7, 27), answered.due_date
    )
    assert answered.is_breached(date(2026, 7, 27))


def test_a_suspension_before_the_due_date_moves_it_and_an_open_one_hides_it() -> None:
    suspended = stormwater().suspend(date(2026, 6, 9))  # day 5
    assert suspended.due_date is None and suspended.day_of(5) == date(2026, 6, 9)
    assert suspended.day_of(6) is None
    assert not suspended.is_breached(date(2026, 12, 1))
    assert suspended.elapsed(date(2026, 6, 30)) == 5
    assert suspended.remaining(date(2026, 6, 30)) == 20  # what the resumed clock will have
    resumed = suspended.resume(date(2026, 6, 16))  # 10-12 and 15-16 June: 5 days
    assert resumed.due_date == CAL.add_business_days(date(2026, 7, 8), 5)


def test_two_suspensions_and_a_same_day_resume_and_suspend() -> None:
    clock = (
        stormwater()
        .suspend(date(2026, 6, 9))
        .resume(date(2026, 6, 10))
        .suspend(date(2026, 6, 10))
        .resume(date(2026, 6, 12))
    )
    assert clock.suspended_days == 3
    assert clock.due_date == CAL.add_business_days(date(2026, 7, 8), 3)
    assert clock.elapsed(date(2026, 6, 15)) == 6


def test_a_suspension_on_the_filing_day_of_a_weekend_filing() -> None:
    # Filed Saturday 6 June, suspended at once, resumed Wednesday 10 June.
    clock = Clock(date(2026, 6, 6), 5, CAL).suspend(date(2026, 6, 6)).resume(date(2026, 6, 10))
    assert clock.due_date == date(2026, 6, 18)


def test_events_round_trip_through_primitives_with_their_reasons() -> None:
    clock = (
        stormwater()
        .suspend(date(2026, 6, 9), "prevención")
        .resume(date(2026, 6, 16), "subsanado")
        .extend(10, date(2026, 6, 17), "visita de campo")
    )
    stored = clock.to_dict()
    assert stored["events"][2] == {
        "kind": "extend",
        "on": "2026-06-17",
        "reason": "visita de campo",
        "business_days": 10,
    }
    rebuilt = Clock.from_dict(stored, CAL, max_extension_days=10)
    assert rebuilt.events == clock.events and rebuilt.extended_days == 10
    assert rebuilt.due_date == clock.due_date
    with pytest.raises(ClockError) as refused:
        ClockEvent.from_dict({"kind": "pause", "on": "2026-06-17"})
    assert refused.value.code == "unknown_event"


def test_extensions_are_bounded_by_the_definition() -> None:
    bounded = Clock(date(2026, 6, 2), 25, CAL, max_extension_days=15)
    once = bounded.extend(10, date(2026, 6, 10))
    assert once.due_date == CAL.add_business_days(date(2026, 7, 8), 10)
    with pytest.raises(ClockError) as refused:
        once.extend(10, date(2026, 6, 11))
    assert refused.value.code == "extension_beyond_limit"
    assert once.extend(5, date(2026, 6, 11)).total_days == 40


@pytest.mark.parametrize(
    ("misuse", "code"),
    [
        (lambda c: c.resume(date(2026, 6, 3)), "not_suspended"),
        (lambda c: c.suspend(date(2026, 6, 3)).suspend(date(2026, 6, 4)), "already_suspended"),
        (lambda c: c.suspend(date(2026, 6, 1)), "before_last_event"),
        (lambda c: c.extend(0, date(2026, 6, 3)), "empty_extension"),
    ],
)
def test_impossible_moves_say_why(misuse, code) -> None:
    with pytest.raises(ClockError) as refused:
        misuse(stormwater())
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("filed", "months", "due"),
    [
        (date(2026, 6, 15), 1, date(2026, 7, 15)),  # date to date
        (date(2026, 9, 15), 1, date(2026, 10, 16)),  # filed on a holiday: counts from the 16th
        (date(2027, 5, 31), 1, date(2027, 6, 30)),  # June is shorter: its last day
        (date(2026, 10, 30), 1, date(2026, 11, 30)),  # 30 Nov is a Monday
        (date(2026, 5, 29), 1, date(2026, 6, 29)),  # Friday to Monday 29 June
        (date(2026, 6, 16), 2, date(2026, 8, 17)),  # 16 August is a Sunday
        (date(2026, 9, 10), 2, date(2026, 11, 10)),
        (date(2026, 8, 31), 2, date(2026, 11, 3)),  # 31 Oct → Sat; 2 Nov holiday → Tue 3
        (date(2026, 6, 27), 1, date(2026, 7, 29)),  # a Saturday filing counts from Monday 29 June
    ],
)
def test_periods_in_months_run_date_to_date_and_leave_a_non_working_last_day(
    filed, months, due
) -> None:
    assert months_period_end(CAL, filed, months) == due
    clock = Clock.in_months(filed, months, CAL)
    assert clock.due_date == due
    assert clock.elapsed(due) == clock.total_days


def test_a_period_in_months_lasts_at_least_a_month() -> None:
    with pytest.raises(ClockError) as refused:
        months_period_end(CAL, date(2026, 6, 1), 0)
    assert refused.value.code == "empty_period"


def test_a_filing_on_a_non_working_day_counts_from_the_next_working_day() -> None:
    # Saturday 11 July 2026 is received as Monday 13 July: day 1 is Tuesday 14 July.
    saturday = Clock(date(2026, 7, 11), 10, CAL)
    monday = Clock(date(2026, 7, 13), 10, CAL)
    assert saturday.counts_from == date(2026, 7, 13)
    assert saturday.day_of(1) == date(2026, 7, 14)
    assert saturday.due_date == monday.due_date == date(2026, 7, 27)
    assert saturday.elapsed(date(2026, 7, 13)) == 0
    # A working-day filing counts from the next day, as before.
    assert Clock(date(2026, 7, 10), 1, CAL).due_date == date(2026, 7, 13)


def test_an_extension_while_suspended_keeps_the_clock_suspended() -> None:
    clock = stormwater().suspend(date(2026, 6, 9)).extend(5, date(2026, 6, 10), "peritaje")
    assert clock.is_suspended and clock.due_date is None
    resumed = clock.resume(date(2026, 6, 16))
    assert resumed.due_date == CAL.add_business_days(date(2026, 7, 8), 10)
