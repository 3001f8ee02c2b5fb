"""The one date reader says why a text is no date, and date fields keep to their limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workflows import InvalidDefinition, load
from workflows.conditions import DateError, parse_date, read_date
from workflows.identifiers import date_bounds, date_limit, validate_value
from workflows.model import Field
from workflows.text import Text

TODAY = date(2026, 11, 30)


def field(**options: object) -> Field:
    return Field(name="x", type="date", label=Text("Fecha", "Date"), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        # as the day/month/year boxes join them (D/M/YYYY, each box stripped)
        ("31/2/2026", "date_day_not_in_month"),
        ("29/2/2027", "date_day_not_in_month"),
        ("31/4/2026", "date_day_not_in_month"),
        ("0/13/2026", "date_day_invalid"),
        ("00/5/2026", "date_day_invalid"),
        ("32/1/2026", "date_day_invalid"),
        ("1º/5/2026", "date_day_invalid"),
        ("marzo/5/2026", "date_day_invalid"),
        ("123/5/2026", "date_day_invalid"),
        ("1/13/2026", "date_month_out_of_range"),
        ("1/00/2026", "date_month_out_of_range"),
        ("1/xx/2026", "date_month_invalid"),
        ("1/1/26", "date_year_invalid"),
        ("1/1/20266", "date_year_invalid"),
        ("1/1/0000", "date_year_invalid"),
        ("1/1/dos mil", "date_year_invalid"),
        ("15/03/2026//", "date_whole_in_day"),  # the whole date in the day box, the rest blank
        ("15/03/2026/3/2026", "date_whole_in_day"),
        ("15-03-2026/3/2026", "date_whole_in_day"),
        ("15.3.2026//", "date_whole_in_day"),
        ("15//", "date_incomplete"),
        ("/3/2026", "date_incomplete"),
        ("15/ /2026", "date_incomplete"),
        ("30/4", "date_incomplete"),
        # ISO, as the one-input form and the API send them
        ("2026-02-30", "date_day_not_in_month"),
        ("2026-13-01", "date_month_out_of_range"),
        ("0000-01-01", "date_year_invalid"),
        ("ayer", "invalid_date"),
        ("15032026", "invalid_date"),
    ],
)
def test_each_way_of_writing_a_wrong_date_has_its_reason(typed: str, code: str) -> None:
    with pytest.raises(DateError) as refused:
        parse_date(typed)
    assert refused.value.code == code
    assert read_date(typed) is None
    assert validate_value(field(), typed) == (None, code)


def test_a_day_not_in_its_month_names_the_month_and_year() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("31/febrero/2026")
    assert refused.value.params == {"month": 2, "year": 2026}
    with pytest.raises(DateError) as refused:
        parse_date("1/1/26")
    assert refused.value.params == {}


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("5/3/2026", date(2026, 3, 5)),
        ("05/03/2026", date(2026, 3, 5)),
        ("29/2/2028", date(2028, 2, 29)),
        ("5/marzo/2026", date(2026, 3, 5)),
        (" 5/3/2026 ", date(2026, 3, 5)),
        ("2026-03-05", date(2026, 3, 5)),
        (date(2026, 3, 5), date(2026, 3, 5)),
    ],
)
def test_dates_people_write_are_read(typed: object, day: date) -> None:
    assert parse_date(typed) == day
    assert validate_value(field(), typed) == (day, None)


@pytest.mark.parametrize(
    ("limit", "day"),
    [
        ("today", TODAY),
        ("+1y", date(2027, 11, 30)),
        ("-100y", date(1926, 11, 30)),
        ("+30d", date(2026, 12, 30)),
        ("-1d", date(2026, 11, 29)),
        ("2020-01-01", date(2020, 1, 1)),
    ],
)
def test_a_date_limit_is_read_on_the_day_of_the_check(limit: str, day: date) -> None:
    assert date_limit(limit, TODAY) == day


def test_a_year_from_the_29th_of_february_is_the_28th() -> None:
    assert date_limit("+1y", date(2028, 2, 29)) == date(2029, 2, 28)


def test_date_bounds_give_none_where_no_limit_is_set() -> None:
    assert date_bounds(field(), TODAY) == (None, None)
    assert date_bounds(field(min="-100y", max="today"), TODAY) == (date(1926, 11, 30), TODAY)


def test_a_date_after_max_or_before_min_is_refused_on_the_day_given() -> None:
    issued = field(max="today")
    assert validate_value(issued, "1/1/2027", TODAY) == (None, "date_too_late")
    assert validate_value(issued, "30/11/2026", TODAY) == (TODAY, None)
    start = field(min="-100y", max="+1y")
    assert validate_value(start, "7/3/1800", TODAY) == (None, "date_too_early")
    assert validate_value(start, "1/12/2027", TODAY) == (None, "date_too_late")
    assert validate_value(start, "1/12/2026", TODAY) == (date(2026, 12, 1), None)


def test_without_today_the_limits_are_not_checked() -> None:
    # A value read again later (stored data), whose limits were checked when it was given.
    assert validate_value(field(max="today"), "1/1/2027") == (date(2027, 1, 1), None)


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDefinition) as invalid:
        load(data)
    return [(problem.path, problem.code) for problem in invalid.value.problems]


@pytest.mark.parametrize("limit", ["today", "-100y", "+1y", "+30d", "2020-01-01"])
def test_a_date_field_takes_date_limits(demo_data: dict[str, Any], limit: str) -> None:
    demo_data["fields"][5].update(min=limit, max=limit)
    loaded = load(demo_data)
    assert loaded.field("inicio").min == limit
    assert loaded.field("inicio").max == limit


@pytest.mark.parametrize("limit", ["2026-02-30", "2026-13-01"])
def test_a_date_limit_that_is_no_day_is_refused(demo_data: dict[str, Any], limit: str) -> None:
    demo_data["fields"][5]["max"] = limit
    assert problems(demo_data) == [("fields[5].max", "invalid_bound")]


@pytest.mark.parametrize("limit", ["+9999y", "yesterday", "1y", "2026-1-1"])
def test_the_schema_refuses_other_words(demo_data: dict[str, Any], limit: str) -> None:
    demo_data["fields"][5]["max"] = limit
    assert [path for path, _ in problems(demo_data)] == ["fields[5].max"]


def test_a_number_is_no_date_limit(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][5]["min"] = 5
    assert problems(demo_data) == [("fields[5].min", "invalid_bound")]


def test_a_date_limit_is_no_number_limit(demo_data: dict[str, Any]) -> None:
    demo_data["fields"][4]["max"] = "today"
    assert problems(demo_data) == [("fields[4].max", "invalid_bound")]


def test_date_limits_on_a_field_that_is_no_date_are_out_of_place(
    demo_data: dict[str, Any],
) -> None:
    demo_data["fields"][3].update(min="today", max="-1y")
    assert problems(demo_data) == [
        ("fields[3].min", "not_applicable"),
        ("fields[3].max", "not_applicable"),
    ]


@pytest.mark.parametrize(
    ("low", "high"), [("2026-01-01", "2025-01-01"), ("+1y", "today"), ("today", "-1d")]
)
def test_max_before_min_is_refused(demo_data: dict[str, Any], low: str, high: str) -> None:
    demo_data["fields"][5].update(min=low, max=high)
    assert problems(demo_data) == [("fields[5].max", "invalid_range")]


def test_an_iso_limit_and_a_relative_one_are_not_compared(demo_data: dict[str, Any]) -> None:
    # Which comes first depends on the day: 2020-01-01 is before "-1y" until 2021.
    demo_data["fields"][5].update(min="2030-01-01", max="today")
    assert load(demo_data).field("inicio").min == "2030-01-01"
