"""Back-office acts that feed the engine's guards: item verdicts, inspections, payments."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forms.fields import LONG_TEXT_MAX
from portal import permissions
from portal.accounts.models import User
from portal.applications.effects import LOCAL_TZ
from portal.applications.models import Application, HistoryEntry
from portal.applications.services import lock_application
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.extensions import db
from portal.payments import services as payments
from portal.payments.models import PaymentOrder
from portal.review.models import CaseNote, Inspection, ReviewVerdict
from portal.review.rounds import Seen
from workflows.guards import RECORD_INSPECTION, RECORD_PAYMENT, RECORD_VERDICTS

INSPECTION_RESULTS = ("conforme", "con_observaciones", "no_conforme")
#: Longest internal note, in characters.
NOTE_MAX_CHARS = LONG_TEXT_MAX  # forms.fields: the one limit of a typed note


def _authorized(application: Application, actor: User, task: str) -> tuple[Application, str]:
    """Lock the case, ask the one permission check for `task`, return the case and the role.

    Raises:
        NotFound: not the actor's case (or not filed yet).
        NotAllowed: their role may not do `task` in the case's current state.
    """
    locked = lock_application(application)
    if not actor.is_staff:
        raise NotAllowed("role_not_allowed")
    return locked, permissions.authorize(actor, locked, task)


def _record_act(application: Application, actor: User, role: str, task: str) -> None:
    """Write who did a staff task in the case history (the state does not change)."""
    db.session.add(HistoryEntry.staff_act(application, actor, role, task))


def round_started_at(application: Application):
    """When the applicant last submitted: verdicts before that judged older data."""
    submissions = [h.occurred_at for h in application.history if h.actor_role == "applicant"]
    return submissions[-1] if submissions else application.created_at


def current_verdicts(application: Application) -> dict[str, ReviewVerdict]:
    """The latest verdict on each item that still judges it as it is now.

    A verdict given on an earlier submission still counts when its item did not change since
    (`portal.review.rounds.ReviewState.holds`): after a correction only changed items need a
    new verdict. Two statements.
    """
    from portal.review.rounds import review_state

    return review_state(application).current()


def has_checklist(definition) -> bool:
    """Tell whether a definition inspects with a checklist (`inspection.checklist`): its
    visits are scheduled and recorded item by item, never with the plain form."""
    return bool(definition.inspection and definition.inspection.checklist)


def inspection_recorded(application: Application) -> bool:
    """An inspection was recorded since the case entered its current state."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Inspection.id)).where(
                Inspection.application_id == application.id,
                Inspection.recorded_at >= application.state_entered_at,
            )
        )
        > 0
    )


def record_verdicts(
    *,
    actor: User,
    application: Application,
    verdicts: dict[str, tuple],
    items: tuple[str, ...],
    seen: Seen | None = None,
) -> int:
    """Record OK / not OK on review items; a 'not OK' needs its reason. Returns how many.

    `verdicts` maps an item to `(ok, reason)` or `(ok, reason, codes)`: `codes` are the
    definition's correction reasons chosen that fit the item (`Definition.item_reasons`);
    others are dropped. A "not OK" needs a reason text or a code. Each verdict judges the
    applicant's latest submission (`portal.review.rounds`). A verdict equal to the one that
    counts now on its item is not recorded again (a double submission records once).

    `seen` is what the clerk's page showed (`portal.review.rounds.Seen`); when given, a save
    on an item someone else judged since, or after the applicant submitted again, changes
    nothing (None: not checked, for callers without a page).

    Raises:
        NotFound, NotAllowed: from `portal.permissions.authorize` (task `record_verdicts`).
        InvalidInput: `reason_required` at the item judged not OK without a reason.
        Conflict: `verdicts_changed`, with `items` (the items judged meanwhile, in the order
            given) and `resubmitted` (the applicant submitted since: every item), when `seen`
            is stale.
    """
    from portal.procedures.services import definition_of
    from portal.review.rounds import review_state

    application, role = _authorized(application, actor, RECORD_VERDICTS)
    definition = definition_of(application.procedure_version)
    state = review_state(application)
    given = [item for item in verdicts if item in items]  # a forged or stale item: ignored
    if seen is not None:
        changed = state.changed_since(seen, given, actor.id)
        if changed:
            db.session.rollback()
            raise Conflict(
                "verdicts_changed", items=tuple(changed), resubmitted=state.resubmitted_since(seen)
            )
    submission_id = state.latest.id if state.latest is not None else None
    current = state.current()
    recorded = 0
    for item in given:
        ok, reason = verdicts[item][0], verdicts[item][1].strip()
        chosen = set(verdicts[item][2]) if len(verdicts[item]) > 2 else set()
        codes = [r.code for r in definition.item_reasons(item) if r.code in chosen and not ok]
        if not ok and not reason and not codes:
            db.session.rollback()
            raise InvalidInput("reason_required", field=item)
        now = current.get(item)
        if now is not None and (now.ok, now.reason, now.reasons or []) == (ok, reason, codes):
            continue  # as it counts already: nothing new to say
        db.session.add(
            ReviewVerdict(
                application_id=application.id,
                item=item,
                ok=ok,
                reason=reason,
                reasons=codes or None,
                submission_id=submission_id,
                actor_id=actor.id,
            )
        )
        recorded += 1
    if recorded:
        _record_act(application, actor, role, RECORD_VERDICTS)
    db.session.commit()
    return recorded


