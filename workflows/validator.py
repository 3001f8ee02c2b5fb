"""Semantic checks of a schema-valid definition: references, types, reachability, ambiguity."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import combinations

from workflows import dictionary
from workflows.conditions import Condition, comparisons
from workflows.effects import EFFECTS
from workflows.fees import PerUnitAboveFee, TableFee
from workflows.guards import GUARDS
from workflows.model import (
    APPROVED_KINDS,
    CHOICE_FIELD_TYPES,
    NUMERIC_FIELD_TYPES,
    ORDERED_FIELD_TYPES,
    ROLES,
    BreachAction,
    Definition,
    Field,
    Ref,
    Transition,
)
from workflows.problems import Problem
from workflows.schemas import params_problems

_TEXT_TYPES = frozenset({"text", "long_text", "address"})
_SIMDET_TYPES = {
    "activity_field": frozenset({"activity_code"}),
    "employees_field": frozenset({"integer", "number"}),
    "annual_sales_field": frozenset({"money", "number"}),
    "location_field": frozenset({"district", "point", "address"}),
}


def check(definition: Definition) -> list[Problem]:
    """Return every semantic problem of a definition (empty when it is sound).

    Args:
        definition: A definition built from schema-valid data.

    Returns:
        Problems in definition order: duplicates, fields, documents, fees, states,
        transitions, breach actions, the state graph, ambiguity, SIMDET mapping, routing,
        prerequisites, then the data dictionary's (`workflows.dictionary.check`).
    """
    problems: list[Problem] = []
    fields = {item.name: item for item in definition.fields}
    problems += _duplicates("fields", "name", [item.name for item in definition.fields])
    problems += _duplicates("documents", "code", [item.code for item in definition.documents])
    problems += _duplicates("fees", "code", [item.code for item in definition.fees])
    problems += _duplicates("workflow.states", "code", [item.code for item in definition.states])
    for index, item in enumerate(definition.fields):
        problems += _field_problems(item, f"fields[{index}]", fields)
    for index, document in enumerate(definition.documents):
        if document.required_if is not None:
            problems += condition_problems(
                document.required_if, f"documents[{index}].required_if", fields
            )
    problems += _fee_problems(definition, fields)
    problems += _state_problems(definition)
    for index, transition in enumerate(definition.transitions):
        problems += _transition_problems(definition, transition, f"workflow.transitions[{index}]")
    problems += _graph_problems(definition)
    problems += _ambiguity_problems(definition)
    problems += _simdet_problems(definition, fields)
    problems += _routing_problems(definition, fields)
    problems += _prerequisite_problems(definition, fields)
    problems += dictionary.check(definition)
    return problems


def _duplicates(base: str, key: str, values: list[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(
                Problem(f"{base}[{index}].{key}", f"duplicate_{key}", f"{value!r} twice")
            )
        seen.add(value)
    return problems


def _field_problems(item: Field, path: str, fields: Mapping[str, Field]) -> list[Problem]:
    problems = []
    misplaced = {
        "min": item.min is not None and item.type not in NUMERIC_FIELD_TYPES,
        "max": item.max is not None and item.type not in NUMERIC_FIELD_TYPES,
        "max_length": item.max_length is not None and item.type not in _TEXT_TYPES,
        "pattern": item.pattern is not None and item.type not in _TEXT_TYPES,
        "choices": bool(item.choices) and item.type not in CHOICE_FIELD_TYPES,
    }
    for key, wrong in misplaced.items():
        if wrong:
            problems.append(
                Problem(f"{path}.{key}", "not_applicable", f"{key} does not apply to {item.type}")
            )
    if item.min is not None and item.max is not None and item.min > item.max:
        problems.append(Problem(f"{path}.max", "invalid_range", "max is below min"))
    if item.pattern is not None:
        try:
            re.compile(item.pattern)
        except re.error as error:
            problems.append(Problem(f"{path}.pattern", "invalid_pattern", str(error)))
    problems += _duplicates(f"{path}.choices", "value", list(item.choice_values()))
    if item.visible_if is not None:
        problems += condition_problems(item.visible_if, f"{path}.visible_if", fields)
    return problems


def _fits(item: Field, value: object) -> bool:
    if item.type in NUMERIC_FIELD_TYPES:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if item.type == "yes_no":
        return isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if item.type == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    return True


def condition_problems(
    condition: Condition, path: str, fields: Mapping[str, Field]
) -> list[Problem]:
    """Check that a condition names existing fields with values of their type.

    Args:
        condition: A schema-valid condition tree.
        path: Where it is in the definition.
        fields: The definition's fields by name.

    Returns:
        `unknown_field`, `type_mismatch` (value or ordering that does not fit the field) and
        `unknown_choice` problems.
    """
    problems = []
    for leaf_path, leaf in comparisons(condition, path):
        item = fields.get(leaf["field"])
        if item is None:
            problems.append(
                Problem(f"{leaf_path}.field", "unknown_field", f"no field {leaf['field']!r}")
            )
            continue
        op = leaf["op"]
        if op in ("present", "absent"):
            continue
        if op in ("lt", "le", "gt", "ge") and item.type not in ORDERED_FIELD_TYPES:
            problems.append(
                Problem(f"{leaf_path}.op", "type_mismatch", f"{item.type} values are not ordered")
            )
            continue
        values = leaf["value"] if op in ("in", "not_in") else (leaf["value"],)
        for value in values:
            if not _fits(item, value):
                problems.append(
                    Problem(f"{leaf_path}.value", "type_mismatch", f"{value!r} is not {item.type}")
                )
            elif item.type in CHOICE_FIELD_TYPES and value not in item.choice_values():
                problems.append(
                    Problem(f"{leaf_path}.value", "unknown_choice", f"{value!r} is not a choice")
                )
    return problems


def _fee_problems(definition: Definition, fields: Mapping[str, Field]) -> list[Problem]:
    problems = []
    for index, rule in enumerate(definition.fees):
        path = f"fees[{index}]"
        if rule.when is not None:
            problems += condition_problems(rule.when, f"{path}.when", fields)
        if isinstance(rule, PerUnitAboveFee):
            for number, rate in enumerate(rule.rates):
                problems += condition_problems(rate.when, f"{path}.rates[{number}].when", fields)
        for name in rule.fields():
            item = fields.get(name)
            wanted = CHOICE_FIELD_TYPES if isinstance(rule, TableFee) else NUMERIC_FIELD_TYPES
            if item is None:
                problems.append(Problem(f"{path}.field", "unknown_field", f"no field {name!r}"))
            elif item.type not in wanted:
                problems.append(
                    Problem(f"{path}.field", "type_mismatch", f"{item.type} field cannot price")
                )
            elif isinstance(rule, TableFee):
                problems += [
                    Problem(f"{path}.amounts.{key}", "unknown_choice", f"{key!r} is not a choice")
                    for key in rule.amounts
                    if key not in item.choice_values()
                ]
    return problems


def _role_problems(roles: Iterable[str], path: str) -> list[Problem]:
    return [
        Problem(f"{path}[{index}]", "unknown_role", f"no role {role!r}")
        for index, role in enumerate(roles)
        if role not in ROLES
    ]


def _breach_problems(
    definition: Definition, actions: Iterable[BreachAction], path: str, has_deadline: bool
) -> list[Problem]:
    problems = []
    codes = {state.code: state for state in definition.states}
    for index, action in enumerate(actions):
        here = f"{path}[{index}]"
        if action.after_business_days is None and not has_deadline:
            problems.append(Problem(here, "breach_without_deadline", "no deadline to breach"))
        if action.kind in ("notify", "escalate"):
            if action.role is None:
                problems.append(Problem(f"{here}.role", "breach_without_role", "who is told?"))
            elif action.role not in ROLES:
                problems.append(Problem(f"{here}.role", "unknown_role", f"no role {action.role!r}"))
            continue
        if action.target is None:
            problems.append(
                Problem(f"{here}.target", "breach_without_target", f"{action.kind} needs a target")
            )
        elif action.target not in codes:
            problems.append(Problem(f"{here}.target", "unknown_state", f"no {action.target!r}"))
        elif codes[action.target].kind not in (
            APPROVED_KINDS if action.kind == "deem_approved" else {"abandoned"}
        ):
            problems.append(
                Problem(f"{here}.target", "wrong_target_kind", f"{action.kind} cannot land there")
            )
    return problems


def _state_problems(definition: Definition) -> list[Problem]:
    problems = []
    if definition.initial_state not in {state.code for state in definition.states}:
        problems.append(
            Problem("workflow.initial", "unknown_state", f"no {definition.initial_state!r}")
        )
    for index, state in enumerate(definition.states):
        path = f"workflow.states[{index}]"
        problems += _role_problems(state.roles, f"{path}.roles")
        problems += _breach_problems(
            definition, state.breach, f"{path}.breach", state.business_days is not None
        )
    problems += _breach_problems(
        definition,
        definition.breach,
        "workflow.breach",
        definition.catalogue.legal_max_business_days is not None,
    )
    return problems


def _ref_problems(definition: Definition, transition: Transition, path: str) -> list[Problem]:
    problems = []
    fields = {item.name: item for item in definition.fields}
    for index, guard in enumerate(transition.guards):
        here = f"{path}.guards[{index}]"
        if guard.name not in GUARDS:
            problems.append(Problem(f"{here}", "unknown_guard", f"no guard {guard.name!r}"))
            continue
        found = params_problems(GUARDS[guard.name].params_schema, guard.params, f"{here}.params")
        problems += found
        if guard.name == "condition" and not found:
            problems += condition_problems(guard.params, f"{here}.params", fields)
    for index, effect in enumerate(transition.effects):
        here = f"{path}.effects[{index}]"
        if effect.name not in EFFECTS:
            problems.append(Problem(here, "unknown_effect", f"no effect {effect.name!r}"))
            continue
        problems += params_problems(EFFECTS[effect.name], effect.params, f"{here}.params")
        if effect.name == "issue_certificate" and definition.certificate is None:
            problems.append(Problem(here, "certificate_not_defined", "no certificate section"))
    return problems


def _transition_problems(
    definition: Definition, transition: Transition, path: str
) -> list[Problem]:
    codes = {state.code: state for state in definition.states}
    problems = []
    for index, source in enumerate(transition.sources):
        here = f"{path}.from" if len(transition.sources) == 1 else f"{path}.from[{index}]"
        if source not in codes:
            problems.append(Problem(here, "unknown_state", f"no state {source!r}"))
        elif codes[source].is_final:
            problems.append(Problem(here, "transition_from_final_state", f"{source!r} is final"))
    if transition.target not in codes:
        problems.append(Problem(f"{path}.to", "unknown_state", f"no state {transition.target!r}"))
    problems += _role_problems(transition.roles, f"{path}.roles")
    problems += _ref_problems(definition, transition, path)
    problems += _output_problems(definition, transition, path)
    return problems


def _output_problems(definition: Definition, transition: Transition, path: str) -> list[Problem]:
    """Check a transition's outputs: fields of their own, given by staff, always asked.

    An output is a field the deciding officer fills, so each one must be a sound field
    (`_field_problems`), its name unique among the transition's outputs, without `visible_if`
    (the officer is always asked), and the transition must not be the applicant's or the
    system's (nobody would be there to give it).
    """
    if not transition.outputs:
        return []
    fields = {item.name: item for item in definition.fields}
    here = f"{path}.outputs"
    problems = _duplicates(here, "name", [item.name for item in transition.outputs])
    for index, item in enumerate(transition.outputs):
        problems += _field_problems(item, f"{here}[{index}]", fields)
        if item.visible_if is not None:
            problems.append(
                Problem(f"{here}[{index}].visible_if", "not_applicable", "outputs are always asked")
            )
    nobody = sorted(set(transition.roles) & {"applicant", "system"})
    if nobody:
        problems.append(
            Problem(here, "outputs_not_for_role", f"{', '.join(nobody)} cannot give outputs")
        )
    return problems


def _graph_problems(definition: Definition) -> list[Problem]:
    codes = {state.code: state for state in definition.states}
    exits: dict[str, set[str]] = {code: set() for code in codes}
    for transition in definition.transitions:
        for source in transition.sources:
            exits.setdefault(source, set()).add(transition.target)
    for state in definition.states:
        exits[state.code] |= {action.target for action in state.breach if action.target}
        if not state.is_final:
            exits[state.code] |= {action.target for action in definition.breach if action.target}
    reached: set[str] = set()
    frontier = [definition.initial_state] if definition.initial_state in codes else []
    while frontier:
        code = frontier.pop()
        if code in reached or code not in codes:
            continue
        reached.add(code)
        frontier.extend(exits[code])
    problems = []
    for index, state in enumerate(definition.states):
        path = f"workflow.states[{index}]"
        if state.code not in reached:
            problems.append(Problem(path, "unreachable_state", f"{state.code!r} cannot be reached"))
        if not state.is_final and not exits[state.code] - {state.code}:
            problems.append(Problem(path, "dead_end_state", f"no way out of {state.code!r}"))
    if not any(codes[code].kind in APPROVED_KINDS for code in reached):
        problems.append(
            Problem("workflow.states", "no_approval_reachable", "no approved state is reachable")
        )
    return problems


def _leaf(guards: Iterable[Ref]) -> Condition | None:
    conditions = [guard.params for guard in guards if guard.name == "condition"]
    return conditions[0] if len(conditions) == 1 else None


def excludes(first: Condition, second: Condition) -> bool:
    """Tell whether two conditions can never hold together (a sound, incomplete test).

    Recognised: `X` against `{not: X}`; `eq`/`in` against `eq`/`in` on one field with no
    common value; `eq v` or `in V` against `ne v` or `not_in V` covering them; `present`
    against `absent`.
    """
    if first.get("not") == second or second.get("not") == first:
        return True
    if "field" not in first or "field" not in second or first["field"] != second["field"]:
        return False
    ops = {first.get("op"), second.get("op")}
    if ops == {"present", "absent"}:
        return True
    positive = {"eq", "in"}
    values = []
    for leaf in (first, second):
        value = leaf.get("value")
        values.append(set(value) if isinstance(value, tuple) else {value})
    negative = {"ne", "not_in"}
    first_op, second_op = first.get("op"), second.get("op")
    if first_op in positive and second_op in positive:
        return not values[0] & values[1]
    if first_op in positive and second_op in negative:
        return values[0] <= values[1]
    if second_op in positive and first_op in negative:
        return values[1] <= values[0]
    return False


def _ambiguity_problems(definition: Definition) -> list[Problem]:
    problems = []
    indexed = list(enumerate(definition.transitions))
    for (i, first), (j, second) in combinations(indexed, 2):
        shared = set(first.sources) & set(second.sources)
        if first.action != second.action or not shared or not set(first.roles) & set(second.roles):
            continue
        a, b = _leaf(first.guards), _leaf(second.guards)
        if a is None or b is None or not excludes(a, b):
            problems.append(
                Problem(
                    f"workflow.transitions[{j}].action",
                    "ambiguous_transition",
                    f"{first.action!r} from {sorted(shared)} also at transitions[{i}]",
                )
            )
    return problems


def _simdet_problems(definition: Definition, fields: Mapping[str, Field]) -> list[Problem]:
    problems: list[Problem] = []
    if definition.simdet is None:
        return problems
    for key, types in _SIMDET_TYPES.items():
        name = getattr(definition.simdet, key)
        if name is None:
            continue
        if name not in fields:
            problems.append(Problem(f"simdet.{key}", "unknown_field", f"no field {name!r}"))
        elif fields[name].type not in types:
            problems.append(Problem(f"simdet.{key}", "type_mismatch", f"{name!r} cannot be that"))
    return problems


def _routing_problems(definition: Definition, fields: Mapping[str, Field]) -> list[Problem]:
    """Check the routing conditions; authority codes are the portal's data, checked there."""
    problems: list[Problem] = []
    if definition.routing is None:
        return problems
    for index, rule in enumerate(definition.routing.rules):
        problems += condition_problems(rule.when, f"routing.rules[{index}].when", fields)
    return problems


def _prerequisite_problems(definition: Definition, fields: Mapping[str, Field]) -> list[Problem]:
    """Check prerequisites: enforced by a guard, no procedure twice, none on itself always."""
    procedures = [item.procedure for item in definition.prerequisites]
    problems = _duplicates("prerequisites", "procedure", procedures)
    guarded = any(
        guard.name == "prerequisites_valid"
        for transition in definition.transitions
        for guard in transition.guards
    )
    if procedures and not guarded:
        problems.append(
            Problem(
                "prerequisites",
                "prerequisites_not_checked",
                "no transition has the prerequisites_valid guard",
            )
        )
    own = f"{definition.authority}/{definition.slug}"
    for index, item in enumerate(definition.prerequisites):
        path = f"prerequisites[{index}]"
        if item.when is None and item.procedure == own:
            problems.append(
                Problem(
                    f"{path}.procedure",
                    "self_prerequisite",
                    f"{own!r} always requires itself, so no first case can go ahead",
                )
            )
        if item.when is not None:
            problems += condition_problems(item.when, f"{path}.when", fields)
    return problems
