"""The frozen dataclasses a procedure definition loads into, and their inverse (`to_dict`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import Any

from workflows.conditions import Condition, thaw
from workflows.fees import FeeRule
from workflows.text import Text

FIELD_TYPES = (
    "text", "long_text", "number", "integer", "money", "date", "yes_no", "choice",
    "multi_choice", "email", "phone", "dui", "nit", "district", "address", "point",
    "area_m2", "activity_code", "resolution",
)  # fmt: skip
NUMERIC_FIELD_TYPES = frozenset({"number", "integer", "money", "area_m2"})
ORDERED_FIELD_TYPES = NUMERIC_FIELD_TYPES | {"date"}
#: Largest value of a numeric field whose definition sets no `max`: beyond any real case, and
#: small enough that fees computed from it fit a payment order (NUMERIC(12, 2)). `number`
#: fields without `min` also stop at minus this figure.
DEFAULT_MAX: Mapping[str, Decimal] = MappingProxyType(
    {
        "number": Decimal("1000000000"),  # 10^9
        "integer": Decimal("1000000000"),  # 10^9, fits a 32-bit integer
        "money": Decimal("100000000"),  # $100 million
        "area_m2": Decimal("10000000"),  # 1,000 hectares
    }
)
CHOICE_FIELD_TYPES = frozenset({"choice", "multi_choice"})
ROLES = ("applicant", "clerk", "supervisor", "inspector", "admin", "system")
STATE_KINDS = (
    "draft", "active", "waiting_applicant", "approved", "approved_with_conditions", "denied",
    "withdrawn", "abandoned",
)  # fmt: skip
FINAL_KINDS = frozenset(
    {"approved", "approved_with_conditions", "denied", "withdrawn", "abandoned"}
)
APPROVED_KINDS = frozenset({"approved", "approved_with_conditions"})
#: State kinds a prerequisite's case must have ended in, unless the definition says otherwise.
#: Calendar days an untouched draft is kept when its definition says nothing
#: (`Definition.draft_retention_days`): a month, as GOV.UK services commonly keep a draft.
DRAFT_RETENTION_DAYS = 30
DEFAULT_VALID_STATE_KINDS = ("approved", "approved_with_conditions")
#: What a transition means, whatever its action is called: the applicant files the form
#: (`submit`) or answers what the office asked (`correct`: a correction, opinions, a new
#: inspection); the office asks something of the applicant (`ask_applicant`), decides
#: (`decide`) or moves the case on (`advance`); the applicant withdraws (`withdraw`); the case
#: is archived as abandoned (`abandon`). The portal finds its buttons by kind, never by name.
TRANSITION_KINDS = (
    "submit", "correct", "ask_applicant", "decide", "withdraw", "abandon", "advance",
)  # fmt: skip
#: The state kinds each transition kind may lead to (the validator's `wrong_target_kind`).
TRANSITION_TARGET_KINDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "submit": frozenset({"active"}),
        "correct": frozenset({"active"}),
        "ask_applicant": frozenset({"waiting_applicant"}),
        "decide": frozenset({"approved", "approved_with_conditions", "denied"}),
        "withdraw": frozenset({"withdrawn"}),
        "abandon": frozenset({"abandoned"}),
        "advance": frozenset({"draft", "active", "waiting_applicant"}),
    }
)
_INFERRED_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "withdrawn": "withdraw",
        "abandoned": "abandon",
        "waiting_applicant": "ask_applicant",
        "approved": "decide",
        "approved_with_conditions": "decide",
        "denied": "decide",
    }
)
CLOCKS = ("running", "suspended", "stopped")
DEFAULT_CLOCK = MappingProxyType(
    {"draft": "stopped", "active": "running", "waiting_applicant": "suspended"}
)
BREACH_KINDS = ("notify", "escalate", "deem_approved", "deem_abandoned")
MIME_TYPES = ("application/pdf", "image/jpeg", "image/png")
PRESENTATIONS = ("upload", "counter")
CATALOGUE_TEXTS = ("purpose", "who_may_apply", "cost_summary", "office", "hours", "outputs")
NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


def _compact(body: Mapping[str, Any]) -> dict[str, Any]:
    """Drop absent values and empty lists, and turn texts and numbers into plain data."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if value is None or value == ():
            continue
        if isinstance(value, Text):
            value = value.to_dict()
        elif isinstance(value, tuple) and value and hasattr(value[0], "to_dict"):
            value = [item.to_dict() for item in value]
        out[key] = thaw(value)
    return out


