"""Salvadoran identifiers (DUI, NIT) and the checking of one submitted field value."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from workflows.conditions import is_blank
from workflows.model import Field

_DUI = re.compile(r"\d{8}-?\d")
_NIT = re.compile(r"\d{4}-?\d{6}-?\d{3}-?\d")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_DISTRICT = re.compile(r"\d{4}")
_ACTIVITY = re.compile(r"\d{5}")
_PHONE_NOISE = re.compile(r"[\s().-]")
_TRUE = frozenset({"true", "1", "si", "sí", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_NIT_OLD_WEIGHTS = (14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_NIT_NEW_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def dui_check_digit(first_eight: str) -> int:
    """Return the DUI check digit of eight digits (weights 9..2, modulo 10)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_eight, range(9, 1, -1), strict=True)
    )
    return (10 - total % 10) % 10


def is_valid_dui(value: str) -> bool:
    """Tell whether `value` is a DUI ("00000000-0" or nine digits) with a correct check digit."""
    text = value.strip()
    if not _DUI.fullmatch(text):
        return False
    digits = text.replace("-", "")
    return dui_check_digit(digits[:8]) == int(digits[8])


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


def is_valid_nit(value: str) -> bool:
    """Tell whether `value` is a valid NIT.

    Accepted: fourteen digits ("0614-050707-104-8", dashes optional) with a correct check
    digit, or, since the 2021 homologation, a person's DUI used as NIT.
    """
    text = value.strip()
    if _DUI.fullmatch(text):
        return is_valid_dui(text)
    if not _NIT.fullmatch(text):
        return False
    digits = text.replace("-", "")
    return nit_check_digit(digits[:13]) == int(digits[13])


def format_dui(value: str) -> str:
    """Return a DUI as "00000000-0"."""
    digits = value.strip().replace("-", "")
    return f"{digits[:8]}-{digits[8]}"


def format_nit(value: str) -> str:
    """Return a NIT as "0614-050707-104-8", or a homologated DUI as "00000000-0"."""
    digits = value.strip().replace("-", "")
    if len(digits) == 9:
        return format_dui(digits)
    return f"{digits[:4]}-{digits[4:10]}-{digits[10:13]}-{digits[13]}"


def validate_value(field: Field, raw: object) -> tuple[Any, str | None]:
    """Check and normalise one submitted value of a field.

    Args:
        field: The field definition.
        raw: The value as submitted (text from a form, or already typed).

    Returns:
        `(value, None)` with the normalised value (Decimal, int, date, bool, tuple, str, or
        None when blank and optional), or `(None, code)` with an error code such as
        `required`, `not_a_number`, `below_min`, `invalid_nit`.
    """
    if is_blank(raw):
        return None, "required" if field.required else None
    return _CHECKS[field.type](field, raw)


def _text(field: Field, raw: object) -> tuple[Any, str | None]:
    text = str(raw).strip()
    if field.max_length is not None and len(text) > field.max_length:
        return None, "too_long"
    if field.pattern is not None and not re.fullmatch(field.pattern, text):
        return None, "pattern_mismatch"
    return text, None


def _bounded(field: Field, number: Decimal, floor: Decimal | None) -> tuple[Any, str | None]:
    low = field.min if field.min is not None else floor
    if low is not None and number < low:
        return None, "below_min"
    if field.max is not None and number > field.max:
        return None, "above_max"
    return number, None


def _decimal(raw: object) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", "").removeprefix("$").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _number(field: Field, raw: object) -> tuple[Any, str | None]:
    number = _decimal(raw)
    if number is None:
        return None, "not_a_number"
    floor = None if field.type == "number" else Decimal(0)
    if field.type == "money":
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return _bounded(field, number, floor)


def _integer(field: Field, raw: object) -> tuple[Any, str | None]:
    number = _decimal(raw)
    if number is None or number != number.to_integral_value():
        return None, "not_a_number"
    value, error = _bounded(field, number, None)
    return (None, error) if error else (int(value), None)


def _date(field: Field, raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, date):
        return raw, None
    text = str(raw).strip()
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text), None
        except ValueError:
            continue
    return None, "invalid_date"


def _yes_no(field: Field, raw: object) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return raw, None
    word = str(raw).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE, None
    return None, "invalid_choice"


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
    text = str(raw).strip()
    return (format_dui(text), None) if is_valid_dui(text) else (None, "invalid_dui")


def _nit(field: Field, raw: object) -> tuple[Any, str | None]:
    text = str(raw).strip()
    return (format_nit(text), None) if is_valid_nit(text) else (None, "invalid_nit")


def _district(field: Field, raw: object) -> tuple[Any, str | None]:
    value, error = _pattern(_DISTRICT, "invalid_district")(field, raw)
    if error is None and field.choices and value not in field.choice_values():
        return None, "invalid_choice"
    return value, error


def _point(field: Field, raw: object) -> tuple[Any, str | None]:
    parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    numbers = [_decimal(part) for part in parts]
    if len(numbers) != 2 or None in numbers:
        return None, "invalid_point"
    lat, lon = numbers
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # type: ignore[operator]
        return None, "invalid_point"
    return (lat, lon), None


_CHECKS: Mapping[str, Any] = MappingProxyType(
    {
        "text": _text,
        "long_text": _text,
        "address": _text,
        "number": _number,
        "money": _number,
        "area_m2": _number,
        "integer": _integer,
        "date": _date,
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
    }
)
