"""Seed and query authorities, their layered calendars and the scope of a staff member."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
import yaml
from flask import has_request_context, request

from portal.authorities.models import DISTRICT, KINDS, Authority, AuthorityDayOff
from portal.errors import InvalidInput
from portal.extensions import db
from workflows.calendar import (
    DEFAULT_HOLY_WEEK,
    HOLIDAY,
    HOLY_WEEK_VARIANTS,
    RULE_KINDS,
    VACATION,
    WORKING,
    BusinessCalendar,
    DayOff,
    DayRule,
)

if TYPE_CHECKING:
    from portal.accounts.models import User

DATA_FILE = Path(__file__).with_name("data") / "authorities.yaml"


def seed_authorities(path: Path = DATA_FILE) -> int:
    """Insert or update every authority of the seed file; return how many were created."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing = {a.code: a for a in db.session.scalars(sa.select(Authority))}
    created = 0
    for row in rows:
        authority = existing.get(row["code"])
        if authority is None:
            authority = Authority(code=row["code"])
            db.session.add(authority)
            existing[row["code"]] = authority
            created += 1
        authority.kind = row["kind"]
        authority.name = row["name"]
        authority.short_name = row["short_name"]
        authority.tracking_prefix = row["prefix"]
        authority.served_by = list(row.get("served_by", []))
        authority.seat = row.get("seat")
        for key in ("address", "hours", "phone", "email"):
            setattr(authority, key, row.get(key))
        authority.contact_confirmed = bool(row.get("contact_confirmed", False))
        authority.parent = existing[row["parent"]] if row.get("parent") else None
    db.session.flush()
    _seed_regimes(rows, existing)
    seed_calendar()
    return created


def _seed_regimes(rows: list[dict], existing: dict[str, Authority]) -> None:
    """Give each district the seed file's tariff regime, in force since `ORIGIN`, once.

    The seed file is where a district's regime starts; a later change is a dated version
    added in the admin console (`portal.reference.services.add_tariff_regime`), never an
    edit of the file's.
    """
    from portal.reference.models import ReferenceValue
    from portal.reference.values import ORIGIN, REGIME_KEY, TARIFF_REGIME

    dated = set(
        db.session.scalars(
            sa.select(ReferenceValue.authority_id).where(ReferenceValue.kind == TARIFF_REGIME)
        )
    )
    for row in rows:
        authority = existing[row["code"]]
        if row.get("tariff_regime") and authority.id not in dated:
            db.session.add(
                ReferenceValue(
                    kind=TARIFF_REGIME,
                    key=REGIME_KEY,
                    authority_id=authority.id,
                    valid_from=ORIGIN,
                    value={"regime": row["tariff_regime"]},
                    source="reference/authorities.md, punto 2",
                )
            )
    db.session.flush()


# --- Calendars: layered data per authority (workflows.calendar) ---------------------------------

CALENDAR_FILE = Path(__file__).with_name("data") / "calendar.yaml"
#: The word that stands for "every authority" in the seed file and the CLI.
ALL = "ALL"


@dataclass(frozen=True)
class Period:
    """Consecutive days off with the same reason, as the public calendar page lists them."""

    first: date
    last: date
    reason: DayOff


def seed_calendar(path: Path = CALENDAR_FILE) -> int:
    """Insert or update every day of the calendar seed file; return how many were created.

    Each entry names an authority code (a list of codes, or `ALL`), a `date` (that year only)
    or a `month` and `day` (every year), a `kind` (local, decreed, working), a `name` {es, en}
    and a `source`.
    """
    created = 0
    changed: set[int | None] = set()
    for row in yaml.safe_load(path.read_text(encoding="utf-8")):
        when = row.get("date")
        year, month, day = (when.year, when.month, when.day) if when else (None, *_md(row))
        codes = row["authority"] if isinstance(row["authority"], list) else [row["authority"]]
        for code in codes:
            authority_id = None if code == ALL else get_authority(code).id
            found = _find_day(authority_id, year, month, day, seeded=True)
            if found is None:
                found = AuthorityDayOff(authority_id=authority_id, year=year, month=month, day=day)
                db.session.add(found)
                created += 1
                changed.add(authority_id)
            elif found.kind != row["kind"]:
                changed.add(authority_id)
            found.kind, found.source = row["kind"], row["source"]
            found.name, found.name_en = row["name"]["es"], row["name"].get("en")
    db.session.flush()
    if changed and _any_open_case():  # a deploy with new days: the open cases' dates move
        for authority_id in [None] if None in changed else sorted(changed):
            _calendar_changed(authority_id)
    return created


