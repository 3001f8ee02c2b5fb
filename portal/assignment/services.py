"""Who works a case: a clerk takes an unassigned one, a supervisor assigns and reassigns.

Each change is one transaction under the case's row lock: the permission is asked again
(`portal.permissions.authorize`, tasks CLAIM and ASSIGN), the page's view of the assignee is
compared with the row's (another person acted first: `Conflict`, nothing changes), and the
change is written in the case history (visible to staff only) and in the audit log. Sending the
same change twice (a double click) changes nothing the second time and succeeds.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import AuditEvent, User
from portal.applications.models import Application, HistoryEntry
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.extensions import db

#: History actions of this module (never shown to the applicant; titles in
#: `portal.applications.presenters.ASSIGNMENT_TITLES`).
CLAIMED = "assignment:claim"
ASSIGNED = "assignment:assign"


def _locked(application_id: int) -> Application:
    return db.session.scalar(
        sa.select(Application)
        .where(Application.id == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _expected(application: Application, expected: str) -> None:
    """The page showed `expected` as the assignee ("" for none); else someone acted first
    (the lock is released and nothing changes)."""
    current = "" if application.assignee_id is None else str(application.assignee_id)
    if expected != current:
        db.session.rollback()
        raise Conflict("assignee_changed")


def _record(application: Application, actor: User, action: str, assignee: User, ip) -> None:
    previous = application.assignee
    application.assignee_id = assignee.id
    application.assignee = assignee
    comment = (
        assignee.full_name if previous is None else f"{previous.full_name} → {assignee.full_name}"
    )
    db.session.add(
        HistoryEntry(
            application=application,
            actor_id=actor.id,
            actor_role=actor.role,
            action=action,
            from_state=application.state,
            to_state=application.state,
            comment=comment,
        )
    )
    db.session.add(
        AuditEvent(
            action=action.replace(":", "."),
            actor_id=actor.id,
            application_id=application.id,
            subject=application.tracking_number or "",
            ip=ip,
            detail={
                "assignee_id": assignee.id,
                "previous_id": previous.id if previous is not None else None,
            },
        )
    )


def claim(*, actor: User, application_id: int, expected: str, ip: str | None = None) -> bool:
    """The actor takes an unassigned open case their role acts on.

    Args:
        expected: The assignee the page showed: "" (none) or the id as text.

    Returns:
        True when it changed; False when the actor already had it (a double submission).

    Raises:
        NotFound, NotAllowed: the case is not theirs to take (`authorize`, task CLAIM).
        Conflict: `assignee_changed`: someone else took or assigned it first.
    """
    application = _locked(application_id)
    try:
        permissions.authorize(actor, application, permissions.CLAIM)
    except NotAllowed:
        db.session.rollback()
        raise
    if application.assignee_id == actor.id:
        db.session.rollback()
        return False
    _expected(application, expected)
    _record(application, actor, CLAIMED, actor, ip)
    db.session.commit()
    return True


def eligible_assignees(application: Application, actor: User) -> list[User]:
    """Active staff of the actor's scope who see the case and whose role acts in its state."""
    from portal.procedures.services import definition_of
    from portal.review.queues import staff_of_scope

    roles = set(definition_of(application.procedure_version).state(application.state).roles)
    return [
        person
        for person in staff_of_scope(actor)
        if person.role in roles and permissions.role_on(application, person) is not None
    ]


def assign(
    *, actor: User, application_id: int, assignee_id: int, expected: str, ip: str | None = None
) -> bool:
    """A supervisor (or admin) gives the case to `assignee_id`, or moves it to them.

    Returns:
        True when it changed; False when that person already had it (a double submission).

    Raises:
        NotFound, NotAllowed: not the actor's to assign (`authorize`, task ASSIGN).
        InvalidInput: `assignee` / `invalid_assignee`: not a person of the scope whose role
            acts on the case now.
        Conflict: `assignee_changed`: the assignee changed since the page was shown.
    """
    application = _locked(application_id)
    try:
        permissions.authorize(actor, application, permissions.ASSIGN)
    except NotAllowed:
        db.session.rollback()
        raise
    if application.assignee_id == assignee_id:
        db.session.rollback()
        return False
    _expected(application, expected)
    assignee = next(
        (p for p in eligible_assignees(application, actor) if p.id == assignee_id), None
    )
    if assignee is None:
        db.session.rollback()
        raise InvalidInput("invalid_assignee", field="assignee")
    _record(application, actor, ASSIGNED, assignee, ip)
    db.session.commit()
    return True


def workload(actor: User, today: date, soon: date) -> list[dict]:
    """Per active staff person of the actor's scope: open cases, overdue and due soon.

    Returns:
        [{"person": User, "open": int, "overdue": int, "soon": int}], by name; one GROUP BY.

    Raises:
        NotAllowed: `role_not_allowed`: the actor's role oversees no workload.
    """
    from portal.review.queues import staff_of_scope

    if actor.role not in permissions.OFFICE_VIEW_ROLES:
        raise NotAllowed("role_not_allowed", role=actor.role, task="workload")
    people = staff_of_scope(actor)
    running = Application.clock_suspended.is_(False)
    rows = db.session.execute(
        sa.select(
            Application.assignee_id,
            sa.func.count(),
            sa.func.count().filter(running, Application.queue_due < today),
            sa.func.count().filter(
                running, Application.queue_due >= today, Application.queue_due <= soon
            ),
        )
        .where(
            Application.queue_due.is_not(None),
            Application.assignee_id.in_([p.id for p in people] or [0]),
        )
        .group_by(Application.assignee_id)
    ).all()
    by_person = {row[0]: row[1:] for row in rows}
    keys = ("person", "open", "overdue", "soon")
    return [dict(zip(keys, (p, *by_person.get(p.id, (0, 0, 0))), strict=True)) for p in people]
