"""Where a role may act: the transitions it may take, and the staff tasks that feed their guards.

A staff task (item verdicts, an inspection, a payment) records a fact that a guard reads. The
definition never names tasks: a role may do a task in a state when it may take, from that
state, a transition guarded by a guard the task feeds (`Guard.task` in the registry), or one
that asks for a verdict on every item (`verdicts_required`). So a procedure whose approval
checks `fee_paid` lets exactly the approving roles record the payment, and only before the
decision.

Three more tasks are read from the workflow the same way. `schedule_inspection`: the roles
that take a transition into an inspection state (one left by a transition guarded by
`inspection_recorded`) schedule it from the state before, and reschedule or cancel it while
the case waits there. `request_opinion`: a role that acts in an office state (`active`, not
an inspection state) may consult an institution of the definition's `opinions` there;
`record_opinion` (record the answer, cancel the request): a role that acts in some office
state, while the case is neither a draft nor final.
"""

from __future__ import annotations

from workflows.guards import (
    GUARDS,
    INSPECTION_GUARD,
    RECORD_INSPECTION,
    RECORD_OPINION,
    RECORD_PAYMENT,
    RECORD_VERDICTS,
    REQUEST_OPINION,
    SCHEDULE_INSPECTION,
)
from workflows.model import Definition, Transition

#: Every staff task, in the order the case page shows their forms.
STAFF_TASKS = (
    RECORD_VERDICTS,
    RECORD_PAYMENT,
    SCHEDULE_INSPECTION,
    RECORD_INSPECTION,
    REQUEST_OPINION,
    RECORD_OPINION,
)


def tasks_fed(transition: Transition) -> frozenset[str]:
    """Return the staff tasks whose facts `transition` checks (its guards, its verdicts)."""
    tasks = {GUARDS[guard.name].task for guard in transition.guards} - {None}
    if transition.verdicts_required:
        tasks.add(RECORD_VERDICTS)
    return frozenset(tasks)  # type: ignore[arg-type]


def inspection_states(definition: Definition) -> frozenset[str]:
    """Return the states a case waits in for its inspection: those left by a transition
    guarded by `inspection_recorded`."""
    return frozenset(
        source
        for transition in definition.transitions
        if any(guard.name == INSPECTION_GUARD for guard in transition.guards)
        for source in transition.sources
    )


def _schedules_inspection(definition: Definition, state: str, role: str) -> bool:
    """Whoever sends the case to its inspection schedules it: from the state before (taking
    a transition into an inspection state), and while the case waits there (a reschedule)."""
    waiting = inspection_states(definition)
    if state in waiting:
        return any(role in t.roles and t.target == state for t in definition.transitions)
    return any(role in t.roles and t.target in waiting for t in definition.transitions_from(state))


def _office_states(definition: Definition) -> frozenset[str]:
    """Return the `active` states where the office works the case (not an inspection's)."""
    waiting = inspection_states(definition)
    return frozenset(
        s.code for s in definition.states if s.kind == "active" and s.code not in waiting
    )


def _opinion_tasks(definition: Definition, state: str, role: str) -> set[str]:
    """Who acts in an office state may ask for an opinion there; the roles that act in any
    office state record the answer (or cancel the request) while the case is not final."""
    kind = definition.state(state).kind
    if not definition.opinions or kind == "draft" or definition.state(state).is_final:
        return set()
    office = _office_states(definition)
    tasks = set()
    if state in office and may_act(definition, state, role):
        tasks.add(REQUEST_OPINION)
    if any(may_act(definition, code, role) for code in office):
        tasks.add(RECORD_OPINION)
    return tasks


def may_act(definition: Definition, state: str, role: str) -> bool:
    """Tell whether `role` may take any transition out of `state` (guards aside)."""
    return any(role in t.roles for t in definition.transitions_from(state))


def allowed_tasks(definition: Definition, state: str, role: str) -> frozenset[str]:
    """Return the staff tasks `role` may do on a case in `state`.

    Args:
        definition: The procedure definition the case is pinned to.
        state: The case's current state (a final state offers none).
        role: The actor's role on the case.

    Returns:
        Names among `STAFF_TASKS`; empty when the role takes no guarded transition there,
        schedules no inspection and consults no institution.
    """
    tasks: set[str] = set()
    for transition in definition.transitions_from(state):
        if role in transition.roles:
            tasks |= tasks_fed(transition)
    if _schedules_inspection(definition, state, role):
        tasks.add(SCHEDULE_INSPECTION)
    return frozenset(tasks | _opinion_tasks(definition, state, role))


def action_of_kind(definition: Definition, state: str, role: str, *kinds: str) -> str | None:
    """Return the first action `role` may take from `state` whose kind is among `kinds`.

    The portal finds its buttons this way (`"withdraw"`; `"submit", "correct"` when the
    applicant sends the form), never by an action's name. Kinds are `TRANSITION_KINDS`, as
    `Definition.kind_of` gives them. Returns None when there is no such action.
    """
    return next(
        (
            t.action
            for t in definition.transitions_from(state)
            if role in t.roles and definition.kind_of(t) in kinds
        ),
        None,
    )
