"""Salvadoran identifiers (DUI, NIT, CNR matrícula) and the checking of one submitted value."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import re2

from workflows.conditions import DateError, is_blank, parse_date, read_yes_no
from workflows.model import DEFAULT_MAX, Field
from workflows.numbers import NumberError, parse_number
from workflows.prerequisites import add_months, tracking_key

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_DISTRICT = re.compile(r"\d{4}")
_ACTIVITY = re.compile(r"\d{5}")
#: A case's tracking number: the authority's prefix, the year and six digits
#: (`OPAMSS-2026-000001`, see portal.applications.effects.assign_tracking_number).
_TRACKING_NUMBER = re.compile(r"[A-Z][A-Z0-9]{0,11}-\d{4}-\d{6}")
_PHONE_NOISE = re.compile(r"[\s().-]")
#: What people paste around the digits of a DUI or NIT: spaces of any kind (no-break, thin,
#: zero-width), points, and every dash-like character (hyphen, en and em dashes, minus sign...).
_ID_NOISE = re.compile(
    "[\\s.\u00a0\u200b\u2007\u2009\u202f\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
)
_COORDINATE = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]+)?")
_NIT_OLD_WEIGHTS = (14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_NIT_NEW_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
CENT = Decimal("0.01")


def dui_check_digit(first_eight: str) -> int:
    """Return the DUI check digit of eight digits (weights 9..2, modulo 10)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_eight, range(9, 1, -1), strict=True)
    )
    return (10 - total % 10) % 10


def nit_check_digit(first_thirteen: str) -> int:
    """Return the NIT check digit of thirteen digits.

    NITs whose sequential number (digits 11 to 13) is 100 or less use weights 14..2 and
    `(sum mod 11) mod 10`; later ones use weights 2,7,6,5,4,3,2,7,6,5,4,3,2 and
    `(-sum mod 11) mod 10`.
    """
    old = int(first_thirteen[10:13]) <= 100
    weights = _NIT_OLD_WEIGHTS if old else _NIT_NEW_WEIGHTS
    total = sum(int(digit) * weight for digit, weight in zip(first_thirteen, weights, strict=True))
    return (total % 11) % 10 if old else (-total % 11) % 10


def identifier_digits(value: str) -> str | None:
    """Return the ASCII digits of a pasted DUI or NIT with its noise removed, or None.

    `03.456.781-4`, `03456781 4`, `0614 050707 104 8` and `0614–050707–104–8` (en dashes,
    no-break spaces) all give their digits; any other character gives None.
    """
    digits = _ID_NOISE.sub("", value)
    return digits if digits.isascii() and digits.isdigit() else None


def check_dui(value: str) -> tuple[str | None, str | None]:
    """Normalise and check a DUI.

    Returns:
        `("00000000-0", None)`, or `(None, code)`: `invalid_dui` when it is not nine digits
        once spaces, points and dashes are removed, `dui_check_digit` when only the last digit
        does not match the first eight.
    """
    digits = identifier_digits(value)
    if digits is None or len(digits) != 9:
        return None, "invalid_dui"
    if dui_check_digit(digits[:8]) != int(digits[8]):
        return None, "dui_check_digit"
    return f"{digits[:8]}-{digits[8]}", None


def check_nit(value: str) -> tuple[str | None, str | None]:
    """Normalise and check a NIT: fourteen digits, or a person's DUI (2021 homologation).

    Returns:
        `("0614-050707-104-8", None)` (or `("00000000-0", None)` for a DUI), or `(None, code)`:
        `invalid_nit` for the wrong number of digits or other characters, `nit_check_digit`
        when only the check digit does not match.
    """
    digits = identifier_digits(value)
    if digits is not None and len(digits) == 9:
        formatted, error = check_dui(digits)
        return formatted, error and "nit_check_digit"
    if digits is None or len(digits) != 14:
        return None, "invalid_nit"
    if nit_check_digit(digits[:13]) != int(digits[13]):
        return None, "nit_check_digit"
    return f"{digits[:4]}-{digits[4:10]}-{digits[10:13]}-{digits[13]}", None


