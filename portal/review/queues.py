"""The staff queues: open cases of an office by legal due date, filtered, counted, keyset-paged.

A case's queue columns (`Application.queue_due`, `acting_roles`, `clock_suspended`) are derived
by `derive` whenever its due dates are (`portal.applications.clocks.derive_deadlines`: every
transition, every sweep), never on read, so each page is one ordered range of a partial index
(`ix_applications_queue*`, open cases only) and the counts one GROUP BY over the open cases of
the scope. Deadline statuses count business days on the viewer's office calendar
(`workflows.calendar`), the one calendar of the clocks (`workflows.clocks`).

Views (`VIEWS`): `por_atender` (the role acts now, the default), `mios` (assigned to the
viewer), `sin_asignar` (the role acts now, nobody assigned), `oficina` (every open case of the
scope, supervisors and admins: `permissions.OFFICE_VIEW_ROLES`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only, selectinload

import workflows
from portal import permissions
from portal.accounts.models import User
from portal.applications.models import Application, real_cases
from portal.authorities.models import Authority
from portal.authorities.services import scope_ids
from portal.extensions import db
from portal.procedures.models import ProcedureVersion

PAGE_SIZE = 50
#: `queue_due` of an open case whose stage has no deadline: it sorts last, never NULL.
NO_DUE = date(9999, 12, 31)
#: Business days ahead that count as "due soon" (the due date within them, today included).
SOON_BUSINESS_DAYS = 2
VIEWS = ("por_atender", "mios", "sin_asignar", "oficina")
OFFICE_VIEWS = frozenset({"oficina"})  # for `permissions.OFFICE_VIEW_ROLES` only
DEADLINES = ("a_tiempo", "por_vencer", "vencido", "suspendido")
UNASSIGNED = "ninguno"


# ---------------------------------------------------------------- derived on change


def derive(application: Application, definition: workflows.Definition, clock) -> None:
    """Set the queue columns of a case from its state and clock (flush-free).

    Args:
        application: The case, after its state and `state_due_on` were set.
        definition: Its pinned definition.
        clock: Its legal clock (`workflows.clocks.Clock`) or None.
    """
    state = definition.state(application.state)
    if state.is_final or application.filed_at is None:
        application.queue_due = application.acting_roles = None
        application.clock_suspended = False
        return
    application.queue_due = application.state_due_on or NO_DUE
    application.acting_roles = f",{','.join(state.roles)}," if state.roles else None
    application.clock_suspended = bool(clock is not None and clock.is_suspended)


def acting_roles(application: Application) -> list[str]:
    """The roles that act on the case in its state, as derived."""
    return [r for r in (application.acting_roles or "").split(",") if r]


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """What the person asked for; every field None/"" means "any"."""

    view: str = "por_atender"
    procedure_id: int | None = None
    state: str | None = None
    district_id: int | None = None
    assignee: str | None = None  # a user id as text, or UNASSIGNED
    deadline: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None

    def args(self, **override) -> dict:
        """The query-string arguments that ask for these filters (for links)."""
        out = {
            "vista": self.view if self.view != "por_atender" else None,
            "tramite": self.procedure_id,
            "estado": self.state,
            "distrito": self.district_id,
            "asignado": self.assignee,
            "plazo": self.deadline,
            "desde": self.filed_from.isoformat() if self.filed_from else None,
            "hasta": self.filed_to.isoformat() if self.filed_to else None,
        }
        out.update(override)
        return {k: v for k, v in out.items() if v not in (None, "")}


def _positive_int(text: str) -> int | None:
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= 9) or int(text) == 0:
        return None
    return int(text)


def parse_filters(args, actor: User) -> tuple[Filters, dict[str, str]]:
    """Read the filters from a query string; return them and error codes by argument name.

    Codes: `invalid_choice` (a value none of the choices has), `queue_date` (not
    YYYY-MM-DD), `date_range` (`hasta` before `desde`), `view_not_allowed` (the office view
    for a role that has none). A bad argument is left out of the filters.
    """
    errors: dict[str, str] = {}
    values: dict = {}
    view = args.get("vista", "").strip() or "por_atender"
    if view not in VIEWS:
        errors["vista"] = "invalid_choice"
    elif view in OFFICE_VIEWS and not actor.has_role(*permissions.OFFICE_VIEW_ROLES):
        errors["vista"] = "view_not_allowed"
    else:
        values["view"] = view
    for name, key in (("tramite", "procedure_id"), ("distrito", "district_id")):
        raw = args.get(name, "").strip()
        if raw:
            number = _positive_int(raw)
            if number is None:
                errors[name] = "invalid_choice"
            else:
                values[key] = number
    state = args.get("estado", "").strip()
    if state:
        if len(state) > 60 or not all(c.isalnum() or c == "_" for c in state):
            errors["estado"] = "invalid_choice"
        else:
            values["state"] = state
    assignee = args.get("asignado", "").strip()
    if assignee:
        if assignee != UNASSIGNED and _positive_int(assignee) is None:
            errors["asignado"] = "invalid_choice"
        else:
            values["assignee"] = assignee
    deadline = args.get("plazo", "").strip()
    if deadline:
        if deadline not in DEADLINES:
            errors["plazo"] = "invalid_choice"
        else:
            values["deadline"] = deadline
    for name, key in (("desde", "filed_from"), ("hasta", "filed_to")):
        raw = args.get(name, "").strip()
        if raw:
            try:
                values[key] = date.fromisoformat(raw) if len(raw) == 10 else None
            except ValueError:
                values[key] = None
            if values[key] is None:
                del values[key]
                errors[name] = "queue_date"
    if (
        values.get("filed_from")
        and values.get("filed_to")
        and values["filed_to"] < values["filed_from"]
    ):
        errors["hasta"] = "date_range"
        del values["filed_to"]
    return Filters(**values), errors


# ---------------------------------------------------------------- cursor


def encode_cursor(application: Application) -> str:
    """An opaque, URL-safe cursor after `application` (its due date, filing time and id)."""
    raw = json.dumps(
        [application.queue_due.isoformat(), application.filed_at.isoformat(), application.id]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[date, datetime, int] | None:
    """The position a cursor names, or None when it is not one this module made."""
    if not text or len(text) > 200:
        return None
    try:
        due, filed, ident = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        position = (date.fromisoformat(due), datetime.fromisoformat(filed), int(ident))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if position[1].tzinfo is None or not 0 < position[2] < 2**63:
        return None
    return position


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class Limits:
    """The deadline boundaries of today on the viewer's calendar."""

    today: date
    soon: date  # the last day that still counts as "due soon"
    calendar: object  # workflows.calendar.BusinessCalendar of the viewer's office


