"""The supervisors' reports: cases, people, times, deadlines and reasons within a scope.

Every report is one aggregate SQL statement (GROUP BY) over the cases of the person's scope
(`portal.permissions.staff_scope`: their authority and its children; OPAMSS admins, all),
filtered by a period of local days, a procedure and a district. What a state or a reason
means comes from each case's pinned definition (state kinds and labels, the `reasons`
catalogue), never from names in code. A page reads a bounded number of statements whatever
the number of cases: the rows grouped are states, people, days and reasons, not cases.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications.effects import LOCAL_TZ, local_now
from portal.applications.models import Application, HistoryEntry, real_cases
from portal.authorities.models import Authority
from portal.authorities.services import calendars_for
from portal.extensions import db
from portal.permissions import staff_scope
from portal.reports.labels import Labels
from portal.review.models import ReviewVerdict
from workflows.model import TRANSITION_TARGET_KINDS

#: State kinds that are the office's decision on the merits (approve, condition, deny).
DECISION_KINDS = TRANSITION_TARGET_KINDS["decide"]
#: What the office asks of the applicant: a correction (prevención).
CORRECTION_KIND = "waiting_applicant"
DENIAL_KIND = "denied"


@dataclass(frozen=True)
class Filters:
    """What a report covers: local days `start` to `end` (both included), and optionally one
    procedure and one district (ids)."""

    start: date
    end: date
    procedure_id: int | None = None
    district_id: int | None = None

    @property
    def since(self) -> datetime:
        """The first instant of the period (UTC)."""
        return datetime.combine(self.start, time(), LOCAL_TZ).astimezone(UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period (UTC)."""
        return datetime.combine(self.end + timedelta(days=1), time(), LOCAL_TZ).astimezone(UTC)


@dataclass(frozen=True)
class StateCount:
    procedure: str
    state: str
    kind: str
    cases: int


@dataclass(frozen=True)
class PersonActivity:
    """What one staff member did in the period: history entries, decisions, corrections."""

    name: str
    role: str
    actions: int
    decisions: int
    corrections: int


@dataclass(frozen=True)
class StateTime:
    """Stays in a state that ended in the period, in days (calendar and business days).

    Percentiles are PostgreSQL's `percentile_cont` (linear interpolation) over the stays.
    Days are local days: a stay entered and left on the same day lasts 0 days; business days
    count those after the day entered up to the day left, on the issuing office's calendar.
    """

    procedure: str
    state: str
    stays: int
    median_days: float
    p90_days: float
    median_business_days: float
    p90_business_days: float


@dataclass(frozen=True)
class DeadlineRow:
    """Decisions of the period under one procedure or district.

    `with_deadline` of them had a legal due date; `met` were decided on or before it.
    """

    name: str
    decided: int
    with_deadline: int
    met: int

    @property
    def percent(self) -> float | None:
        return 100 * self.met / self.with_deadline if self.with_deadline else None


@dataclass(frozen=True)
class ReasonCount:
    """How often a reason was given: `kind` is CORRECTION_KIND or DENIAL_KIND; `code` the
    catalogue's code, or for a review item found not OK its field or document (`label`)."""

    procedure: str
    kind: str
    code: str
    label: str
    count: int


# ---------------------------------------------------------------- shared pieces


