"""Legal deadline clocks: business days that can be suspended, resumed and extended.

This is the only clock implementation: the portal stores a clock's primitives (start, length,
events) on the case and rebuilds it here with the authority's calendar to derive due dates.

Counting rules (Ley de Procedimientos Administrativos, Art. 82):

- A period in days counts business days from the day after the filing or notification.
- A filing or notification on a non-working day (a Saturday, a holiday, an office's day off)
  takes effect on the next working day, and the period counts from the day after that one.
  So a filing on Saturday 7 March 2026 counts from Tuesday 10 March (day 1), exactly as a
  filing on Monday 9 March. The record keeps the real day (`started_on`); `counts_from` is the
  day the count starts from.
- A period in months runs from date to date; when the target month is shorter, it ends on its
  last day; when the last day is not a working day, it moves to the next working day
  (`months_period_end`). `Clock.in_months` turns it into business days at the start, so
  suspensions and extensions of such a clock count in business days like any other.
- A suspension (a correction request, an external opinion) stops the count from the end of the
  day it starts until the end of the day it is lifted; the due date moves by the business days
  suspended that fell before it. A suspension that starts after the due date moves nothing:
  an overdue case can be suspended and resumed and stays overdue.
- An extension adds business days, within the limit the definition allows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from workflows.calendar import BusinessCalendar
from workflows.prerequisites import add_months

SUSPEND = "suspend"
RESUME = "resume"
EXTEND = "extend"
EVENT_KINDS = (SUSPEND, RESUME, EXTEND)


class ClockError(ValueError):
    """A clock was asked something impossible (resume a running clock, suspend twice, ...).

    Attributes:
        code: snake_case reason (`already_suspended`, `not_suspended`, `before_last_event`,
            `empty_extension`, `extension_beyond_limit`, `unknown_event`).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def months_period_end(calendar: BusinessCalendar, start: date, months: int) -> date:
    """Return the last day of a period of `months` months that starts on `start` (LPA Art. 82).

    Date to date: 15 January plus one month ends on 15 February; 31 January plus one month on
    28 (or 29) February; a last day that is not a working day moves to the next working day.
    A start on a non-working day counts from the next working day.

    Raises:
        ClockError: `months` is not positive (`empty_period`).
    """
    if months <= 0:
        raise ClockError("empty_period", "a period in months lasts at least one month")
    start = calendar.next_business_day(start)
    return calendar.next_business_day(add_months(start, months))


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One change of a clock, as stored on the case.

    Attributes:
        kind: `suspend`, `resume` or `extend`.
        on: Local day it took effect.
        reason: Why (the comment of the act that caused it), as the record shows it.
        business_days: Days added (`extend` only; 0 otherwise).
    """

    kind: str
    on: date
    reason: str = ""
    business_days: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the event as JSON-ready primitives (`on` as an ISO date)."""
        out: dict[str, Any] = {"kind": self.kind, "on": self.on.isoformat(), "reason": self.reason}
        if self.business_days:
            out["business_days"] = self.business_days
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ClockEvent:
        """Rebuild an event from `to_dict()` output.

        Raises:
            ClockError: The kind is unknown (`unknown_event`).
        """
        if raw["kind"] not in EVENT_KINDS:
            raise ClockError("unknown_event", f"no clock event {raw['kind']!r}")
        return cls(
            kind=raw["kind"],
            on=date.fromisoformat(raw["on"]),
            reason=raw.get("reason", ""),
            business_days=raw.get("business_days", 0),
        )