def limits_for(actor: User, today: date) -> Limits:
    from portal.authorities.services import calendar_for

    calendar = calendar_for(actor.authority)
    return Limits(today, calendar.add_business_days(today, SOON_BUSINESS_DAYS), calendar)


def _deadline_case(limits: Limits) -> sa.ColumnElement[str]:
    return sa.case(
        (Application.clock_suspended, "suspendido"),
        (Application.queue_due < limits.today, "vencido"),
        (Application.queue_due <= limits.soon, "por_vencer"),
        else_="a_tiempo",
    )


def _deadline_clause(deadline: str, limits: Limits) -> sa.ColumnElement[bool]:
    running = Application.clock_suspended.is_(False)
    return {
        "suspendido": Application.clock_suspended.is_(True),
        "vencido": sa.and_(running, Application.queue_due < limits.today),
        "por_vencer": sa.and_(
            running, Application.queue_due >= limits.today, Application.queue_due <= limits.soon
        ),
        "a_tiempo": sa.and_(running, Application.queue_due > limits.soon),
    }[deadline]


def _scope(actor: User) -> list[sa.ColumnElement[bool]]:
    """The open cases of the actor's scope (`permissions.staff_scope`; an OPAMSS admin: all);
    never a test case (`portal.testcases`): the one base of every queue, page and count."""
    clauses = [Application.queue_due.is_not(None), real_cases()]
    scope = permissions.staff_scope(actor)
    if scope is not None:
        ids = sorted(scope)
        clauses.append(
            Application.authority_id == ids[0]
            if len(ids) == 1
            else Application.authority_id.in_(ids)
        )
    return clauses


def _base(actor: User, view: str) -> list[sa.ColumnElement[bool]]:
    clauses = _scope(actor)
    if view in ("por_atender", "sin_asignar"):
        roles = permissions.staff_roles(actor)
        clauses.append(sa.or_(*(Application.acting_roles.like(f"%,{r},%") for r in roles)))
    if view == "sin_asignar":
        clauses.append(Application.assignee_id.is_(None))
    if view == "mios":
        clauses.append(Application.assignee_id == actor.id)
    return clauses


