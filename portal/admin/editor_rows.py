"""The rows of the draft editors' lists, and the money they write (see `portal.admin.editors`).

A list's rows are removed and moved by the `op` button; a row added is drawn from `BLANKS` and
never stored as drawn (`finish_rows`). Amounts are written with their cents (`Money`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from forms.messages import message_for

if TYPE_CHECKING:
    from portal.admin.editors import Form


class Money(float):
    """A sum of money an editor writes: the number, written with two decimals (`1500.50`,
    `50.00`) as the seeded definitions write money; any YAML reader reads it back as the same
    number. A value equal to the stored one is not rewritten (`yaml_merge`), so an amount
    written otherwise (`base: 273`) keeps its text until it is changed.
    """

    text: str

    def __new__(cls, value: Decimal | float | int | str) -> Money:
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        money = super().__new__(cls, exact)
        money.text = f"{exact:.2f}"
        return money

    def __reduce__(self) -> tuple:
        return Money, (self.text,)


def money_text(value: Any) -> str:
    """A stored amount as the money inputs show it (`1500.50`); anything else as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Money(value).text
    return str(value)


def apply_op(rows: list, op: str, prefix: str) -> list:
    """Remove a row or move one up or down, as the `op` button says.

    Adding (`add:<list>`) stores nothing: the page draws a new row (`BLANKS`) to fill, and a
    row left as drawn is dropped on saving (`finish_rows`).
    """
    parts = op.split(":")
    if len(parts) != 3 or parts[1] != prefix or not parts[2].isdigit():
        return rows
    index = int(parts[2])
    if index >= len(rows):
        return rows
    rows = list(rows)
    if parts[0] == "remove":
        del rows[index]
    elif parts[0] == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif parts[0] == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


#: A new row of each list as the page draws it (`add:<list>`); each editor module adds its own.
BLANKS: dict[str, dict] = {}
#: What a row of each list cannot be saved without (the schema's required keys the form draws).
REQUIRED: dict[str, tuple[str | tuple[str, str], ...]] = {}


def blank_row(prefix: str) -> dict:
    """A copy of the new row of `prefix` as drawn."""
    return copy.deepcopy(BLANKS[prefix])


def empty(value: Any) -> bool:
    """Nothing typed: None, a blank text, an unticked box, or only such things inside."""
    if isinstance(value, dict):
        return all(empty(item) for item in value.values())
    if isinstance(value, list):
        return all(empty(item) for item in value)
    return value is None or value is False or (isinstance(value, str) and not value.strip())


def finish_rows(
    form: Form,
    prefix: str,
    posted: list[tuple[str, dict]],
    op: str,
    required: Callable[[dict], tuple[str | tuple[str, str], ...]] | None = None,
) -> list[dict]:
    """The rows of a list as saved: the `op`'s move or removal applied, then each row left as
    it was drawn new dropped (someone added a row and left it), and each row partly filled
    refused at every input it cannot be saved without (a message there; nothing is stored).

    Args:
        posted: `(input prefix, row)` in the order the page drew them.
        required: The keys a row needs (default `REQUIRED[prefix]`), given the row; a key
            drawn by an input of another name is `(key, input)`.
    """
    blank = BLANKS[prefix]
    kept = []
    for at, row in apply_op(posted, op, prefix):
        if all(empty(value) or value == blank.get(key) for key, value in row.items()):
            continue
        needs = required(row) if required else REQUIRED.get(prefix, ())
        for need in needs:
            key, name = need if isinstance(need, tuple) else (need, need)
            if empty(row.get(key)):
                name = f"{name}.es" if isinstance(blank.get(key), dict) else name
                form.errors.setdefault(f"{at}.{name}", message_for("row_incomplete"))
        kept.append(row)
    return kept
