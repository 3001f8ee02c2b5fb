"""Business-day calendar of an authority: weekends, national holidays and local days off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays

_DAY = timedelta(days=1)


class BusinessCalendar:
    """Working days of one authority (LPA Art. 82: periods in days are business days).

    National holidays come from the `holidays` package; per-authority days off (a district's
    fiestas patronales, a closure decreed by the council) are given as `extra_days_off`.
    """

    def __init__(self, extra_days_off: Iterable[date] = (), country: str = "SV") -> None:
        """Build a calendar.

        Args:
            extra_days_off: The authority's own days off, on top of the national holidays.
            country: ISO country code for the `holidays` package.
        """
        self.country = country
        self.extra_days_off = frozenset(extra_days_off)
        self._holidays: dict[int, frozenset[date]] = {}

    def holidays_of(self, year: int) -> frozenset[date]:
        """Return the national holidays of `year`."""
        if year not in self._holidays:
            self._holidays[year] = frozenset(holidays.country_holidays(self.country, years=year))
        return self._holidays[year]

    def is_business_day(self, day: date) -> bool:
        """Tell whether offices work on `day`: a weekday that is no holiday or local day off."""
        return (
            day.weekday() < 5
            and day not in self.extra_days_off
            and day not in self.holidays_of(day.year)
        )

    def next_business_day(self, day: date) -> date:
        """Return `day` if it is a business day, else the first business day after it."""
        while not self.is_business_day(day):
            day += _DAY
        return day

    def add_business_days(self, start: date, n: int) -> date:
        """Return the last day of a period of `n` business days that starts after `start`.

        The period counts from the day after `start` (the notification), skipping weekends
        and days off, so its last day is always a working day (LPA Art. 82).

        Args:
            start: The day of the notification or filing.
            n: Length of the period in business days; 0 gives `start`.

        Raises:
            ValueError: `n` is negative.
        """
        if n < 0:
            raise ValueError("a period cannot be negative")
        day = start
        for _ in range(n):
            day = self.next_business_day(day + _DAY)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Count the business days after `start` up to and including `end`.

        It is the inverse of `add_business_days`: `business_days_between(a,
        add_business_days(a, n)) == n`. It is negative when `end` is before `start`.
        """
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start + _DAY
        while day <= end:
            count += self.is_business_day(day)
            day += _DAY
        return count
