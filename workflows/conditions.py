"""Condition trees ("determinants") over form data, interpreted without eval.

One meaning, two evaluators: this module on the server and its twin `static/js/conditions.js`
in the browser follow the same rules, and `tests/shared/condition_cases.json` is run against
both (tests/workflows/test_condition_cases.py, tests/js/conditions.test.mjs).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from workflows.numbers import NumberError, parse_number
from workflows.text import fold

#: A condition is a deeply frozen mapping in one of four shapes:
#: `{field, op, value}`, `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.
Condition = Mapping[str, Any]

COMPARISON_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "present", "absent")
ORDERED_OPS: Mapping[str, Callable[[Any, Any], bool]] = MappingProxyType(
    {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
)
#: The answers a yes/no question accepts (lower case, once stripped): the `yes_no` field's
#: value rule (`workflows.identifiers`) and the conditions read them alike.
YES_WORDS = frozenset({"true", "1", "si", "sí", "yes", "on"})
NO_WORDS = frozenset({"false", "0", "no", "off"})
#: The two ways a date is written: ISO `2026-03-01` and Salvadoran `1/3/2026` or `01/03/2026`
#: (the month also by name: `1/marzo/2026`, as the day/month/year boxes join it).
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DAY = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")
#: A whole date typed where only its day goes (`15-03-2026`, `15.3.2026`, `15 3 2026`).
_WHOLE_DATE = re.compile(r"[0-9]{1,4}[-. ]+[^-. ]+[-. ]+[0-9]{2,4}")
#: Month names and abbreviations, Spanish and English, as `fold` leaves them (no accents, no
#: case), without a final point: "marzo", "Mar", "MARZO" and "mar." all read as 3.
MONTH_NAMES: Mapping[str, int] = MappingProxyType(
    {
        name: number
        for number, names in enumerate(
            (
                ("enero", "ene", "january", "jan"),
                ("febrero", "feb", "february"),
                ("marzo", "mar", "march"),
                ("abril", "abr", "april", "apr"),
                ("mayo", "may"),
                ("junio", "jun", "june"),
                ("julio", "jul", "july"),
                ("agosto", "ago", "august", "aug"),
                ("septiembre", "setiembre", "sep", "sept", "set", "september"),
                ("octubre", "oct", "october"),
                ("noviembre", "nov", "november"),
                ("diciembre", "dic", "december", "dec"),
            ),
            start=1,
        )
        for name in names
    }
)
_LISTS = (list, tuple, set, frozenset)
_COLLECTIONS = (list, tuple, set, frozenset, Mapping)
#: How a condition compares an answer, by the field's type; any other type compares as text.
_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "number": "number",
        "integer": "number",
        "money": "number",
        "area_m2": "number",
        "date": "date",
        "yes_no": "yes_no",
    }
)


def freeze(value: Any) -> Any:
    """Return `value` with every mapping made read-only and every list made a tuple."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """Return plain dicts, lists and JSON numbers for a frozen value (inverse of `freeze`)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def is_blank(value: object) -> bool:
    """Tell whether a submitted value counts as not given (None, blank text, empty list)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | Mapping):
        return not value
    return False


def read_yes_no(value: object) -> bool | None:
    """Return a yes/no answer as a bool (`YES_WORDS`, `NO_WORDS`, any case), or None."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def read_month(text: str) -> int | None:
    """Return the month a person wrote: its number (`3`, `03`) or its name (`MONTH_NAMES`).

    Returns None for anything else; a number is returned as written (13 too: the calendar
    refuses it when the date is built).
    """
    word = fold(text).removesuffix(".").strip()
    if word.isascii() and word.isdigit():
        return int(word)
    return MONTH_NAMES.get(word)


class DateError(ValueError):
    """A text that is not a date, and why (`parse_date`).

    Attributes:
        code: snake_case reason: `invalid_date` (not written as a date at all),
            `date_whole_in_day` (a whole date where only the day goes: `15/03/2026` in the
            day box, joined as `15/03/2026//`), `date_incomplete` (a part is missing),
            `date_day_invalid` (the day is not a number from 1 to 31), `date_month_invalid`
            (not a month number or name), `date_month_out_of_range` (a number other than 1
            to 12), `date_year_invalid` (the year is not four digits), `date_day_not_in_month`
            (`31/2/2026`; `params` gives the `month` and `year` as integers).
        params: Values the message names (`{"month": 2, "year": 2026}`), or empty.
    """

    def __init__(self, code: str, params: Mapping[str, int] = MappingProxyType({})) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def read_date(value: object) -> date | None:
    """Return the date `parse_date` reads, or None when it refuses the text."""
    try:
        return parse_date(value)
    except DateError:
        return None


def parse_date(value: object) -> date:
    """Return a date written `YYYY-MM-DD` or `D/M/YYYY` (`DD/MM/YYYY`), or say why it is not.

    The month of `D/M/YYYY` may be a Spanish or English name or abbreviation (`read_month`:
    `15/marzo/2026`, `15/Mar./2026`). The day/month/year boxes of a form are joined as
    `D/M/YYYY`, so each part is judged on its own: the reasons are `DateError` codes.

    Raises:
        DateError: The text is not a date on the calendar (`2026-02-30`, `31/2/2026`,
            `1/13/2026`, `1/1/26`, ...).
    """
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif "/" in text:
        day, month, year = _sv_parts(text)
    else:
        raise DateError("invalid_date")
    if not 1 <= month <= 12:
        raise DateError("date_month_out_of_range")
    if year < 1:
        raise DateError("date_year_invalid")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError("date_day_not_in_month", {"month": month, "year": year}) from None


