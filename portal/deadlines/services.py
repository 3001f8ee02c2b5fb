"""Apply due breach actions (notify, escalate, positive silence, abandonment) as system acts."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.applications import clocks, effects
from portal.applications.models import Application, HistoryEntry, real_cases
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


def _role_title(role: str) -> str:
    """The role as the stored Spanish sentence names it ("jefatura", not "supervisor")."""
    from flask_babel import force_locale

    from portal.applications.dashboard import ROLE_TITLES

    with force_locale("es"):
        return str(ROLE_TITLES.get(role, role))


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
    }[action.kind].format(due=shown, role=_role_title(action.role))
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
    The stored `next_breach_on` only selects the case: what is due is computed here, under the
    case's lock, from the calendar as it is now, so a day off added since the case's dates
    were last derived (its re-derivation job still queued) never makes a breach early.
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
            real_cases(),  # a test case warns, escalates and lapses no one
        )
        .order_by(Application.id)
    ).all()
    db.session.rollback()
    applied = 0
    for application_id in ids:
        applied += len(sweep_case(application_id, today))
    return {"cases": len(ids), "actions": applied}


#: Open cases derived again per job: one short transaction each (100k cases: 200 jobs).
REDERIVE_BATCH = 500


def calendar_changed(authority_id: int | None) -> None:
    """Queue deriving again the deadlines of the open cases a calendar change counts for.

    Called by every command that changes a calendar (a day off added, removed or ended, the
    vacation settings) before its commit, so the job is dispatched only if the change is
    committed. `authority_id` None is a change of every authority's calendar.
    """
    enqueue("rederive_deadlines", authority_id=authority_id, after_id=0)


def rederive_deadlines(authority_id: int | None, after_id: int) -> int:
    """Derive again, from the calendar as it is now, the deadlines of the next open cases.

    The cases are the open ones (filed, not decided; test cases included, their dates are
    read by test mode only) of `authority_id` and the authorities under it (they inherit its
    days), or of every authority with None, whose id is above `after_id`: at most
    `REDERIVE_BATCH`, locked, through `clocks.derive_deadlines` as any change of a case. When
    the batch is full the next one is queued in the same transaction, so each batch commits
    on its own and a batch that fails is retried alone. A case already derived from this
    calendar is not written (idempotent); a case whose dates move keeps its `lock_version`
    and `updated_at` (`_write_derived`). The job's run commits.

    Returns:
        How many cases were derived again.
    """
    from portal.authorities.services import scope_ids

    query = (
        sa.select(Application)
        .where(
            Application.tracking_number.is_not(None),
            Application.decided_at.is_(None),
            Application.id > after_id,
        )
        .order_by(Application.id)
        .limit(REDERIVE_BATCH)
        .options(
            selectinload(Application.history),
            selectinload(Application.authority),
            selectinload(Application.procedure_version),
        )
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    )
    if authority_id is not None:
        query = query.where(Application.authority_id.in_(scope_ids(authority_id)))
    cases = db.session.scalars(query).all()
    calendars: dict[int, object] = {}
    with db.session.no_autoflush:
        for application in cases:
            calendar = calendars.get(application.authority_id)
            if calendar is None:
                calendar = calendars[application.authority_id] = clocks.calendar_of(application)
            clocks.derive_deadlines(
                application, definition_of(application.procedure_version), calendar
            )
            _write_derived(application)
    if len(cases) == REDERIVE_BATCH:
        enqueue("rederive_deadlines", authority_id=authority_id, after_id=cases[-1].id)
    db.session.flush()
    return len(cases)


def _write_derived(application: Application) -> None:
    """Write the columns `derive_deadlines` changed, and only those, as the case's own columns.

    Not through the ORM's flush: that would bump the case's `lock_version` and `updated_at`,
    and no one acted on the case (a reviewer's decision form open on it stays valid).
    """
    state = sa.inspect(application)
    changed = {
        attr.key: attr.value
        for attr in state.attrs
        if attr.key in state.mapper.column_attrs and attr.history.has_changes()
    }
    if not changed:
        return
    for key, value in changed.items():
        set_committed_value(application, key, value)
    db.session.execute(
        sa.update(Application)
        .where(Application.id == application.id)
        .values(**changed, updated_at=Application.updated_at)
        .execution_options(synchronize_session=False)
    )
