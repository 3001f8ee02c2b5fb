"""Semantic checks of a schema-valid definition: references, types, reachability, ambiguity."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from itertools import combinations

import re2

from workflows import dictionary, plans
from workflows.clock_checks import clock_problems
from workflows.conditions import Condition, comparisons
from workflows.effects import EFFECTS, REQUEST_PAYMENT
from workflows.fees import (
    Amount,
    FeeRule,
    FixedFee,
    PerUnitAboveFee,
    RegimeFee,
    Surcharge,
    TableFee,
)
from workflows.guards import GUARDS, INSPECTION_GUARD
from workflows.identifiers import DATE_LIMIT, date_bounds, date_limit
from workflows.life_events import life_event_problems
from workflows.model import (
    APPROVED_KINDS,
    CHOICE_FIELD_TYPES,
    NUMERIC_FIELD_TYPES,
    ORDERED_FIELD_TYPES,
    ROLES,
    TRANSITION_TARGET_KINDS,
    BreachAction,
    Definition,
    Field,
    Reason,
    Ref,
    State,
    Transition,
)
from workflows.numbers import money_problem
from workflows.problems import Problem
from workflows.reasons import template_problems
from workflows.schemas import params_problems

_TEXT_TYPES = frozenset({"text", "long_text", "address"})
_SIMDET_TYPES = {
    "activity_field": frozenset({"activity_code"}),
    "employees_field": frozenset({"integer", "number"}),
    "annual_sales_field": frozenset({"money", "number"}),
    "location_field": frozenset({"district", "point", "address"}),
}


#: A check takes a definition built from schema-valid data and returns its problems.
Check = Callable[[Definition], list[Problem]]
#: Deepest nesting of `all`/`any`/`not` in one condition; deeper trees are unreadable.
MAX_CONDITION_DEPTH = 8
#: Most transitions for one action from one state; each pair is compared for ambiguity.
MAX_ALTERNATIVES = 64
_DECIDED_KINDS = APPROVED_KINDS | {"denied"}


def check(definition: Definition) -> list[Problem]:
    """Return every semantic problem of a definition (empty when it is sound).

    Runs each function of `CHECKS` in order; each is linear (or n log n) in the size of the
    definition, so a definition with tens of thousands of transitions checks in seconds.

    Args:
        definition: A definition built from schema-valid data.

    Returns:
        Problems in definition order: duplicates, fields, documents, fees, sums of money
        (`_money_problems`), payment orders, states,
        transitions, breach actions, the state graph, ambiguity, life events, SIMDET mapping,
        routing, prerequisites, the data dictionary's (`workflows.dictionary.check`), the clock's
        (`workflows.clock_checks`), then traps, corrections, suspensions, reasons and reasoned
        texts, and condition depth.
    """
    return [problem for one in CHECKS for problem in one(definition)]


def _declarations(definition: Definition) -> list[Problem]:
    problems: list[Problem] = []
    fields = _fields_of(definition)
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
    return problems


def _transitions(definition: Definition) -> list[Problem]:
    problems: list[Problem] = []
    for index, transition in enumerate(definition.transitions):
        problems += _transition_problems(definition, transition, f"workflow.transitions[{index}]")
    return problems


def _states_of(definition: Definition) -> Mapping[str, State]:
    """The definition's states by code (the last one wins, as a dict built in order would)."""
    return definition._index["states"]


def _fields_of(definition: Definition) -> Mapping[str, Field]:
    """The definition's fields by name (the last one wins, as a dict built in order would)."""
    return definition._index["fields"]


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


