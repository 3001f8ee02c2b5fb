"""Business-day calendar of an authority: layers of non-working days, each with its legal source.

A day is not a working day ("día hábil", LPA Art. 82) when one of these layers says so, listed
from the weakest to the strongest (the strongest one is the `reason` given for the day):

1. weekends: public offices work Monday to Friday;
2. public-office vacation periods (`vacations=True`): Ley de Asuetos, Vacaciones y Licencias de
   los Empleados Públicos (D.L. 17 of 1940), Art. 1: eight days in Holy Week, 1 to 6 August and
   24 December to 2 January inclusive; case law counts them as non-working days for periods in
   "días hábiles". A rule of kind `working` takes one vacation day back (an office that opens);
3. one-off days decreed by the Legislative Assembly (16 September 2022, say);
4. local days off: 3 and 5 August for offices in the city of San Salvador and the day of each
   place's main festivity elsewhere (Código de Trabajo, Art. 190);
5. national holidays from the `holidays` package (country SV: Código de Trabajo, Art. 190).

Holy Week: the law says only "ocho días en la Semana Santa". The default variant,
`palm_sunday_to_easter_sunday`, reads it as the eight calendar days from Palm Sunday to Easter
Sunday inclusive: the working days it closes are Holy Monday, Tuesday and Wednesday (Thursday to
Saturday are national holidays already), and offices reopen on Easter Monday. This is our
reading of the text [I: not checked against each year's official notices]; the common
alternatives (Saturday before Palm Sunday to Easter Sunday, Holy Monday to Easter Sunday) close
the same working days. `holy_monday_to_easter_monday` (Holy Monday to Easter Monday, also eight
days) closes Easter Monday too; an authority that follows it sets it.

Each year's days are computed once per calendar (the reasons by day and the sorted working days),
so membership is one lookup and periods are counted by bisection.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

_DAY = timedelta(days=1)

WEEKEND, VACATION, DECREED, LOCAL, HOLIDAY = "weekend", "vacation", "decreed", "local", "holiday"
#: Kinds of a `DayOff`, weakest first: a day in several layers gives the strongest as its reason.
KINDS = (WEEKEND, VACATION, DECREED, LOCAL, HOLIDAY)
#: A rule of this kind makes a vacation day a working day for the authority (nothing else).
WORKING = "working"
#: Kinds of an authority's own rules (`DayRule.kind`).
RULE_KINDS = (LOCAL, DECREED, WORKING)

VACATION_SOURCE = (
    "Ley de Asuetos, Vacaciones y Licencias de los Empleados Públicos (D.L. 17 de 1940), Art. 1"
)
WEEKEND_SOURCE = "LPA, Art. 82: los plazos en días son días hábiles"
#: Legal source of the national holidays of the `holidays` package, by country.
HOLIDAY_SOURCES = {"SV": "Código de Trabajo, Art. 190"}

#: Holy Week vacation variants: first and last day, as days from Easter Sunday (inclusive).
HOLY_WEEK_VARIANTS: dict[str, tuple[int, int]] = {
    "palm_sunday_to_easter_sunday": (-7, 0),
    "holy_monday_to_easter_monday": (-6, 1),
}
DEFAULT_HOLY_WEEK = "palm_sunday_to_easter_sunday"

_WEEKEND_NAME = {"es": "Fin de semana", "en": "Weekend"}
_HOLY_WEEK_NAME = {"es": "Vacación de Semana Santa", "en": "Holy Week vacation"}
_AUGUST_NAME = {"es": "Vacación de agosto", "en": "August vacation"}
_YEAR_END_NAME = {"es": "Vacación de fin de año", "en": "Year-end vacation"}
_EXTRA_NAME = {"es": "Día no laborable de la institución", "en": "Day off of the authority"}


@dataclass(frozen=True)
class DayOff:
    """Why one day is not a working day.

    Attributes:
        day: The date.
        kind: One of `KINDS` (weekend, vacation, decreed, local, holiday).
        name: What the day is, as `{"es": ..., "en": ...}`.
        source: The legal source ("Código de Trabajo, Art. 190"); empty when none was given.
    """

    day: date
    kind: str
    name: Mapping[str, str] = field(hash=False)
    source: str


@dataclass(frozen=True)
class DayRule:
    """One day of an authority's own layers: every year on `month`/`day`, or once in `year`.

    Attributes:
        kind: `local` (a festivity), `decreed` (a day decreed off) or `working` (a vacation day
            the office works, which takes that day out of the vacation layer only).
        month, day: The day of the year; 29 February counts only in leap years.
        name: `{"es": ..., "en": ...}`.
        source: The legal source (a decree, an article, a council's agreement).
        year: None for every year; a year for that year only.
        first_year, last_year: For a rule of every year, the years it is in force (None: no
            bound). A day added or ended from a date on counts from then on only, so the days
            off of past years stay as they were (the periods already counted keep their end).

    Raises:
        ValueError: an unknown kind, or a day that no year has (31 April).
    """

    kind: str
    month: int
    day: int
    name: Mapping[str, str] = field(hash=False)
    source: str
    year: int | None = None
    first_year: int | None = None
    last_year: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"unknown kind of day {self.kind!r}; use one of {RULE_KINDS}")
        date(self.year or 2000, self.month, self.day)  # 2000 is a leap year: 29 Feb is valid

    def on(self, year: int) -> date | None:
        """Return the date the rule falls on in `year`, or None when it has none that year."""
        if self.year not in (None, year):
            return None
        if year < (self.first_year or year) or year > (self.last_year or year):
            return None
        try:
            return date(year, self.month, self.day)
        except ValueError:  # 29 February of a common year
            return None


@lru_cache(maxsize=256)
def _national(country: str, year: int) -> tuple[tuple[date, str, str], ...]:
    """The national holidays of a year as (date, Spanish name, English name), computed once."""
    spanish = holidays.country_holidays(country, years=year, language="es")
    english = holidays.country_holidays(country, years=year, language="en_US")
    return tuple((day, spanish[day], english.get(day, spanish[day])) for day in sorted(spanish))


def easter_sunday(year: int) -> date:
    """Return Western Easter Sunday of `year` (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


_NONE = DayOff(date.min, "", {}, "")  # stands for "no day off" in lookups


@dataclass(frozen=True)
class _Year:
    reasons: dict[int, DayOff]  # the non-working days of the layers above weekends, by ordinal
    working: list[int]  # ordinals of the working days, ascending
    working_set: frozenset[int]


class BusinessCalendar:
    """Working days of one authority (LPA Art. 82: periods in days are business days).

    Args:
        extra_days_off: Dates the authority does not work, without a stated source (kept for
            callers that only have dates); they count as local days off.
        country: ISO country code for the `holidays` package.
        rules: The authority's own layers (`DayRule`: local, decreed, working), its parents'
            included.
        vacations: Whether the public-office vacation periods of D.L. 17 of 1940 apply. The
            portal turns them on for every authority unless it says otherwise; here they are
            off by default so that a bare `BusinessCalendar()` is the national holiday calendar.
        holy_week: Which eight days of Holy Week are vacation (`HOLY_WEEK_VARIANTS`).
        settings_from: Changes of those two settings from a year on, as `(first_year,
            vacations, holy_week)`: a year takes the change with the latest first year not
            after it, else `vacations` and `holy_week`. So a change from next year leaves the
            years already counted as they were.

    Raises:
        ValueError: an unknown Holy Week variant.
    """

    def __init__(
        self,
        extra_days_off: Iterable[date] = (),
        country: str = "SV",
        *,
        rules: Iterable[DayRule] = (),
        vacations: bool = False,
        holy_week: str = DEFAULT_HOLY_WEEK,
        settings_from: Iterable[tuple[int, bool, str]] = (),
    ) -> None:
        self.settings_from = tuple(sorted(settings_from))
        for variant in (holy_week, *(item[2] for item in self.settings_from)):
            if variant not in HOLY_WEEK_VARIANTS:
                known = sorted(HOLY_WEEK_VARIANTS)
                raise ValueError(f"unknown Holy Week variant {variant!r}; use one of {known}")
        self.country = country
        self.extra_days_off = frozenset(extra_days_off)
        self.rules = tuple(rules)
        self.vacations = vacations
        self.holy_week = holy_week
        self._years: dict[int, _Year] = {}

    def holidays_of(self, year: int) -> frozenset[date]:
        """Return the national holidays of `year`."""
        return frozenset(day for day, _es, _en in _national(self.country, year))

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._build(year)
        return found

    def _build(self, year: int) -> _Year:
        """Lay the layers of one year over each other, the stronger overwriting the weaker."""
        off: dict[date, DayOff] = {}
        vacations, holy_week = self.settings_of(year)
        if vacations:
            for day, name in self._vacation_days(year, holy_week):
                off[day] = DayOff(day, VACATION, name, VACATION_SOURCE)
            for rule in self.rules:
                back = rule.on(year) if rule.kind == WORKING else None
                if back is not None and off.get(back, _NONE).kind == VACATION:
                    del off[back]
        for kind in (DECREED, LOCAL):
            for rule in self.rules:
                when = rule.on(year) if rule.kind == kind else None
                if when is not None:
                    off[when] = DayOff(when, kind, rule.name, rule.source)
        for when in self.extra_days_off:
            if when.year == year:
                off[when] = DayOff(when, LOCAL, _EXTRA_NAME, "")
        source = HOLIDAY_SOURCES.get(self.country, f"holidays ({self.country})")
        for when, spanish, english in _national(self.country, year):
            off[when] = DayOff(when, HOLIDAY, {"es": spanish, "en": english}, source)
        reasons = {d.toordinal(): reason for d, reason in off.items()}
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        working = [
            n for n in range(first, last + 1) if (n - 1) % 7 < 5 and n not in reasons
        ]  # date.fromordinal(1) is a Monday: (n - 1) % 7 is the weekday
        return _Year(reasons=reasons, working=working, working_set=frozenset(working))

    def settings_of(self, year: int) -> tuple[bool, str]:
        """Return whether the vacation periods apply in `year`, and its Holy Week variant."""
        found = (self.vacations, self.holy_week)
        for first_year, vacations, holy_week in self.settings_from:
            if first_year <= year:
                found = (vacations, holy_week)
        return found

    def _vacation_days(self, year: int, holy_week: str) -> Iterable[tuple[date, Mapping[str, str]]]:
        """The vacation days of D.L. 17 of 1940 that fall in `year`."""
        easter = easter_sunday(year)
        start, end = HOLY_WEEK_VARIANTS[holy_week]
        for offset in range(start, end + 1):
            yield easter + timedelta(days=offset), _HOLY_WEEK_NAME
        for day in range(1, 7):
            yield date(year, 8, day), _AUGUST_NAME
        # 24 December to 2 January: the end of this year's period and the start of last year's.
        for day in (1, 2):
            yield date(year, 1, day), _YEAR_END_NAME
        for day in range(24, 32):
            yield date(year, 12, day), _YEAR_END_NAME

    def reason(self, day: date) -> DayOff | None:
        """Say why `day` is not a working day (its strongest layer), or None if it is one."""
        found = self._year(day.year).reasons.get(day.toordinal())
        if found is None and day.weekday() >= 5:
            return DayOff(day, WEEKEND, _WEEKEND_NAME, WEEKEND_SOURCE)
        return found

    def days_off(self, year: int) -> list[DayOff]:
        """List the non-working days of `year` other than plain weekends, in date order.

        A weekend day that is also a holiday, vacation or local day is listed with that reason.
        """
        reasons = self._year(year).reasons
        return [reasons[n] for n in sorted(reasons)]

    def is_business_day(self, day: date) -> bool:
        """Tell whether offices work on `day`: no layer makes it a day off."""
        return day.toordinal() in self._year(day.year).working_set

    def next_business_day(self, day: date) -> date:
        """Return `day` if it is a business day, else the first business day after it."""
        year, ordinal = day.year, day.toordinal()
        while True:
            working = self._year(year).working
            index = bisect_left(working, ordinal)
            if index < len(working):
                return date.fromordinal(working[index])
            year += 1

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
        if n == 0:
            return start
        year = start.year
        index = bisect_right(self._year(year).working, start.toordinal()) + n - 1
        while index >= len(working := self._year(year).working):
            index -= len(working)
            year += 1
        return date.fromordinal(working[index])

    def business_days_between(self, start: date, end: date) -> int:
        """Count the business days after `start` up to and including `end`.

        It is the inverse of `add_business_days`: `business_days_between(a,
        add_business_days(a, n)) == n`. It is negative when `end` is before `start`.
        """
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        for year in range(start.year, end.year + 1):
            working = self._year(year).working
            low = bisect_right(working, start.toordinal()) if year == start.year else 0
            high = bisect_right(working, end.toordinal())
            count += high - low
        return count
