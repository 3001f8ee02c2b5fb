"""DUI and NIT check digits, and the checking of one submitted value per field type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflows.identifiers import (
    check_dui_or_nit,
    dui_check_digit,
    format_nit,
    is_valid_dui,
    is_valid_nit,
    nit_check_digit,
    validate_value,
)
from workflows.model import Choice, Field
from workflows.text import Text

LABEL = Text("Etiqueta", "Label")


def field(kind: str, **options: object) -> Field:
    return Field(name="x", type=kind, label=LABEL, **options)  # type: ignore[arg-type]


def test_dui_check_digit_uses_weights_nine_to_two() -> None:
    # 0*9 + 1*8 + 2*7 + 3*6 + 4*5 + 5*4 + 6*3 + 7*2 = 112 -> (10 - 2) % 10 = 8
    assert dui_check_digit("01234567") == 8
    # 0*9 + ... + 0*3 + 5*2 = 10 -> (10 - 0) % 10 = 0
    assert dui_check_digit("00000005") == 0


@pytest.mark.parametrize(
    ("dui", "valid"),
    [
        ("01234567-8", True),
        ("012345678", True),
        ("00000005-0", True),
        ("01234567-9", False),
        ("1234567-8", False),
        ("01234567-", False),
        ("0123456a-8", False),
    ],
)
def test_dui_is_valid_only_with_its_check_digit(dui: str, valid: bool) -> None:
    assert is_valid_dui(dui) is valid


def test_nit_check_digit_switches_rule_after_sequential_100() -> None:
    # Old rule (sequential <= 100): weights 14..2, (sum mod 11) mod 10.
    # 0614-010190-100: 0*14 + 6*13 + 1*12 + 4*11 + 0*10 + 1*9 + 0*8 + 1*7 + 9*6 + 0*5
    #   + 1*4 + 0*3 + 0*2 = 208 -> 208 % 11 = 10 -> 10 % 10 = 0
    assert nit_check_digit("0614010190100") == 0
    # New rule: weights 2,7,6,5,4,3,2,7,6,5,4,3,2, (-sum mod 11) mod 10.
    # 0614-010190-101: 0+42+6+20+0+3+0+7+54+0+4+0+2 = 138 -> -138 % 11 = 5
    assert nit_check_digit("0614010190101") == 5


@pytest.mark.parametrize(
    ("nit", "valid"),
    [
        ("0614-050707-104-8", True),
        ("06140507071048", True),
        ("0614-010190-100-0", True),
        ("0614-010190-101-5", True),
        ("0614-050707-104-0", False),
        ("0614-010190-101-3", False),
        ("0614-05070-104-8", False),
        ("01234567-8", True),
        ("01234567-1", False),
    ],
)
def test_nit_is_valid_with_its_check_digit_or_as_a_dui(nit: str, valid: bool) -> None:
    assert is_valid_nit(nit) is valid


@pytest.mark.parametrize(
    ("kind", "options", "raw", "expected"),
    [
        ("text", {}, "  Ana  ", ("Ana", None)),
        ("text", {"max_length": 3}, "Ana María", (None, "too_long")),
        ("text", {"pattern": r"\d{8}-\d{5}"}, "60012345-00000", ("60012345-00000", None)),
        ("text", {"pattern": r"\d{8}-\d{5}"}, "60012345", (None, "pattern_mismatch")),
        ("number", {}, "-3.5", (Decimal("-3.5"), None)),
        ("number", {}, "tres", (None, "not_a_number")),
        ("number", {}, "Infinity", (None, "not_a_number")),
        ("number", {}, True, (None, "not_a_number")),
        ("area_m2", {}, "1,250.5", (Decimal("1250.5"), None)),
        ("area_m2", {}, "-1", (None, "below_min")),
        ("area_m2", {"min": Decimal(1)}, "0.5", (None, "below_min")),
        ("area_m2", {"max": Decimal(100)}, "100.01", (None, "above_max")),
        ("money", {}, "$ 12.345", (None, "money_half_cent")),
        ("money", {}, "$ 1,212.345", (None, "money_half_cent")),
        ("money", {}, "$1,250.5", (Decimal("1250.50"), None)),
        ("money", {}, Decimal("0.125"), (None, "money_half_cent")),
        ("money", {}, "100000000.01", (None, "above_max")),
        ("area_m2", {}, "2,5", (None, "number_ambiguous")),
        ("area_m2", {}, "1e30", (None, "not_a_number")),
        ("area_m2", {}, "9" * 40, (None, "number_too_long")),
        ("area_m2", {}, "10,000,000.5", (None, "above_max")),
        ("area_m2", {}, 12, (Decimal(12), None)),
        ("number", {}, "-1000000000.5", (None, "below_min")),
        ("number", {"min": Decimal(-5)}, "-5", (Decimal(-5), None)),
        ("integer", {}, "1,000,000,001", (None, "above_max")),
        ("integer", {}, "1,25,0", (None, "number_grouping")),
        ("integer", {}, "12", (12, None)),
        ("integer", {}, "12.0", (12, None)),
        ("integer", {}, "12.5", (None, "not_an_integer")),
        ("integer", {"max": Decimal(10)}, "11", (None, "above_max")),
        ("date", {}, "2026-04-02", (date(2026, 4, 2), None)),
        ("date", {}, "02/04/2026", (date(2026, 4, 2), None)),
        ("date", {}, date(2026, 4, 2), (date(2026, 4, 2), None)),
        ("date", {}, "2 de abril", (None, "invalid_date")),
        ("yes_no", {}, "Sí", (True, None)),
        ("yes_no", {}, "no", (False, None)),
        ("yes_no", {}, False, (False, None)),
        ("yes_no", {}, "tal vez", (None, "invalid_choice")),
        ("email", {}, " ana@example.com ", ("ana@example.com", None)),
        ("email", {}, "ana@example", (None, "invalid_email")),
        ("phone", {}, "2222-3333", ("2222-3333", None)),
        ("phone", {}, "+503 7123 4567", ("7123-4567", None)),
        ("phone", {}, "(503) 6123-4567", ("6123-4567", None)),
        ("phone", {}, "8123-4567", (None, "invalid_phone")),
        ("phone", {}, "2222-333", (None, "invalid_phone")),
        ("dui", {}, "012345678", ("01234567-8", None)),
        ("dui", {}, "01234567-0", (None, "dui_check_digit")),
        ("dui", {}, "0123456-8", (None, "invalid_dui")),
        ("dui", {}, "01234567-8x", (None, "invalid_dui")),
        ("nit", {}, "0614-05070-104-8", (None, "invalid_nit")),
        ("nit", {}, "01234567-1", (None, "nit_check_digit")),
        ("nit", {}, "06140507071048", ("0614-050707-104-8", None)),
        ("nit", {}, "012345678", ("01234567-8", None)),
        ("nit", {}, "0614-050707-104-1", (None, "nit_check_digit")),
        ("district", {}, "0614", ("0614", None)),
        ("district", {}, "614", (None, "invalid_district")),
        ("address", {}, " Calle Arce 1 ", ("Calle Arce 1", None)),
        ("long_text", {}, "Tienda", ("Tienda", None)),
        ("point", {}, "13.6989, -89.1914", ((Decimal("13.6989"), Decimal("-89.1914")), None)),
        ("point", {}, [13.7, -89.2], ((Decimal("13.7"), Decimal("-89.2")), None)),
        ("point", {}, "13.7", (None, "invalid_point")),
        ("point", {}, "13.7, oeste", (None, "invalid_point")),
        ("point", {}, "95, -89.2", (None, "invalid_point")),
        ("activity_code", {}, "47112", ("47112", None)),
        ("activity_code", {}, "4711", (None, "invalid_activity_code")),
    ],
)
def test_submitted_value_is_normalised_or_explained(
    kind: str, options: dict, raw: object, expected: tuple
) -> None:
    assert validate_value(field(kind, **options), raw) == expected


def test_district_limited_to_its_choices() -> None:
    districts = field("district", choices=(Choice("0614", Text("San Salvador", "San Salvador")),))
    assert validate_value(districts, "0614") == ("0614", None)
    assert validate_value(districts, "0511") == (None, "invalid_choice")


def test_choice_values_must_be_among_the_choices() -> None:
    choices = (Choice("a", LABEL), Choice("b", LABEL))
    assert validate_value(field("choice", choices=choices), " a ") == ("a", None)
    assert validate_value(field("choice", choices=choices), "c") == (None, "invalid_choice")
    multi = field("multi_choice", choices=choices)
    assert validate_value(multi, ["b", "a", "b"]) == (("b", "a"), None)
    assert validate_value(multi, "a") == (("a",), None)
    assert validate_value(multi, ["a", "z"]) == (None, "invalid_choice")


def test_blank_value_is_an_error_only_when_required() -> None:
    assert validate_value(field("text", required=True), "  ") == (None, "required")
    assert validate_value(field("multi_choice", required=True), []) == (None, "required")
    assert validate_value(field("text"), None) == (None, None)


def test_format_nit_groups_fourteen_digits() -> None:
    assert format_nit("06140507071048") == "0614-050707-104-8"
    with pytest.raises(ValueError, match="invalid_nit"):
        format_nit("0614")


# 03456781-4 is a valid DUI: 0*9+3*8+4*7+5*6+6*5+7*4+8*3+1*2 = 166 -> (10 - 6) % 10 = 4.
@pytest.mark.parametrize(
    "pasted",
    [
        "03456781 4",
        "03.456.781-4",
        "03456781\u20134",  # en dash
        "03456781\u20144",  # em dash
        "\u00a003456781\u00a0-\u00a04 ",  # no-break spaces around a hyphen
        "0345 6781\u2009\u20114",  # thin space, non-breaking hyphen
        "034567814",
    ],
)
def test_a_dui_pasted_with_noise_is_normalised_then_checked(pasted: str) -> None:
    assert validate_value(field("dui"), pasted) == ("03456781-4", None)
    assert validate_value(field("nit"), pasted) == ("03456781-4", None)


@pytest.mark.parametrize(
    "pasted",
    [
        "0614 050707 104 8",
        "0614.050707.104.8",
        "0614\u2013050707\u2013104\u20138",
        "0614\u00a0050707\u00a0104\u00a08",
        "0614\u2014050707\u2212104-8",
    ],
)
def test_a_nit_pasted_with_noise_is_normalised_then_checked(pasted: str) -> None:
    assert validate_value(field("nit"), pasted) == ("0614-050707-104-8", None)


@pytest.mark.parametrize(
    ("kind", "pasted", "code"),
    [
        ("dui", "03456781 5", "dui_check_digit"),
        ("dui", "03.456.781-0", "dui_check_digit"),
        ("dui", "03456781\u20139", "dui_check_digit"),
        ("dui", "03456781 44", "invalid_dui"),
        ("dui", "O3456781-4", "invalid_dui"),
        ("dui", "\u0660\u0663456781-4", "invalid_dui"),
        ("nit", "0614 050707 104 9", "nit_check_digit"),
        ("nit", "0614.050707.104.1", "nit_check_digit"),
        ("nit", "03.456.781-5", "nit_check_digit"),
        ("nit", "0614 050707 104", "invalid_nit"),
        ("nit", "0614/050707/104/8", "invalid_nit"),
    ],
)
def test_a_wrong_check_digit_is_told_apart_from_a_wrong_format(
    kind: str, pasted: str, code: str
) -> None:
    assert validate_value(field(kind), pasted) == (None, code)


def test_every_numeric_type_has_a_default_maximum() -> None:
    from workflows.identifiers import numeric_bounds
    from workflows.model import DEFAULT_MAX, NUMERIC_FIELD_TYPES

    assert set(DEFAULT_MAX) == NUMERIC_FIELD_TYPES
    for kind in NUMERIC_FIELD_TYPES:
        _low, high = numeric_bounds(field(kind))
        assert high == DEFAULT_MAX[kind]
        assert validate_value(field(kind), str(high + 1))[1] == "above_max"
    assert numeric_bounds(field("number")) == (-DEFAULT_MAX["number"], DEFAULT_MAX["number"])
    assert numeric_bounds(field("area_m2", max=Decimal(5))) == (Decimal(0), Decimal(5))


def cadastral(**options: object) -> Field:
    return field("text", bind="property.cadastral_key", pattern=r"\d{8}-\d{5}", **options)


@pytest.mark.parametrize(
    "typed",
    [
        "60012345-00000",
        "60012345 00000",  # a space, as the newcomer typed it
        "6001234500000",  # no separator
        "60012345\u201300000",  # en dash
        " 60012345 - 00000 ",
        "6001.2345\u00a000000",
    ],
)
def test_a_cnr_matricula_is_read_as_typed_and_stored_normalised(typed: str) -> None:
    assert validate_value(cadastral(), typed) == ("60012345-00000", None)


@pytest.mark.parametrize(
    "typed", ["60012345-0000", "600123450-00000", "60012345-0000A", "matrícula 60012345"]
)
def test_a_cnr_matricula_that_is_not_thirteen_digits_says_the_expected_form(typed: str) -> None:
    assert validate_value(cadastral(), typed) == (None, "invalid_cadastral_key")


def test_the_element_reader_runs_whatever_field_binds_it() -> None:
    # Without a pattern, and optional: the element's reader alone normalises the value.
    assert validate_value(field("text", bind="property.cadastral_key"), "60012345 00000") == (
        "60012345-00000",
        None,
    )
    assert validate_value(field("text", bind="property.cadastral_key"), " ") == (None, None)
    # A field bound to another element is checked by its type only.
    assert validate_value(field("text", bind="property.address"), "60012345 00000") == (
        "60012345 00000",
        None,
    )


@pytest.mark.parametrize(
    "typed",
    [
        "15/3/2026",
        "15/03/2026",
        "15/marzo/2026",
        "15/Mar/2026",
        "15/MARZO/2026",
        "15/mar./2026",
        "15/ Marzo /2026",
        "15/March/2026",
        "15/mar/2026",
    ],
)
def test_the_month_box_takes_the_month_by_number_or_by_name(typed: str) -> None:
    assert validate_value(field("date"), typed) == (date(2026, 3, 15), None)


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("enero", 1),
        ("Ene.", 1),
        ("jan", 1),
        ("febrero", 2),
        ("abr", 4),
        ("APR", 4),
        ("mayo", 5),
        ("ago", 8),
        ("aug", 8),
        ("septiembre", 9),
        ("setiembre", 9),
        ("sept.", 9),
        ("set", 9),
        ("oct", 10),
        ("dic", 12),
        ("Dec", 12),
    ],
)
def test_spanish_and_english_month_names_and_abbreviations(month: str, number: int) -> None:
    assert validate_value(field("date"), f"1/{month}/2026") == (date(2026, number, 1), None)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("15/marzzo/2026", "date_month_invalid"),
        ("15/m/2026", "date_month_invalid"),
        ("15/3a/2026", "date_month_invalid"),
        ("15/13/2026", "date_month_out_of_range"),
        ("15/0/2026", "date_month_out_of_range"),
        ("31/febrero/2026", "date_day_not_in_month"),
    ],
)
def test_a_month_that_is_not_one_is_refused(typed: str, code: str) -> None:
    assert validate_value(field("date"), typed) == (None, code)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("04567890-3", ("04567890-3", None)),
        ("04567890 4", (None, "dui_check_digit")),  # a DUI's shape: named a DUI
        ("0614-050707-104-8", ("0614-050707-104-8", None)),
        ("0614-050707-104-9", (None, "nit_check_digit")),
        ("0614-0507", (None, "invalid_nit")),
        ("DUI", (None, "invalid_nit")),
    ],
)
def test_an_identifier_that_may_be_a_dui_or_a_nit_is_named_by_its_shape(typed, expected) -> None:
    assert check_dui_or_nit(typed) == expected
