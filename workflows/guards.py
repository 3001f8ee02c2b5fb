"""Named guards: checks over a case's facts that a transition may require, by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from workflows.conditions import comparisons, evaluate, is_blank
from workflows.facts import Facts, Reason
from workflows.model import Definition

Check = Callable[[Definition, Facts, Mapping[str, Any]], "Reason | None"]


#: Staff tasks that record a fact a guard reads (see `workflows.tasks`).
RECORD_VERDICTS = "record_verdicts"
RECORD_INSPECTION = "record_inspection"
RECORD_PAYMENT = "record_payment"
#: Staff tasks about inspections and opinions that no guard reads directly (`workflows.tasks`).
SCHEDULE_INSPECTION = "schedule_inspection"
REQUEST_OPINION = "request_opinion"
RECORD_OPINION = "record_opinion"
#: The guard that reads a recorded inspection: the states it leaves are inspection states.
INSPECTION_GUARD = "inspection_recorded"


@dataclass(frozen=True, slots=True)
class Guard:
    """A registered guard: its check, the JSON Schema of its parameters, and its staff task.

    `task` names the staff task that records the fact the guard reads (None when the fact
    comes from the applicant or the data): whoever may take a transition guarded by it may
    do that task in the transition's source states.
    """

    check: Check
    params_schema: Mapping[str, Any]
    task: str | None = None


def asked_fields(definition: Definition, data: Mapping[str, object]) -> frozenset[str]:
    """Return the names of the questions asked given the answers, following chains.

    A question is asked when it has no `visible_if`, or when its `visible_if` holds over the
    answers to the questions it names *that are asked themselves*: hiding one question hides
    the questions that hang from it, however deep, in any declaration order (the fixpoint of
    "drop what is hidden, evaluate again"). A condition that leads back to its own field sees
    that field as unanswered, so every definition gets one answer.

    Args:
        definition: The procedure definition.
        data: Answers by field name, typed or as stored.
    """
    fields = {item.name: item for item in definition.fields}
    asked: dict[str, bool] = {}

    def is_asked(name: str, visiting: frozenset[str]) -> bool:
        if name in asked:
            return asked[name]
        condition = fields[name].visible_if
        if condition is None:
            asked[name] = True
            return True
        inside = visiting | {name}
        names = {leaf["field"] for _, leaf in comparisons(condition, "")}
        view = {
            ref: data.get(ref)
            for ref in names
            if ref in fields and ref not in inside and is_asked(ref, inside)
        }
        asked[name] = evaluate(condition, view, definition.field_types)
        return asked[name]

    return frozenset(name for name in fields if is_asked(name, frozenset()))


def applicable_data(definition: Definition, data: Mapping[str, object]) -> dict[str, object]:
    """Return only the answers to questions that are asked (see `asked_fields`).

    Keys the definition does not declare are dropped too. This is what is stored, shown to
    staff, printed, fed to SIMDET and charged on.

    Args:
        definition: The procedure definition.
        data: Answers by field name, typed or as stored.

    Returns:
        The applicable answers, a new dict in the order of `data`.
    """
    asked = asked_fields(definition, data)
    return {name: value for name, value in data.items() if name in asked}


def pending_answers(definition: Definition, data: Mapping[str, object]) -> dict[str, object]:
    """Return the answers to questions not asked yet only because what decides them is unanswered.

    A question is pending when it is not asked (`asked_fields`) and a question its `visible_if`
    names is unanswered, or pending itself: nothing hides it yet, it is just not decided. A
    draft keeps these answers (say, a case number prefilled from the applicant's records whose
    yes/no question comes on a later step) until the deciding answer is given; what is filed,
    shown and charged stays `applicable_data`.

    Args:
        definition: The procedure definition.
        data: Answers by field name, typed or as stored.

    Returns:
        The pending answers by field name, in the order of `data` (a new dict).
    """
    fields = {item.name: item for item in definition.fields}
    asked = asked_fields(definition, data)

    def pending(name: str, visiting: frozenset[str]) -> bool:
        if name in asked or name in visiting:
            return False
        condition = fields[name].visible_if
        names = {leaf["field"] for _, leaf in comparisons(condition, "")} & fields.keys()
        return any(
            is_blank(data.get(ref)) or pending(ref, visiting | {name}) for ref in sorted(names)
        )

    return {
        name: value
        for name, value in data.items()
        if name in fields and name not in asked and pending(name, frozenset())
    }


def visible_fields(definition: Definition, data: Mapping[str, object]) -> tuple[str, ...]:
    """Return the names of the fields asked given the data, in definition order."""
    asked = asked_fields(definition, data)
    return tuple(item.name for item in definition.fields if item.name in asked)


def applicable_documents(definition: Definition, data: Mapping[str, object]) -> tuple[str, ...]:
    """Return the codes of the upload requirements that apply given the applicable data.

    A requirement applies when it is required, has no `required_if`, or its `required_if`
    holds; a file under any other requirement is not part of the application.
    """
    data = applicable_data(definition, data)
    return tuple(
        item.code
        for item in definition.documents
        if item.presentation == "upload"
        and (
            item.required
            or item.required_if is None
            or evaluate(item.required_if, data, definition.field_types)
        )
    )


def required_documents(definition: Definition, data: Mapping[str, object]) -> tuple[str, ...]:
    """Return the codes of the documents to upload given the applicable data."""
    data = applicable_data(definition, data)
    return tuple(
        item.code
        for item in definition.documents
        if item.presentation == "upload"
        and (
            item.required
            or (
                item.required_if is not None
                and evaluate(item.required_if, data, definition.field_types)
            )
        )
    )


def reviewed_answers(definition: Definition, facts: Facts) -> tuple[str, ...]:
    """Return the fields a reviewer gives a verdict on: the answered visible ones, by name."""
    return tuple(
        name
        for name in visible_fields(definition, facts.data)
        if not is_blank(facts.data.get(name))
    )


def review_items(definition: Definition, facts: Facts) -> tuple[str, ...]:
    """Return what a reviewer gives a verdict on: answered visible fields, attached documents.

    Fields' names then documents' codes. A verdict names its item, so a name must be one item:
    `workflows.validator.publication_problems` refuses a document named as a field
    (`review_item_clash`); a stored version from before may still list such a name twice.
    """
    return reviewed_answers(definition, facts) + tuple(
        item.code for item in definition.documents if item.code in facts.documents
    )


def _form_complete(
    definition: Definition, facts: Facts, params: Mapping[str, Any]
) -> Reason | None:
    missing = tuple(
        name
        for name in visible_fields(definition, facts.data)
        if definition.field(name).required and is_blank(facts.data.get(name))
    )
    return Reason("form_incomplete", {"fields": missing}) if missing else None


def _documents_complete(
    definition: Definition, facts: Facts, params: Mapping[str, Any]
) -> Reason | None:
    missing = tuple(
        code for code in required_documents(definition, facts.data) if code not in facts.documents
    )
    return Reason("missing_documents", {"documents": missing}) if missing else None


def _flag(attribute: str, code: str) -> Check:
    def check(definition: Definition, facts: Facts, params: Mapping[str, Any]) -> Reason | None:
        return None if getattr(facts, attribute) else Reason(code)

    return check


def _prerequisites_valid(
    definition: Definition, facts: Facts, params: Mapping[str, Any]
) -> Reason | None:
    if facts.prerequisites_valid:
        return None
    missing = facts.missing_prerequisites
    return Reason("prerequisites_not_valid", {"procedures": missing} if missing else {})


def _comment_given(
    definition: Definition, facts: Facts, params: Mapping[str, Any]
) -> Reason | None:
    return None if facts.comment.strip() else Reason("comment_required")


def _all_items_verified(
    definition: Definition, facts: Facts, params: Mapping[str, Any]
) -> Reason | None:
    pending = tuple(
        item for item in review_items(definition, facts) if not facts.verdicts.get(item)
    )
    return Reason("items_not_verified", {"items": pending}) if pending else None


def _condition(definition: Definition, facts: Facts, params: Mapping[str, Any]) -> Reason | None:
    types = definition.field_types
    return None if evaluate(params, facts.data, types) else Reason("condition_not_met")


_NO_PARAMS: Mapping[str, Any] = MappingProxyType({"type": "object", "maxProperties": 0})

#: Guard name -> guard. `condition` takes a condition tree as its parameters.
GUARDS: Mapping[str, Guard] = MappingProxyType(
    {
        "form_complete": Guard(_form_complete, _NO_PARAMS),
        "documents_complete": Guard(_documents_complete, _NO_PARAMS),
        "fee_paid": Guard(_flag("fee_paid", "fee_not_paid"), _NO_PARAMS, RECORD_PAYMENT),
        "prerequisites_valid": Guard(_prerequisites_valid, _NO_PARAMS),
        INSPECTION_GUARD: Guard(
            _flag("inspection_recorded", "inspection_not_recorded"), _NO_PARAMS, RECORD_INSPECTION
        ),
        "comment_given": Guard(_comment_given, _NO_PARAMS),
        "all_items_verified": Guard(_all_items_verified, _NO_PARAMS, RECORD_VERDICTS),
        "condition": Guard(_condition, {"$ref": "#/$defs/condition"}),
    }
)
