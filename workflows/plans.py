"""Journeys ("abrir mi negocio"): a questionnaire, and the plan of procedures its answers give.

A journey is data (`workflows/journeys/*.yaml`): a few questions, each one typed like a form
field and bound to data-dictionary elements (`binds`). Each procedure definition says when it
is a step of a journey's plan (its `plan: {journey, when}` block, a condition over the
answers in the one condition language). `build_plan` picks the steps whose condition holds,
keeps those the chosen district can file online (the portal says which: `serves`), adds the
prerequisites they require, orders them so that a prerequisite comes before what needs it,
and adds up the legal maximum time along the longest chain of prerequisites (business days,
Ley de Procedimientos Administrativos, Art. 82: steps without a prerequisite between them run
side by side).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from workflows.conditions import evaluate, is_blank
from workflows.dictionary import ELEMENTS, field_for
from workflows.model import CHOICE_FIELD_TYPES, FIELD_TYPES, Definition, Field, Prerequisite
from workflows.problems import InvalidDefinition, Problem
from workflows.text import Text

JOURNEYS_DIR = Path(__file__).with_name("journeys")
_TOP_KEYS = ("journey", "version", "title", "summary", "questions")


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a journey.

    Attributes:
        field: What is asked and how the answer is read: a form field (name, type, label,
            help, required, min, max, choices), so the form builder and the conditions treat it
            as any definition's field.
        binds: Data-dictionary elements the answer is ("establishment.area_m2"): a started
            draft's fields bound to them are prefilled with it.
    """

    field: Field
    binds: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """Return the question's name, the condition language's field name."""
        return self.field.name


@dataclass(frozen=True)
class Journey:
    """A questionnaire that gives a plan.

    Attributes:
        code: What definitions' `plan.journey` names ("abrir_negocio").
        version: The questionnaire's version (a saved plan's answers keep their meaning).
        title: The journey's name.
        summary: What the journey gives, in one or two sentences.
        questions: The questions, in the order they are asked.
    """

    code: str
    version: int
    title: Text
    summary: Text
    questions: tuple[Question, ...]

    @property
    def fields(self) -> Mapping[str, Field]:
        """Return each question's field by name (conditions are checked against them)."""
        return MappingProxyType({item.name: item.field for item in self.questions})

    @property
    def field_types(self) -> Mapping[str, str]:
        """Return each question's type by name: how a condition reads its answer."""
        return MappingProxyType({item.name: item.field.type for item in self.questions})


def load_journey(data: Any) -> Journey:
    """Build a journey from its file's data, checking it.

    Raises:
        InvalidDefinition: with every problem at once: `invalid` (not a mapping, a key
            missing, a question without name, type or label, or of an unknown type),
            `duplicate_name`, `unknown_element` (a bind the dictionary lacks), `type_mismatch`
            (the element does not take the question's type), `unknown_choice` (a choice the
            element does not allow), `missing_translation`.
    """
    from workflows.loader import _Builder  # the loader builds fields once, for both

    if not isinstance(data, Mapping) or any(key not in data for key in _TOP_KEYS):
        raise InvalidDefinition([Problem("", "invalid", f"a journey needs {', '.join(_TOP_KEYS)}")])
    builder = _Builder()
    problems: list[Problem] = []
    questions: list[Question] = []
    for index, raw in enumerate(data["questions"] or ()):
        path = f"questions[{index}]"
        if not isinstance(raw, Mapping) or not {"name", "type", "label"} <= raw.keys():
            problems.append(Problem(path, "invalid", "a question needs name, type and label"))
            continue
        if raw["type"] not in FIELD_TYPES:
            problems.append(Problem(f"{path}.type", "invalid", f"no type {raw['type']!r}"))
            continue
        question = Question(builder.field(raw, path), tuple(raw.get("binds", ())))
        problems += _question_problems(question, path, questions)
        questions.append(question)
    problems += builder.problems
    if problems:
        raise InvalidDefinition(problems)
    return Journey(
        code=data["journey"],
        version=data["version"],
        title=builder.text(data["title"], "title"),
        summary=builder.text(data["summary"], "summary"),
        questions=tuple(questions),
    )


def _question_problems(question: Question, path: str, before: list[Question]) -> list[Problem]:
    problems = []
    if any(item.name == question.name for item in before):
        problems.append(Problem(f"{path}.name", "duplicate_name", f"{question.name!r} twice"))
    for number, bind in enumerate(question.binds):
        here = f"{path}.binds[{number}]"
        element = ELEMENTS.get(bind)
        if element is None:
            problems.append(Problem(here, "unknown_element", f"no element {bind!r}"))
        elif question.field.type not in element.types:
            problems.append(Problem(here, "type_mismatch", f"{bind} takes {element.types}"))
        elif element.values:
            problems += [
                Problem(here, "unknown_choice", f"{value!r} is not a {bind}")
                for value in question.field.choice_values()
                if value not in element.values
            ]
    return problems


@cache
def journeys() -> Mapping[str, Journey]:
    """Return every journey of `JOURNEYS_DIR` by code (read once; the files ship with the code)."""
    found = {}
    for path in sorted(JOURNEYS_DIR.glob("*.yaml")):
        item = load_journey(yaml.safe_load(path.read_text(encoding="utf-8")))
        found[item.code] = item
    return MappingProxyType(found)


def journey(code: str) -> Journey | None:
    """Return the journey called `code`, or None."""
    return journeys().get(code)


def belongs(definition: Definition, found: Journey, answers: Mapping[str, object]) -> bool:
    """Tell whether a procedure is a step of the journey's plan for these answers."""
    plan = definition.plan
    if plan is None or plan.journey != found.code:
        return False
    return plan.when is None or evaluate(plan.when, answers, found.field_types)


