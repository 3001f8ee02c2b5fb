"""Legal deadline clocks: business days that can be suspended, resumed and extended."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from workflows.calendar import BusinessCalendar


class ClockError(ValueError):
    """A clock was asked something impossible (resume a running clock, suspend twice, ...)."""


@dataclass(frozen=True, slots=True)
class Clock:
    """A deadline of `business_days` counted from the day after `started_on`.

    Business days spent suspended (a correction request, an external opinion) do not count:
    on resumption the due date moves by them. The fields are primitives, so a service can
    store them on the case row and rebuild the clock with the authority's calendar.

    Attributes:
        started_on: Day of the filing or notification that starts the period.
        business_days: Length of the period.
        calendar: The authority's calendar.
        suspended_days: Business days spent in completed suspensions.
        suspended_since: Day the current suspension began, or None while running.
        extended_days: Business days added by motivated extensions.
    """

    started_on: date
    business_days: int
    calendar: BusinessCalendar = field(compare=False)
    suspended_days: int = 0
    suspended_since: date | None = None
    extended_days: int = 0

    @property
    def is_suspended(self) -> bool:
        """Tell whether the clock is suspended."""
        return self.suspended_since is not None

    @property
    def total_days(self) -> int:
        """Return the period in business days, extensions included."""
        return self.business_days + self.extended_days

    def suspend(self, on: date) -> Clock:
        """Return the clock suspended from the end of `on` (the day counts as running).

        Raises:
            ClockError: It is already suspended, or `on` is before the start.
        """
        if self.suspended_since is not None:
            raise ClockError("the clock is already suspended")
        if on < self.started_on:
            raise ClockError("cannot suspend before the start")
        return replace(self, suspended_since=on)

    def resume(self, on: date) -> Clock:
        """Return the clock running again after `on`; the business days since suspension
        (after the suspension day, up to and including `on`) move the due date.

        Raises:
            ClockError: It is not suspended, or `on` is before the suspension.
        """
        if self.suspended_since is None:
            raise ClockError("the clock is not suspended")
        if on < self.suspended_since:
            raise ClockError("cannot resume before the suspension")
        spent = self.calendar.business_days_between(self.suspended_since, on)
        return replace(self, suspended_since=None, suspended_days=self.suspended_days + spent)

    def extend(self, n: int) -> Clock:
        """Return the clock with `n` more business days (a motivated extension).

        Raises:
            ClockError: `n` is not positive.
        """
        if n <= 0:
            raise ClockError("an extension adds at least one day")
        return replace(self, extended_days=self.extended_days + n)

    @property
    def due_date(self) -> date | None:
        """Return the last day of the period, or None while suspended (it is not known yet)."""
        if self.suspended_since is not None:
            return None
        return self.calendar.add_business_days(
            self.started_on, self.total_days + self.suspended_days
        )

    def elapsed(self, on: date) -> int:
        """Return the business days counted toward the deadline by the end of `on`.

        Suspended days never count. `on` is expected on or after the last suspension event.
        """
        counted = self.calendar.business_days_between(self.started_on, on) - self.suspended_days
        if self.suspended_since is not None:
            counted -= max(0, self.calendar.business_days_between(self.suspended_since, on))
        return max(0, counted)

    def remaining(self, on: date) -> int:
        """Return the business days left after `on` (negative once breached)."""
        return self.total_days - self.elapsed(on)

    def is_breached(self, on: date) -> bool:
        """Tell whether the deadline has passed by `on` (the due date itself is on time)."""
        return self.elapsed(on) > self.total_days
