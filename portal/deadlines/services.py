"""Apply due breach actions (notify, escalate, positive silence, abandonment) as system acts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.applications import clocks, effects
from portal.applications.models import Application, HistoryEntry
from portal.extensions import db, utcnow
from portal.jobs.services import enqueue
from portal.procedures.services import definition_of
from workflows.breaches import DueBreach, due_breaches
from workflows.engine import Outcome
from workflows.model import BreachAction, Ref

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
EARLY_TEXT = (
    "Aviso automático al rol «{role}»: el {due} se cumplió el plazo de aviso de esta etapa."
)
EARLY_ESCALATE_TEXT = (
    "Escalado automático al rol «{role}»: el {due} se cumplió el plazo de aviso de esta etapa."
)


#: What a breach that moves a case performs when neither the action nor a transition from the
#: current state to its target says (the convention of definitions written before breach
#: actions could carry effects).
DEFAULT_EFFECTS = {
    "deem_approved": (
        Ref("notify"),
        Ref("issue_certificate"),
        Ref("emit_feed_event", {"type": "case.resolved"}),
        Ref("emit_feed_event", {"type": "permit.issued"}),
    ),
    "deem_abandoned": (Ref("notify"), Ref("emit_feed_event", {"type": "case.resolved"})),
}


def breach_effects(definition, source: str, action: BreachAction) -> tuple[Ref, ...]:
    """The effects a breach that moves a case from `source` performs.

    The action's own `effects` win; else those of the transitions from `source` to the
    action's target, in definition order without repeats (a registration granted by silence
    registers its establishment as the officer's approval would); else `DEFAULT_EFFECTS`.
    """
    if action.effects:
        return action.effects
    refs: list[Ref] = []
    for transition in definition.transitions_from(source):
        if transition.target == action.target:
            refs += [ref for ref in transition.effects if ref not in refs]
    return tuple(refs) or DEFAULT_EFFECTS[action.kind]


def _apply(application: Application, definition, due: DueBreach) -> None:
    action = due.action
    shown = due.due_on.strftime("%d/%m/%Y")
    source = application.state
    moves = action.kind in ("deem_approved", "deem_abandoned")
    target = action.target if moves else source
    text = {
        "deem_approved": SILENCE_TEXT,
        "deem_abandoned": ABANDON_TEXT,
        "notify": NOTIFY_TEXT if due.fires_on > due.due_on else EARLY_TEXT,
        "escalate": ESCALATE_TEXT if due.fires_on > due.due_on else EARLY_ESCALATE_TEXT,
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
    if moves:
        application.state = target
        application.state_entered_at = utcnow()
        refs = breach_effects(definition, source, action)
        effects.apply(application, definition, Outcome(entry.action, source, target, refs), entry)


def sweep_case(application_id: int, today: date) -> list[str]:
    """Apply the breach actions due on one case by `today`, each once, in one transaction.

    A breach that moves the case ends the sweep of it: the new state's actions count from now.
    Returns the keys applied.
    """
    application = db.session.scalar(
        sa.select(Application)
        .where(Application.id == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    definition = definition_of(application.procedure_version)
    calendar = clocks.calendar_of(application)
    done = []
    state = application.state
    if not definition.state(state).is_final:
        for due in due_breaches(
            definition,
            state,
            entered_on=clocks.local_date(application.state_entered_at),
            procedure_clock=clocks.clock_of(application, definition, calendar),
            today=today,
            calendar=calendar,
            applied=clocks.applied_breach_keys(application),
        ):
            _apply(application, definition, due)
            done.append(due.key)
            if application.state != state:  # moved: the new state's actions count from now
                break
    clocks.derive_deadlines(application, definition, calendar)
    db.session.commit()
    return done


def sweep_deadlines(today: date | None = None) -> dict[str, int]:
    """Sweep every open case with a breach action due by `today` (its `next_breach_on`)."""
    today = today or effects.local_now().date()
    ids = db.session.scalars(
        sa.select(Application.id)
        .where(
            Application.tracking_number.is_not(None),
            Application.decided_at.is_(None),
            Application.next_breach_on <= today,
        )
        .order_by(Application.id)
    ).all()
    db.session.rollback()
    applied = 0
    for application_id in ids:
        applied += len(sweep_case(application_id, today))
    return {"cases": len(ids), "actions": applied}
