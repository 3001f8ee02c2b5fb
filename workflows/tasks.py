"""Where a role may act: the transitions it may take, and the staff tasks that feed their guards.

A staff task (item verdicts, an inspection, a payment) records a fact that a guard reads. The
definition never names tasks: a role may do a task in a state when it may take, from that
state, a transition guarded by a guard the task feeds (`Guard.task` in the registry), or one
that asks for a verdict on every item (`verdicts_required`). So a procedure whose approval
checks `fee_paid` lets exactly the approving roles record the payment, and only before the
decision.
"""

from __future__ import annotations

from workflows.guards import GUARDS, RECORD_INSPECTION, RECORD_PAYMENT, RECORD_VERDICTS
from workflows.model import Definition, Transition

#: Every staff task, in the order the case page shows their forms.
STAFF_TASKS = (RECORD_VERDICTS, RECORD_PAYMENT, RECORD_INSPECTION)


def tasks_fed(transition: Transition) -> frozenset[str]:
    """Return the staff tasks whose facts `transition` checks (its guards, its verdicts)."""
    tasks = {GUARDS[guard.name].task for guard in transition.guards} - {None}
    if transition.verdicts_required:
        tasks.add(RECORD_VERDICTS)
    return frozenset(tasks)  # type: ignore[arg-type]


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
        Names among `STAFF_TASKS`; empty when the role takes no guarded transition there.
    """
    tasks: set[str] = set()
    for transition in definition.transitions_from(state):
        if role in transition.roles:
            tasks |= tasks_fed(transition)
    return frozenset(tasks)


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