def check_dui_or_nit(value: str) -> tuple[str | None, str | None]:
    """Normalise and check an identifier typed where a DUI or a NIT may be given, and name
    in any refusal what was typed, by its shape: nine digits are a DUI (`check_dui`'s
    codes), anything else is read as a NIT (`check_nit`'s codes).

    Returns:
        `("00000000-0", None)`, `("0614-050707-104-8", None)`, or `(None, code)`.
    """
    digits = identifier_digits(value)
    if digits is not None and len(digits) == 9:
        return check_dui(digits)
    return check_nit(value)


#: A run of digits with the noise people type between them (`_ID_NOISE`), in free text.
_DIGIT_RUN = re.compile(
    "[0-9](?:[\\s.\u00a0\u200b\u2007\u2009\u202f\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]*[0-9])*"
)
#: The printed shapes of a DUI (`01234567-8`) and a NIT (`0614-050707-104-8`) with any dash:
#: written so, they are identifiers even with a wrong check digit.
_DASH = "[\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
_PRINTED_ID = re.compile(
    f"[0-9]{{8}}{_DASH}[0-9]|[0-9]{{4}}{_DASH}[0-9]{{6}}{_DASH}[0-9]{{3}}{_DASH}[0-9]"
)


def _identifier_kind(piece: str) -> str | None:
    """'dui' or 'nit' when `piece` (digits and noise) is one, by check digit or printed shape."""
    digits = identifier_digits(piece) or ""
    if len(digits) == 9 and (is_valid_dui(digits) or _PRINTED_ID.fullmatch(piece.strip())):
        return "dui"
    if len(digits) == 14 and (is_valid_nit(digits) or _PRINTED_ID.fullmatch(piece.strip())):
        return "nit"
    return None


def identifiers_in(text: str) -> list[str]:
    """The kinds of personal identifiers written in free text, in order: 'dui', 'nit',
    'email'. Read by the same rule as a DUI or NIT field (`check_dui`, `check_nit`): with or
    without dashes, points and spaces; neighbouring numbers split by spaces are tried apart
    and together (`DUI 01234567-8 0614-050707-104-8` names two)."""
    found = []
    for run in _DIGIT_RUN.finditer(text):
        pieces = run.group().split()
        for start in range(len(pieces)):
            for end in range(start + 1, len(pieces) + 1):
                kind = _identifier_kind(" ".join(pieces[start:end]))
                if kind:
                    found.append(kind)
    found.extend("email" for _ in _EMAIL.finditer(text))
    return found


def check_cadastral_key(value: str) -> tuple[str | None, str | None]:
    """Normalise and check a property's CNR registration number (matrícula, `60012345-00000`).

    The Property Registry (CNR) prints the matrícula as eight digits, a hyphen and five digits;
    people type it with a space, an en dash, points or nothing between the two groups, so the
    same noise as in a DUI or NIT is dropped (`identifier_digits`).

    Returns:
        `("60012345-00000", None)`, or `(None, "invalid_cadastral_key")` when it is not
        thirteen digits once the noise is removed.
    """
    digits = identifier_digits(value)
    if digits is None or len(digits) != 13:
        return None, "invalid_cadastral_key"
    return f"{digits[:8]}-{digits[8:]}", None


def is_valid_dui(value: str) -> bool:
    """Tell whether `value` is a DUI with a correct check digit (noise as in `check_dui`)."""
    return check_dui(value)[1] is None


def is_valid_nit(value: str) -> bool:
    """Tell whether `value` is a valid NIT, or a DUI used as NIT (see `check_nit`)."""
    return check_nit(value)[1] is None


def format_nit(value: str) -> str:
    """Return a valid NIT as "0614-050707-104-8", or a homologated DUI as "00000000-0".

    Raises:
        ValueError: the value is not a valid NIT.
    """
    formatted, error = check_nit(value)
    if formatted is None:
        raise ValueError(error)
    return formatted


def numeric_bounds(field: Field) -> tuple[Decimal | None, Decimal]:
    """Return the smallest and largest value a numeric field takes.

    The definition's `min`/`max` when set; otherwise zero as the floor (except `number`, whose
    floor is minus its default maximum) and `DEFAULT_MAX` of the type as the ceiling, so no
    field ever takes `1e30` or forty digits.
    """
    high = field.max if field.max is not None else DEFAULT_MAX[field.type]
    if field.min is not None:
        return field.min, high
    return (-DEFAULT_MAX["number"] if field.type == "number" else Decimal(0)), high


