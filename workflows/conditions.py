"""Condition trees ("determinants") over form data, interpreted without eval."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from workflows.numbers import read_number

#: A condition is a deeply frozen mapping in one of four shapes:
#: `{field, op, value}`, `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.
Condition = Mapping[str, Any]

COMPARISON_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "present", "absent")
ORDERED_OPS: Mapping[str, Callable[[Any, Any], bool]] = MappingProxyType(
    {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}
)
_TRUE_WORDS = frozenset({"true", "1", "si", "sí", "yes", "on"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off"})


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


def evaluate(condition: Condition, data: Mapping[str, object]) -> bool:
    """Evaluate a condition tree against submitted data.

    A missing or blank value satisfies only `absent`, `ne` and `not_in`. A list value
    (multi-choice) is equal to `v` when it contains `v`. Numbers compare as decimals, dates
    as dates, yes/no answers as booleans.

    Args:
        condition: A condition tree.
        data: Field values by field name, typed or as submitted text.

    Returns:
        Whether the condition holds.
    """
    if "all" in condition:
        return all(evaluate(item, data) for item in condition["all"])
    if "any" in condition:
        return any(evaluate(item, data) for item in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], data)
    return _compare(data.get(condition["field"]), condition["op"], condition.get("value"))


def _compare(actual: object, op: str, expected: Any) -> bool:
    if op == "present":
        return not is_blank(actual)
    if op == "absent":
        return is_blank(actual)
    if is_blank(actual):
        return op in ("ne", "not_in")
    if op == "eq":
        return _equal(actual, expected)
    if op == "ne":
        return not _equal(actual, expected)
    if op == "in":
        return any(_equal(actual, item) for item in expected)
    if op == "not_in":
        return not any(_equal(actual, item) for item in expected)
    left, right = _coerce(actual, expected)
    if left is None or right is None:
        return False
    return ORDERED_OPS[op](left, right)


def _equal(actual: object, expected: Any) -> bool:
    if isinstance(actual, list | tuple | set | frozenset):
        return any(_equal(item, expected) for item in actual)
    left, right = _coerce(actual, expected)
    return left is not None and left == right


def _coerce(actual: object, expected: Any) -> tuple[Any, Any]:
    """Bring a submitted value to the type of the condition's value, or None if it cannot."""
    if isinstance(expected, bool):
        return _as_bool(actual), expected
    if isinstance(expected, int | float | Decimal):
        return _as_decimal(actual), Decimal(str(expected))
    if isinstance(actual, date):
        try:
            return actual, date.fromisoformat(str(expected))
        except ValueError:
            return None, None
    return str(actual).strip(), expected


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def _as_decimal(value: object) -> Decimal | None:
    return read_number(value)
