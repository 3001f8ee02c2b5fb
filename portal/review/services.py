"""Back-office acts that feed the engine's guards: item verdicts, inspections, payments."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications.models import Application
from portal.errors import InvalidInput, NotAllowed
from portal.extensions import db, utcnow
from portal.payments.models import PaymentOrder
from portal.review.models import Inspection, ReviewVerdict

INSPECTION_RESULTS = ("conforme", "con_observaciones", "no_conforme")


def _staff_on(application: Application, actor: User) -> None:
    from portal.applications.services import role_on

    if not actor.is_staff or role_on(application, actor) is None:
        raise NotAllowed("not_your_case")


def round_started_at(application: Application):
    """When the applicant last submitted: verdicts before that judged older data."""
    submissions = [h.occurred_at for h in application.history if h.actor_role == "applicant"]
    return submissions[-1] if submissions else application.created_at


def current_verdicts(application: Application) -> dict[str, ReviewVerdict]:
    """The latest verdict on each item in the current review round."""
    since = round_started_at(application)
    rows = db.session.scalars(
        sa.select(ReviewVerdict)
        .where(ReviewVerdict.application_id == application.id)
        .order_by(ReviewVerdict.id)
    ).all()
    return {row.item: row for row in rows if row.decided_at >= since}


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
    verdicts: dict[str, tuple[bool, str]],
    items: tuple[str, ...],
) -> int:
    """Record OK / not OK on review items; a 'not OK' needs its reason. Returns how many."""
    _staff_on(application, actor)
    recorded = 0
    for item, (ok, reason) in verdicts.items():
        if item not in items:
            continue  # a forged or stale item: ignore, never store it
        if not ok and not reason.strip():
            db.session.rollback()
            raise InvalidInput("reason_required", field=item)
        db.session.add(
            ReviewVerdict(
                application_id=application.id,
                item=item,
                ok=ok,
                reason=reason.strip(),
                actor_id=actor.id,
            )
        )
        recorded += 1
    db.session.commit()
    return recorded


def record_inspection(
    *, actor: User, application: Application, visited_on: date, result: str, notes: str, today: date
) -> Inspection:
    """Record a site visit (not in the future) for the case's current state."""
    _staff_on(application, actor)
    if visited_on > today:
        raise InvalidInput("date_in_future", field="visited_on")
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
    db.session.commit()
    return inspection


def record_payment(
    *, actor: User, application: Application, order_id: int, reference: str
) -> PaymentOrder:
    """Mark a pending payment order of this case paid at the counter or bank, once."""
    _staff_on(application, actor)
    order = db.session.scalar(
        sa.select(PaymentOrder)
        .where(PaymentOrder.id == order_id, PaymentOrder.application_id == application.id)
        .with_for_update()
    )
    if order is None:
        raise NotAllowed("not_your_case")
    if not reference.strip():
        raise InvalidInput("required", field="reference")
    if order.status == "pending":
        order.status, order.paid_at = "paid", utcnow()
        order.payment_reference = reference.strip()[:80]
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