def _bound_problems(item: Field, path: str) -> list[Problem]:
    """A number bounds a numeric field, a date limit (`DATE_LIMIT`) a date; min <= max."""
    date_field = item.type == "date"
    problems = []
    for key in ("min", "max"):
        bound = getattr(item, key)
        if bound is None or item.type not in ORDERED_FIELD_TYPES:  # `not_applicable`
            continue
        if not date_field and isinstance(bound, str):
            problems.append(Problem(f"{path}.{key}", "invalid_bound", f"{bound!r} is no number"))
        elif date_field and not _is_date_limit(bound):
            problems.append(
                Problem(
                    f"{path}.{key}",
                    "invalid_bound",
                    f"{bound!r}: write an ISO date, today, -100y or +1y",
                )
            )
    if problems or item.min is None or item.max is None:
        return problems
    # Two ISO dates, or two limits relative to today (which move together), compare on any
    # day; an ISO date against a relative limit depends on the day, and is not compared.
    if date_field and _is_iso(item.min) != _is_iso(item.max):
        return problems
    if not date_field and isinstance(item.min, str) | isinstance(item.max, str):
        return problems  # date limits on a field that is no date: `not_applicable`
    low, high = date_bounds(item, date(2000, 1, 1)) if date_field else (item.min, item.max)
    if low > high:  # type: ignore[operator]
        problems.append(Problem(f"{path}.max", "invalid_range", "max is below min"))
    return problems


def _is_iso(bound: object) -> bool:
    return str(bound)[:1].isdigit()


def _is_date_limit(bound: object) -> bool:
    if not isinstance(bound, str) or not DATE_LIMIT.fullmatch(bound):
        return False
    try:
        date_limit(bound, date(2000, 1, 1))
    except ValueError:
        return False
    return True


def _field_problems(item: Field, path: str, fields: Mapping[str, Field]) -> list[Problem]:
    problems = []
    misplaced = {
        "min": item.min is not None and item.type not in ORDERED_FIELD_TYPES,
        "max": item.max is not None and item.type not in ORDERED_FIELD_TYPES,
        "max_length": item.max_length is not None and item.type not in _TEXT_TYPES,
        "pattern": item.pattern is not None and item.type not in _TEXT_TYPES,
        "choices": bool(item.choices) and item.type not in CHOICE_FIELD_TYPES,
    }
    for key, wrong in misplaced.items():
        if wrong:
            problems.append(
                Problem(f"{path}.{key}", "not_applicable", f"{key} does not apply to {item.type}")
            )
    problems += _bound_problems(item, path)
    if item.pattern is not None:
        # RE2 matches in linear time (no catastrophic backtracking); it refuses what would
        # need backtracking (back-references, look-around). `identifiers` matches with it too.
        try:
            re2.compile(item.pattern)
        except re2.error as error:
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


def _fee_problems(definition: Definition) -> list[Problem]:
    problems = []
    fields = _fields_of(definition)
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


def _money_problems(definition: Definition) -> list[Problem]:
    """Sums of money that cannot be charged: negative, or beyond `MAX_DIGITS` digits.

    Every sum of money the definition holds obeys `workflows.numbers.money_problem` (see
    `_money_rule_problems`). A negative or too long sum never loads: it was refused by the
    schema before, or breaks the assessment of fees. Fractions of a cent refuse publishing
    only (`_half_cent_problems`): versions already published may hold them.
    """
    return [p for p in _money_rule_problems(definition) if p.code != "money_half_cent"]


def _half_cent_problems(definition: Definition) -> list[Problem]:
    """Sums of money written in fractions of a cent (`money_half_cent`); see `_money_problems`."""
    return [p for p in _money_rule_problems(definition) if p.code == "money_half_cent"]


def _money_rule_problems(definition: Definition) -> list[Problem]:
    """Every sum of money the definition holds, held to `workflows.numbers.money_problem`.

    The fees' amounts (a fixed amount or a surcharge's, a base, a threshold, a rate, the
    conditional rates, a table's or a regime's amounts, each regime's figure) and the bounds
    of money fields: finite, not negative, cents at most and at most `MAX_DIGITS` digits,
    the rule the Tasas editor applies to what is typed. Problems carry the rule's code.
    """
    problems = []
    for index, rule in enumerate(definition.fees):
        for path, value in _money_of(rule, f"fees[{index}]"):
            code = money_problem(value)
            if code is not None:
                problems.append(Problem(path, code, f"{value} is not an amount in dollars"))
    for index, item in enumerate(definition.fields):
        for key in ("min", "max"):
            bound = getattr(item, key)
            if item.type == "money" and bound is not None and not isinstance(bound, str):
                code = money_problem(abs(bound))  # a lower bound may be below zero
                if code is not None:
                    problems.append(
                        Problem(f"fields[{index}].{key}", code, f"{bound} is not an amount")
                    )
    return problems