def mapped_data(
    found: Journey, definition: Definition, answers: Mapping[str, object]
) -> dict[str, object]:
    """Return the answers as a definition's field values, through the dictionary's bindings.

    Each answered question gives its answer to every field of the definition bound to one of
    its elements; a choice the field does not offer is not given (the person chooses on the
    form). Fields no question binds are left out.

    Returns:
        `{"area_local_m2": "80", "inmueble_arrendado": "si", ...}`, values as answered.
    """
    data: dict[str, object] = {}
    for question in found.questions:
        value = answers.get(question.name)
        if is_blank(value):
            continue
        for bind in question.binds:
            target = field_for(definition, bind)
            if target is None:
                continue
            if target.type in CHOICE_FIELD_TYPES and value not in target.choice_values():
                continue
            data[target.name] = value
    return data


@dataclass(frozen=True, slots=True)
class Step:
    """One procedure of a plan.

    Attributes:
        key: The procedure as "<authority>/<slug>".
        definition: The definition new cases of it take.
        requires: The steps of the plan that must be resolved favourably first, as
            (key, prerequisite) pairs in definition order.
        added: True when the step is in the plan because another step requires it (its own
            `plan.when` does not hold, or it has no `plan` block).
        days: Its legal maximum time in business days (`catalogue.legal_max_business_days`);
            None when the definition does not say.
        done_within: Business days from the start of the plan until this step is resolved at
            the latest: its own days after the slowest of the steps it requires.
    """

    key: str
    definition: Definition
    requires: tuple[tuple[str, Prerequisite], ...]
    added: bool
    days: int | None
    done_within: int


@dataclass(frozen=True, slots=True)
class Plan:
    """The procedures a person needs, in an order that respects their prerequisites.

    Attributes:
        steps: The steps, each after every step it requires (ties in the order given).
        not_online: Procedures the answers call for that the chosen district cannot file
            online (keys, in the order given; one per slug, none whose slug a step has, as
            district offices define the same procedure under one slug): the plan says so.
        total_days: Business days along the longest chain of prerequisites: the most the
            whole plan may take by law.
        days_unknown: Some step's definition gives no legal maximum time (counted as 0).
    """

    steps: tuple[Step, ...]
    not_online: tuple[str, ...]
    total_days: int
    days_unknown: bool


def key_of(definition: Definition) -> str:
    """Return a definition's procedure as "<authority>/<slug>", as prerequisites name it."""
    return f"{definition.authority}/{definition.slug}"


def build_plan(
    found: Journey,
    answers: Mapping[str, object],
    definitions: Iterable[Definition],
    serves: Callable[[Definition], bool],
) -> Plan:
    """Give the plan for a journey's answers.

    Args:
        found: The journey answered.
        answers: The answers by question name (as typed, or typed values).
        definitions: The definition new cases of each procedure take (one per procedure).
        serves: Whether the chosen district can file a procedure online (the portal's rule).

    Returns:
        The `Plan`. A prerequisite is added when its `when` holds over the step's data as the
        answers give it (`mapped_data`), or always when it has no `when`; a step waits for
        every step of the plan one of its prerequisites names, whether its `when` can be told
        from the answers or not (ordering more is harmless; ordering less sends a person to
        an office too early).
    """
    by_key = {key_of(item): item for item in definitions}
    wanted = [key for key, item in by_key.items() if belongs(item, found, answers)]
    chosen = [key for key in wanted if serves(by_key[key])]
    not_online = [key for key in wanted if not serves(by_key[key])]
    added: list[str] = []
    pending = list(chosen)
    while pending:
        definition = by_key[pending.pop(0)]
        data = mapped_data(found, definition, answers)
        for item in definition.prerequisites:
            needed = item.when is None or evaluate(item.when, data, definition.field_types)
            if not needed or item.procedure in chosen or item.procedure in not_online:
                continue
            required = by_key.get(item.procedure)
            if required is not None and serves(required):
                chosen.append(item.procedure)
                added.append(item.procedure)
                pending.append(item.procedure)
            else:
                not_online.append(item.procedure)
    steps = _ordered(chosen, by_key, added)
    # Another district's office defines the same procedure under the same slug: one that is
    # in the plan is not missing, and one missing is said once.
    slugs = {by_key[key].slug for key in chosen}
    missing: dict[str, str] = {}
    for key in not_online:
        slug = key.partition("/")[2]
        if slug not in slugs:
            missing.setdefault(slug, key)
    return Plan(
        steps=steps,
        not_online=tuple(missing.values()),
        total_days=max((step.done_within for step in steps), default=0),
        days_unknown=any(step.days is None for step in steps),
    )


def _ordered(
    chosen: list[str], by_key: Mapping[str, Definition], added: list[str]
) -> tuple[Step, ...]:
    """Order the steps so that each comes after what it requires (Kahn's algorithm, stable).

    Prerequisites that require each other (refused by `validator.check_set`) cannot all come
    first: the rest follow in the order given, each after what is already placed.
    """
    requires = {
        key: tuple(
            (item.procedure, item)
            for item in by_key[key].prerequisites
            if item.procedure in chosen and item.procedure != key
        )
        for key in chosen
    }
    placed: dict[str, Step] = {}
    remaining = list(chosen)
    while remaining:
        ready = [key for key in remaining if all(need in placed for need, _ in requires[key])]
        key = (ready or remaining)[0]
        remaining.remove(key)
        days = by_key[key].catalogue.legal_max_business_days
        before = [placed[need].done_within for need, _ in requires[key] if need in placed]
        placed[key] = Step(
            key=key,
            definition=by_key[key],
            requires=requires[key],
            added=key in added,
            days=days,
            done_within=(days or 0) + max(before, default=0),
        )
    return tuple(placed.values())
