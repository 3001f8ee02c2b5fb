"""Who works a case: a clerk takes an unassigned one, a supervisor assigns and reassigns.

Each change is one transaction under the case's row lock: the permission is asked again
(`portal.permissions.authorize`, tasks CLAIM and ASSIGN), the page's view of the assignee is
compared with the row's (another person acted first: `Conflict`, nothing changes), and the
change is written in the case history (visible to staff only) and in the audit log. Sending the
same change twice (a double click) changes nothing the second time and succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import AuditEvent, User
from portal.applications.models import Application, HistoryEntry, real_cases
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.extensions import db

#: History actions of this module (never shown to the applicant; titles in
#: `portal.applications.presenters.ASSIGNMENT_TITLES`).
CLAIMED = "assignment:claim"
ASSIGNED = "assignment:assign"
#: At most this many cases in one bulk reassignment (a forged list longer is cut).
MAX_BULK = 500


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
            actor_role=permissions.role_on(application, actor) or actor.role,
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


def _acting_roles(application: Application) -> set[str]:
    from portal.procedures.services import definition_of

    return set(definition_of(application.procedure_version).state(application.state).roles)


def _unfit(application: Application, person: User, roles: set[str]) -> str | None:
    if not person.has_role(*roles):
        return "assignee_role_not_acting"
    if permissions.role_on(application, person) is None:
        return "assignee_cannot_see"
    return None


def eligible_assignees(
    application: Application, actor: User, among: list[User] | None = None
) -> list[User]:
    """Active staff of the actor's scope (or `among`, the staff of another office the actor
    manages) who see the case and whose role acts in its state."""
    roles = _acting_roles(application)
    return [p for p in _candidates(actor, among) if _unfit(application, p, roles) is None]


def _candidates(actor: User, among: list[User] | None) -> list[User]:
    """Whom the actor may give cases to: `among`, else the active staff of their scope."""
    from portal.review.queues import staff_of_scope

    return staff_of_scope(actor) if among is None else among


def refusal_for(
    application: Application, actor: User, person: User, among: list[User] | None = None
) -> str | None:
    """Why `eligible_assignees` leaves `person` out, as a code; None when it keeps them.

    `assignee_not_in_scope`: not active staff of the actor's scope; `assignee_role_not_acting`:
    none of their roles acts in the case's state (read from its definition);
    `assignee_cannot_see`: the case is not theirs to see (another authority's).
    """
    if person.id not in {p.id for p in _candidates(actor, among)}:
        return "assignee_not_in_scope"
    return _unfit(application, person, _acting_roles(application))


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
    try:
        changed = assign_locked(
            actor=actor, application=_locked(application_id), assignee_id=assignee_id,
            expected=expected, ip=ip,
        )  # fmt: skip
    except (NotAllowed, InvalidInput, Conflict):
        db.session.rollback()
        raise
    if not changed:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def assign_locked(
    *,
    actor: User,
    application: Application,
    assignee_id: int,
    expected: str,
    ip: str | None,
    among: list[User] | None = None,
) -> bool:
    """`assign` on a case already locked (`lock_case`), inside the caller's transaction: it
    only flushes, and on a refusal raises without rolling back (a bulk command goes on)."""
    permissions.authorize(actor, application, permissions.ASSIGN)
    if application.assignee_id == assignee_id:
        return False
    current = "" if application.assignee_id is None else str(application.assignee_id)
    if expected != current:
        raise Conflict("assignee_changed")
    # Only the person chosen is checked, by the rule `eligible_assignees` applies to everyone
    # (a bulk reassignment of hundreds of cases asks once per case, not once per colleague).
    assignee = next((p for p in _candidates(actor, among) if p.id == assignee_id), None)
    if assignee is None or _unfit(application, assignee, _acting_roles(application)):
        raise InvalidInput("invalid_assignee", field="assignee")
    _record(application, actor, ASSIGNED, assignee, ip)
    db.session.flush()
    return True


def lock_case(application_id: int) -> Application | None:
    """The case under its row lock, fresh from the database (None: no such case)."""
    return _locked(application_id)


@dataclass
class Reassignment:
    """What a bulk reassignment did: the cases moved, those already with the chosen person,
    and those left as they were with the reason (a code), each by tracking number."""

    target: User
    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def reassign_cases(
    *, actor: User, user_id: int, target_id: int, case_ids, ip: str | None = None
) -> Reassignment:
    """An admin gives the person's open cases (`case_ids`, as the page listed them) to another
    active staff member of the scope, in one transaction, each case as `assign` does.

    A case the chosen person cannot take (their role does not act in its state, they do not
    see it), one closed meanwhile, or one someone else reassigned since the page was shown
    stays as it was and is listed in `refused`; the others move. Sent twice, the second
    changes nothing (each case is already theirs: `unchanged`).

    Raises:
        NotFound: the person, the chosen person or a case is not in the admin's scope.
        InvalidInput: `reassign_target` (target): the chosen person is the same one, or not
            active.
    """
    from portal.audit.services import record_admin_change
    from portal.staff.services import CASES_REASSIGNED, get_staff_for

    person = get_staff_for(actor, user_id, lock=True)  # two submissions queue up here
    try:
        target = get_staff_for(actor, target_id)
    except NotFound:
        db.session.rollback()
        raise
    if target.id == person.id or not target.active:
        db.session.rollback()
        raise InvalidInput("reassign_target", field="target")
    result = Reassignment(target=target)
    office = office_staff(actor, person)
    for case_id in sorted(set(case_ids))[:MAX_BULK]:  # one order: no deadlock between two
        application = _locked(case_id)
        if application is None:
            db.session.rollback()
            raise NotFound("not_found")
        _reassign_one(actor, application, person, target, result, ip, office)
    if not result.moved:
        db.session.rollback()
        return result
    record_admin_change(
        actor, CASES_REASSIGNED, person.email, ip=ip, authority_id=person.authority_id,
        before={"assignee": person.email, "cases": result.moved},
        after={"assignee": target.email, "cases": result.moved, "refused": result.refused},
    )  # fmt: skip
    db.session.commit()
    return result


def office_staff(actor: User, person: User) -> list[User]:
    """Who may be given a person's cases: the active staff of the actor's scope and of the
    person's office (an OPAMSS admin moving a district clerk's cases sees that district's
    staff too); each case then takes only those who see it and act in its state."""
    from portal.review.queues import staff_of_scope

    people = {p.id: p for p in staff_of_scope(actor)}
    people.update((p.id, p) for p in staff_of_scope(person))
    return sorted(people.values(), key=lambda p: p.full_name)


def _reassign_one(actor, application, person, target, result: Reassignment, ip, office) -> None:
    number = application.tracking_number or str(application.id)
    try:
        changed = assign_locked(
            actor=actor, application=application, assignee_id=target.id,
            expected=str(person.id), ip=ip, among=office,
        )  # fmt: skip
    except NotFound:
        db.session.rollback()
        raise
    except NotAllowed:  # the admin may not assign it now: it is no longer open
        result.refused.append((number, "reassign_case_closed"))
    except Conflict:
        result.refused.append((number, "reassign_case_moved"))
    except InvalidInput:
        reason = refusal_for(application, actor, target, office) or "invalid_assignee"
        result.refused.append((number, reason))
    else:
        (result.moved if changed else result.unchanged).append(number)


def workload(actor: User, today: date, soon: date) -> list[dict]:
    """Per active staff person of the actor's scope: open cases, overdue and due soon.

    Returns:
        [{"person": User, "open": int, "overdue": int, "soon": int}], by name; one GROUP BY.

    Raises:
        NotAllowed: `role_not_allowed`: the actor's role oversees no workload.
    """
    from portal.review.queues import staff_of_scope

    if not actor.has_role(*permissions.OFFICE_VIEW_ROLES):
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
            real_cases(),
            Application.assignee_id.in_([p.id for p in people] or [0]),
        )
        .group_by(Application.assignee_id)
    ).all()
    by_person = {row[0]: row[1:] for row in rows}
    keys = ("person", "open", "overdue", "soon")
    return [dict(zip(keys, (p, *by_person.get(p.id, (0, 0, 0))), strict=True)) for p in people]