def _sv_parts(text: str) -> tuple[int, int, int]:
    """Read the day, month and year of `D/M/YYYY`, in that order of blame."""
    parts = text.split("/")
    if len(parts) > 3 or _WHOLE_DATE.fullmatch(parts[0]):
        raise DateError("date_whole_in_day")
    if len(parts) < 3 or not all(part.strip() for part in parts):
        raise DateError("date_incomplete")
    day, name, year = parts
    if not _DAY.fullmatch(day) or not 1 <= int(day) <= 31:
        raise DateError("date_day_invalid")
    month = read_month(name)
    if month is None:
        raise DateError("date_month_invalid")
    if not _YEAR.fullmatch(year):
        raise DateError("date_year_invalid")
    return int(day), month, int(year)


def comparisons(condition: Condition, path: str) -> Iterator[tuple[str, Condition]]:
    """Yield every `{field, op, value}` leaf of a condition with its path.

    Args:
        condition: A condition tree.
        path: The path of the tree's root, such as `fields[3].visible_if`.

    Yields:
        Pairs of (path of the leaf, leaf).
    """
    for key in ("all", "any"):
        if key in condition:
            for index, item in enumerate(condition[key]):
                yield from comparisons(item, f"{path}.{key}[{index}]")
            return
    if "not" in condition:
        yield from comparisons(condition["not"], f"{path}.not")
        return
    yield path, condition


def evaluate(
    condition: Condition,
    data: Mapping[str, object],
    types: Mapping[str, str] = MappingProxyType({}),
) -> bool:
    """Evaluate a condition tree against submitted data.

    An answer is read by its field's type (`types`): numeric types by `workflows.numbers`
    (`money` may start with `$`; an `integer` with decimals is no integer), `date` as
    `YYYY-MM-DD` or `DD/MM/YYYY`, `yes_no` by `YES_WORDS`/`NO_WORDS`; every other type as
    stripped text, so the district `"0614"` is never the number 614. A field whose type is not
    given is read by the condition's value: a boolean as yes/no, a number as a number, an ISO
    date (or a `date` object as the answer) as a date, anything else as text. An answer that
    cannot be read as its type counts as not given, as the server drops it when the form is
    saved.

    A missing or blank value satisfies only `absent`, `ne` and `not_in`. A list value
    (multi-choice) satisfies a comparison when one of its items does; `ne` and `not_in` are
    the negations of `eq` and `in`. Ordering operators hold only between numbers or dates.

    Args:
        condition: A condition tree.
        data: Field values by field name, typed or as submitted text.
        types: Field types by field name (`Definition.field_types`).

    Returns:
        Whether the condition holds.
    """
    if "all" in condition:
        return all(evaluate(item, data, types) for item in condition["all"])
    if "any" in condition:
        return any(evaluate(item, data, types) for item in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], data, types)
    field, op, expected = condition["field"], condition["op"], condition.get("value")
    actual = data.get(field)
    type_ = types.get(field)
    kind = _guess(actual, expected) if type_ is None else _KINDS.get(type_, "text")
    if isinstance(actual, _LISTS):
        answers = [a for item in actual if (a := _read(kind, item, type_)) is not None]
    else:
        answer = _read(kind, actual, type_)
        answers = [] if answer is None else [answer]
    if op == "present":
        return bool(answers)
    if op == "absent":
        return not answers
    if op in ("ne", "not_in"):
        return not _holds(kind, answers, "eq" if op == "ne" else "in", expected)
    return _holds(kind, answers, op, expected)


def _guess(actual: object, expected: Any) -> str:
    """The comparison of a field whose type is not given, from the condition's value."""
    if isinstance(expected, list | tuple):
        expected = expected[0] if expected else None
    if isinstance(expected, bool):
        return "yes_no"
    if isinstance(expected, int | float | Decimal):
        return "number"
    if isinstance(actual, date) or _ISO_DATE.fullmatch(str(expected)):
        return "date"
    return "text"


def _holds(kind: str, answers: list[Any], op: str, expected: Any) -> bool:
    if not answers:
        return False
    if op == "in":
        wanted = [_wanted(kind, item) for item in expected]
        return any(answer in wanted for answer in answers)
    value = _wanted(kind, expected)
    if value is None:
        return False
    if op == "eq":
        return value in answers
    if kind not in ("number", "date"):
        return False
    return any(ORDERED_OPS[op](answer, value) for answer in answers)


def _wanted(kind: str, value: Any) -> Any:
    """A condition's value in the comparison's terms; numbers and dates are read once."""
    if kind in ("text", "yes_no"):
        return _read(kind, value)
    try:
        return _read_once(kind, value)
    except TypeError:  # not hashable: a list where a value should be, in an unchecked tree
        return None


@functools.lru_cache(maxsize=4096, typed=True)
def _read_once(kind: str, value: Any) -> Any:
    return _read(kind, value)


def _read(kind: str, value: object, type_: str | None = None) -> Any:
    """Return an answer or a condition's value in the comparison's terms, or None.

    Blank text, None, and a list inside a list or where a value should be are no answer.
    """
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if kind == "text":
            return value
    elif value is None or isinstance(value, _COLLECTIONS):
        return None
    if kind == "yes_no":
        return read_yes_no(value)
    if kind == "date":
        return read_date(value)
    if kind == "number":
        return _read_number(value, money=type_ == "money", integer=type_ == "integer")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):  # as JavaScript's String(number) writes it
        number = Decimal(str(value))
        return format(number.normalize(), "f") if number.is_finite() else None
    return str(value).strip()


def _read_number(value: object, *, money: bool, integer: bool) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        try:
            number = parse_number(str(value), money=money)
        except NumberError:
            return None
    if not number.is_finite() or (integer and number != number.to_integral_value()):
        return None
    return number
