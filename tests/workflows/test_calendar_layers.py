"""Deadlines counted by hand on public-office calendars of 2026 and 2027, and their layers.

Every due date in `DEADLINES` was counted by hand on a paper calendar before the code ran:
periods start the day after the filing or notification (LPA Art. 82) and skip weekends, the
national holidays (Código de Trabajo, Art. 190), the public-office vacation periods (D.L. 17 of
1940, Art. 1: Palm Sunday to Easter Sunday by default, 1-6 August, 24 December-2 January), San
Salvador's 3 and 5 August, and decreed days.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from workflows.calendar import (
    DEFAULT_HOLY_WEEK,
    HOLIDAY,
    LOCAL,
    VACATION,
    VACATION_SOURCE,
    WEEKEND,
    BusinessCalendar,
    DayRule,
    easter_sunday,
)

ART_190 = "Código de Trabajo, Art. 190"
FIESTAS = {"es": "Fiestas agostinas", "en": "August festivities"}
SAN_SALVADOR_RULES = (
    DayRule("local", 8, 3, FIESTAS, ART_190),
    DayRule("local", 8, 5, FIESTAS, ART_190),
)
DECREE_2022 = DayRule(
    "decreed",
    9,
    16,
    {"es": "Asueto decretado", "en": "Decreed day off"},
    "Decreto de la Asamblea Legislativa de 2022",
    year=2022,
)
OPENS_ON_24_DECEMBER = DayRule(
    "working", 12, 24, {"es": "Atención al público", "en": "Open"}, "Acuerdo municipal", year=2026
)

NATIONAL = BusinessCalendar()
PUBLIC = BusinessCalendar(vacations=True)
SAN_SALVADOR = BusinessCalendar(vacations=True, rules=SAN_SALVADOR_RULES)
SAN_SALVADOR_NO_VACATIONS = BusinessCalendar(rules=SAN_SALVADOR_RULES)
EASTER_MONDAY = BusinessCalendar(vacations=True, holy_week="holy_monday_to_easter_monday")
DECREED = BusinessCalendar(vacations=True, rules=[DECREE_2022])
OPEN_24 = BusinessCalendar(vacations=True, rules=[OPENS_ON_24_DECEMBER])

DEADLINES = [
    # Year end: 23 Dec is day 1; 24 Dec-2 Jan vacation (1 Jan a holiday), 3 Jan a Sunday;
    # 4-8 January are days 2-6, 11-14 January days 7-10.
    (PUBLIC, date(2026, 12, 22), 10, date(2027, 1, 14)),
    (PUBLIC, date(2026, 12, 23), 1, date(2027, 1, 4)),
    (PUBLIC, date(2026, 12, 31), 1, date(2027, 1, 4)),  # notified on a vacation day
    # 23 Dec 2027 is day 1; 24 Dec-2 Jan 2028 off; 3-7 and 10-13 January are days 2-10.
    (PUBLIC, date(2027, 12, 22), 10, date(2028, 1, 13)),
    # An office that opens on 24 December 2026 by agreement counts it.
    (OPEN_24, date(2026, 12, 22), 2, date(2026, 12, 24)),
    # Holy Week 2026 (Easter 5 April): 30 March-1 April vacation, 2-4 April holidays.
    (PUBLIC, date(2026, 3, 27), 1, date(2026, 4, 6)),
    (PUBLIC, date(2026, 3, 27), 5, date(2026, 4, 10)),
    (NATIONAL, date(2026, 3, 27), 5, date(2026, 4, 7)),  # without vacations: 30 Mar-1 Apr count
    (EASTER_MONDAY, date(2026, 3, 27), 1, date(2026, 4, 7)),  # Easter Monday closed too
    # 3-27 March: 19 days; 30 March-5 April off; 6-10 and 13 April: days 20-25.
    (PUBLIC, date(2026, 3, 2), 25, date(2026, 4, 13)),
    # Holy Week 2027 (Easter 28 March): 22-24 March vacation, 25-27 March holidays.
    (PUBLIC, date(2027, 3, 18), 3, date(2027, 3, 30)),
    (EASTER_MONDAY, date(2027, 3, 18), 3, date(2027, 3, 31)),
    # August 2026: 1-6 August vacation (6 August a holiday), Friday 7 August open.
    (PUBLIC, date(2026, 7, 31), 1, date(2026, 8, 7)),
    (PUBLIC, date(2026, 7, 30), 3, date(2026, 8, 10)),
    (NATIONAL, date(2026, 7, 31), 1, date(2026, 8, 3)),
    # August 2027: Monday 2 to Friday 6 August vacation.
    (PUBLIC, date(2027, 7, 30), 1, date(2027, 8, 9)),
    # San Salvador without vacations: 3 and 5 August local, 6 August national, 4 August open.
    (SAN_SALVADOR_NO_VACATIONS, date(2026, 7, 31), 3, date(2026, 8, 10)),
    (SAN_SALVADOR_NO_VACATIONS, date(2027, 8, 2), 2, date(2027, 8, 9)),
    (SAN_SALVADOR, date(2026, 7, 31), 1, date(2026, 8, 7)),
    # 16 September 2022, decreed by the Assembly, after Independence Day: back on Monday.
    (DECREED, date(2022, 9, 14), 1, date(2022, 9, 19)),
    (PUBLIC, date(2022, 9, 14), 1, date(2022, 9, 16)),
    # Filed on a non-working day (Holy Saturday, a Sunday in the year-end vacation): the
    # first day counted is the first working day after it.
    (PUBLIC, date(2026, 4, 4), 1, date(2026, 4, 6)),
    (PUBLIC, date(2026, 12, 27), 10, date(2027, 1, 15)),
    (PUBLIC, date(2027, 3, 26), 2, date(2027, 3, 30)),  # Good Friday 2027
]


@pytest.mark.parametrize(("calendar", "filed", "n", "due"), DEADLINES)
def test_deadlines_counted_by_hand(
    calendar: BusinessCalendar, filed: date, n: int, due: date
) -> None:
    assert calendar.add_business_days(filed, n) == due
    assert calendar.business_days_between(filed, due) == n
    assert calendar.is_business_day(due)


def test_a_filing_on_a_non_working_day_is_taken_on_the_next_working_day() -> None:
    assert PUBLIC.next_business_day(date(2026, 12, 27)) == date(2027, 1, 4)
    assert PUBLIC.next_business_day(date(2026, 12, 24)) == date(2027, 1, 4)
    assert PUBLIC.next_business_day(date(2026, 4, 4)) == date(2026, 4, 6)


def test_each_day_off_says_why_with_its_legal_source() -> None:
    third = SAN_SALVADOR.reason(date(2026, 8, 3))
    assert (third.kind, third.source, third.name["es"]) == (LOCAL, ART_190, "Fiestas agostinas")
    fourth = SAN_SALVADOR.reason(date(2026, 8, 4))
    assert (fourth.kind, fourth.source) == (VACATION, VACATION_SOURCE)
    assert fourth.name == {"es": "Vacación de agosto", "en": "August vacation"}
    sixth = SAN_SALVADOR.reason(date(2026, 8, 6))
    assert (sixth.kind, sixth.source) == (HOLIDAY, ART_190)
    assert sixth.name["en"] and sixth.name["es"] == "Celebración del Divino Salvador del Mundo"
    assert PUBLIC.reason(date(2026, 3, 31)).name["en"] == "Holy Week vacation"
    assert PUBLIC.reason(date(2026, 12, 28)).name["es"] == "Vacación de fin de año"
    assert DECREED.reason(date(2022, 9, 16)).source == DECREE_2022.source
    saturday = PUBLIC.reason(date(2026, 3, 7))
    assert (saturday.kind, saturday.source) == (
        WEEKEND,
        "LPA, Art. 82: los plazos en días son días hábiles",
    )
    assert PUBLIC.reason(date(2026, 3, 9)) is None
    assert NATIONAL.reason(date(2026, 8, 4)) is None


def test_the_listing_of_a_year_leaves_out_plain_weekends_only() -> None:
    listed = SAN_SALVADOR.days_off(2026)
    days = [d.day for d in listed]
    assert days == sorted(days)
    assert date(2026, 3, 7) not in days  # a plain Saturday
    assert date(2026, 8, 1) in days  # a Saturday in the August vacation
    assert date(2026, 3, 29) in days  # Palm Sunday opens the Holy Week vacation
    assert {d.kind for d in listed} == {VACATION, LOCAL, HOLIDAY}
    # 2 Jan; 29 Mar-1 Apr and 5 Apr; 1, 2 and 4 Aug; 24 and 26-31 Dec.
    assert sum(d.kind == VACATION for d in listed) == 1 + 5 + 3 + 7
    assert [d.day for d in NATIONAL.days_off(2026)] == sorted(NATIONAL.holidays_of(2026))


def test_a_working_day_rule_takes_back_vacation_days_only() -> None:
    calendar = BusinessCalendar(
        vacations=True,
        rules=[
            DayRule("working", 12, 26, {"es": "Abierto"}, "Acuerdo", year=2026),  # a Saturday
            DayRule("working", 12, 25, {"es": "Abierto"}, "Acuerdo", year=2026),  # Christmas
            DayRule("working", 3, 9, {"es": "Abierto"}, "Acuerdo", year=2026),  # no vacation
            DayRule("working", 12, 28, {"es": "Abierto"}, "Acuerdo"),  # every year
        ],
    )
    assert calendar.reason(date(2026, 12, 26)).kind == WEEKEND
    assert calendar.reason(date(2026, 12, 25)).kind == HOLIDAY
    assert calendar.is_business_day(date(2026, 3, 9))
    assert calendar.is_business_day(date(2026, 12, 28))
    assert calendar.is_business_day(date(2027, 12, 28))
    assert not calendar.is_business_day(date(2026, 12, 29))


def test_days_without_a_source_still_count_as_local() -> None:
    calendar = BusinessCalendar(extra_days_off=[date(2026, 3, 9)], vacations=True)
    assert (calendar.reason(date(2026, 3, 9)).kind, calendar.reason(date(2026, 3, 9)).source) == (
        LOCAL,
        "",
    )
    assert calendar.is_business_day(date(2027, 3, 9))


def test_rules_refuse_unknown_kinds_and_impossible_days() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        DayRule("fiesta", 8, 3, FIESTAS, ART_190)
    with pytest.raises(ValueError):
        DayRule("local", 4, 31, FIESTAS, ART_190)
    with pytest.raises(ValueError):
        DayRule("decreed", 2, 29, FIESTAS, ART_190, year=2027)
    with pytest.raises(ValueError, match="Holy Week"):
        BusinessCalendar(vacations=True, holy_week="viernes")


def test_a_29_february_rule_falls_in_leap_years_only() -> None:
    leap = DayRule("local", 2, 29, FIESTAS, ART_190)
    assert leap.on(2027) is None
    assert leap.on(2028) == date(2028, 2, 29)
    assert DECREE_2022.on(2026) is None
    calendar = BusinessCalendar(rules=[leap])
    assert calendar.is_business_day(date(2027, 3, 1))
    assert not calendar.is_business_day(date(2028, 2, 29))


def test_holidays_of_another_country_name_the_package_as_source() -> None:
    guatemala = BusinessCalendar(country="GT")
    assert guatemala.reason(date(2026, 1, 1)).source == "holidays (GT)"


def test_easter_agrees_with_the_holidays_package() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    for year in range(1990, 2101):
        good_friday = next(
            day
            for day, name in holidays.country_holidays("SV", years=year, language="en_US").items()
            if name == "Good Friday"
        )
        assert easter_sunday(year) == good_friday + timedelta(days=2), year


def test_counting_across_several_years() -> None:
    assert PUBLIC.business_days_between(date(2026, 1, 1), date(2027, 12, 31)) == sum(
        PUBLIC.is_business_day(date(2026, 1, 1) + timedelta(days=i)) for i in range(1, 730)
    )
    assert PUBLIC.add_business_days(date(2026, 1, 5), 500) == _walk(PUBLIC, date(2026, 1, 5), 500)


def _walk(calendar: BusinessCalendar, day: date, n: int) -> date:
    """The obvious day-by-day count, to check the bisection against."""
    while n:
        day += timedelta(days=1)
        n -= calendar.is_business_day(day)
    return day


def test_a_rule_in_force_between_years_leaves_other_years_as_they_were() -> None:
    dated = DayRule("local", 3, 9, FIESTAS, ART_190, first_year=2027, last_year=2028)
    assert [dated.on(year) for year in (2026, 2027, 2028, 2029)] == [
        None,
        date(2027, 3, 9),
        date(2028, 3, 9),
        None,
    ]
    calendar = BusinessCalendar(rules=[dated])
    assert calendar.is_business_day(date(2026, 3, 9))
    assert not calendar.is_business_day(date(2027, 3, 9))


def test_settings_changed_from_a_year_leave_earlier_years_as_they_were() -> None:
    calendar = BusinessCalendar(
        vacations=True,
        settings_from=[
            (2028, True, "holy_monday_to_easter_monday"),
            (2027, False, DEFAULT_HOLY_WEEK),
        ],
    )
    assert not calendar.is_business_day(date(2026, 8, 4))  # vacations, as before
    assert calendar.is_business_day(date(2027, 8, 4))  # off from 2027
    assert calendar.settings_of(2029) == (True, "holy_monday_to_easter_monday")
    assert not calendar.is_business_day(date(2028, 4, 17))  # Easter Monday 2028
    with pytest.raises(ValueError, match="Holy Week"):
        BusinessCalendar(settings_from=[(2027, True, "viernes")])