#: A date field's `min` or `max` (docs/procedure-definitions.md): an ISO date, `today`, or a
#: number of days or years before (`-`) or after (`+`) today: `-100y`, `+1y`, `+30d`.
DATE_LIMIT = re.compile(r"today|[+-][0-9]{1,3}[dy]|[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date_limit(limit: str, today: date) -> date:
    """Return the day a date field's limit (`DATE_LIMIT`, as the validator checked it) means.

    Years count as calendar years (`add_months`: 29 February a year on is 28 February).
    """
    if limit == "today":
        return today
    if limit[0] in "+-":
        amount = int(limit[:-1])
        if limit.endswith("d"):
            return today + timedelta(days=amount)
        return add_months(today, 12 * amount)
    return date.fromisoformat(limit)


def date_bounds(field: Field, today: date) -> tuple[date | None, date | None]:
    """Return the earliest and latest day a date field takes on `today` (None: no limit)."""
    low, high = (
        None if limit is None else date_limit(str(limit), today) for limit in (field.min, field.max)
    )
    return low, high


def validate_value(field: Field, raw: object, today: date | None = None) -> tuple[Any, str | None]:
    """Check and normalise one submitted value of a field.

    Args:
        field: The field definition.
        raw: The value as submitted (text from a form, or already typed).
        today: The local day of the check, for a date field's `min`/`max` (`date_bounds`);
            None skips those limits (a value checked when it was given, read again later).

    Returns:
        `(value, None)` with the normalised value (Decimal, int, date, bool, tuple, str, or
        None when blank and optional), or `(None, code)` with an error code such as
        `required`, `not_a_number`, `number_ambiguous` (see `workflows.numbers`),
        `money_half_cent`, `not_an_integer`, `below_min`, `above_max` (bounds from
        `numeric_bounds`), the `DateError` codes of `parse_date` (`date_day_not_in_month`,
        ...), `date_too_early`, `date_too_late` (bounds from `date_bounds`), `invalid_nit`,
        `nit_check_digit`, and the codes of the reader of
        the data element the field binds (`ELEMENT_READERS`), which runs before the type's
        own check.
    """
    if is_blank(raw):
        return None, "required" if field.required else None
    reader = ELEMENT_READERS.get(field.bind or "")
    if reader is not None:
        raw, error = reader(str(raw))
        if error is not None:
            return None, error
    if field.type == "date":
        return _date(field, raw, today)
    return _CHECKS[field.type](field, raw)


def _text(field: Field, raw: object) -> tuple[Any, str | None]:
    text = str(raw).strip()
    if field.max_length is not None and len(text) > field.max_length:
        return None, "too_long"
    # The validator compiled the pattern with RE2 too: linear time, whatever the text.
    if field.pattern is not None and not _field_pattern(field.pattern).fullmatch(text):
        return None, "pattern_mismatch"
    return text, None


def _bounded(field: Field, number: Decimal) -> tuple[Any, str | None]:
    low, high = numeric_bounds(field)
    if low is not None and number < low:
        return None, "below_min"
    if number > high:
        return None, "above_max"
    return number, None


def _read(field: Field, raw: object) -> tuple[Decimal | None, str | None]:
    if isinstance(raw, bool):
        return None, "not_a_number"
    if isinstance(raw, Decimal | int):
        return Decimal(raw), None
    try:
        return parse_number(str(raw), money=field.type == "money"), None
    except NumberError as refused:
        return None, refused.code


def _number(field: Field, raw: object) -> tuple[Any, str | None]:
    number, error = _read(field, raw)
    if number is None:
        return None, error
    if field.type == "money":
        if number != number.quantize(CENT):
            return None, "money_half_cent"
        number = number.quantize(CENT)
    return _bounded(field, number)


def _integer(field: Field, raw: object) -> tuple[Any, str | None]:
    number, error = _read(field, raw)
    if number is None:
        return None, error
    if number != number.to_integral_value():
        return None, "not_an_integer"
    value, error = _bounded(field, number)
    return (None, error) if error else (int(value), None)


def _date(field: Field, raw: object, today: date | None) -> tuple[Any, str | None]:
    try:
        value = parse_date(raw)
    except DateError as refused:
        return None, refused.code
    if today is not None:
        low, high = date_bounds(field, today)
        if low is not None and value < low:
            return None, "date_too_early"
        if high is not None and value > high:
            return None, "date_too_late"
    return value, None


def _yes_no(field: Field, raw: object) -> tuple[Any, str | None]:
    value = read_yes_no(raw)
    return (value, None) if value is not None else (None, "invalid_choice")


def _choice(field: Field, raw: object) -> tuple[Any, str | None]:
    value = str(raw).strip()
    return (value, None) if value in field.choice_values() else (None, "invalid_choice")


def _multi_choice(field: Field, raw: object) -> tuple[Any, str | None]:
    items = raw if isinstance(raw, list | tuple | set | frozenset) else [raw]
    values = tuple(dict.fromkeys(str(item).strip() for item in items))
    if any(value not in field.choice_values() for value in values):
        return None, "invalid_choice"
    return values, None


def _pattern(
    regexp: re.Pattern[str], code: str
) -> Callable[[Field, object], tuple[Any, str | None]]:
    def check(field: Field, raw: object) -> tuple[Any, str | None]:
        text = str(raw).strip()
        return (text, None) if regexp.fullmatch(text) else (None, code)

    return check


def _phone(field: Field, raw: object) -> tuple[Any, str | None]:
    digits = _PHONE_NOISE.sub("", str(raw).strip()).removeprefix("+")
    if len(digits) == 11 and digits.startswith("503"):
        digits = digits[3:]
    if len(digits) != 8 or not digits.isdigit() or digits[0] not in "267":
        return None, "invalid_phone"
    return f"{digits[:4]}-{digits[4:]}", None


def _dui(field: Field, raw: object) -> tuple[Any, str | None]:
    return check_dui(str(raw))


def _nit(field: Field, raw: object) -> tuple[Any, str | None]:
    return check_nit(str(raw))


def _district(field: Field, raw: object) -> tuple[Any, str | None]:
    value, error = _pattern(_DISTRICT, "invalid_district")(field, raw)
    if error is None and field.choices and value not in field.choice_values():
        return None, "invalid_choice"
    return value, error


def _resolution(field: Field, raw: object) -> tuple[Any, str | None]:
    # Tracking numbers are printed in capitals; people type them in any case, with spaces
    # (also inside, as read aloud or copied from a PDF): `tracking_key` drops them all.
    text = tracking_key(str(raw))
    return (text, None) if _TRACKING_NUMBER.fullmatch(text) else (None, "invalid_resolution")


def _point(field: Field, raw: object) -> tuple[Any, str | None]:
    # Coordinates are not amounts: the comma separates latitude from longitude.
    parts = [
        str(part).strip()
        for part in (raw if isinstance(raw, list | tuple) else str(raw).split(","))
    ]
    if len(parts) != 2 or not all(_COORDINATE.fullmatch(part) for part in parts):
        return None, "invalid_point"
    lat, lon = (Decimal(part) for part in parts)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, "invalid_point"
    return (lat, lon), None


#: Data element (`workflows.dictionary`) -> the one reader of its values, whatever field binds
#: it: `(normalised text, None)` or `(None, code)`. The field's type and pattern check the
#: normalised text afterwards.
ELEMENT_READERS: Mapping[str, Callable[[str], tuple[str | None, str | None]]] = MappingProxyType(
    {"property.cadastral_key": check_cadastral_key}
)

_CHECKS: Mapping[str, Any] = MappingProxyType(
    {
        "text": _text,
        "long_text": _text,
        "address": _text,
        "number": _number,
        "money": _number,
        "area_m2": _number,
        "integer": _integer,
        "yes_no": _yes_no,
        "choice": _choice,
        "multi_choice": _multi_choice,
        "email": _pattern(_EMAIL, "invalid_email"),
        "phone": _phone,
        "dui": _dui,
        "nit": _nit,
        "district": _district,
        "point": _point,
        "activity_code": _pattern(_ACTIVITY, "invalid_activity_code"),
        "resolution": _resolution,
    }
)


@lru_cache(maxsize=512)
def _field_pattern(source: str) -> Any:
    """Compile a definition's field pattern with RE2 (cached; the validator accepted it)."""
    return re2.compile(source)
