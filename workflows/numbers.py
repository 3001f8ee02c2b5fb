"""The one reading of numbers people type (areas, amounts, counts); static/js/numbers.js twins it.

El Salvador writes `1,250.50`: the point is the decimal mark and the comma (or a space) groups
thousands. Anything that another convention would read differently (`2,5`, `1.250,50`,
`1.250`) is refused with a code, never guessed. The browser module `static/js/numbers.js`
implements the same steps; `tests/shared/number_cases.json` is run against both.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: The most digits (integer and decimals together) a typed number may have: 15 digits are what
#: a browser's double holds exactly, so the server and the browser always read the same value.
MAX_DIGITS = 15
#: The longest text looked at; anything longer is refused before any pattern runs.
MAX_TEXT = 40
#: Characters that may group thousands besides the comma: space, no-break space, figure space,
#: thin space and narrow no-break space (what word processors and spreadsheets paste).
_SPACES = re.compile("[ \u00a0\u2007\u2009\u202f]")
_EDGES = re.compile("^[\\s\u00a0\u2007\u2009\u202f]+|[\\s\u00a0\u2007\u2009\u202f]+$")
_PLAIN = re.compile(r"(-?)([0-9]{1,3}(?:([, ])[0-9]{3})(?:\3[0-9]{3})*|[0-9]+)(?:\.([0-9]+))?")
#: A comma as decimal mark (`2,5`, `12,50`, `1.250,50`, `1 250,50`).
_DECIMAL_COMMA = re.compile(r"-?[0-9. ]*[0-9],[0-9]+")
#: Points as thousands separators (`1.250.000`).
_DOTTED_THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]{3}){2,}")
#: Only digits and marks, with a comma or space somewhere: separators in the wrong places.
_DIGITS_AND_MARKS = re.compile(r"-?[0-9., ]*[, ][0-9., ]*")


class NumberError(ValueError):
    """A typed number was refused; `code` says why (see `parse_number`)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def parse_number(text: str, *, money: bool = False) -> Decimal:
    """Read a number as written in El Salvador.

    Accepted: `1250.50`, `1,250.50`, `1 250.50` (any space-like separator, the same one in the
    whole number, in groups of three), `-3.5`, and for money a leading `$`.

    Args:
        text: What the person typed.
        money: The value is an amount in dollars: `$` may lead it and at most two decimals
            (cents) may be written; half cents are refused, never rounded.

    Returns:
        The exact value; its string form is the canonical one (`"1250.50"`), with the
        decimals as written.

    Raises:
        NumberError: with `code` one of `not_a_number` (letters, exponents, NaN, Infinity,
            empty), `number_ambiguous` (a comma as decimal mark, points grouping thousands, or
            `1.250`, which half the world reads as 1250, unless it is money), `number_grouping`
            (separators not in groups of three), `number_too_long` (more than `MAX_DIGITS`
            digits) and `money_half_cent` (money with more than two decimals, `50.005` included).
    """
    body = _EDGES.sub("", text)
    if money and body.startswith("$"):
        body = _EDGES.sub("", body[1:])
    if len(body) > MAX_TEXT:
        raise NumberError("number_too_long")
    body = _SPACES.sub(" ", body)
    match = _PLAIN.fullmatch(body)
    if match is None:
        raise NumberError(_why_not(body))
    sign, whole, separator, decimals = match.groups()
    decimals = decimals or ""
    if separator is None and len(decimals) == 3 and len(whole) <= 3 and whole.strip("0"):
        # Money has at most two decimals: three after a point are a half cent, not thousands.
        raise NumberError("money_half_cent" if money else "number_ambiguous")
    digits = whole.replace(separator or " ", "").lstrip("0") or "0"
    if len(digits) + len(decimals) > MAX_DIGITS:
        raise NumberError("number_too_long")
    if money and len(decimals) > 2:
        raise NumberError("money_half_cent")
    if not (digits + decimals).strip("0"):
        sign = ""
    return Decimal(f"{sign}{digits}.{decimals}" if decimals else f"{sign}{digits}")


def money_problem(value: object) -> str | None:
    """Apply the one money rule to an amount in dollars; None when it is one.

    A definition's money (fee amounts, rates, bases, thresholds, money fields' bounds) and the
    draft editors' money inputs obey it: a finite number, not negative, with at most two
    decimals (cents) and at most `MAX_DIGITS` digits, what the form accepts and a browser
    reads exactly.

    Args:
        value: A number as read (int, float or Decimal); anything else is no number.

    Returns:
        None, or the code of the first rule broken: `not_a_number` (not a number, or infinite
        or NaN), `money_negative`, `number_too_long` or `money_half_cent`.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "not_a_number"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return "not_a_number"
    if number < 0:
        return "money_negative"
    if number and number.adjusted() >= MAX_DIGITS:  # more integer digits than allowed
        return "number_too_long"
    whole, _point, decimals = format(number, "f").partition(".")
    decimals = decimals.rstrip("0")
    if len(whole.lstrip("0")) + len(decimals) > MAX_DIGITS:
        return "number_too_long"
    if len(decimals) > 2:
        return "money_half_cent"
    return None


def _why_not(body: str) -> str:
    if _DECIMAL_COMMA.fullmatch(body) or _DOTTED_THOUSANDS.fullmatch(body):
        return "number_ambiguous"
    if _DIGITS_AND_MARKS.fullmatch(body) and re.search("[0-9]", body):
        return "number_grouping"
    return "not_a_number"


def read_number(value: object, *, money: bool = False) -> Decimal | None:
    """Return a stored or typed number as a Decimal, or None when it is not one.

    Decimals and integers pass through (booleans are not numbers); text goes through
    `parse_number`, as money when it starts with `$` (as static/js/conditions.js reads a typed
    value). For code that reads data already checked (conditions, fees).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    text = str(value)
    try:
        return parse_number(text, money=money or text.lstrip().startswith("$"))
    except NumberError:
        return None
