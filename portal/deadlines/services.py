"""Apply due breach actions (notify, escalate, positive silence, abandonment) as system acts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.applications import effects
from portal.applications.models import Application, HistoryEntry
from portal.authorities.services import calendar_for
from portal.extensions import db, utcnow
from portal.jobs.services import enqueue
from portal.procedures.services import definition_of
from workflows.breaches import DueBreach, due_breaches
from workflows.engine import Outcome
from workflows.model import Ref

SILENCE_TEXT = (
    "Resolución favorable por silencio administrativo positivo (Ley de Procedimientos "
    "Administrativos, Arts. 113 y 114): el plazo para resolver venció el {due} sin resolución "
    "expresa. La petición se tiene por concedida."
)
ABANDON_TEXT = (
    "Se declara el abandono del expediente: el plazo para corregir venció el {due} sin que se "
    "presentaran las correcciones solicitadas."
)
NOTIFY_TEXT = "Aviso automático al rol «{role}»: el plazo de esta etapa venció el {due}."
ESCALATE_TEXT = "Escalado automático al rol «{role}»: el plazo de esta etapa venció el {due}."


def _local(moment) -> date:
    return moment.astimezone(effects.LOCAL_TZ).date()


def _applied_keys(application: Application) -> set[str]:
    """Keys already applied: state keys in this visit of the state, procedure keys ever."""
    keys = set()
    for entry in application.history:
        if not entry.action.startswith("breach:"):
            continue
        key = entry.action.removeprefix("breach:")
        if key.startswith("procedure:") or entry.occurred_at >= application.state_entered_at:
            keys.add(key)
    return keys


def _apply(application: Application, definition, due: DueBreach) -> None:
    action = due.action
    shown = due.due_on.strftime("%d/%m/%Y")
    source = application.state
    target = action.target if action.kind in ("deem_approved", "deem_abandoned") else source
    text = {
        "deem_approved": SILENCE_TEXT,
        "deem_abandoned": ABANDON_TEXT,
        "notify": NOTIFY_TEXT,
        "escalate": ESCALATE_TEXT,
    }[action.kind].format(due=shown, role=action.role)
    entry = HistoryEntry(
        application=application,
        actor_id=None,
        actor_role="system",
        action=f"breach:{due.key}",
        from_state=source,
        to_state=target,
        comment=text,
    )
    db.session.add(entry)
    db.session.flush()
    if action.kind == "notify" and action.role == "applicant":
        enqueue("send_notification", history_id=entry.id)
    elif action.kind == "notify":
        enqueue("alert_staff", history_id=entry.id, role=action.role)
    elif action.kind == "escalate":
        application.assigned_role = action.role
        enqueue("alert_staff", history_id=entry.id, role=action.role)
    else:
        application.state = target
        application.state_entered_at = utcnow()
        refs = [Ref("notify")]
        if action.kind == "deem_approved":
            refs += [
                Ref("issue_certificate"),
                Ref("emit_feed_event", {"type": "case.resolved"}),
                Ref("emit_feed_event", {"type": "permit.issued"}),
            ]
        else:
            refs += [Ref("emit_feed_event", {"type": "case.resolved"})]
        effects.apply(
            application, definition, Outcome(entry.action, source, target, tuple(refs)), entry
        )


def sweep_case(application_id: int, today: date) -> list[str]:
    """Apply the breach actions due on one case, in one transaction; return their keys."""
    application = db.session.scalar(
        sa.select(Application)
        .where(Application.id == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    definition = definition_of(application.procedure_version)
    applied = _applied_keys(application)
    done = []
    for due in due_breaches(
        definition,
        application.state,
        entered_on=_local(application.state_entered_at),
        filed_on=_local(application.filed_at) if application.filed_at else None,
        procedure_due_on=application.due_on,
        today=today,
        calendar=calendar_for(application.authority, around=today.year),
    ):
        if due.key in applied or definition.state(application.state).is_final:
            continue
        _apply(application, definition, due)
        done.append(due.key)
    db.session.commit()
    return done


def sweep_deadlines(today: date | None = None) -> dict[str, int]:
    """Sweep every open case whose stage or overall deadline has passed."""
    today = today or effects.local_now().date()
    ids = db.session.scalars(
        sa.select(Application.id)
        .where(
            Application.tracking_number.is_not(None),
            Application.decided_at.is_(None),
            sa.or_(Application.state_due_on < today, Application.due_on < today),
        )
        .order_by(Application.id)
    ).all()
    db.session.rollback()
    applied = 0
    for application_id in ids:
        applied += len(sweep_case(application_id, today))
    return {"cases": len(ids), "actions": applied}
