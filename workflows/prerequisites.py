"""Prerequisite procedures: which resolutions an applicant must hold, and which are missing."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from workflows.conditions import evaluate
from workflows.model import Definition, Prerequisite


@dataclass(frozen=True, slots=True)
class Held:
    """The applicant's most recent case of a required procedure, as the portal finds it.

    Attributes:
        state_kind: Kind of the state the case is in (`approved`, `denied`, `active`, ...).
        decided_on: The day the case was decided (or last changed, while still open).
        expires_on: The last day the resolution is valid; None when it does not expire.
    """

    state_kind: str
    decided_on: date
    expires_on: date | None = None


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, or the month's last day when it is shorter.

    Args:
        day: The starting day.
        months: How many months to add (may be negative).

    Returns:
        `2026-01-31` plus one month is `2026-02-28`; `2026-03-15` plus 6 is `2026-09-15`.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def required_prerequisites(
    definition: Definition, data: Mapping[str, object]
) -> tuple[Prerequisite, ...]:
    """Return the prerequisites that apply to this data (no `when`, or it holds), in order."""
    return tuple(
        item
        for item in definition.prerequisites
        if item.when is None or evaluate(item.when, data, definition.field_types)
    )


def is_satisfied(prerequisite: Prerequisite, held: Held | None, today: date) -> bool:
    """Tell whether a held case satisfies a prerequisite on `today`.

    It does when it ended in one of the prerequisite's `valid_states_kinds`, has not expired
    (`expires_on` is today or later, or None) and, with `max_age_months`, was decided at most
    that many months ago (`decided_on` plus the months is today or later).

    Args:
        prerequisite: What is required.
        held: The applicant's most recent case of that procedure, or None if there is none.
        today: The day of the check.

    Returns:
        Whether the prerequisite is met.
    """
    if held is None or held.state_kind not in prerequisite.valid_states_kinds:
        return False
    if held.expires_on is not None and held.expires_on < today:
        return False
    months = prerequisite.max_age_months
    return months is None or add_months(held.decided_on, months) >= today


def missing_prerequisites(
    definition: Definition,
    data: Mapping[str, object],
    held: Mapping[str, Held],
    today: date,
) -> tuple[str, ...]:
    """Return the required procedures the applicant does not validly hold.

    The portal gives the result to `Facts(missing_prerequisites=...)`, which makes the
    `prerequisites_valid` guard refuse with `{"procedures": [...]}`.

    Args:
        definition: The procedure definition of the case being filed or decided.
        data: The application's field values (for the prerequisites' `when`).
        held: The applicant's most recent case of each procedure, keyed "authority/slug" as
            in `Prerequisite.procedure` (the definition's key, whoever issued the case).
        today: The day of the check.

    Returns:
        The "authority/slug" keys of the unmet prerequisites, in definition order; empty when
        every one that applies is met.
    """
    return tuple(
        item.procedure
        for item in required_prerequisites(definition, data)
        if not is_satisfied(item, held.get(item.procedure), today)
    )