def _any_open_case() -> bool:
    from portal.applications.models import Application

    open_case = sa.select(Application.id).where(
        Application.tracking_number.is_not(None), Application.decided_at.is_(None)
    )
    return db.session.scalar(open_case.limit(1)) is not None


def _md(row: dict) -> tuple[int, int]:
    return row["month"], row["day"]


def _find_day(
    authority_id: int | None, year: int | None, month: int, day: int, *, seeded: bool = False
):
    """The day in force with this date (a recurring day ended stays as history, not found);
    with `seeded`, the seed file's row (no first year) even if ended, so seeding again never
    brings back a day the admin console ended."""
    query = sa.select(AuthorityDayOff).where(
        AuthorityDayOff.authority_id.is_not_distinct_from(authority_id),
        AuthorityDayOff.year.is_not_distinct_from(year),
        AuthorityDayOff.month == month,
        AuthorityDayOff.day == day,
    )
    if seeded:
        query = query.where(AuthorityDayOff.first_year.is_(None))
    else:
        query = query.where(AuthorityDayOff.last_year.is_(None))
    return db.session.scalars(query.order_by(AuthorityDayOff.id)).first()


def _chain(authority: Authority) -> list[Authority]:
    """The authority and its ancestors, nearest first."""
    chain, current = [], authority
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def calendar_settings(authority: Authority) -> tuple[bool, str]:
    """Return whether the vacation periods apply and which Holy Week variant, inherited.

    Each setting is the authority's own, else its nearest ancestor's, else the default: the
    vacation periods of D.L. 17 of 1940 apply (every authority here is a public office) with
    `workflows.calendar.DEFAULT_HOLY_WEEK`.
    """
    chain = _chain(authority)
    vacations = next(
        (a.calendar_vacations for a in chain if a.calendar_vacations is not None), True
    )
    holy_week = next((a.calendar_holy_week for a in chain if a.calendar_holy_week), None)
    return vacations, holy_week or DEFAULT_HOLY_WEEK


def calendar_for(authority: Authority) -> BusinessCalendar:
    """Return the layered business calendar of an authority (see `workflows.calendar`).

    Layers: national holidays; the public-office vacation periods and Holy Week variant of
    `calendar_settings`; the local, decreed and working days of the authority, of its ancestors
    (a district inherits its municipio's days) and of every authority (rows with no authority).

    Args:
        authority: The office whose days count (every year is computed when first asked for).
    """
    ids = [a.id for a in _chain(authority)]
    rows = db.session.scalars(
        sa.select(AuthorityDayOff).where(
            sa.or_(AuthorityDayOff.authority_id.in_(ids), AuthorityDayOff.authority_id.is_(None))
        )
    ).all()
    return _calendar(authority, rows, _settings_versions(ids))


def _settings_versions(ids: list[int] | None = None) -> dict[int, list]:
    """The dated changes of calendar settings (`reference_values`), by authority, oldest first."""
    from portal.reference.models import ReferenceValue
    from portal.reference.values import CALENDAR_SETTINGS, SETTINGS_KEY

    query = sa.select(ReferenceValue).where(
        ReferenceValue.kind == CALENDAR_SETTINGS, ReferenceValue.key == SETTINGS_KEY
    )
    if ids is not None:
        query = query.where(ReferenceValue.authority_id.in_(ids))
    found: dict[int, list] = {}
    for row in db.session.scalars(query.order_by(ReferenceValue.valid_from)):
        found.setdefault(row.authority_id, []).append(row)
    return found


