"""The audit log as admins search it (/admin/auditoria): who, what, whom, when, in scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from portal.accounts.models import AuditEvent, User
from portal.applications.effects import LOCAL_TZ
from portal.errors import InvalidInput
from portal.extensions import db
from portal.staff.services import scope_of
from workflows.conditions import read_date

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None


def parse_day(text: str, field: str) -> date | None:
    """A date typed in the search (30/11/2026 or 2026-11-30, the project's one date reader
    `workflows.conditions.read_date`), or None when empty; InvalidInput otherwise."""
    if not text:
        return None
    day = read_date(text)
    if day is None:
        raise InvalidInput("audit_date", field=field)
    return day


def list_audit_for(
    actor: User, filters: AuditFilters, page: int = 1
) -> tuple[list[AuditEvent], int]:
    """One page (newest first) of the audit log the admin may read, and the total.

    In scope: events done by, or done to, staff of the admin's authorities (all for OPAMSS).
    `actor` and `target` match a name or an e-mail in part; dates are El Salvador days.
    """
    who, whom = aliased(User), aliased(User)
    clauses = []
    scope = scope_of(actor)
    if scope is not None:
        clauses.append(sa.or_(who.authority_id.in_(scope), whom.authority_id.in_(scope)))
    if filters.actor:
        like = f"%{filters.actor}%"
        clauses.append(sa.or_(who.email.ilike(like), who.full_name.ilike(like)))
    if filters.target:
        like = f"%{filters.target}%"
        clauses.append(
            sa.or_(
                whom.email.ilike(like), whom.full_name.ilike(like), AuditEvent.subject.ilike(like)
            )
        )
    if filters.action:
        clauses.append(AuditEvent.action == filters.action)
    if filters.since:
        clauses.append(AuditEvent.occurred_at >= datetime.combine(filters.since, time(), LOCAL_TZ))
    if filters.until:
        end = datetime.combine(filters.until, time.max, LOCAL_TZ)
        clauses.append(AuditEvent.occurred_at <= end)
    base = (
        sa.select(AuditEvent)
        .outerjoin(who, AuditEvent.actor_id == who.id)
        .outerjoin(whom, AuditEvent.target_user_id == whom.id)
        .where(*clauses)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    rows = db.session.scalars(
        base.options(joinedload(AuditEvent.actor), joinedload(AuditEvent.target_user))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total