def _filtered(filters: Filters, limits: Limits) -> list[sa.ColumnElement[bool]]:
    from portal.applications.effects import LOCAL_TZ

    clauses = []
    if filters.procedure_id:
        clauses.append(Application.procedure_id == filters.procedure_id)
    if filters.state:
        clauses.append(Application.state == filters.state)
    if filters.district_id:
        clauses.append(Application.district_id == filters.district_id)
    if filters.assignee == UNASSIGNED:
        clauses.append(Application.assignee_id.is_(None))
    elif filters.assignee:
        clauses.append(Application.assignee_id == int(filters.assignee))
    if filters.deadline:
        clauses.append(_deadline_clause(filters.deadline, limits))
    if filters.filed_from:
        start = datetime.combine(filters.filed_from, datetime.min.time(), LOCAL_TZ)
        clauses.append(Application.filed_at >= start)
    if filters.filed_to:
        end = datetime.combine(filters.filed_to, datetime.max.time(), LOCAL_TZ)
        clauses.append(Application.filed_at <= end)
    return clauses


#: The columns a queue card and the cursor read (the rest, e.g. the form's answers, stay in
#: the database: fifty cases' JSON decoded for nothing was a third of the page's time).
CARD_COLUMNS = (
    Application.tracking_number,
    Application.state,
    Application.procedure_version_id,
    Application.district_id,
    Application.assignee_id,
    Application.filed_at,
    Application.state_due_on,
    Application.queue_due,
    Application.acting_roles,
    Application.clock_suspended,
)


@dataclass
class Page:
    """One page of a queue: its cases (the `CARD_COLUMNS` and the version's digest; the
    district's and assignee's names are the filters' labels, `Choices.names`), the cursor of
    the next page (None on the last), and whether it is the first."""

    cases: list[Application]
    next_cursor: str | None
    first: bool