def _settings_in(chain: list[Authority], year: int, versions: dict[int, list]) -> tuple:
    """The settings of the first authority of `chain` in `year`, each inherited up the chain:
    an authority's own is its latest change from that year or before, else its columns."""

    def own(authority: Authority) -> tuple[bool | None, str | None]:
        changes = [v for v in versions.get(authority.id, []) if v.valid_from.year <= year]
        if changes:
            return changes[-1].value["vacations"], changes[-1].value["holy_week"]
        return authority.calendar_vacations, authority.calendar_holy_week

    settings = [own(a) for a in chain]
    vacations = next((v for v, _ in settings if v is not None), True)
    return vacations, next((h for _, h in settings if h), None) or DEFAULT_HOLY_WEEK


def _calendar(
    authority: Authority, rows: Iterable[AuthorityDayOff], versions: dict[int, list]
) -> BusinessCalendar:
    """The calendar of `authority` from days-off rows (its chain's and everyone's are kept) and
    the dated changes of settings of its chain, each from the year it was made for."""
    chain = _chain(authority)
    ids = {a.id for a in chain}
    vacations, holy_week = calendar_settings(authority)
    years = sorted({v.valid_from.year for a in chain for v in versions.get(a.id, [])})
    return BusinessCalendar(
        rules=[_rule(r) for r in rows if r.authority_id is None or r.authority_id in ids],
        vacations=vacations,
        holy_week=holy_week,
        settings_from=[(year, *_settings_in(chain, year, versions)) for year in years],
    )


def calendars_for(authorities: Iterable[Authority]) -> dict[int, BusinessCalendar]:
    """Return `calendar_for` of each authority, by id, reading the days off in one statement.

    For pages that count business days across many offices (portal.reports). Their ancestors
    are read through `Authority.parent`, so pass authorities whose parents are loaded (the
    reports read every authority once).
    """
    wanted = list(authorities)
    if not wanted:
        return {}
    rows = db.session.scalars(sa.select(AuthorityDayOff)).all()
    versions = _settings_versions()
    return {authority.id: _calendar(authority, rows, versions) for authority in wanted}


def _rule(row: AuthorityDayOff) -> DayRule:
    name = {"es": row.name, "en": row.name_en or row.name}
    return DayRule(
        row.kind,
        row.month,
        row.day,
        name,
        row.source,
        year=row.year,
        first_year=row.first_year,
        last_year=row.last_year,
    )


def list_authorities() -> list[Authority]:
    """Return every authority: offices first, then municipios, then districts, by name."""
    order = sa.case({kind: i for i, kind in enumerate(KINDS)}, value=Authority.kind)
    return list(db.session.scalars(sa.select(Authority).order_by(order, Authority.short_name)))


@dataclass(frozen=True)
class CalendarYear:
    """What the public calendar page shows of one authority's year.

    Attributes:
        periods: The non-working days other than plain weekends, as runs of one reason.
        working_days: How many business days the year has.
        vacations, holy_week: The settings in force (`calendar_settings`).
        ancestors: The authorities whose days it inherits, nearest first.
    """

    periods: list[Period]
    working_days: int
    vacations: bool
    holy_week: str
    ancestors: list[Authority]


def calendar_year(authority: Authority, year: int) -> CalendarYear:
    """Return an authority's non-working days of `year`, grouped, with the settings used."""
    calendar = calendar_for(authority)
    periods: list[Period] = []
    for off in calendar.days_off(year):
        last = periods[-1] if periods else None
        if (
            last is not None
            and off.day == last.last + timedelta(days=1)
            and (off.kind, off.source, off.name["es"])
            == (last.reason.kind, last.reason.source, last.reason.name["es"])
        ):
            periods[-1] = Period(last.first, off.day, last.reason)
        else:
            periods.append(Period(off.day, off.day, off))
    vacations, holy_week = calendar.settings_of(year)
    return CalendarYear(
        periods=periods,
        working_days=calendar.business_days_between(date(year - 1, 12, 31), date(year, 12, 31)),
        vacations=vacations,
        holy_week=holy_week,
        ancestors=_chain(authority)[1:],
    )


