"""Use cases of "abrir mi negocio": check the answers, give the plan, save it, start its steps.

The steps come from `workflows.plans.build_plan`; which districts a procedure serves from the
one rule (`presenters.served_districts`, kept on each catalogue entry: its office's districts,
and a district office's own district, as `start_application` files it); the fees from the one
assessment (`portal.payments.assessment.assess`); whether a step may start from the one
prerequisite rule (`workflows.prerequisites.qualifying`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import product

import sqlalchemy as sa

import workflows
from portal.accounts.models import User
from portal.applications.effects import local_now
from portal.applications.facts import typed_data
from portal.applications.models import Application
from portal.applications.services import start_application
from portal.authorities.models import Authority
from portal.authorities.services import get_authority, list_districts
from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.payments.assessment import assess
from portal.plans.models import BusinessPlan
from portal.procedures.models import Procedure
from portal.procedures.services import definition_of
from portal.reference.services import Activity, get_activity, search_activities
from portal.subjects.services import held_cases
from workflows import plans
from workflows.conditions import is_blank
from workflows.identifiers import validate_value
from workflows.model import APPROVED_KINDS, FINAL_KINDS, Field
from workflows.prerequisites import qualifying

JOURNEY = "abrir_negocio"


def journey() -> plans.Journey:
    """Return the "abrir mi negocio" questionnaire (workflows/journeys/abrir-negocio.yaml)."""
    found = plans.journey(JOURNEY)
    assert found is not None, "workflows/journeys/abrir-negocio.yaml ships with the code"
    return found


# ---------------------------------------------------------------- the answers


@dataclass(frozen=True)
class Checked:
    """Answers checked: clean values, errors by question (codes), activities to choose from."""

    answers: dict[str, object]
    errors: dict[str, str]
    activity_matches: tuple[Activity, ...] = ()


def check_answers(raw: dict[str, object]) -> Checked:
    """Check answers by the engine's value rules; the activity may be words or a code.

    Words that fit exactly one activity choose it; several give `activity_matches` to choose
    from (`choose_activity`), none `activity_not_found`. A district must be an AMSS district.

    Returns:
        `Checked`: `answers` by question name as JSON primitives (the activity as its code),
        `errors` by question name as message codes (`required`, `invalid_district_choice`, ...).
    """
    districts = {item.code for item in list_districts()}
    answers: dict[str, object] = {}
    errors: dict[str, str] = {}
    matches: tuple[Activity, ...] = ()
    for question in journey().questions:
        spec, value = question.field, raw.get(question.name)
        if is_blank(value):
            if spec.required:
                errors[question.name] = "required"
            continue
        if spec.type == "activity_code":
            activity, matches = _activity(str(value))
            if activity is None:
                errors[question.name] = "choose_activity" if matches else "activity_not_found"
            else:
                answers[question.name] = activity.code
            continue
        clean, error = validate_value(spec, value)
        if error is None and spec.type == "district" and clean not in districts:
            error = "invalid_district_choice"
        if error:
            errors[question.name] = error
        else:
            answers[question.name] = str(clean) if isinstance(clean, Decimal) else clean
    return Checked(answers, errors, matches)


def _activity(text: str) -> tuple[Activity | None, tuple[Activity, ...]]:
    code = text.strip()
    if code.isdigit():
        return get_activity(code), ()
    found = search_activities(text)
    return (found[0], ()) if len(found) == 1 else (None, tuple(found))


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class StepView:
    """A step as the pages show it.

    Attributes:
        step: The engine's step (key, definition, requires, days, done_within).
        procedure: The catalogue procedure.
        fee_low: The smallest fees the step may cost in US dollars, over the answers the
            questionnaire does not ask (`estimate_fees`); None when assessed at review.
        fee_high: The largest, likewise; equal to `fee_low` when the fees are one amount.
    """

    step: plans.Step
    procedure: Procedure
    fee_low: Decimal | None
    fee_high: Decimal | None = None

    @property
    def fee(self) -> Decimal | None:
        """The one amount the step costs, or None (a range, or assessed at review)."""
        return self.fee_low if self.fee_low == self.fee_high else None

    @property
    def fee_varies(self) -> bool:
        """Whether the fees are a range that depends on answers given on the form."""
        return self.fee_low is not None and self.fee_low != self.fee_high


@dataclass(frozen=True)
class PlanView:
    """The plan for some answers.

    Attributes:
        district: The chosen district.
        activity: The chosen activity (code and description), or None if no longer listed.
        steps: The steps in order.
        not_online: Definitions of procedures the answers call for that the district cannot
            file online.
        total_fees: The sum of the smallest fees of the steps that could be estimated (US
            dollars).
        total_fees_high: The sum of their largest fees; above `total_fees` when some step's
            fees are a range (`ranged_steps`).
        fees_incomplete: Some step's fees are assessed at review (not in the total).
        total_days: Business days along the longest chain of prerequisites.
        days_unknown: Some step has no legal maximum time.
    """

    district: Authority
    activity: Activity | None
    steps: tuple[StepView, ...]
    not_online: tuple[workflows.Definition, ...]
    total_fees: Decimal
    fees_incomplete: bool
    total_days: int
    days_unknown: bool
    total_fees_high: Decimal = Decimal("0.00")

    @property
    def ranged_steps(self) -> tuple[StepView, ...]:
        """The steps whose fees are a range, in plan order."""
        return tuple(item for item in self.steps if item.fee_varies)


def _catalogue() -> dict[str, tuple[Procedure, workflows.Definition, frozenset[str]]]:
    """Each procedure open to new filings, by key: the procedure, the definition new cases take
    and the districts where it is filed online (the catalogue's entries: one rule, and two
    statements however many procedures there are)."""
    from portal.catalogue.services import open_entries, served

    return {
        plans.key_of(definition): (entry.procedure, definition, served(entry))
        for entry in open_entries()
        for definition in (definition_of(entry.version),)
    }


def build_plan_view(answers: dict[str, object]) -> PlanView:
    """Give the plan for checked answers (`check_answers`): steps, offices, fees and time."""
    found = journey()
    catalogue = _catalogue()
    district = get_authority(str(answers[_name_of("district")]))
    code = _name_of("activity_code")
    plan = plans.build_plan(
        found,
        answers,
        [definition for _procedure, definition, _districts in catalogue.values()],
        lambda definition: district.code in catalogue[plans.key_of(definition)][2],
    )
    steps = tuple(
        StepView(step, catalogue[step.key][0], *_fee(found, step.definition, answers, district))
        for step in plan.steps
    )
    known = [s for s in steps if s.fee_low is not None]
    return PlanView(
        district=district,
        activity=get_activity(str(answers[code])) if code in answers else None,
        steps=steps,
        not_online=tuple(catalogue[key][1] for key in plan.not_online if key in catalogue),
        total_fees=sum((s.fee_low for s in known), Decimal("0.00")),
        total_fees_high=sum((s.fee_high for s in known), Decimal("0.00")),
        fees_incomplete=len(known) < len(steps),
        total_days=plan.total_days,
        days_unknown=plan.days_unknown,
    )


def _name_of(kind: str) -> str:
    """The question of a type (the district, the activity): the journey says which."""
    return next(q.name for q in journey().questions if q.field.type == kind)


#: The most combinations of unasked answers a step's fees are assessed over; past it, the
#: fees are assessed at review.
MAX_FEE_COMBINATIONS = 16

#: Field types with a finite set of answers, which a step's fees can be assessed over.
FINITE_TYPES = ("yes_no", "choice")


def _fee(
    found: plans.Journey, definition: workflows.Definition, answers: dict, district: Authority
) -> tuple[Decimal | None, Decimal | None]:
    """The fees of a step from the answers: `estimate_fees` on the journey's mapped data."""
    return estimate_fees(definition, plans.mapped_data(found, definition, answers), district)