class _Plain:
    """Give a dataclass the `to_dict` that returns its definition mapping."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the definition mapping (absent values and empty lists left out)."""
        return _compact({item.name: getattr(self, item.name) for item in fields(self)})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Choice(_Plain):
    """One allowed answer of a choice field."""

    value: str
    label: Text


@dataclass(frozen=True, slots=True)
class Field(_Plain):
    """A question of the application form.

    Attributes:
        name: Key of the answer in the application's data.
        type: One of `FIELD_TYPES`.
        label: The question.
        help: A hint under the question.
        required: An answer is needed to file when the field is visible.
        min: Smallest number allowed (numeric types); for a date, the earliest day as the
            definition writes it (`workflows.identifiers.DATE_LIMIT`: `2020-01-01`, `today`,
            `-100y`), resolved on the day of the check by `date_bounds`.
        max: Largest number allowed (numeric types); for a date, the latest day (as `min`).
        max_length: Longest text allowed.
        pattern: A regular expression the whole text must match.
        choices: The allowed answers (choice and multi_choice).
        visible_if: The field is asked only when this condition holds.
        bind: The data element the answer is ("establishment.trade_name", see
            `workflows.dictionary`); None for a field local to the procedure.
    """

    name: str
    type: str
    label: Text
    help: Text | None = None
    required: bool = False
    min: Decimal | str | None = None
    max: Decimal | str | None = None
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[Choice, ...] = ()
    visible_if: Condition | None = None
    bind: str | None = None

    def choice_values(self) -> tuple[str, ...]:
        """Return the allowed values of a choice field."""
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True, slots=True)
class DocumentRequirement(_Plain):
    """A document the applicant uploads or presents at the counter.

    Attributes:
        code: Stable code of the requirement.
        title: What to provide.
        help: Details (who signs, what it must show).
        required: Always needed to file.
        required_if: Needed to file when this condition holds over the data.
        accept: Allowed MIME types, among `MIME_TYPES`.
        max_bytes: Largest upload allowed.
        presentation: "upload", or "counter" when shown in person (not checked online).
        active_content: What to do with a PDF that carries active content (JavaScript, an
            open or page action, a launch action, embedded files): "flag" keeps it and warns
            the reviewing clerk; absent (None) or "refuse" refuses the upload with a message.
            Refusing is the default because nothing a permit file needs is active (see
            docs/procedure-definitions.md).
    """

    code: str
    title: Text
    help: Text | None = None
    required: bool = False
    required_if: Condition | None = None
    accept: tuple[str, ...] = ("application/pdf",)
    max_bytes: int = 10 * 1024 * 1024
    presentation: str = "upload"
    active_content: str | None = None

    @property
    def flags_active_content(self) -> bool:
        """Tell whether a PDF with active content is kept and flagged rather than refused."""
        return self.active_content == "flag"