def add_day_off(
    *,
    authority_code: str,
    day: date,
    kind: str,
    name: str,
    source: str,
    name_en: str | None = None,
    every_year: bool = False,
    actor: User | None = None,
    today: date | None = None,
    reason: str = "",
) -> AuthorityDayOff:
    """Add a day to an authority's calendar (to every authority's with `ALL`) and commit.

    From the admin console (`today` given) a day never changes the past: the date must be
    today or later, and a day of every year counts from that date's year on, so the periods
    already counted in earlier years keep their end. The command line (`today` None) is the
    operator's: it records days as they were, past ones included.

    Args:
        authority_code: An authority's code, or `ALL`.
        day: The date; with `every_year` only its month and day count.
        kind: `local`, `decreed` or `working` (`workflows.calendar.RULE_KINDS`).
        name, name_en: What the day is, in Spanish and (optionally) English.
        source: Its legal source (decree and Diario Oficial, article, council agreement).
        actor: Who adds it (None: an operator at the command line).
        today: El Salvador's date, from the admin console; None at the command line.
        reason: Why it is added (kept in the audit row).

    Raises:
        InvalidInput: `day_in_past` (from the admin console, a date before `today`) and
            `reason_required_plain` (from the admin console, no reason),
            `unknown_authority`, `unknown_day_kind`, `name_required`,
            `source_required`, `day_off_exists` (that authority already has that day),
            `day_is_holiday` (from the admin console, a day off on a national holiday),
            `day_already_off` (from the admin console, a day off for one date on a weekend,
            a vacation or another day off of that calendar), or
            `not_a_vacation_day` (a `working` day for one authority on a day that is not one
            of its vacation days: a holiday, a weekend or a working day already; taking it back
            would change nothing).
    """
    authority_id = _authority_id(authority_code)
    if kind not in RULE_KINDS:
        raise InvalidInput("unknown_day_kind", field="kind", kinds=", ".join(RULE_KINDS))
    if not name.strip():
        raise InvalidInput("name_required", field="name")
    if not source.strip():
        raise InvalidInput("source_required", field="source")
    if today is not None and day < today:
        raise InvalidInput("day_in_past", field="date", today=today)
    if today is not None and not reason.strip():
        raise InvalidInput("reason_required_plain", field="reason")
    year = None if every_year else day.year
    if _find_day(authority_id, year, day.month, day.day) is not None:
        raise InvalidInput("day_off_exists", field="date", day=day.isoformat())
    if kind == WORKING and authority_id is not None:
        found = calendar_for(db.session.get(Authority, authority_id)).reason(day)
        if found is None or found.kind != VACATION:
            raise InvalidInput(
                "not_a_vacation_day",
                field="date",
                day=day.strftime("%d/%m/%Y"),
                what=found.name if found else _WORKING_DAY,
            )
    if today is not None and kind != WORKING:
        _not_already_off(day, authority_id, every_year=every_year)
    row = AuthorityDayOff(
        authority_id=authority_id,
        year=year,
        month=day.month,
        day=day.day,
        kind=kind,
        name=name.strip(),
        name_en=(name_en or "").strip() or None,
        source=source.strip(),
        first_year=day.year if every_year and today is not None else None,
    )
    db.session.add(row)
    _audit("calendar.day_added", authority_code, actor, row, after=True, reason=reason)
    _calendar_changed(authority_id)
    db.session.commit()
    return row