def _local_day(column) -> sa.ColumnElement:
    """SQL for the El Salvador date of a stored UTC instant (PostgreSQL or SQLite)."""
    # Constants written into the SQL, not bound: a GROUP BY must repeat the same expression.
    if db.session.get_bind().dialect.name == "postgresql":
        zone, utc = sa.literal_column(f"'{LOCAL_TZ.key}'"), sa.literal_column("'UTC'")
        return sa.cast(sa.func.timezone(zone, sa.func.timezone(utc, column)), sa.Date)
    hours = int(local_now().utcoffset().total_seconds() // 3600)  # no DST since 1988
    shift = sa.literal_column(f"'{hours:+d} hours'")
    return sa.type_coerce(sa.func.date(column, shift), sa.Date)


class Reading:
    """What the reports of one page share, read once: the person's scope, every version's
    definition and every authority (a bounded number of statements, whatever the cases).

    Args:
        actor: The supervisor or admin reading; their scope bounds every figure.
        filters: The period, procedure and district.
        locale: The language of labels ("es" or "en").
    """

    def __init__(self, *, actor: User, filters: Filters, locale: str = "es") -> None:
        self.filters, self.locale = filters, locale
        self.scope = staff_scope(actor)
        self.authorities = {a.id: a for a in db.session.scalars(sa.select(Authority))}
        self.defs = Labels(locale)


def _cases(reading: Reading) -> list[sa.ColumnElement[bool]]:
    """Filed cases of the actor's scope, of the chosen procedure and district; never a test
    case (`portal.testcases`): every report counts through here."""
    filters = reading.filters
    clauses = [Application.tracking_number.is_not(None), real_cases()]
    if reading.scope is not None:
        clauses.append(Application.authority_id.in_(sorted(reading.scope)))
    if filters.procedure_id is not None:
        clauses.append(Application.procedure_id == filters.procedure_id)
    if filters.district_id is not None:
        clauses.append(Application.district_id == filters.district_id)
    return clauses


def _in_period(column, filters: Filters) -> sa.ColumnElement[bool]:
    return sa.and_(column >= filters.since, column < filters.until)


# ---------------------------------------------------------------- the reports


def cases_per_state(reading: Reading) -> list[StateCount]:
    """Cases filed in the period by their state now, per procedure, in definition order."""
    rows = db.session.execute(
        sa.select(Application.procedure_version_id, Application.state, sa.func.count())
        .where(*_cases(reading), _in_period(Application.filed_at, reading.filters))
        .group_by(Application.procedure_version_id, Application.state)
    ).all()
    defs = reading.defs
    merged: dict[tuple, list] = {}
    for version_id, state, count in rows:
        (procedure_id, title), (label, kind, position) = (
            defs.procedure(version_id),
            defs.state(version_id, state),
        )
        key = (title, procedure_id, position, label)
        merged.setdefault(key, [kind, 0])[1] += count
    return [
        StateCount(title, label, kind, count)
        for (title, _id, _pos, label), (kind, count) in sorted(merged.items())
    ]


def activity_per_person(reading: Reading) -> list[PersonActivity]:
    """What each staff member recorded in the history of the scope's cases in the period."""
    rows = db.session.execute(
        sa.select(
            User.id,
            User.full_name,
            User.role,
            Application.procedure_version_id,
            HistoryEntry.from_state,
            HistoryEntry.to_state,
            sa.func.count(),
        )
        .join(Application, Application.id == HistoryEntry.application_id)
        .join(User, User.id == HistoryEntry.actor_id)
        .where(
            *_cases(reading),
            _in_period(HistoryEntry.occurred_at, reading.filters),
            HistoryEntry.actor_role != "applicant",
        )
        .group_by(
            User.id,
            User.full_name,
            User.role,
            Application.procedure_version_id,
            HistoryEntry.from_state,
            HistoryEntry.to_state,
        )
    ).all()
    defs = reading.defs
    people: dict[int, list] = {}
    for user_id, name, role, version_id, source, target, count in rows:
        person = people.setdefault(user_id, [name, role, 0, 0, 0])
        person[2] += count
        kind = defs.state(version_id, target)[1] if source != target else ""
        person[3] += count if kind in DECISION_KINDS else 0
        person[4] += count if kind == CORRECTION_KIND else 0
    found = [PersonActivity(*values) for values in people.values()]
    return sorted(found, key=lambda p: (-p.actions, p.name))


def time_in_states(reading: Reading) -> list[StateTime]:
    """Median and 90th percentile of the stays in each state that ended in the period.

    A stay runs from a history entry that changed the state to the next one on that case
    (LEAD over the case's history); entries that change nothing (a verdict recorded, a
    reminder) are not stays. The statement groups the stays by state, office and the local
    days entered and left, so the figures are computed over days, not cases.
    """
    changes = HistoryEntry.__table__.alias("changes")
    active = (
        sa.select(HistoryEntry.application_id)
        .join(Application, Application.id == HistoryEntry.application_id)
        .where(*_cases(reading), _in_period(HistoryEntry.occurred_at, reading.filters))
    )
    stays = (
        sa.select(
            changes.c.application_id,
            changes.c.to_state.label("state"),
            changes.c.occurred_at.label("entered"),
            sa.func.lead(changes.c.occurred_at)
            .over(
                partition_by=changes.c.application_id,
                order_by=(changes.c.occurred_at, changes.c.id),
            )
            .label("left"),
        )
        .where(
            sa.or_(changes.c.from_state.is_(None), changes.c.from_state != changes.c.to_state),
            changes.c.application_id.in_(active),
        )
        .subquery()
    )
    entered, left = _local_day(stays.c.entered), _local_day(stays.c.left)
    rows = db.session.execute(
        sa.select(
            Application.procedure_version_id,
            Application.authority_id,
            stays.c.state,
            entered,
            left,
            sa.func.count(),
        )
        .join(Application, Application.id == stays.c.application_id)
        .where(_in_period(stays.c.left, reading.filters))
        .group_by(Application.procedure_version_id, Application.authority_id, stays.c.state)
        .group_by(entered, left)
    ).all()
    defs = reading.defs
    authorities = reading.authorities
    calendars = calendars_for(authorities[i] for i in {row[1] for row in rows})
    days: dict[tuple, list[tuple[int, int, int]]] = defaultdict(list)
    for version_id, authority_id, state, day_in, day_out, count in rows:
        (procedure_id, title), (label, _kind, position) = (
            defs.procedure(version_id),
            defs.state(version_id, state),
        )
        business = calendars[authority_id].business_days_between(day_in, day_out)
        days[(title, procedure_id, position, label)].append(
            ((day_out - day_in).days, business, count)
        )
    out = []
    for (title, _id, _pos, label), found in sorted(days.items()):
        calendar_days = [(d, n) for d, _b, n in found]
        business_days = [(b, n) for _d, b, n in found]
        out.append(
            StateTime(
                procedure=title,
                state=label,
                stays=sum(n for _d, _b, n in found),
                median_days=percentile(calendar_days, 0.5),
                p90_days=percentile(calendar_days, 0.9),
                median_business_days=percentile(business_days, 0.5),
                p90_business_days=percentile(business_days, 0.9),
            )
        )
    return out


def percentile(counted: Iterable[tuple[float, int]], fraction: float) -> float:
    """Return `percentile_cont(fraction)` of values given as (value, how many times) pairs.

    As PostgreSQL computes it: the value at position `fraction * (n - 1)` of the sorted
    values, interpolated linearly between its two neighbours.

    Raises:
        ValueError: no values, or a fraction outside 0..1.
    """
    pairs = sorted((v, n) for v, n in counted if n > 0)
    total = sum(n for _v, n in pairs)
    if not total or not 0 <= fraction <= 1:
        raise ValueError("percentile of nothing, or fraction outside 0..1")
    position = fraction * (total - 1)
    low, high = math.floor(position), math.ceil(position)

    def at(index: int) -> float:
        seen = 0
        for value, n in pairs:
            seen += n
            if index < seen:
                return value
        return pairs[-1][0]  # pragma: no cover - index < total always

    return at(low) + (at(high) - at(low)) * (position - low)


def deadlines_met(reading: Reading) -> tuple[list[DeadlineRow], list[DeadlineRow]]:
    """Decisions of the period on time, per procedure and per district.

    A decision is a final state of a decision kind (approved, with conditions, denied); it
    was on time when its local day is on or before the legal due date in force then
    (`Application.decided_due_on`, LPA Art. 89's period as the clock counted it).
    """
    decided_on = _local_day(Application.decided_at)
    due = Application.decided_due_on
    rows = db.session.execute(
        sa.select(
            Application.procedure_version_id,
            Application.state,
            Application.district_id,
            sa.func.count(),
            sa.func.count(due),
            sa.func.sum(sa.case((decided_on <= due, 1), else_=0)),
        )
        .where(*_cases(reading), _in_period(Application.decided_at, reading.filters))
        .group_by(Application.procedure_version_id, Application.state, Application.district_id)
    ).all()
    defs = reading.defs
    names = {i: a.short_name for i, a in reading.authorities.items()}
    procedures: dict[str, list[int]] = {}
    districts: dict[str, list[int]] = {}
    for version_id, state, district_id, count, with_due, met in rows:
        if defs.state(version_id, state)[1] not in DECISION_KINDS:
            continue
        for table, name in (
            (procedures, defs.procedure(version_id)[1]),
            (districts, names.get(district_id, "—")),
        ):
            figures = table.setdefault(name, [0, 0, 0])
            figures[0] += count
            figures[1] += with_due
            figures[2] += met or 0
    return (
        [DeadlineRow(name, *figures) for name, figures in sorted(procedures.items())],
        [DeadlineRow(name, *figures) for name, figures in sorted(districts.items())],
    )


def reasons_given(reading: Reading) -> list[ReasonCount]:
    """How often each reason was given for corrections and denials in the period.

    The catalogue's codes come from the history (`HistoryEntry.reasons`: each correction
    request or denial records every reason picked, on the decision and on the verdicts "not
    OK" that counted then, `portal.applications.services.act_on_application`); the free-text
    verdict reasons are counted only as items found not OK, per field or document.
    """
    rows = db.session.execute(
        sa.select(
            Application.procedure_version_id,
            HistoryEntry.to_state,
            sa.cast(HistoryEntry.reasons, sa.Text),
            sa.func.count(),
        )
        .join(Application, Application.id == HistoryEntry.application_id)
        .where(
            *_cases(reading),
            _in_period(HistoryEntry.occurred_at, reading.filters),
            HistoryEntry.reasons.is_not(None),
        )
        .group_by(
            Application.procedure_version_id,
            HistoryEntry.to_state,
            sa.cast(HistoryEntry.reasons, sa.Text),
        )
    ).all()
    items = db.session.execute(
        sa.select(Application.procedure_version_id, ReviewVerdict.item, sa.func.count())
        .join(Application, Application.id == ReviewVerdict.application_id)
        .where(
            *_cases(reading),
            _in_period(ReviewVerdict.decided_at, reading.filters),
            ReviewVerdict.ok.is_(False),
        )
        .group_by(Application.procedure_version_id, ReviewVerdict.item)
    ).all()
    defs = reading.defs
    counts: dict[tuple, int] = defaultdict(int)
    for version_id, state, codes, count in rows:
        kind = defs.state(version_id, state)[1]
        if kind not in (CORRECTION_KIND, DENIAL_KIND):
            continue
        for code in json.loads(codes) or () if codes else ():
            title = defs.procedure(version_id)[1]
            counts[(title, kind, str(code), defs.reason(version_id, str(code)))] += count
    for version_id, item, count in items:
        title = defs.procedure(version_id)[1]
        counts[(title, "item", item, defs.item(version_id, item))] += count
    return [
        ReasonCount(title, kind, code, label, count)
        for (title, kind, code, label), count in sorted(
            counts.items(), key=lambda pair: (pair[0][0], pair[0][1], -pair[1], pair[0][3])
        )
    ]