def _money_of(rule: FeeRule, path: str) -> Iterator[tuple[str, object]]:
    """The sums of money of a fee rule, each with its path."""

    def figures(amount: Amount, at: str) -> Iterator[tuple[str, object]]:
        if isinstance(amount, Mapping):
            for regime, figure in amount.items():
                yield f"{at}.{regime}", figure
        else:
            yield at, amount

    fixed = rule.fixed if isinstance(rule, FixedFee | Surcharge) else None
    if fixed is not None:
        yield f"{path}.amount", fixed
    elif isinstance(rule, PerUnitAboveFee):
        yield from figures(rule.base, f"{path}.base")
        yield f"{path}.threshold", rule.threshold
        yield from figures(rule.rate, f"{path}.rate")
        for number, item in enumerate(rule.rates):
            yield from figures(item.rate, f"{path}.rates[{number}].rate")
    elif isinstance(rule, TableFee | RegimeFee):
        yield from figures(rule.amounts, f"{path}.amounts")


def _payment_problems(definition: Definition) -> list[Problem]:
    """Report fees nobody is asked to pay, and payment orders with nothing to charge.

    A definition that declares `fees` must issue a payment order (mandamiento de pago) on some
    transition (`fees_never_requested`): otherwise the fee its sheet and plan show is never
    charged. A `request_payment` effect without any fee rule has nothing to put on the order
    (`payment_without_fees`).
    """
    requests = [
        f"workflow.transitions[{index}].effects[{number}]"
        for index, transition in enumerate(definition.transitions)
        for number, effect in enumerate(transition.effects)
        if effect.name == REQUEST_PAYMENT
    ]
    if definition.fees and not requests:
        return [
            Problem("fees", "fees_never_requested", "no transition has the request_payment effect")
        ]
    if not definition.fees:
        return [
            Problem(path, "payment_without_fees", "a payment order with no fee to charge")
            for path in requests
        ]
    return []


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
    codes = _states_of(definition)
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
    fields = _fields_of(definition)
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
        target = _states_of(definition).get(transition.target)
        if effect.name == "issue_resolution" and not (target is not None and target.is_final):
            problems.append(
                Problem(here, "resolution_not_final", f"{transition.target!r} decides nothing")
            )
    return problems


def _transition_problems(
    definition: Definition, transition: Transition, path: str
) -> list[Problem]:
    codes = _states_of(definition)
    problems = []
    for index, source in enumerate(transition.sources):
        here = f"{path}.from" if len(transition.sources) == 1 else f"{path}.from[{index}]"
        if source not in codes:
            problems.append(Problem(here, "unknown_state", f"no state {source!r}"))
        elif codes[source].is_final:
            problems.append(Problem(here, "transition_from_final_state", f"{source!r} is final"))
    if transition.target not in codes:
        problems.append(Problem(f"{path}.to", "unknown_state", f"no state {transition.target!r}"))
    elif transition.kind is not None and (
        codes[transition.target].kind not in TRANSITION_TARGET_KINDS[transition.kind]
    ):
        problems.append(
            Problem(f"{path}.kind", "wrong_target_kind", f"{transition.kind} cannot land there")
        )
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
    fields = _fields_of(definition)
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


def _exits(definition: Definition) -> dict[str, set[str]]:
    """Where a case can go from each state: transitions and breach actions with a target."""
    codes = _states_of(definition)
    exits: dict[str, set[str]] = {code: set() for code in codes}
    for transition in definition.transitions:
        for source in transition.sources:
            exits.setdefault(source, set()).add(transition.target)
    procedure_targets = {action.target for action in definition.breach if action.target}
    for state in definition.states:
        exits[state.code] |= {action.target for action in state.breach if action.target}
        if not state.is_final:
            exits[state.code] |= procedure_targets
    return exits