def remove_day_off(
    *, authority_code: str, day: date, every_year: bool = False, actor: User | None = None
) -> None:
    """Remove a day from an authority's calendar (from every authority's with `ALL`); commit.

    Raises:
        InvalidInput: `unknown_authority`, or `day_off_not_found` (no such day to remove; a
            national holiday or a vacation day is not a row and cannot be removed this way).
    """
    authority_id = _authority_id(authority_code)
    row = _find_day(authority_id, None if every_year else day.year, day.month, day.day)
    if row is None:
        raise InvalidInput("day_off_not_found", field="date", day=day.isoformat())
    _audit("calendar.day_removed", authority_code, actor, row)
    db.session.delete(row)
    _calendar_changed(authority_id)
    db.session.commit()


def set_calendar_settings(
    *,
    authority_code: str,
    vacations: bool | None,
    holy_week: str | None,
    actor: User | None = None,
) -> None:
    """Set whether the vacation periods apply and the Holy Week variant; None inherits. Commit.

    Raises:
        InvalidInput: `unknown_authority`, or `unknown_holy_week` (not in HOLY_WEEK_VARIANTS).
    """
    authority = get_authority(authority_code)
    if authority is None:
        raise InvalidInput("unknown_authority", field="authority", authorities=authority_code)
    if holy_week is not None and holy_week not in HOLY_WEEK_VARIANTS:
        raise InvalidInput(
            "unknown_holy_week", field="holy_week", variants=", ".join(HOLY_WEEK_VARIANTS)
        )
    authority.calendar_vacations, authority.calendar_holy_week = vacations, holy_week
    from portal.accounts.models import AuditEvent

    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action="calendar.settings_changed",
            subject=authority_code,
            detail={"vacations": vacations, "holy_week": holy_week},
        )
    )
    _calendar_changed(authority.id)
    db.session.commit()


_WORKING_DAY = {"es": "día hábil", "en": "working day"}


def _not_already_off(day: date, authority_id: int | None, *, every_year: bool) -> None:
    """Refuse a day off on a day that is not a working day already, saying why: a national
    holiday (for every authority), or for one date a weekend, a vacation or another day off of
    the calendar. A day of every year is refused on a holiday only (its weekday and the
    vacations change with the year)."""
    if authority_id is None:
        found = BusinessCalendar().reason(day)
    else:
        found = calendar_for(db.session.get(Authority, authority_id)).reason(day)
    if found is None:
        return
    shown = day.strftime("%d/%m/%Y")
    if found.kind == HOLIDAY:
        raise InvalidInput("day_is_holiday", field="date", day=shown, what=found.name)
    if not every_year:
        raise InvalidInput("day_already_off", field="date", day=shown, what=found.name)


def _calendar_changed(authority_id: int | None) -> None:
    """Have the open cases of the changed calendar (None: every one) take their new dates."""
    from portal.deadlines.services import calendar_changed

    calendar_changed(authority_id)


def _authority_id(code: str) -> int | None:
    if code == ALL:
        return None
    authority = get_authority(code)
    if authority is None:
        raise InvalidInput("unknown_authority", field="authority", authorities=code)
    return authority.id


def _day_detail(row: AuthorityDayOff) -> dict:
    detail = {"year": row.year, "month": row.month, "day": row.day, "kind": row.kind}
    detail |= {"name": row.name, "source": row.source}
    return detail | {"first_year": row.first_year, "last_year": row.last_year}


def _audit(
    action: str,
    code: str,
    actor: User | None,
    row: AuthorityDayOff,
    *,
    before: dict | None = None,
    after: bool = False,
    reason: str = "",
) -> None:
    """Audit a change of a day: the day, and what it was before and is after (who, when: the
    row's actor and time)."""
    from portal.accounts.models import AuditEvent

    detail = _day_detail(row) | {
        "before": before,
        "after": _day_detail(row) if after else None,
        "reason": reason,
    }
    db.session.add(
        AuditEvent(actor_id=actor.id if actor else None, action=action, subject=code, detail=detail)
    )


