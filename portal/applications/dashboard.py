"""The applicant's dashboard ("Mis solicitudes"): cases by page, each with who holds it and
what the person must do next; and the same facts for the status page.

Pages are keyset-paginated on the case id (newest first), so the 2,000th case costs what the
first does, and each page runs a fixed number of queries whatever its length: the cases, their
versions, the pending payment orders and issued certificates of the page, and one calendar per
office on the page (`legal_period`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

import workflows
from portal.accounts.models import User
from portal.applications.clocks import legal_period
from portal.applications.effects import FINAL_KINDS
from portal.applications.models import Application, real_cases
from portal.authorities.services import calendar_for
from portal.certificates.models import IssuedDocument
from portal.extensions import db
from portal.payments.models import PaymentOrder
from portal.procedures.models import ProcedureVersion
from portal.procedures.services import definition_of
from portal.renewals.services import expires_on, renewable
from workflows.model import APPROVED_KINDS, State

PAGE_SIZE = 25
DRAFTS_SHOWN = 50

#: What each staff role is called when it holds a case ("OPAMSS – personal técnico").
ROLE_TITLES = {
    "clerk": _l("personal técnico"),
    "supervisor": _l("jefatura"),
    "inspector": _l("inspección"),
    "admin": _l("administración"),
}
#: The dashboard's filters: a group of state kinds (and "requieren su acción" adds unpaid
#: payment orders).
GROUPS = {
    "en-tramite": frozenset({"active"}),
    "su-accion": frozenset({"waiting_applicant"}),
    "terminados": FINAL_KINDS,
}
GROUP_TITLES = {
    "en-tramite": _l("En trámite"),
    "su-accion": _l("Requieren su acción"),
    "terminados": _l("Terminados"),
}


@dataclass(frozen=True)
class NextStep:
    """What the person must do next: a label and the endpoint (with kind) that does it."""

    label: str
    endpoint: str
    kind: str | None = None


@dataclass(frozen=True)
class CaseRow:
    application: Application
    title: str
    state_kind: str
    state_label: str
    office: str
    holder: str
    due_on: date | None
    period: dict | None
    next_step: NextStep | None
    expires_on: date | None


def _kinds_clause(kinds: frozenset[str]) -> sa.ColumnElement[bool]:
    """SQL for 'the case's state is of one of these kinds', from every version's definition."""
    clauses = []
    for version in db.session.scalars(sa.select(ProcedureVersion)):
        codes = [s.code for s in definition_of(version).states if s.kind in kinds]
        if codes:
            clauses.append(
                sa.and_(
                    Application.procedure_version_id == version.id, Application.state.in_(codes)
                )
            )
    return sa.or_(*clauses) if clauses else sa.false()


def _unpaid() -> sa.ColumnElement[bool]:
    return sa.exists().where(
        PaymentOrder.application_id == Application.id, PaymentOrder.status == "pending"
    )


@dataclass(frozen=True)
class Page:
    rows: list[CaseRow]
    newer: int | None  # the cursor of the previous (newer) page, if any
    older: int | None  # the cursor of the next (older) page, if any


def list_cases_for(
    actor: User,
    locale: str,
    today: date,
    *,
    group: str | None = None,
    older_than: int | None = None,
    newer_than: int | None = None,
) -> Page:
    """One page of the person's filed cases, newest first (keyset on the id).

    Args:
        group: A key of `GROUPS` to filter on, or None for every filed case.
        older_than: The page after (older than) this case id; `newer_than`: the page before.
    """
    where = [Application.applicant_id == actor.id, Application.tracking_number.is_not(None)]
    if group == "su-accion":
        where.append(sa.or_(_kinds_clause(GROUPS[group]), _unpaid()))
    elif group in GROUPS:
        where.append(_kinds_clause(GROUPS[group]))
    query = _select().where(*where).limit(PAGE_SIZE + 1)
    if newer_than is not None:
        rows = list(
            db.session.scalars(
                query.where(Application.id > newer_than).order_by(Application.id.asc())
            )
        )
        more_newer = len(rows) > PAGE_SIZE
        rows = list(reversed(rows[:PAGE_SIZE]))
        more_older = True
    else:
        if older_than is not None:
            query = query.where(Application.id < older_than)
        rows = list(db.session.scalars(query.order_by(Application.id.desc())))
        more_older = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        more_newer = older_than is not None
    return Page(
        rows=present(rows, locale, today),
        newer=rows[0].id if rows and more_newer else None,
        older=rows[-1].id if rows and more_older else None,
    )


def _select():
    """The applicant's cases as the dashboard reads them; never a test case."""
    return (
        sa.select(Application)
        .where(real_cases())
        .options(selectinload(Application.procedure_version), joinedload(Application.authority))
    )