def estimate_fees(
    definition: workflows.Definition, data: dict, district: Authority
) -> tuple[Decimal | None, Decimal | None]:
    """The smallest and largest fees of a procedure over the answers its fees still need.

    Each assessment is the one assessment (`assess`), on `data` with the blank answers the fees
    depend on (`Assessment.unanswered`) given every value they can take: both answers of a
    yes/no question, each of a choice's. A combination that makes the fees depend on yet
    another blank answer is widened by that one's values too.

    Args:
        definition: The procedure definition.
        data: Answers by field name as stored (strings); fields not given are blank.
        district: The district whose tariff regime applies.

    Returns:
        `(low, high)` in US dollars (equal when every combination costs the same), or
        `(None, None)` when the fees are assessed at review: the regime is unknown, a needed
        answer is not a finite choice (a figure, a date), or there are more than
        `MAX_FEE_COMBINATIONS` combinations.
    """
    fields = {item.name: item for item in definition.fields}
    totals: list[Decimal] = []
    pending: list[dict] = [dict(data)]
    combinations = 0
    while pending:
        given = pending.pop()
        assessment = assess(definition, typed_data(definition, given), district)
        if assessment.complete:
            totals.append(assessment.total)
            continue
        if assessment.missing_regime:
            return None, None
        specs = [fields[name] for name in assessment.unanswered]
        if any(spec.type not in FINITE_TYPES for spec in specs):
            return None, None
        options = [_values(spec) for spec in specs]
        for values in product(*options):
            combinations += 1
            if combinations > MAX_FEE_COMBINATIONS:
                return None, None
            names = (spec.name for spec in specs)
            pending.append(given | dict(zip(names, values, strict=True)))
    return (min(totals), max(totals)) if totals else (None, None)