@dataclass(frozen=True, slots=True)
class Clock:
    """A deadline of `business_days` counted from the day after `started_on`.

    Business days spent suspended before the deadline do not count: the due date moves by
    them. The fields are primitives, so a service can store them on the case row and rebuild
    the clock with the authority's calendar.

    Attributes:
        started_on: Day of the filing or notification that starts the period (as received).
        business_days: Length of the period, without extensions.
        calendar: The authority's calendar.
        events: Suspensions, resumptions and extensions, in the order they happened.
        max_extension_days: Most business days all extensions may add together; None means
            no limit (the definition's `max_extension_business_days`).
    """

    started_on: date
    business_days: int
    calendar: BusinessCalendar = field(compare=False)
    events: tuple[ClockEvent, ...] = ()
    max_extension_days: int | None = None

    @classmethod
    def in_months(
        cls,
        started_on: date,
        months: int,
        calendar: BusinessCalendar,
        max_extension_days: int | None = None,
    ) -> Clock:
        """Return a clock for a period in months (LPA Art. 82: date to date).

        Its length is the business days up to `months_period_end`, so without suspensions it
        ends exactly there.

        Raises:
            ClockError: `months` is not positive (`empty_period`).
        """
        end = months_period_end(calendar, started_on, months)
        length = calendar.business_days_between(calendar.next_business_day(started_on), end)
        return cls(started_on, length, calendar, max_extension_days=max_extension_days)

    @classmethod
    def from_dict(
        cls,
        raw: Mapping[str, Any],
        calendar: BusinessCalendar,
        max_extension_days: int | None = None,
    ) -> Clock:
        """Rebuild a clock stored with `to_dict()` on the authority's `calendar`."""
        return cls(
            started_on=date.fromisoformat(raw["started_on"]),
            business_days=raw["business_days"],
            calendar=calendar,
            events=tuple(ClockEvent.from_dict(item) for item in raw.get("events", ())),
            max_extension_days=max_extension_days,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return `{started_on, business_days, events}` as JSON-ready primitives."""
        return {
            "started_on": self.started_on.isoformat(),
            "business_days": self.business_days,
            "events": [event.to_dict() for event in self.events],
        }

    @property
    def counts_from(self) -> date:
        """Return the day the count starts after: `started_on`, or the next working day."""
        return self.calendar.next_business_day(self.started_on)

    @property
    def is_suspended(self) -> bool:
        """Tell whether the clock is suspended."""
        return self.suspended_since is not None

    @property
    def suspended_since(self) -> date | None:
        """Return the day the current suspension began, or None while running."""
        for event in reversed(self.events):
            if event.kind == SUSPEND:
                return event.on
            if event.kind == RESUME:
                return None
        return None

    @property
    def extended_days(self) -> int:
        """Return the business days added by extensions."""
        return sum(event.business_days for event in self.events if event.kind == EXTEND)

    @property
    def suspended_days(self) -> int:
        """Return the business days spent in completed suspensions (before or after the due
        date)."""
        return sum(
            self.calendar.business_days_between(start, end)
            for start, end in self._pauses()
            if end is not None
        )

    @property
    def total_days(self) -> int:
        """Return the period in business days, extensions included."""
        return self.business_days + self.extended_days

    def _last_day(self) -> date:
        return self.events[-1].on if self.events else self.started_on

    def _add(self, event: ClockEvent) -> Clock:
        if event.on < self._last_day():
            raise ClockError("before_last_event", "a clock event cannot precede the last one")
        return replace(self, events=(*self.events, event))

    def suspend(self, on: date, reason: str = "") -> Clock:
        """Return the clock suspended from the end of `on` (the day counts as running).

        Raises:
            ClockError: It is already suspended, or `on` is before the start or the last event.
        """
        if self.is_suspended:
            raise ClockError("already_suspended", "the clock is already suspended")
        return self._add(ClockEvent(SUSPEND, on, reason))

    def resume(self, on: date, reason: str = "") -> Clock:
        """Return the clock running again after `on`; the business days since suspension
        (after the suspension day, up to and including `on`) do not count.

        Raises:
            ClockError: It is not suspended, or `on` is before the suspension.
        """
        if not self.is_suspended:
            raise ClockError("not_suspended", "the clock is not suspended")
        return self._add(ClockEvent(RESUME, on, reason))

    def extend(self, n: int, on: date, reason: str = "") -> Clock:
        """Return the clock with `n` more business days (a motivated extension given on `on`).

        Raises:
            ClockError: `n` is not positive, the extensions would pass `max_extension_days`,
                or `on` is before the start or the last event.
        """
        if n <= 0:
            raise ClockError("empty_extension", "an extension adds at least one day")
        if self.max_extension_days is not None and self.extended_days + n > self.max_extension_days:
            raise ClockError(
                "extension_beyond_limit",
                f"extensions may add at most {self.max_extension_days} business days",
            )
        return self._add(ClockEvent(EXTEND, on, reason, n))

    def _pauses(self) -> Iterator[tuple[date, date | None]]:
        """Yield each suspension as (suspended on, resumed on or None while open)."""
        since = None
        for event in self.events:
            if event.kind == SUSPEND:
                since = event.on
            elif event.kind == RESUME:
                yield since, event.on  # type: ignore[misc]
                since = None
        if since is not None:
            yield since, None

    def _runs(self) -> Iterator[tuple[date, date | None]]:
        """Yield the running stretches as (after, up to and including or None: open)."""
        after = self.counts_from
        for since, until in self._pauses():
            if until is None:
                yield after, max(after, since)
                return
            yield after, max(after, since)
            after = max(after, until)
        yield after, None

    def day_of(self, n: int) -> date | None:
        """Return the day on which the count reaches `n` business days, suspensions counted.

        `day_of(0)` is the day the count starts after. None while suspended before reaching it
        (the day is not known yet).
        """
        left = n
        for after, until in self._runs():
            if until is None:
                return self.calendar.add_business_days(after, left)
            span = self.calendar.business_days_between(after, until)
            if left <= span:
                return self.calendar.add_business_days(after, left)
            left -= span
        return None

    @property
    def due_date(self) -> date | None:
        """Return the last day of the period, or None while suspended before reaching it."""
        return self.day_of(self.total_days)

    def elapsed(self, on: date) -> int:
        """Return the business days counted toward the deadline by the end of `on`.

        Suspended days never count; the result may exceed `total_days` (overdue).
        """
        counted = 0
        for after, until in self._runs():
            end = on if until is None else min(on, until)
            counted += max(0, self.calendar.business_days_between(after, end))
        return counted

    def remaining(self, on: date) -> int:
        """Return the business days after `on` up to and including the due date: 0 on the
        due date, negative once breached (the business days late).

        While running it is `business_days_between(on, due_date)`, the count the queue
        makes from its stored due date, so every page says the same number; before the
        count starts (a case filed on a day off) the working day it starts on is included.
        While suspended it is the period's days not yet counted, which the resumed clock
        will have.
        """
        if self.is_suspended:
            return self.total_days - self.elapsed(on)
        return self.calendar.business_days_between(on, self.due_date)

    def is_breached(self, on: date) -> bool:
        """Tell whether the deadline has passed by `on` (the due date itself is on time).

        A case stays breached through a later suspension: the period was already over.
        """
        due = self.due_date
        return due is not None and on > due
