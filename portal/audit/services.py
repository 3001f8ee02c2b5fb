"""Record refused requests and staff reads of case files; list a case's access log."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import AuditEvent, User
from portal.extensions import db

#: Audit actions this module writes (the access log shows them with their Spanish label).
DENIED = "access.denied"
CASE_READ = "case.read"
DOCUMENT_READ = "document.read"
ACCESS_LOG_PAGE_SIZE = 50


def _record(action: str, actor: User, application_id: int | None, target: str, ip, **detail):
    db.session.add(
        AuditEvent(
            action=action,
            actor_id=actor.id,
            application_id=application_id,
            subject=target[:200],
            ip=ip,
            detail=detail,
        )
    )
    db.session.commit()


def record_denial(
    *,
    actor: User,
    application_id: int | None,
    target: str,
    status: int,
    reason: str,
    task: str | None,
    ip: str | None,
) -> None:
    """Record that `actor` was refused `target` (a path) with HTTP `status` (403 or 404).

    `application_id` is None when the case does not exist; the path still says what was asked.
    The refusal is its own transaction: it stays recorded although the request fails.
    """
    _record(DENIED, actor, application_id, target, ip, status=status, reason=reason, task=task)


def record_read(
    *, actor: User, application_id: int, target: str, document_id: int | None, ip: str | None
) -> None:
    """Record that a staff member opened a case file, or one of its documents or PDFs."""
    action = DOCUMENT_READ if document_id is not None or target.endswith(".pdf") else CASE_READ
    _record(action, actor, application_id, target, ip, document_id=document_id)


def list_access_log(application_id: int, page: int = 1) -> tuple[list[AuditEvent], int]:
    """One page (newest first) of the reads and refusals on a case, and their total."""
    where = AuditEvent.application_id == application_id
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(where))
    rows = db.session.scalars(
        sa.select(AuditEvent)
        .where(where)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(ACCESS_LOG_PAGE_SIZE)
        .offset((max(page, 1) - 1) * ACCESS_LOG_PAGE_SIZE)
    ).all()
    return list(rows), total


def record_admin_change(
    actor: User,
    action: str,
    subject: str,
    *,
    before: object,
    after: object,
    ip: str | None = None,
    authority_id: int | None = None,
) -> None:
    """Add the audit row of an admin change (flush only: the caller's command commits).

    Args:
        actor: The admin who made the change.
        action: A dotted code (`procedure.draft_saved`, `staff.roles_changed`).
        subject: What changed, in words an auditor searches for (at most 200 characters).
        before, after: JSON-ready pictures of the thing before and after (None: none).
        ip: The request's address, when the view passes it.
        authority_id: The authority the change concerns (so audit searches stay in scope).
    """
    detail = {"before": before, "after": after}
    if authority_id is not None:
        detail["authority_id"] = authority_id
    db.session.add(
        AuditEvent(action=action, actor_id=actor.id, subject=subject[:200], ip=ip, detail=detail)
    )
    db.session.flush()