def end_day_off(
    *, authority: Authority, day_id: int, today: date, reason: str, actor: User
) -> None:
    """Take a day out of an authority's calendar from `today` on, from the admin console; commit.

    The past stays as it was: a day of one year is removed only while it is still ahead; a
    day of every year ends with the last year whose occurrence is already past (or the year
    before, when this year's is still ahead), and is deleted only if it never applied.

    Raises:
        InvalidInput: `reason_required_plain`; `day_off_not_found` (not one of the authority's own
            days in force); `day_in_past` (a day of one year that has passed).
    """
    if not reason.strip():
        raise InvalidInput("reason_required_plain", field="reason")
    row = db.session.get(AuthorityDayOff, day_id)
    if row is None or row.authority_id != authority.id or row.last_year is not None:
        raise InvalidInput("day_off_not_found", field="reason", day=str(day_id))
    before = _day_detail(row)
    if row.year is not None:
        if date(row.year, row.month, row.day) < today:
            raise InvalidInput("day_in_past", field="reason", today=today)
        _audit("calendar.day_removed", authority.code, actor, row, before=before, reason=reason)
        db.session.delete(row)
    else:
        this_year = _rule(row).on(today.year)
        last = today.year if this_year is not None and this_year < today else today.year - 1
        if row.first_year is not None and last < row.first_year:
            _audit("calendar.day_removed", authority.code, actor, row, before=before, reason=reason)
            db.session.delete(row)
        else:
            row.last_year = last
            _audit(
                "calendar.day_ended", authority.code, actor, row, before=before, after=True,
                reason=reason,
            )  # fmt: skip
    _calendar_changed(authority.id)
    db.session.commit()


def own_days_off(authority: Authority, year: int) -> list[AuthorityDayOff]:
    """The authority's own days (not inherited) that fall in `year`, by date."""
    rows = db.session.scalars(
        sa.select(AuthorityDayOff).where(AuthorityDayOff.authority_id == authority.id)
    ).all()
    return sorted(
        (row for row in rows if _rule(row).on(year) is not None), key=lambda r: (r.month, r.day)
    )


def get_authority(code: str) -> Authority | None:
    return db.session.scalar(sa.select(Authority).where(Authority.code == code))


def list_districts(served_by: str | None = None) -> list[Authority]:
    """Return the districts, optionally only those an office serves, by name."""
    districts = db.session.scalars(
        sa.select(Authority).where(Authority.kind == DISTRICT).order_by(Authority.short_name)
    ).all()
    if served_by is None:
        return list(districts)
    return [d for d in districts if served_by in (d.served_by or [])]


def districts_of_scope(scope: set[int] | None) -> list[Authority]:
    """Return the districts where the cases of a staff scope happen, by name.

    Args:
        scope: Authority ids (`portal.permissions.staff_scope`); None means every authority.

    A district is in it when it is one of the scope's authorities, or when one of them issues
    permits for it (its `served_by` names the office's code: OPAMSS, APLAN...).
    """
    districts = list_districts()
    if scope is None:
        return districts
    codes = set(db.session.scalars(sa.select(Authority.code).where(Authority.id.in_(scope))))
    return [d for d in districts if d.id in scope or codes & set(d.served_by or [])]


def _authority_tree() -> list[tuple[int, int | None]]:
    """Every authority's (id, parent id), read once per request (outside one, each time)."""
    query = sa.select(Authority.id, Authority.parent_id)
    if not has_request_context():
        return [tuple(row) for row in db.session.execute(query)]
    tree = getattr(request, "authority_tree", None)
    if tree is None:
        tree = request.authority_tree = [tuple(row) for row in db.session.execute(query)]
    return tree


def scope_ids(authority_id: int, all_authorities: Iterable[Authority] | None = None) -> set[int]:
    """Return the id of an authority and of all its descendants.

    The tree is read once per request: a page asks several rules that each need the actor's
    scope (permissions, queue, assignment, panels), and the tree does not change while it is
    served.
    """
    pairs = (
        [(row.id, row.parent_id) for row in all_authorities]
        if all_authorities is not None
        else _authority_tree()
    )
    children: dict[int | None, list[int]] = {}
    for child, parent in pairs:
        children.setdefault(parent, []).append(child)
    found, stack = set(), [authority_id]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children.get(current, []))
    return found