def _graph_problems(definition: Definition) -> list[Problem]:
    codes = _states_of(definition)
    exits = _exits(definition)
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
    """Report pairs of transitions one actor could take for one action from one state.

    Only transitions sharing a source and an action are compared, so the check is linear in
    the definition unless one state offers one action many times (`MAX_ALTERNATIVES`).
    """
    problems = []
    groups: dict[tuple[str, str], list[int]] = {}
    for index, transition in enumerate(definition.transitions):
        for source in dict.fromkeys(transition.sources):
            groups.setdefault((source, transition.action), []).append(index)
    pairs: set[tuple[int, int]] = set()
    for (source, action), members in groups.items():
        if len(members) > MAX_ALTERNATIVES:
            problems.append(
                Problem(
                    f"workflow.transitions[{members[MAX_ALTERNATIVES]}].action",
                    "too_many_alternatives",
                    f"{action!r} from {source!r} more than {MAX_ALTERNATIVES} times",
                )
            )
            continue
        pairs.update(combinations(members, 2))
    transitions = definition.transitions
    for i, j in sorted(pairs):
        first, second = transitions[i], transitions[j]
        shared = set(first.sources) & set(second.sources)
        if not set(first.roles) & set(second.roles):
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


def _catalogue_problems(definition: Definition) -> list[Problem]:
    return life_event_problems(definition.catalogue.life_events, "catalogue.life_events")


def _simdet_problems(definition: Definition) -> list[Problem]:
    problems: list[Problem] = []
    fields = _fields_of(definition)
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


def _routing_problems(definition: Definition) -> list[Problem]:
    """Check the routing conditions; authority codes are the portal's data, checked there."""
    problems: list[Problem] = []
    fields = _fields_of(definition)
    if definition.routing is None:
        return problems
    for index, rule in enumerate(definition.routing.rules):
        problems += condition_problems(rule.when, f"routing.rules[{index}].when", fields)
    return problems


def _prerequisite_problems(definition: Definition) -> list[Problem]:
    """Check prerequisites: enforced by a guard, no procedure twice, none on itself always."""
    fields = _fields_of(definition)
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


def _inspection_problems(definition: Definition) -> list[Problem]:
    """Check the inspection and opinions blocks: codes once each, a checklist someone uses."""
    problems: list[Problem] = []
    if definition.inspection is not None:
        codes = [item.code for item in definition.inspection.checklist]
        problems += _duplicates("inspection.checklist", "code", codes)
        guarded = any(
            guard.name == INSPECTION_GUARD
            for transition in definition.transitions
            for guard in transition.guards
        )
        if not guarded:
            problems.append(
                Problem(
                    "inspection",
                    "inspection_not_checked",
                    f"no transition has the {INSPECTION_GUARD} guard",
                )
            )
    problems += _duplicates("opinions", "code", [item.code for item in definition.opinions])
    return problems