@dataclass(frozen=True, slots=True)
class Ref:
    """A named guard or effect with its parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=lambda: NO_PARAMS)

    def to_dict(self) -> str | dict[str, Any]:
        """Return the bare name, or `{name, params}` when there are parameters."""
        return {"name": self.name, "params": thaw(self.params)} if self.params else self.name


@dataclass(frozen=True, slots=True)
class BreachAction(_Plain):
    """What happens when a deadline passes.

    Attributes:
        kind: notify, escalate, deem_approved (positive silence) or deem_abandoned.
        role: Who is notified or receives the escalation.
        target: The state the case moves to (deem_approved, deem_abandoned).
        after_business_days: Days after which it fires; None means the deadline itself.
        effects: Effects to perform when it moves the case (deem_approved, deem_abandoned);
            when empty, the portal performs those of the transitions from the current state
            to `target`.
    """

    kind: str
    role: str | None = None
    target: str | None = None
    after_business_days: int | None = None
    effects: tuple[Ref, ...] = ()


@dataclass(frozen=True, slots=True)
class State(_Plain):
    """A state of the workflow.

    Attributes:
        code: Stable lowercase code stored on cases.
        kind: One of `STATE_KINDS`; the last five are final.
        label: What applicants and staff read.
        roles: Who works the case in this state.
        business_days: Deadline of the state, in business days.
        clock: Whether the procedure's legal clock runs, is suspended or stopped here.
        applicant_can_edit: The applicant may change data and documents here.
        breach: What happens when the state's deadline passes.
        business_days_placeholder: The deadline is a labelled demo value, not a legal figure.
    """

    code: str
    kind: str
    label: Text
    roles: tuple[str, ...] = ()
    business_days: int | None = None
    clock: str = "stopped"
    applicant_can_edit: bool = False
    breach: tuple[BreachAction, ...] = ()
    business_days_placeholder: bool = False

    @property
    def is_final(self) -> bool:
        """Tell whether no case leaves this state."""
        return self.kind in FINAL_KINDS


@dataclass(frozen=True, slots=True)
class Transition:
    """An action that moves a case from one of `sources` to `target`.

    Attributes:
        action: Stable code of the action (`presentar`).
        sources: States the action is offered in.
        target: The state it leads to.
        roles: Who may take it.
        guards: Named checks that must all pass.
        effects: Named effects the portal performs after the move.
        comment_required: The actor must write a reason.
        verdicts_required: Every item under review needs a verdict.
        label: The button text.
        outputs: What the actor gives with the action (an account number, a tax category),
            declared like form fields and checked by the same value rules; stored with the
            decision and printed on the certificate with their labels.
        kind: What the transition means (`TRANSITION_KINDS`) when the definition declares it;
            None to infer it from the states (`Definition.kind_of`).
        reasoned_text: The text the decision's comment starts from, with placeholders from
            `workflows.reasons.PLACEHOLDERS`; None when the clerk writes it from scratch.
    """

    action: str
    sources: tuple[str, ...]
    target: str
    label: Text
    roles: tuple[str, ...] = ()
    guards: tuple[Ref, ...] = ()
    effects: tuple[Ref, ...] = ()
    comment_required: bool = False
    verdicts_required: bool = False
    outputs: tuple[Field, ...] = ()
    kind: str | None = None
    reasoned_text: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the definition mapping."""
        body = _compact({f: getattr(self, f) for f in self.__slots__})
        body["from"] = body.pop("sources")
        body["to"] = body.pop("target")
        return body


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason the office may give for a correction request or a denial.

    Attributes:
        code: Stable code, unique in the definition (`plano_sin_firma`); stored with verdicts
            and decisions, and counted by the reports.
        label: What the clerk ticks and the applicant reads.
        uses: What it may be given for: `correction`, `denial` (`workflows.reasons.REASON_USES`).
        items: The kinds of review item its verdict may give it on, `fields` and/or `documents`
            (`workflows.reasons.REASON_ITEMS`); None (not written) when it fits both.
    """

    code: str
    label: Text
    uses: tuple[str, ...]
    items: tuple[str, ...] | None = None

    def fits(self, kinds: Iterable[str]) -> bool:
        """Tell whether the reason may be given on an item of one of `kinds` (`fields`...)."""
        return self.items is None or not set(self.items).isdisjoint(kinds)

    def to_dict(self) -> dict[str, Any]:
        """Return the definition mapping (`uses` is written `for`; `items` only when given)."""
        body = {"code": self.code, "label": self.label.to_dict(), "for": list(self.uses)}
        if self.items is not None:
            body["items"] = list(self.items)
        return body


@dataclass(frozen=True, slots=True)
class Catalogue(_Plain):
    """What the public catalogue says about a procedure before anyone applies.

    Attributes:
        purpose: What the procedure is for.
        who_may_apply: Who may file it.
        legal_basis: Laws and articles it rests on.
        cost_summary: The cost in words.
        legal_max_business_days: Maximum period to resolve, in business days.
        max_extension_business_days: Most business days all extensions of the legal period
            may add together (0: none); None means the definition sets no limit.
        office: Where it is handled.
        hours: Opening hours of that office.
        outputs: What the applicant receives.
        placeholders: Names of the items above that are labelled demo values.
        life_events: Codes of `workflows.life_events.LIFE_EVENTS` the catalogue files it under.
    """

    purpose: Text
    who_may_apply: Text | None = None
    legal_basis: tuple[Text, ...] = ()
    cost_summary: Text | None = None
    legal_max_business_days: int | None = None
    max_extension_business_days: int | None = None
    office: Text | None = None
    hours: Text | None = None
    outputs: Text | None = None
    placeholders: tuple[str, ...] = ()
    life_events: tuple[str, ...] = ()

    def is_placeholder(self, name: str) -> bool:
        """Tell whether the catalogue item `name` is a labelled demo value."""
        return name in self.placeholders


@dataclass(frozen=True, slots=True)
class Validity(_Plain):
    """How long an issued permit lasts: until a fixed day, the end of the fiscal year, or a
    number of months from its issue (in that order when a definition gives more than one)."""

    months: int | None = None
    ends_with_fiscal_year: bool = False
    note: Text | None = None
    until: date | None = None

    def last_day(self, issued_on: date) -> date | None:
        """Return the last day a permit issued on `issued_on` is valid; None if unlimited.

        The one expiry rule: the document's `valid_until`, the reminders before it and the
        renewal offer all read it.
        """
        from workflows.prerequisites import add_months

        if self.until is not None:
            return self.until
        if self.ends_with_fiscal_year:
            return issued_on.replace(month=12, day=31)
        return add_months(issued_on, self.months) if self.months else None

    def to_dict(self) -> dict[str, Any]:
        """Return the definition mapping, the fixed day as ISO text (as the file writes it)."""
        body = _Plain.to_dict(self)
        if self.until is not None:
            body["until"] = self.until.isoformat()
        return body


@dataclass(frozen=True, slots=True)
class CertificateSpec(_Plain):
    """The certificate issued on approval: its layout, its title and the paper it is printed on.

    Attributes:
        template: The name of a layout the portal has (`certificate`), or None with `layout`.
        title: The document's title.
        layout: The version's own layout, HTML with Jinja, checked and rendered by the portal
            in a sandbox; None with `template`.
        paper: `A4` or `Letter`; None means A4, what versions written before the key meant.
        revoke_roles: The staff roles that may revoke an issued certificate or replace it
            with a corrected one (within their office's scope); none when empty.
    """

    template: str | None
    title: Text
    layout: str | None = None
    paper: str | None = None
    revoke_roles: tuple[str, ...] = ()

    @property
    def paper_size(self) -> str:
        """Return the paper the certificate is printed on: `A4` unless the version says."""
        return self.paper or "A4"


@dataclass(frozen=True, slots=True)
class SimdetMapping(_Plain):
    """Which fields feed SIMDET: activity code, size inputs and location."""

    activity_field: str | None = None
    employees_field: str | None = None
    annual_sales_field: str | None = None
    location_field: str | None = None


@dataclass(frozen=True, slots=True)
class RoutingRule(_Plain):
    """Send the case to another issuing authority when a condition holds.

    Attributes:
        when: A condition over the application's data.
        authority: Code of the authority that issues the case then (the portal checks it).
    """

    when: Condition
    authority: str


@dataclass(frozen=True, slots=True)
class Routing(_Plain):
    """Which authority issues a case: the first rule whose condition holds, else the default.

    Attributes:
        rules: Routing rules, tried in order.
        default_authority: The authority when no rule holds; None means the definition's own.
    """

    rules: tuple[RoutingRule, ...] = ()
    default_authority: str | None = None


@dataclass(frozen=True, slots=True)
class Prerequisite(_Plain):
    """A procedure of which the applicant must hold a valid resolution to go ahead.

    Attributes:
        procedure: The required procedure as "<authority>/<slug>" (`OPAMSS/calificacion-lugar`).
        title: What the applicant must hold, as the portal shows it.
        valid_states_kinds: State kinds the required case must have ended in.
        max_age_months: The resolution must have been decided at most this many months ago.
        when: The prerequisite applies only when this condition holds over the data.
        field: The `resolution` field where the applicant gives the qualifying case's tracking
            number; None when the portal looks for the applicant's case itself.
        same_subject: "property", "establishment" or "legal_unit": the required case must be
            about the same subject as this one (see `workflows.dictionary.IDENTIFYING`).
    """

    procedure: str
    title: Text
    valid_states_kinds: tuple[str, ...] = DEFAULT_VALID_STATE_KINDS
    max_age_months: int | None = None
    when: Condition | None = None
    field: str | None = None
    same_subject: str | None = None

    @property
    def authority(self) -> str:
        """Return the code of the authority of the required procedure."""
        return self.procedure.partition("/")[0]

    @property
    def slug(self) -> str:
        """Return the slug of the required procedure."""
        return self.procedure.partition("/")[2]


@dataclass(frozen=True, slots=True)
class PlanMembership(_Plain):
    """When a procedure belongs to a journey's plan ("abrir mi negocio").

    Attributes:
        journey: The journey's code (`workflows.plans.journey`), such as "abrir_negocio".
        when: The procedure is a step of the plan only when this condition holds over the
            journey's answers (typed by the journey's questions); None: always.
    """

    journey: str
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class ChecklistItem(_Plain):
    """One point the inspector checks on site (answered cumple / no cumple / no aplica)."""

    code: str
    label: Text


@dataclass(frozen=True, slots=True)
class InspectionSpec(_Plain):
    """The site inspection of a procedure: the checklist answered item by item.

    Who schedules it and who records it are read from the workflow (`workflows.tasks`).
    """

    checklist: tuple[ChecklistItem, ...] = ()


@dataclass(frozen=True, slots=True)
class OpinionSource(_Plain):
    """An institution the office may consult for a technical opinion (dictamen).

    Attributes:
        code: The institution's code in this definition (`marn`, `anda`, `bomberos`).
        name: Its name as staff and the applicant read it.
        business_days: Business days it has to answer (the request's default due date).
        suspends_clock: The case's legal clock stops from the request until the answer
            (Ley de Procedimientos Administrativos: the period is suspended while a
            mandatory report of another authority is awaited).
    """

    code: str
    name: Text
    business_days: int
    suspends_clock: bool = False


@dataclass(frozen=True)
class Definition:
    """One version of a procedure: form, documents, fees and workflow.

    Build it with `workflows.load`, which validates it; constructing it directly skips checks.
    Besides the sections of the file, `valid_from` is the first day the version may be used for
    new cases (None: at once), `routing` says which authority issues a case (None: `authority`),
    `prerequisites` lists the resolutions the applicant must already hold, `inspection` the
    site inspection's checklist, `opinions` the institutions the office may consult, `plan` says
    when the procedure is a step of a journey's plan, and `draft_retention_days` how many
    calendar days an untouched draft is kept before it is deleted (None:
    `DRAFT_RETENTION_DAYS`; see `retention_days`).
    """

    authority: str
    slug: str
    version: int
    title: Text
    summary: Text
    catalogue: Catalogue
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial_state: str
    fields: tuple[Field, ...] = ()
    documents: tuple[DocumentRequirement, ...] = ()
    fees: tuple[FeeRule, ...] = ()
    breach: tuple[BreachAction, ...] = ()
    validity: Validity | None = None
    certificate: CertificateSpec | None = None
    simdet: SimdetMapping | None = None
    valid_from: date | None = None
    routing: Routing | None = None
    prerequisites: tuple[Prerequisite, ...] = ()
    plan: PlanMembership | None = None
    draft_retention_days: int | None = None
    inspection: InspectionSpec | None = None
    opinions: tuple[OpinionSource, ...] = ()
    reasons: tuple[Reason, ...] = ()
    _index: Mapping[str, Mapping[Any, Any]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        outgoing: dict[str, list[Transition]] = {}
        by_action: dict[tuple[str, str], list[Transition]] = {}
        for transition in self.transitions:
            for source in transition.sources:
                outgoing.setdefault(source, []).append(transition)
                by_action.setdefault((source, transition.action), []).append(transition)
        index = {
            "states": {state.code: state for state in self.states},
            "fields": {item.name: item for item in self.fields},
            "documents": {item.code: item for item in self.documents},
            "outgoing": {key: tuple(value) for key, value in outgoing.items()},
            "by_action": {key: tuple(value) for key, value in by_action.items()},
        }
        object.__setattr__(self, "_index", index)

    def __hash__(self) -> int:
        # Equal definitions have equal digests; fields hold read-only mappings, not hashable.
        return hash(self.digest)

    def state(self, code: str) -> State:
        """Return the state with `code`; raise KeyError if there is none."""
        return self._index["states"][code]

    def field(self, name: str) -> Field:
        """Return the field called `name`; raise KeyError if there is none."""
        return self._index["fields"][name]

    def document(self, code: str) -> DocumentRequirement:
        """Return the document requirement with `code`; raise KeyError if there is none."""
        return self._index["documents"][code]

    def opinion_source(self, code: str) -> OpinionSource | None:
        """Return the institution with `code` this procedure may consult, or None."""
        return next((item for item in self.opinions if item.code == code), None)

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        """Return the transitions offered in `state`, in definition order."""
        return self._index["outgoing"].get(state, ())

    def kind_of(self, transition: Transition) -> str:
        """Return what a transition means: its declared `kind`, or one inferred from its states.

        Into a `withdrawn`, `abandoned` or `waiting_applicant` state: `withdraw`, `abandon`,
        `ask_applicant`; into an approved or denied state: `decide`; otherwise `submit` when
        every source is a `draft`, `correct` when every source is `waiting_applicant`, and
        `advance` for the rest.
        """
        if transition.kind is not None:
            return transition.kind
        target = self.state(transition.target).kind
        if target in _INFERRED_KINDS:
            return _INFERRED_KINDS[target]
        sources = {self.state(code).kind for code in transition.sources}
        if sources == {"draft"}:
            return "submit"
        return "correct" if sources == {"waiting_applicant"} else "advance"

    def reason_use(self, transition: Transition) -> str | None:
        """Return what reasons a transition's comment gives, from what it means, or None.

        A request to the applicant (kind `ask_applicant`) gives `correction` reasons; a move into
        a `denied` state gives `denial` reasons; other transitions take no reasons.
        """
        if self.kind_of(transition) == "ask_applicant":
            return "correction"
        return "denial" if self.state(transition.target).kind == "denied" else None

    def reasons_for(self, use: str | None) -> tuple[Reason, ...]:
        """Return the reasons offered for `use` (`correction` or `denial`), in order."""
        return tuple(reason for reason in self.reasons if use in reason.uses)

    def item_reasons(self, item: str) -> tuple[Reason, ...]:
        """Return the correction reasons a "not OK" verdict on `item` may give, in order.

        `item` is a field name or a requirement code (`workflows.guards.review_items`); a
        reason with `items` fits only those kinds of item. An unknown item gets none.
        """
        kinds = {
            kind
            for kind, present in (
                ("fields", item in self._index["fields"]),
                ("documents", item in self._index["documents"]),
            )
            if present
        }
        if not kinds:
            return ()
        return tuple(reason for reason in self.reasons_for("correction") if reason.fits(kinds))

    def transitions_for(self, state: str, action: str) -> tuple[Transition, ...]:
        """Return the transitions for `action` from `state` (usually one)."""
        return self._index["by_action"].get((state, action), ())

    @property
    def retention_days(self) -> int:
        """Return the calendar days an untouched draft is kept (the procedure's, or the default)."""
        return self.draft_retention_days or DRAFT_RETENTION_DAYS

    def to_dict(self) -> dict[str, Any]:
        """Return a plain mapping that `workflows.load` turns back into an equal definition."""
        body = _compact(
            {
                "authority": self.authority,
                "slug": self.slug,
                "version": self.version,
                "title": self.title,
                "summary": self.summary,
                "catalogue": self.catalogue.to_dict(),
                "fields": self.fields,
                "documents": self.documents,
                "fees": self.fees,
                "validity": self.validity and self.validity.to_dict(),
                "certificate": self.certificate and self.certificate.to_dict(),
                "simdet": self.simdet and self.simdet.to_dict(),
                "valid_from": self.valid_from and self.valid_from.isoformat(),
                "routing": self.routing and self.routing.to_dict(),
                "prerequisites": self.prerequisites,
                "draft_retention_days": self.draft_retention_days,
                "inspection": self.inspection and self.inspection.to_dict(),
                "opinions": self.opinions,
                "reasons": self.reasons,
            }
        )
        if self.plan is not None:
            body["plan"] = self.plan.to_dict()
        body["workflow"] = _compact(
            {
                "initial": self.initial_state,
                "states": self.states,
                "transitions": self.transitions,
                "breach": self.breach,
            }
        )
        return body

    @cached_property
    def field_types(self) -> Mapping[str, str]:
        """Return each field's type by name: how a condition reads its answer."""
        return MappingProxyType({item.name: item.type for item in self.fields})

    @cached_property
    def digest(self) -> str:
        """Return the sha256 of the canonical JSON of `to_dict()`; equal definitions match."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
