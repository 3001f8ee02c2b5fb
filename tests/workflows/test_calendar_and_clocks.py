"""Business days on real Salvadoran dates, and clocks that suspend, resume and extend."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.calendar import BusinessCalendar
from workflows.clocks import Clock, ClockError

NATIONAL = BusinessCalendar()
# San Salvador's August festivities: 3-5 August are local days off; 6 August is national.
SAN_SALVADOR = BusinessCalendar(
    extra_days_off=[date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)]
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 1), True),  # Miércoles Santo
        (date(2026, 4, 2), False),  # Jueves Santo
        (date(2026, 4, 3), False),  # Viernes Santo
        (date(2027, 3, 25), False),  # Jueves Santo 2027
        (date(2027, 3, 26), False),  # Viernes Santo 2027
        (date(2026, 9, 15), False),  # Independence Day (a Tuesday)
        (date(2026, 11, 2), False),  # Día de los Difuntos (a Monday)
        (date(2026, 8, 6), False),  # national day of the August festivities
        (date(2026, 8, 4), True),  # working day outside San Salvador
        (date(2026, 4, 4), False),  # Saturday
        (date(2026, 4, 6), True),  # Monday after Easter
    ],
)
def test_national_calendar_knows_salvadoran_holidays(day: date, working: bool) -> None:
    assert NATIONAL.is_business_day(day) is working


def test_local_days_off_are_not_working_days() -> None:
    assert not SAN_SALVADOR.is_business_day(date(2026, 8, 4))
    assert SAN_SALVADOR.extra_days_off == frozenset(
        {date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)}
    )


@pytest.mark.parametrize(
    ("calendar", "start", "n", "due"),
    [
        (NATIONAL, date(2026, 4, 1), 1, date(2026, 4, 6)),  # skips Holy Thursday to Sunday
        (NATIONAL, date(2027, 3, 24), 1, date(2027, 3, 29)),  # Holy Week 2027
        (NATIONAL, date(2026, 9, 14), 1, date(2026, 9, 16)),  # skips 15 September
        (NATIONAL, date(2026, 10, 30), 1, date(2026, 11, 3)),  # skips the weekend and 2 November
        (NATIONAL, date(2026, 7, 31), 1, date(2026, 8, 3)),
        (SAN_SALVADOR, date(2026, 7, 31), 1, date(2026, 8, 7)),  # skips 3-6 August
        (NATIONAL, date(2026, 4, 4), 1, date(2026, 4, 6)),  # notified on a Saturday
        (NATIONAL, date(2026, 3, 30), 10, date(2026, 4, 15)),  # a 10-day prevención
        (NATIONAL, date(2026, 4, 2), 0, date(2026, 4, 2)),
    ],
)
def test_periods_count_from_the_day_after_and_skip_days_off(
    calendar: BusinessCalendar, start: date, n: int, due: date
) -> None:
    assert calendar.add_business_days(start, n) == due
    assert calendar.business_days_between(start, due) == n


def test_business_days_between_is_signed() -> None:
    assert NATIONAL.business_days_between(date(2026, 4, 6), date(2026, 4, 1)) == -1
    assert NATIONAL.business_days_between(date(2026, 4, 1), date(2026, 4, 1)) == 0


def test_next_business_day() -> None:
    assert NATIONAL.next_business_day(date(2026, 4, 2)) == date(2026, 4, 6)
    assert NATIONAL.next_business_day(date(2026, 4, 6)) == date(2026, 4, 6)


def test_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        NATIONAL.add_business_days(date(2026, 1, 5), -1)


def clock() -> Clock:
    return Clock(started_on=date(2026, 7, 27), business_days=25, calendar=SAN_SALVADOR)


def test_clock_due_date_skips_local_and_national_days_off() -> None:
    # 28-31 July (4), 7 August (5) after 3-6 August, ... 4 September is the 25th.
    assert clock().due_date == date(2026, 9, 4)
    assert clock().remaining(date(2026, 9, 4)) == 0
    assert not clock().is_breached(date(2026, 9, 4))
    assert clock().is_breached(date(2026, 9, 7))


def test_suspension_moves_the_due_date_by_the_business_days_suspended() -> None:
    suspended = clock().suspend(date(2026, 8, 10))
    assert suspended.is_suspended
    assert suspended.due_date is None
    assert suspended.elapsed(date(2026, 8, 10)) == 6
    assert suspended.elapsed(date(2026, 8, 20)) == 6  # suspended time does not count
    resumed = suspended.resume(date(2026, 8, 21))  # 11-14 and 17-21 August: 9 days
    assert resumed.suspended_days == 9
    # 4 September + 9 business days, skipping 15 September.
    assert resumed.due_date == date(2026, 9, 18)
    assert resumed.elapsed(date(2026, 8, 24)) == 7


def test_extension_adds_business_days() -> None:
    extended = clock().extend(5, date(2026, 7, 28), reason="visita de campo")
    assert extended.total_days == 30
    assert extended.due_date == date(2026, 9, 11)


@pytest.mark.parametrize(
    "misuse",
    [
        lambda c: c.resume(date(2026, 8, 1)),
        lambda c: c.suspend(date(2026, 8, 10)).suspend(date(2026, 8, 11)),
        lambda c: c.suspend(date(2026, 7, 1)),
        lambda c: c.suspend(date(2026, 8, 10)).resume(date(2026, 8, 7)),
        lambda c: c.extend(0, date(2026, 7, 28)),
    ],
)
def test_clock_refuses_impossible_moves(misuse) -> None:
    with pytest.raises(ClockError):
        misuse(clock())


def test_elapsed_is_zero_before_the_period_starts() -> None:
    assert clock().elapsed(date(2026, 7, 20)) == 0
