"""The one reading of typed numbers: the shared cases (also run in Chromium), and its laws."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.numbers import MAX_DIGITS, NumberError, parse_number, read_number

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "shared" / "number_cases.json").read_text("utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[repr(case["input"]) for case in CASES])
def test_the_shared_cases_read_as_listed(case: dict) -> None:
    money = case.get("money", False)
    if "value" in case:
        value = parse_number(case["input"], money=money)
        assert str(value) == case["value"]
        assert value == Decimal(case["value"])
    else:
        with pytest.raises(NumberError) as refused:
            parse_number(case["input"], money=money)
        assert refused.value.code == case["error"]


def test_the_shared_cases_cover_every_code_and_the_issues_inputs() -> None:
    codes = {case.get("error") for case in CASES} - {None}
    assert codes == {
        "not_a_number",
        "number_ambiguous",
        "number_grouping",
        "number_too_long",
        "money_half_cent",
    }
    inputs = {case["input"] for case in CASES}
    assert {"1250.50", "1,250.50", "1 250.50", "2,5", "1.250,50", "12,50", "1e30"} <= inputs


@given(st.decimals(min_value=0, max_value=10**12 - 1, places=2, allow_nan=False))
def test_a_number_written_with_comma_thousands_reads_back_exactly(number: Decimal) -> None:
    written = f"{number:,.2f}"
    assert parse_number(written) == number
    assert parse_number(written.replace(",", "\u00a0")) == number
    assert parse_number(f"${written}", money=True) == number


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=99))
def test_a_decimal_comma_is_never_read_as_thousands(whole: int, cents: int) -> None:
    with pytest.raises(NumberError) as refused:
        parse_number(f"{whole},{cents}")
    assert refused.value.code == "number_ambiguous"


def test_digits_beyond_the_limit_are_refused_not_rounded() -> None:
    assert parse_number("9" * MAX_DIGITS) == Decimal("9" * MAX_DIGITS)
    with pytest.raises(NumberError, match="number_too_long"):
        parse_number("9" * (MAX_DIGITS + 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.5"), Decimal("2.5")),
        (7, Decimal(7)),
        ("1,250.50", Decimal("1250.50")),
        (" $1,250.50", Decimal("1250.50")),
        ("$1,250.505", None),
        ("2,5", None),
        (True, None),
        (Decimal("NaN"), None),
        (1.5, Decimal("1.5")),
    ],
)
def test_read_number_takes_stored_values_and_refuses_the_rest(
    value: object, expected: Decimal | None
) -> None:
    assert read_number(value) == expected