def record_inspection(
    *, actor: User, application: Application, visited_on: date, result: str, notes: str, today: date
) -> Inspection:
    """Record a site visit (between the filing day and today, local time) for the case,
    without a visit scheduled or a checklist: only for procedures whose definition has no
    inspection checklist (the others record the scheduled visit,
    `portal.inspections.services.record_visit`), and once in the case's current state.

    Raises:
        NotFound, NotAllowed: from `portal.permissions.authorize` (task `record_inspection`).
        InvalidInput: `inspection_needs_visit` (the definition has a checklist),
            `inspection_already_recorded` (another was recorded in this state: one record per
            visit; the same form sent twice returns the first), `date_in_future` or
            `date_before_filing` at `visited_on`,
            `invalid_choice` at `result`. Nothing is stored.
    """
    from portal.procedures.services import definition_of

    application, role = _authorized(application, actor, RECORD_INSPECTION)
    if has_checklist(definition_of(application.procedure_version)):
        raise InvalidInput("inspection_needs_visit", field="visited_on")
    if inspection_recorded(application):
        latest = db.session.scalar(
            sa.select(Inspection)
            .where(Inspection.application_id == application.id)
            .order_by(Inspection.id.desc())
            .limit(1)
        )
        same = (latest.inspector_id, latest.visited_on, latest.result, latest.notes)
        if same == (actor.id, visited_on, result, notes.strip()):
            db.session.rollback()
            return latest  # the same form sent twice
        raise InvalidInput("inspection_already_recorded", field="visited_on")
    if visited_on > today:
        raise InvalidInput("date_in_future", field="visited_on")
    filed_on = application.filed_at.astimezone(LOCAL_TZ).date() if application.filed_at else None
    if filed_on is not None and visited_on < filed_on:
        raise InvalidInput(
            "date_before_filing", field="visited_on", filed=filed_on.strftime("%d/%m/%Y")
        )
    if result not in INSPECTION_RESULTS:
        raise InvalidInput("invalid_choice", field="result")
    inspection = Inspection(
        application_id=application.id,
        inspector_id=actor.id,
        visited_on=visited_on,
        result=result,
        notes=notes.strip(),
    )
    db.session.add(inspection)
    _record_act(application, actor, role, RECORD_INSPECTION)
    db.session.commit()
    return inspection


def record_payment(
    *, actor: User, application: Application, order_id: int, reference: str
) -> PaymentOrder:
    """Mark a pending payment order of this case paid at the counter or bank, once.

    Only the roles that take a transition guarded by `fee_paid` from the current state may
    (the definition names them, `workflows.allowed_tasks`); the history says who recorded it,
    and `reference` (the receipt's number) is kept on the order. The case and the order are
    locked: of two recordings at once, the first pays and the second finds it paid (a no-op);
    an online payment notified meanwhile is the first, and this one then changes nothing.
    Paying may let the case go on by itself (`portal.payments.services._settle`).

    Raises:
        NotFound: not the actor's case, or the order is not this case's.
        NotAllowed: their role may not record payments in the case's current state.
        InvalidInput: `required` at `reference`.
    """
    application, role = _authorized(application, actor, RECORD_PAYMENT)
    order = payments.record_counter_payment(application, order_id, reference, actor, role)
    db.session.commit()
    return order


def fee_paid(application: Application) -> bool:
    """Every payment order issued is paid, and there is at least one."""
    statuses = db.session.scalars(
        sa.select(PaymentOrder.status).where(
            PaymentOrder.application_id == application.id, PaymentOrder.status != "cancelled"
        )
    ).all()
    return bool(statuses) and all(status == "paid" for status in statuses)


def add_note(*, actor: User, application: Application, body: str) -> CaseNote:
    """Append an internal note to the case (staff who may see it); never shown to applicants.

    Raises:
        NotFound: not the actor's case.
        NotAllowed: `role_not_allowed` for someone who is not staff.
        InvalidInput: `required` at `body` when blank, `too_long` beyond `NOTE_MAX_CHARS`.
    """
    application = lock_application(application)
    if not actor.is_staff:
        raise NotAllowed("role_not_allowed")
    permissions.authorize(actor, application, permissions.READ)
    text = body.strip()
    if not text:
        raise InvalidInput("required", field="body")
    if len(text) > NOTE_MAX_CHARS:
        raise InvalidInput("too_long", field="body")
    note = CaseNote(application_id=application.id, author_id=actor.id, body=text)
    db.session.add(note)
    db.session.commit()
    return note


def list_notes(application: Application) -> list[CaseNote]:
    """The case's internal notes, newest first, with their authors (one statement)."""
    return list(
        db.session.scalars(
            sa.select(CaseNote)
            .where(CaseNote.application_id == application.id)
            .options(joinedload(CaseNote.author))
            .order_by(CaseNote.id.desc())
        )
    )