def _components(nodes: Iterable[str], edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Return the strongly connected components of a graph (Tarjan's, without recursion).

    Args:
        nodes: Every node, in the order components should come out (by their first node).
        edges: Successors of each node; successors that are not nodes are ignored.

    Returns:
        The components, each a list of nodes, in no particular order.
    """
    order = list(dict.fromkeys(nodes))
    known = set(order)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in order:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in known:
                    continue
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(edges.get(successor, ()))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _trap_problems(definition: Definition) -> list[Problem]:
    """Report sets of non-final states that lead only to each other (`trapped_states`).

    A single state without a way out is `dead_end_state`; this finds the larger traps, such
    as two review states that send a case back and forth with no decision reachable.
    """
    codes = _states_of(definition)
    exits = _exits(definition)
    position = {state.code: index for index, state in enumerate(definition.states)}
    problems = []
    components = _components((state.code for state in definition.states), exits)
    for component in sorted(components, key=lambda members: min(position[m] for m in members)):
        if len(component) < 2 or any(codes[code].is_final for code in component):
            continue
        members = set(component)
        if all(target in members for code in component for target in exits[code]):
            first = min(position[code] for code in component)
            problems.append(
                Problem(
                    f"workflow.states[{first}]",
                    "trapped_states",
                    f"no way out of {sorted(members)}",
                )
            )
    return problems


def _correction_problems(definition: Definition) -> list[Problem]:
    """Report correction periods of zero days and positive silence while the applicant corrects.

    A waiting state abandoned after zero business days leaves the applicant no day to correct
    (`zero_correction_days`; the state's own `business_days` is at least 1 by the schema).
    Positive silence (LPA Arts. 113-114) answers the authority's silence, so it must not run
    while the case waits on the applicant or the clock is suspended
    (`silence_while_correcting`): neither the waiting state's own `deem_approved` nor a
    procedure-wide one while a waiting state keeps the clock running.
    """
    problems = []
    for index, state in enumerate(definition.states):
        path = f"workflow.states[{index}]"
        waiting = state.kind == "waiting_applicant" or state.clock == "suspended"
        for number, action in enumerate(state.breach):
            if (
                state.kind == "waiting_applicant"
                and action.kind == "deem_abandoned"
                and action.after_business_days == 0
            ):
                problems.append(
                    Problem(
                        f"{path}.breach[{number}].after_business_days",
                        "zero_correction_days",
                        f"the case is abandoned the day {state.code!r} starts: no day to correct",
                    )
                )
            if waiting and action.kind == "deem_approved":
                problems.append(
                    Problem(
                        f"{path}.breach[{number}]",
                        "silence_while_correcting",
                        f"positive silence while {state.code!r} waits on the applicant",
                    )
                )
    running = [
        state.code
        for state in definition.states
        if state.kind == "waiting_applicant" and state.clock != "suspended"
    ]
    for number, action in enumerate(definition.breach):
        if running and action.kind == "deem_approved":
            problems.append(
                Problem(
                    f"workflow.breach[{number}]",
                    "silence_while_correcting",
                    f"the clock runs while the applicant corrects in {running}",
                )
            )
    return problems


def _suspension_problems(definition: Definition) -> list[Problem]:
    """Report a `suspend_clock` that no `resume_clock` follows (`suspension_not_resumed`).

    From the state a suspending transition leads to, following transitions without
    `resume_clock` and the states' own breach actions (the procedure's do not run while
    suspended): a decision (approved or denied) must not be reachable, and some transition
    with `resume_clock` must be. Ending by withdrawal or abandonment needs no resumption.
    Two backward searches over the graph, so the check is linear.
    """
    codes = _states_of(definition)
    into: dict[str, set[str]] = {}
    resumes_from: set[str] = set()
    for transition in definition.transitions:
        resumes = any(ref.name == "resume_clock" for ref in transition.effects)
        for source in transition.sources:
            if resumes:
                resumes_from.add(source)
            else:
                into.setdefault(transition.target, set()).add(source)
    for state in definition.states:
        for action in state.breach:
            if action.target:
                into.setdefault(action.target, set()).add(state.code)
    deciding = _backwards(
        [code for code, state in codes.items() if state.kind in _DECIDED_KINDS], into
    )
    resuming = _backwards(resumes_from, into)
    problems = []
    for index, transition in enumerate(definition.transitions):
        for number, ref in enumerate(transition.effects):
            if ref.name != "suspend_clock":
                continue
            path = f"workflow.transitions[{index}].effects[{number}]"
            if transition.target in deciding:
                problems.append(
                    Problem(
                        path,
                        "suspension_not_resumed",
                        f"a decision is reachable from {transition.target!r} without resume_clock",
                    )
                )
            elif transition.target not in resuming:
                problems.append(
                    Problem(path, "suspension_not_resumed", "no resume_clock is reachable")
                )
    return problems


def _backwards(starts: Iterable[str], into: Mapping[str, Iterable[str]]) -> set[str]:
    """Return the states from which one of `starts` is reachable (`into`: predecessors)."""
    reached = set(starts)
    frontier = list(reached)
    while frontier:
        for source in into.get(frontier.pop(), ()):
            if source not in reached:
                reached.add(source)
                frontier.append(source)
    return reached


def _plan_problems(definition: Definition) -> list[Problem]:
    """Check a definition's `plan` block against its journey (empty when sound or absent).

    `unknown_journey`; in `plan.when`, `unknown_question` (a name the journey does not ask),
    `type_mismatch` (a value or an ordering the question's type does not fit) and
    `unknown_choice`, as `workflows.validator.condition_problems` says them for fields.
    """
    if definition.plan is None:
        return []
    found = plans.journey(definition.plan.journey)
    if found is None:
        return [Problem("plan.journey", "unknown_journey", f"no {definition.plan.journey!r}")]
    if definition.plan.when is None:
        return []
    return [
        Problem(item.path, "unknown_question", item.message.replace("field", "question"))
        if item.code == "unknown_field"
        else item
        for item in condition_problems(definition.plan.when, "plan.when", found.fields)
    ]


def conditions_of(definition: Definition) -> Iterator[tuple[str, Condition]]:
    """Yield every condition tree of a definition with its path."""
    for index, item in enumerate(definition.fields):
        if item.visible_if is not None:
            yield f"fields[{index}].visible_if", item.visible_if
    for index, document in enumerate(definition.documents):
        if document.required_if is not None:
            yield f"documents[{index}].required_if", document.required_if
    for index, rule in enumerate(definition.fees):
        if rule.when is not None:
            yield f"fees[{index}].when", rule.when
        for number, rate in enumerate(getattr(rule, "rates", ())):
            yield f"fees[{index}].rates[{number}].when", rate.when
    for index, transition in enumerate(definition.transitions):
        for number, guard in enumerate(transition.guards):
            if guard.name == "condition":
                yield f"workflow.transitions[{index}].guards[{number}].params", guard.params
    for index, rule in enumerate(definition.routing.rules if definition.routing else ()):
        yield f"routing.rules[{index}].when", rule.when
    for index, item in enumerate(definition.prerequisites):
        if item.when is not None:
            yield f"prerequisites[{index}].when", item.when
    if definition.plan is not None and definition.plan.when is not None:
        yield "plan.when", definition.plan.when


def condition_depth(condition: Condition) -> int:
    """Return how many levels of `all`/`any`/`not` a condition nests (a comparison is 1)."""
    deepest = 0
    pending: list[tuple[Condition, int]] = [(condition, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        for key in ("all", "any"):
            pending.extend((item, depth + 1) for item in node.get(key, ()))
        if "not" in node:
            pending.append((node["not"], depth + 1))
    return deepest


def _reason_problems(definition: Definition) -> list[Problem]:
    """Reasons: unique codes, each for a use some transition has; reasoned texts' placeholders.

    A reason's `items` (the kinds of review item it fits) are given on verdicts, which offer
    correction reasons only: `items` on a reason not `for` correction is
    `reason_items_unused`, and a kind the procedure has none of (no fields, no documents) is
    `reason_items_never_offered`. A missing Spanish (or English) label is the loader's
    `missing_translation`, an unknown use or item kind the schema's `not_allowed`.
    """
    problems = _duplicates("reasons", "code", [reason.code for reason in definition.reasons])
    states = _states_of(definition)
    offered = {
        definition.reason_use(transition)
        for transition in definition.transitions
        if definition.reasons and {transition.target, *transition.sources} <= states.keys()
    }
    for index, reason in enumerate(definition.reasons):
        for use in reason.uses:
            if use not in offered:
                problems.append(
                    Problem(f"reasons[{index}].for", "reason_never_offered", f"no {use} here")
                )
        problems += _reason_item_problems(definition, index, reason)
    for index, transition in enumerate(definition.transitions):
        if transition.reasoned_text is None:
            continue
        for locale in ("es", "en"):
            path = f"workflow.transitions[{index}].reasoned_text.{locale}"
            text = getattr(transition.reasoned_text, locale)
            problems += [
                _template_problem(path, code, detail) for code, detail in template_problems(text)
            ]
    return problems


def _template_problem(path: str, code: str, detail: str) -> Problem:
    """A reasoned text's fault; an unknown mark is named (`{plazo}`), as its detail begins."""
    if code != "unknown_placeholder":
        return Problem(path, code, detail)
    mark = detail.split(" is not", 1)[0]
    return Problem(path, code, detail, (("variant", "named"), ("mark", mark)))


def _reason_item_problems(definition: Definition, index: int, reason: Reason) -> list[Problem]:
    """The faults of one reason's `items` (see `_reason_problems`)."""
    if reason.items is None:
        return []
    path = f"reasons[{index}].items"
    if "correction" not in reason.uses:
        return [Problem(path, "reason_items_unused", "items are judged for corrections only")]
    present = {"fields": definition.fields, "documents": definition.documents}
    return [
        Problem(f"{path}[{position}]", "reason_items_never_offered", f"no {kind} here")
        for position, kind in enumerate(reason.items)
        if not present[kind]
    ]


def _depth_problems(definition: Definition) -> list[Problem]:
    return [
        Problem(path, "condition_too_deep", f"nested beyond {MAX_CONDITION_DEPTH} levels")
        for path, condition in conditions_of(definition)
        if condition_depth(condition) > MAX_CONDITION_DEPTH
    ]


#: The checks `check` runs, in order. A new check is a function of the definition returning
#: its problems, added here (one list, so `flask procedures validate`, seeding, import and
#: publishing all run it).
CHECKS: list[Check] = [
    _declarations,
    _fee_problems,
    _money_problems,
    _payment_problems,
    _state_problems,
    _transitions,
    _graph_problems,
    _ambiguity_problems,
    _catalogue_problems,
    _simdet_problems,
    _routing_problems,
    _prerequisite_problems,
    _plan_problems,
    _inspection_problems,
    dictionary.check,
    clock_problems,
    _trap_problems,
    _correction_problems,
    _suspension_problems,
    _reason_problems,
    _depth_problems,
]


def _review_item_problems(definition: Definition) -> list[Problem]:
    """A field and a document sharing a name: the reviewer's items are keyed by name alone.

    `workflows.guards.review_items` lists fields' names and documents' codes as one list, and a
    verdict names its item, so one name for both would mean one verdict for two things.
    """
    fields = _fields_of(definition)
    return [
        Problem(
            f"documents[{index}].code",
            "review_item_clash",
            f"the field and the document share the name {document.code!r}",
        )
        for index, document in enumerate(definition.documents)
        if document.code in fields
    ]


#: Checks added after versions were published: they refuse publishing a new version
#: (`publication_problems`, run by `portal.procedures.validation.inspect`: `flask procedures
#: validate`, seeding, import and publishing), never loading a stored one (`load` runs only
#: `CHECKS`), so the cases filed on an older version go on. A new check that versions already
#: published may fail goes here, not in `CHECKS`.
PUBLICATION_CHECKS: list[Check] = [
    _review_item_problems,
    _half_cent_problems,
]


def publication_problems(definition: Definition) -> list[Problem]:
    """Return the problems that refuse publishing a loaded definition (`PUBLICATION_CHECKS`).

    Args:
        definition: A sound definition (one `load` accepted).

    Returns:
        Problems in definition order: `review_item_clash` at `documents[i].code`, a document
        whose code is also a field's name; `money_half_cent` at a sum of money written in
        fractions of a cent. Empty when it may be published.
    """
    return [problem for one in PUBLICATION_CHECKS for problem in one(definition)]


def check_set(definitions: Sequence[Definition]) -> list[tuple[int, Problem]]:
    """Return the problems of a set of definitions taken together (a folder, the catalogue).

    Prerequisites that require each other, directly or through others, mean no first case
    of any of them can go ahead (`prerequisite_cycle`). Conditional prerequisites count:
    their conditions may all hold. A definition's own single-procedure loop is
    `self_prerequisite`, reported by `check`.

    Args:
        definitions: Sound definitions (several versions of one procedure may be given).

    Returns:
        Pairs of (index of the definition in `definitions`, problem), one per definition and
        prerequisite on a cycle.
    """
    requires: dict[str, set[str]] = {}
    for definition in definitions:
        key = f"{definition.authority}/{definition.slug}"
        requires.setdefault(key, set()).update(item.procedure for item in definition.prerequisites)
    cyclic: dict[str, list[str]] = {}
    for component in _components(requires, requires):
        if len(component) > 1:
            for key in component:
                cyclic[key] = sorted(component)
    found: list[tuple[int, Problem]] = []
    for position, definition in enumerate(definitions):
        key = f"{definition.authority}/{definition.slug}"
        for index, item in enumerate(definition.prerequisites):
            if key in cyclic and item.procedure in cyclic[key]:
                found.append(
                    (
                        position,
                        Problem(
                            f"prerequisites[{index}].procedure",
                            "prerequisite_cycle",
                            f"{' -> '.join(cyclic[key])} require each other",
                        ),
                    )
                )
    return found
