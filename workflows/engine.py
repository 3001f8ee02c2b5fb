"""The engine: which actions a case offers, and what firing one does or why it may not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from workflows.facts import Facts, Reason
from workflows.guards import GUARDS, review_items
from workflows.identifiers import validate_value
from workflows.model import NO_PARAMS, Definition, Ref, Transition


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of firing an action: where the case goes and what the portal must do.

    Attributes:
        action: The action fired.
        source: The state the case was in.
        target: The state the case moves to.
        effects: Effects to perform after the move, in order.
        outputs: The transition's outputs the actor gave, normalised by the value rules
            (Decimal, date, bool, str, ...), by output name; blank optional ones left out.
    """

    action: str
    source: str
    target: str
    effects: tuple[Ref, ...]
    outputs: Mapping[str, Any] = field(default_factory=lambda: NO_PARAMS)


class TransitionNotAllowed(Exception):
    """An action was refused; `reasons` says why, as codes with parameters."""

    def __init__(self, reasons: Iterable[Reason]) -> None:
        self.reasons: tuple[Reason, ...] = tuple(reasons)
        super().__init__(", ".join(reason.code for reason in self.reasons))


def _guard_reasons(definition: Definition, transition: Transition, facts: Facts) -> list[Reason]:
    reasons = []
    for guard in transition.guards:
        reason = GUARDS[guard.name].check(definition, facts, guard.params)
        if reason is not None:
            reasons.append(reason)
    return reasons


def available_actions(definition: Definition, state: str, facts: Facts) -> tuple[Transition, ...]:
    """List the transitions the actor may take now.

    A transition is available when it leaves `state`, its roles include `facts.role` and all
    its guards pass. Comments and verdicts are not checked: they are given with the action.

    Args:
        definition: The procedure definition the case is pinned to.
        state: The case's current state.
        facts: A snapshot of the case and the actor.

    Returns:
        The available transitions, in definition order.
    """
    return tuple(
        transition
        for transition in definition.transitions_from(state)
        if facts.role in transition.roles
        and all(
            GUARDS[guard.name].check(definition, facts, guard.params) is None
            for guard in transition.guards
        )
    )


def fire(definition: Definition, state: str, action: str, facts: Facts) -> Outcome:
    """Pick the transition for `action` from `state` whose guards all pass.

    When several transitions share the action (exclusive `condition` guards), the one whose
    checks all pass wins. When none does, the reasons come from the transitions whose
    conditions hold (or from all of them if none holds), every failing check included.

    Args:
        definition: The procedure definition the case is pinned to.
        state: The case's current state.
        action: The action to take.
        facts: A snapshot of the case and the actor, with the comment and verdicts given.

    Returns:
        The target state and the effects to perform.

    Raises:
        TransitionNotAllowed: none passed; `reasons` says why, as codes with parameters.
    """
    candidates = definition.transitions_for(state, action)
    if not candidates:
        raise TransitionNotAllowed([Reason("unknown_action", {"action": action, "state": state})])
    permitted = [transition for transition in candidates if facts.role in transition.roles]
    if not permitted:
        raise TransitionNotAllowed([Reason("role_not_allowed", {"role": facts.role})])
    failures: list[tuple[Transition, list[Reason]]] = []
    for transition in permitted:
        reasons = _guard_reasons(definition, transition, facts) + _given_reasons(
            definition, transition, facts
        )
        if not reasons:
            outputs, _ = _outputs(transition, facts)
            return Outcome(
                action, state, transition.target, transition.effects, MappingProxyType(outputs)
            )
        failures.append((transition, reasons))
    applicable = [
        reasons
        for _, reasons in failures
        if not any(reason.code == "condition_not_met" for reason in reasons)
    ] or [reasons for _, reasons in failures]
    merged: list[Reason] = []
    for reasons in applicable:
        merged.extend(reason for reason in reasons if reason not in merged)
    raise TransitionNotAllowed(merged)


def _outputs(transition: Transition, facts: Facts) -> tuple[dict[str, Any], list[Reason]]:
    """Check the outputs given against the transition's; return the values and the refusals.

    Each refused output gives `invalid_output` with the output's `field` and the value rule's
    `error` code (`required`, `too_long`, `not_a_number`, ...). Undeclared outputs are ignored.
    """
    values: dict[str, Any] = {}
    reasons = []
    for spec in transition.outputs:
        value, error = validate_value(spec, facts.outputs.get(spec.name))
        if error:
            reasons.append(Reason("invalid_output", {"field": spec.name, "error": error}))
        elif value is not None:
            values[spec.name] = value
    return values, reasons


def _given_reasons(definition: Definition, transition: Transition, facts: Facts) -> list[Reason]:
    """Check what the actor gives with the action: a comment, a verdict on every item, outputs."""
    reasons = _outputs(transition, facts)[1]
    if transition.comment_required and not facts.comment.strip():
        reasons.append(Reason("comment_required"))
    if transition.verdicts_required:
        pending = tuple(
            item for item in review_items(definition, facts) if item not in facts.verdicts
        )
        if pending:
            reasons.append(Reason("items_not_verified", {"items": pending}))
    return reasons
