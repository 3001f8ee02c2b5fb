"""Prerequisite procedures: which resolutions qualify, and which are missing.

One rule, used by the applicant's form (the `resolution` field refuses what does not qualify,
with the reason), by the `prerequisites_valid` guard (through `missing_prerequisites`) and by
the clerk's case page (`prerequisite_status`). A held case satisfies a prerequisite when it is
of the required procedure, ended favourably, is still valid and, with `same_subject`, is about
the same subject (property, establishment or legal unit) as the case that needs it.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from workflows.conditions import evaluate
from workflows.facts import Reason
from workflows.model import FINAL_KINDS, Definition, Prerequisite

_SPACES = re.compile(r"\s+")
# Hyphens, en and em dashes, minus signs and their full-width forms, as pasted from a PDF.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
# A number whose separators were typed as spaces or left out: letters, year, six digits.
_UNSEPARATED = re.compile(r"([A-Z]+)(\d{4})(\d{6})")


@dataclass(frozen=True, slots=True)
class Held:
    """One of the applicant's cases that may satisfy a prerequisite, as the portal finds it.

    Attributes:
        state_kind: Kind of the state the case is in (`approved`, `denied`, `active`, ...).
        decided_on: The day the case was decided (or last changed, while still open).
        expires_on: The last day the resolution is valid; None when it does not expire.
        tracking_number: The case's number (`OPAMSS-2026-000001`); "" when not known.
        procedure: The case's procedure as "<authority>/<slug>"; "" when not known (not
            checked).
        subjects: What the case is about, by subject (`property`, `establishment`,
            `legal_unit`): an identity the portal compares (a record id); absent when the case
            binds no such subject.
    """

    state_kind: str
    decided_on: date
    expires_on: date | None = None
    tracking_number: str = ""
    procedure: str = ""
    subjects: Mapping[str, object] = field(default_factory=dict)


def tracking_key(text: object) -> str:
    """Return a tracking number as stored: no spaces at all, upper case, hyphens.

    `" opamss-2026- 000001 "`, `"opamss 2026 000001"` (read aloud), `"OPAMSS–2026–000001"`
    (en dashes, copied from a PDF) and `"OPAMSS2026000001"` are all `"OPAMSS-2026-000001"`;
    anything not text is "".
    """
    if not isinstance(text, str):
        return ""
    key = _SPACES.sub("", _DASHES.sub("-", text)).upper()
    loose = _UNSEPARATED.fullmatch(key.replace("-", ""))
    return "-".join(loose.groups()) if loose else key


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


def _last_valid_day(prerequisite: Prerequisite, held: Held) -> date | None:
    """The last day the held resolution counts: its expiry, or its age limit, the earlier."""
    days = [held.expires_on] if held.expires_on is not None else []
    if prerequisite.max_age_months is not None:
        days.append(add_months(held.decided_on, prerequisite.max_age_months))
    return min(days) if days else None


def refusal(
    prerequisite: Prerequisite,
    held: Held | None,
    today: date,
    subjects: Mapping[str, object] | None = None,
) -> Reason | None:
    """Say why a held case does not satisfy a prerequisite on `today`, or None when it does.

    Args:
        prerequisite: What is required.
        held: The case offered (named in the prerequisite's field, or found by the portal);
            None when the applicant holds no such case (it does not exist or is someone
            else's: the two are not told apart, so nobody learns another's numbers).
        today: The day of the check.
        subjects: What the case that needs it is about, by subject, as in `Held.subjects`.

    Returns:
        None when satisfied; else a Reason with `number` (the held case's tracking number)
        and one of the codes `resolution_not_found`, `resolution_other_procedure`,
        `resolution_not_decided` (still open), `resolution_not_favourable` (ended in a kind
        not in `valid_states_kinds`), `resolution_expired` (with `expired_on`, ISO date: the
        expiry or `decided_on` plus `max_age_months`, passed), `resolution_other_subject`
        (with `subject`: not about the same `same_subject`, or the case that needs it has
        none yet).
    """
    if held is None:
        return Reason("resolution_not_found")
    number = {"number": held.tracking_number}
    if held.procedure and held.procedure != prerequisite.procedure:
        return Reason("resolution_other_procedure", number)
    if held.state_kind not in prerequisite.valid_states_kinds:
        decided = held.state_kind in FINAL_KINDS
        return Reason("resolution_not_favourable" if decided else "resolution_not_decided", number)
    last = _last_valid_day(prerequisite, held)
    if last is not None and last < today:
        return Reason("resolution_expired", number | {"expired_on": last.isoformat()})
    subject = prerequisite.same_subject
    if subject is not None:
        mine = (subjects or {}).get(subject)
        if mine is None or held.subjects.get(subject) != mine:
            return Reason("resolution_other_subject", number | {"subject": subject})
    return None


def is_satisfied(
    prerequisite: Prerequisite,
    held: Held | None,
    today: date,
    subjects: Mapping[str, object] | None = None,
) -> bool:
    """Tell whether a held case satisfies a prerequisite on `today` (`refusal` is None)."""
    return refusal(prerequisite, held, today, subjects) is None


def qualifying(
    prerequisite: Prerequisite,
    held: Sequence[Held],
    today: date,
    subjects: Mapping[str, object] | None = None,
) -> tuple[Held, ...]:
    """Return the held cases that satisfy the prerequisite, in the order given.

    The form offers them as choices. A subject of the case that is not known yet (a draft with
    no property typed) does not hide cases: they are offered, and checked again at filing.
    """
    known = dict(subjects or {})
    subject = prerequisite.same_subject
    if subject is not None and known.get(subject) is None:
        return tuple(
            item
            for item in held
            if refusal(prerequisite, item, today, known | {subject: item.subjects.get(subject)})
            is None
        )
    return tuple(item for item in held if refusal(prerequisite, item, today, known) is None)


@dataclass(frozen=True, slots=True)
class Status:
    """Where one prerequisite of a case stands.

    Attributes:
        prerequisite: What is required.
        held: The case that satisfies it, or the one named in its field that does not; None
            when none is named and none qualifies.
        reason: None when satisfied; else why not (see `refusal`; `resolution_missing` when
            its field names no case and none of the applicant's cases qualifies).
    """

    prerequisite: Prerequisite
    held: Held | None
    reason: Reason | None

    @property
    def satisfied(self) -> bool:
        """Whether the prerequisite is met."""
        return self.reason is None


def _as_sequence(value: Held | Sequence[Held] | None) -> tuple[Held, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, Held) else tuple(value)


def status_of(
    prerequisite: Prerequisite,
    data: Mapping[str, object],
    held: Sequence[Held],
    today: date,
    subjects: Mapping[str, object] | None = None,
) -> Status:
    """Decide one prerequisite.

    With a `field`, only the case whose tracking number the field holds (spaces and case
    ignored) counts: not among `held` is `resolution_not_found`. Without one, or with the
    field blank, any qualifying case of `held` does; none is `resolution_missing`.

    Args:
        prerequisite: What is required.
        data: The case's field values (the `field`'s answer).
        held: The applicant's cases that may count: those of the required procedure, and the
            one the field names whatever its procedure.
        today: The day of the check.
        subjects: What the case that needs it is about (see `refusal`).
    """
    named = tracking_key(data.get(prerequisite.field)) if prerequisite.field else ""
    if named:
        match = next((item for item in held if item.tracking_number == named), None)
        if match is None:
            return Status(prerequisite, None, Reason("resolution_not_found", {"number": named}))
        return Status(prerequisite, match, refusal(prerequisite, match, today, subjects))
    for item in held:
        if refusal(prerequisite, item, today, subjects) is None:
            return Status(prerequisite, item, None)
    return Status(prerequisite, None, Reason("resolution_missing"))


def prerequisite_status(
    definition: Definition,
    data: Mapping[str, object],
    held: Mapping[str, Held | Sequence[Held]],
    today: date,
    subjects: Mapping[str, object] | None = None,
) -> tuple[Status, ...]:
    """Decide every prerequisite that applies to this data, in definition order.

    Args:
        definition: The procedure definition of the case being filed or decided.
        data: The case's field values (for `when` and the resolution fields).
        held: The applicant's cases that may count, keyed "authority/slug" as in
            `Prerequisite.procedure` (one case or several).
        today: The day of the check.
        subjects: What the case is about, by subject, as in `Held.subjects`.
    """
    return tuple(
        status_of(item, data, _as_sequence(held.get(item.procedure)), today, subjects)
        for item in required_prerequisites(definition, data)
    )


def missing_prerequisites(
    definition: Definition,
    data: Mapping[str, object],
    held: Mapping[str, Held | Sequence[Held]],
    today: date,
    subjects: Mapping[str, object] | None = None,
) -> tuple[str, ...]:
    """Return the required procedures the applicant does not validly hold.

    The portal gives the result to `Facts(missing_prerequisites=...)`, which makes the
    `prerequisites_valid` guard refuse with `{"procedures": [...]}`.

    Args: as `prerequisite_status`.

    Returns:
        The "authority/slug" keys of the unmet prerequisites, in definition order; empty when
        every one that applies is met.
    """
    return tuple(
        status.prerequisite.procedure
        for status in prerequisite_status(definition, data, held, today, subjects)
        if not status.satisfied
    )