def present(applications: list[Application], locale: str, today: date) -> list[CaseRow]:
    """Rows of the dashboard for these cases, with a fixed number of queries."""
    if not applications:
        return []
    ids = [a.id for a in applications]
    unpaid = set(
        db.session.scalars(
            sa.select(PaymentOrder.application_id).where(
                PaymentOrder.application_id.in_(ids), PaymentOrder.status == "pending"
            )
        )
    )
    certified = set(
        db.session.scalars(
            sa.select(IssuedDocument.application_id).where(
                IssuedDocument.application_id.in_(ids),
                IssuedDocument.kind == "certificate",
                IssuedDocument.pdf_key.is_not(None),
            )
        )
    )
    calendars: dict[int, object] = {}
    rows = []
    for application in applications:
        definition = definition_of(application.procedure_version)
        state = definition.state(application.state)
        period = None
        if application.clock and not state.is_final:
            if application.authority_id not in calendars:
                calendars[application.authority_id] = calendar_for(application.authority)
            period = legal_period(
                application, definition, today, calendars[application.authority_id]
            )
        rows.append(
            CaseRow(
                application=application,
                title=definition.title.get(locale),
                state_kind=state.kind,
                state_label=state.label.get(locale),
                office=application.authority.short_name,
                holder=holder_of(application, state),
                due_on=application.due_on if not state.is_final else None,
                period=period,
                next_step=next_step(
                    application,
                    definition,
                    today,
                    unpaid=application.id in unpaid,
                    certified=application.id in certified,
                ),
                expires_on=expires_on(application, definition),
            )
        )
    return rows


def holder_of(application: Application, state: State) -> str:
    """Who holds the case now: "Usted", or the office and its role; never a person's name."""
    if state.is_final:
        return ""
    if "applicant" in state.roles:
        return str(_l("Usted"))
    staff = [role for role in state.roles if role in ROLE_TITLES]
    if application.assigned_role in staff:
        staff.insert(0, application.assigned_role)
    office = application.authority.short_name
    return f"{office} – {ROLE_TITLES[staff[0]]}" if staff else office


def next_step(
    application: Application,
    definition: workflows.Definition,
    today: date,
    *,
    unpaid: bool,
    certified: bool,
) -> NextStep | None:
    """What the person must do next, from the state's kind (and payments, certificate, expiry)."""
    state = definition.state(application.state)
    if state.kind == "draft":
        return NextStep(str(_l("Continuar la solicitud")), "applications.edit")
    if state.kind == "waiting_applicant" and state.applicant_can_edit:
        return NextStep(str(_l("Corregir y reenviar")), "applications.edit")
    if unpaid:
        return NextStep(str(_l("Pagar")), "applications.status")
    if renewable(application, definition, today):
        return NextStep(str(_l("Renovar")), "applications.status")
    if certified and state.kind in APPROVED_KINDS:
        return NextStep(str(_l("Descargar certificado")), "applications.issued_pdf", "certificado")
    if state.kind == "waiting_applicant":
        return NextStep(str(_l("Ver qué le piden")), "applications.status")
    return None
