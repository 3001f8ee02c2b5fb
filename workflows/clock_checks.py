"""Definition checks of the legal clock: extension limits and the effects of breach actions."""

from __future__ import annotations

from collections.abc import Iterable

from workflows.effects import EFFECTS
from workflows.model import BreachAction, Definition
from workflows.problems import Problem
from workflows.schemas import params_problems

#: Breach actions that move the case, and so may carry effects.
MOVING_BREACHES = frozenset({"deem_approved", "deem_abandoned"})


def clock_problems(definition: Definition) -> list[Problem]:
    """Return the problems of a definition's clock settings, with paths.

    - `extension_beyond_limit`: an `extend_clock` effect adds more business days than the
      catalogue's `max_extension_business_days` allows.
    - `unknown_effect` (and parameter problems): a breach action's `effects` names an effect
      the portal does not know, or gives it wrong parameters.
    - `effects_without_move`: a `notify` or `escalate` breach action carries effects (it moves
      nothing, so there is nothing to perform them on).
    """
    problems: list[Problem] = []
    limit = definition.catalogue.max_extension_business_days
    for index, transition in enumerate(definition.transitions):
        for number, effect in enumerate(transition.effects):
            days = effect.params.get("business_days") if effect.name == "extend_clock" else None
            if limit is not None and isinstance(days, int) and days > limit:
                problems.append(
                    Problem(
                        f"workflow.transitions[{index}].effects[{number}].params.business_days",
                        "extension_beyond_limit",
                        f"{days} business days; the catalogue allows {limit}",
                    )
                )
    for index, state in enumerate(definition.states):
        problems += _breach_effect_problems(state.breach, f"workflow.states[{index}].breach")
    problems += _breach_effect_problems(definition.breach, "workflow.breach")
    return problems


def _breach_effect_problems(actions: Iterable[BreachAction], path: str) -> list[Problem]:
    problems: list[Problem] = []
    for index, action in enumerate(actions):
        here = f"{path}[{index}].effects"
        if action.effects and action.kind not in MOVING_BREACHES:
            problems.append(Problem(here, "effects_without_move", f"{action.kind} moves nothing"))
        for number, effect in enumerate(action.effects):
            if effect.name not in EFFECTS:
                problems.append(
                    Problem(f"{here}[{number}]", "unknown_effect", f"no effect {effect.name!r}")
                )
                continue
            problems += params_problems(
                EFFECTS[effect.name], effect.params, f"{here}[{number}].params"
            )
    return problems