def _values(spec: Field) -> tuple[object, ...]:
    """Every answer a finite-choice question takes: yes and no, or each choice's value."""
    return (True, False) if spec.type == "yes_no" else spec.choice_values()


# ---------------------------------------------------------------- saved plans


def save_plan(*, actor: User, raw: dict[str, object]) -> BusinessPlan:
    """Save the actor's plan; the same answers saved again return the plan saved before.

    Raises:
        InvalidInput: `invalid_answers` when the answers do not pass `check_answers`.
    """
    checked = check_answers(raw)
    if checked.errors:
        raise InvalidInput("invalid_answers", fields=sorted(checked.errors))
    for plan in list_plans_for(actor):
        if plan.answers == checked.answers:
            return plan
    found = journey()
    plan = BusinessPlan(
        owner_id=actor.id,
        journey=found.code,
        journey_version=found.version,
        answers=checked.answers,
    )
    db.session.add(plan)
    db.session.commit()
    return plan


def list_plans_for(actor: User) -> list[BusinessPlan]:
    """The actor's saved plans, newest first."""
    return list(
        db.session.scalars(
            sa.select(BusinessPlan)
            .where(BusinessPlan.owner_id == actor.id)
            .order_by(BusinessPlan.created_at.desc(), BusinessPlan.id.desc())
        )
    )


def get_plan(actor: User, plan_id: int) -> BusinessPlan:
    """The actor's plan; another person's or none at all raises NotFound (the page is 404)."""
    plan = db.session.get(BusinessPlan, plan_id)
    if plan is None or plan.owner_id != actor.id:
        raise NotFound()
    return plan


@dataclass(frozen=True)
class Progress:
    """Where a step of a saved plan stands for its owner.

    Attributes:
        stage: "not_started", "draft", "filed" (in progress: `state_label` says where),
            "resolved" (favourably) or "closed" (denied, withdrawn, abandoned).
        application: The owner's latest case of the procedure, or None.
        state_label: The case's state as its definition names it.
        waits_for: Steps that must be resolved favourably before this one may start.
    """

    stage: str
    application: Application | None
    state_label: workflows.Text | None
    waits_for: tuple[plans.Step, ...]

    @property
    def startable(self) -> bool:
        """Whether "Comenzar" is offered: nothing started yet and nothing to wait for."""
        return self.stage in ("not_started", "closed") and not self.waits_for


def progress_of(actor: User, view: PlanView, today: date | None = None) -> dict[str, Progress]:
    """Each step's progress for the plan's owner, by step key (two queries)."""
    today = today or local_now().date()
    ids = [item.procedure.id for item in view.steps]
    latest: dict[int, Application] = {}
    for case in db.session.scalars(
        sa.select(Application)
        .where(Application.applicant_id == actor.id, Application.procedure_id.in_(ids))
        .order_by(Application.created_at, Application.id)
    ):
        latest[case.procedure_id] = case
    held = held_cases(actor.id)
    by_key = {item.step.key: item.step for item in view.steps}
    out = {}
    for item in view.steps:
        waits = tuple(
            by_key[key]
            for key, prerequisite in item.step.requires
            if not qualifying(prerequisite, [h for h in held if h.procedure == key], today)
        )
        out[item.step.key] = _progress(latest.get(item.procedure.id), waits)
    return out


def _progress(case: Application | None, waits: tuple[plans.Step, ...]) -> Progress:
    if case is None:
        return Progress("not_started", None, None, waits)
    state = definition_of(case.procedure_version).state(case.state)
    if state.kind == "draft":
        stage = "draft"
    elif state.kind in APPROVED_KINDS:
        stage = "resolved"
    elif state.kind in FINAL_KINDS:
        stage = "closed"
    else:
        stage = "filed"
    return Progress(stage, case, state.label, waits)


def start_step(*, actor: User, plan: BusinessPlan, key: str, token: str) -> Application:
    """Start the draft of a step, prefilled from the plan's answers and the actor's records.

    Idempotent by `token` (as the catalogue's start form). The step must be in the plan and
    every step it requires resolved favourably (the one prerequisite rule).

    Raises:
        NotFound: `not_in_plan` when the plan has no such step (the page is 404).
        InvalidInput: `waits_for_prerequisites` with `procedures` when a required step is not
            resolved favourably yet.
    """
    view = build_plan_view(plan.answers)
    step = next((item for item in view.steps if item.step.key == key), None)
    if step is None:
        raise NotFound("not_in_plan")
    waits = progress_of(actor, view)[key].waits_for
    if waits:
        raise InvalidInput("waits_for_prerequisites", procedures=[item.key for item in waits])
    found = journey()
    return start_application(
        actor=actor,
        procedure=step.procedure,
        token=token,
        known=lambda definition: plans.mapped_data(found, definition, plan.answers),
    )