def page_of(actor: User, filters: Filters, limits: Limits, after: tuple | None = None) -> Page:
    """One page of `PAGE_SIZE` cases in legal-due-date order, after the cursor's position.

    Order: `queue_due` (the stage's due date; none last), `filed_at`, `id`. One statement.
    """
    order = (Application.queue_due, Application.filed_at, Application.id)
    query = sa.select(Application).where(*_base(actor, filters.view), *_filtered(filters, limits))
    if after is not None:
        query = query.where(sa.tuple_(*order) > sa.tuple_(*after))
    rows = (
        db.session.scalars(
            query.options(
                load_only(*CARD_COLUMNS),
                joinedload(Application.procedure_version).load_only(
                    ProcedureVersion.digest, ProcedureVersion.procedure_id
                ),
            )
            .order_by(*order)
            .limit(PAGE_SIZE + 1)
        )
        .unique()
        .all()
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Page(rows, encode_cursor(rows[-1]) if more else None, after is None)


@dataclass
class Counts:
    """How many open cases of the view have each filter value: dimension -> value -> n."""

    by: dict[str, dict[str, int]] = field(default_factory=dict)
    total: int = 0

    def of(self, dimension: str, value) -> int:
        return self.by.get(dimension, {}).get(str(value), 0)


def counts_for(actor: User, view: str, limits: Limits) -> Counts:
    """Counts per procedure, state, district, assignee and deadline status over the view's
    open cases (other filters aside), in one statement (a UNION ALL of GROUP BYs)."""
    open_cases = (
        sa.select(
            sa.cast(Application.procedure_id, sa.String).label("tramite"),
            Application.state.label("estado"),
            sa.cast(Application.district_id, sa.String).label("distrito"),
            sa.cast(Application.assignee_id, sa.String).label("asignado"),
            _deadline_case(limits).label("plazo"),
        )
        .where(*_base(actor, view))
        .cte("open_cases")  # read once, grouped five ways
    )
    parts = [
        sa.select(
            sa.literal(name).label("dimension"),
            open_cases.c[name].label("value"),
            sa.func.count().label("n"),
        ).group_by(open_cases.c[name])
        for name in ("tramite", "estado", "distrito", "asignado", "plazo")
    ]
    counts = Counts()
    for dimension, value, n in db.session.execute(sa.union_all(*parts)):
        key = UNASSIGNED if dimension == "asignado" and value is None else str(value)
        counts.by.setdefault(dimension, {})[key] = n
    counts.total = sum(counts.by.get("plazo", {}).values())
    return counts


# ---------------------------------------------------------------- presentation


def days_left(application: Application, limits: Limits, calendar) -> tuple[str, str, int | None]:
    """(status, colour class, business days) of the case's stage deadline.

    Status is one of DEADLINES or "sin_plazo"; days are left (>= 0) or late (< 0).
    """
    if application.clock_suspended:
        return "suspendido", "grey", None
    if application.queue_due is None or application.queue_due == NO_DUE:
        return "sin_plazo", "grey", None
    days = calendar.business_days_between(limits.today, application.queue_due)
    if application.queue_due < limits.today:
        return "vencido", "red", days
    if application.queue_due <= limits.soon:
        return "por_vencer", "yellow", days
    return "a_tiempo", "green", days


@dataclass
class Choices:
    """The values each filter offers, as (value, label) pairs, from the counts' values and
    what is selected (a value with no case is offered only while selected)."""

    procedures: list[tuple[str, str]]
    states: list[tuple[str, str]]
    districts: list[tuple[str, str]]
    assignees: list[tuple[str, str]]
    #: A selected state no procedure of the view defines (a typed or stale URL), or None.
    unknown_state: str | None = None

    def names(self, kind: str) -> dict[int, str]:
        """District short names ("districts") or people's names ("assignees") by id: every
        case of the view has its district and assignee among them (the counts' values)."""
        return {int(ident): label for ident, label in getattr(self, kind)}


@dataclass(frozen=True)
class _Version:
    """A published version as `definition_of` needs it (id and digest), without its row."""

    id: int
    digest: str


def choices_for(actor: User, counts: Counts, filters: Filters, locale: str) -> Choices:
    """Labels for the filter values: one statement whatever the number of cases.

    The statement is a UNION ALL of three small reads by id (the procedures' published
    versions, newest first; the districts by name; the people by name), so a page pays one
    round trip and builds no ORM objects for them.
    """
    from portal.procedures.services import definition_of

    def wanted(dimension: str, selected) -> set[int]:
        keys = set(counts.by.get(dimension, {})) | ({str(selected)} if selected else set())
        return {int(k) for k in keys if k.isdigit()}

    no_int, no_text = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.String)
    parts = []
    if procedure_ids := wanted("tramite", filters.procedure_id):
        parts.append(
            sa.select(
                sa.literal("v").label("kind"),
                ProcedureVersion.id.label("id"),
                ProcedureVersion.procedure_id.label("ref"),
                sa.cast(ProcedureVersion.digest, sa.String).label("label"),
                no_text.label("sort"),
                ProcedureVersion.version.label("rank"),
            ).where(
                ProcedureVersion.procedure_id.in_(procedure_ids),
                ProcedureVersion.status == "published",
            )
        )
    if district_ids := wanted("distrito", filters.district_id):
        parts.append(
            sa.select(
                sa.literal("d"),
                Authority.id,
                no_int,
                sa.cast(Authority.short_name, sa.String),
                sa.cast(Authority.name, sa.String),
                no_int,
            ).where(Authority.id.in_(district_ids))
        )
    if assignee_ids := wanted("asignado", filters.assignee):
        parts.append(
            sa.select(
                sa.literal("u"),
                User.id,
                no_int,
                sa.cast(User.full_name, sa.String),
                sa.cast(User.full_name, sa.String),
                no_int,
            ).where(User.id.in_(assignee_ids))
        )
    found: dict[str, list] = {"v": [], "d": [], "u": []}
    if parts:
        columns = [sa.literal_column(name) for name in ("kind", "ref", "sort")]
        rows = db.session.execute(
            sa.union_all(*parts).order_by(*columns, sa.literal_column("rank").desc())
        )
        for kind, ident, ref, label, _sort, _rank in rows:
            found[kind].append((ident, ref, label))
    procedures = []
    states: dict[str, str] = {}
    seen = set()
    for version_id, procedure_id, digest in found["v"]:
        definition = definition_of(_Version(version_id, digest))
        if procedure_id not in seen:
            seen.add(procedure_id)
            procedures.append((str(procedure_id), definition.title.get(locale)))
        for state in definition.states:
            if not state.is_final and state.kind != "draft":
                states.setdefault(state.code, state.label.get(locale))
    unknown = (
        filters.state if filters.state and found["v"] and filters.state not in states else None
    )
    present = set(counts.by.get("estado", {})) | ({filters.state} if filters.state else set())
    present.discard(unknown)
    return Choices(
        unknown_state=unknown,
        procedures=sorted(procedures, key=lambda p: p[1]),
        states=sorted(((code, states.get(code, code)) for code in present), key=lambda s: s[1]),
        districts=[(str(ident), label) for ident, _ref, label in found["d"]],
        assignees=[(str(ident), label) for ident, _ref, label in found["u"]],
    )


def staff_of_scope(actor: User) -> list[User]:
    """Active staff of the actor's scope (the assignee filter, the workload page)."""
    ids = scope_ids(actor.authority_id)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.authority_id.in_(ids), User.active.is_(True), User.role != "applicant")
            .options(selectinload(User.role_rows))  # eligible_assignees asks each one's roles
            .order_by(User.full_name)
        )
    )
