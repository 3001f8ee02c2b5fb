"""Load a procedure definition: JSON Schema first, then semantic checks, into frozen dataclasses."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any

from workflows.conditions import freeze
from workflows.fees import (
    ConditionalRate,
    FeeRule,
    FixedFee,
    PerUnitAboveFee,
    RegimeFee,
    Surcharge,
    TableFee,
)
from workflows.model import (
    DEFAULT_CLOCK,
    DEFAULT_VALID_STATE_KINDS,
    NO_PARAMS,
    BreachAction,
    Catalogue,
    CertificateSpec,
    ChecklistItem,
    Choice,
    Definition,
    DocumentRequirement,
    Field,
    InspectionSpec,
    OpinionSource,
    PlanMembership,
    Prerequisite,
    Reason,
    Ref,
    Routing,
    RoutingRule,
    SimdetMapping,
    State,
    Transition,
    Validity,
)
from workflows.problems import InvalidDefinition, Problem
from workflows.schemas import schema_problems
from workflows.source import non_finite_problems, read_source
from workflows.text import Text
from workflows.validator import check


def load(data: Mapping[str, Any]) -> Definition:
    """Validate a definition mapping and build the definition.

    Args:
        data: The definition as plain data (parsed YAML or JSON).

    Returns:
        The frozen definition.

    Raises:
        InvalidDefinition: listing every problem found. An infinite or NaN number
            (`not_finite`), then schema problems, are reported alone, since semantic checks
            need a well-formed definition.
    """
    problems = non_finite_problems(data) or schema_problems(data)
    if problems:
        raise InvalidDefinition(problems)
    builder = _Builder()
    definition = builder.definition(data)
    problems = builder.problems + check(definition)
    if problems:
        raise InvalidDefinition(problems)
    return definition


def load_file(path: str | PathLike[str]) -> Definition:
    """Read a YAML (or JSON) definition file and load it.

    Raises:
        InvalidDefinition: The file is not a bounded YAML mapping of text (see
            `workflows.source.read_source`), or the definition is invalid.
        OSError: The file cannot be read.
    """
    return load_source(Path(path).read_bytes())


def load_source(source: str | bytes) -> Definition:
    """Load a definition from a file's content, bounded and checked like `load_file`.

    Raises:
        InvalidDefinition: listing every problem found.
    """
    definition, problems = inspect_source(source)
    if definition is None:
        raise InvalidDefinition(problems)
    return definition


def inspect_source(source: str | bytes) -> tuple[Definition | None, list[Problem]]:
    """Read and validate a definition file's content without raising.

    Args:
        source: The file's bytes (UTF-8) or text.

    Returns:
        `(definition, [])` when it is sound, else `(None, problems)`: every problem found at
        the stage that failed (reading, the schema, then the semantic checks).
    """
    with _without_cycle_collection():
        data, problems = read_source(source)
        if problems:
            return None, problems
        try:
            return load(data), []
        except InvalidDefinition as invalid:
            return None, list(invalid.problems)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a definition is read and checked.

    Reading builds hundreds of thousands of small objects, and the collector would walk them
    all again and again: on a 10,000-transition file it more than doubles the time. The
    input is bounded (`workflows.source.MAX_BYTES`) and the objects hold no cycles, so
    reference counting frees them; the collector resumes as it was afterwards.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _bound(value: Any) -> Decimal | str | None:
    """A field's `min`/`max`: a number, or a date limit kept as written (`today`, `-100y`)."""
    if value is None or isinstance(value, str):
        return value
    return _decimal(value)


def _amount(value: Any) -> Decimal | Mapping[str, Decimal]:
    if isinstance(value, Mapping):
        return freeze({key: _decimal(item) for key, item in value.items()})
    return _decimal(value)


def _ref(raw: Any) -> Ref:
    if isinstance(raw, str):
        return Ref(raw)
    return Ref(raw["name"], freeze(raw.get("params", {})) or NO_PARAMS)


def _breach(raw: Mapping[str, Any]) -> BreachAction:
    effects = tuple(_ref(item) for item in raw.get("effects", ()))
    return BreachAction(**{k: v for k, v in raw.items() if k != "effects"}, effects=effects)


class _Builder:
    """Build dataclasses from schema-valid data, noting texts with a missing translation."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def text(self, raw: Mapping[str, str], path: str) -> Text:
        text = Text(es=raw.get("es", ""), en=raw.get("en", ""))
        for locale in ("es", "en"):
            if not getattr(text, locale).strip():
                self.problems.append(
                    Problem(
                        f"{path}.{locale}", "missing_translation", f"the {locale} text is empty"
                    )
                )
        return text

    def maybe_text(self, raw: Mapping[str, str] | None, path: str) -> Text | None:
        return None if raw is None else self.text(raw, path)

    def items(self, build: Any, raws: Any, path: str) -> tuple[Any, ...]:
        return tuple(build(raw, f"{path}[{index}]") for index, raw in enumerate(raws))

    def definition(self, data: Mapping[str, Any]) -> Definition:
        workflow = data["workflow"]
        validity, certificate = data.get("validity"), data.get("certificate")
        return Definition(
            authority=data["authority"],
            slug=data["slug"],
            version=data["version"],
            title=self.text(data["title"], "title"),
            summary=self.text(data["summary"], "summary"),
            catalogue=self.catalogue(data["catalogue"]),
            fields=self.items(self.field, data.get("fields", ()), "fields"),
            documents=self.items(self.document, data.get("documents", ()), "documents"),
            fees=self.items(self.fee, data.get("fees", ()), "fees"),
            states=self.items(self.state, workflow["states"], "workflow.states"),
            transitions=self.items(
                self.transition, workflow["transitions"], "workflow.transitions"
            ),
            initial_state=workflow["initial"],
            breach=tuple(_breach(raw) for raw in workflow.get("breach", ())),
            validity=None if validity is None else self.validity(validity),
            certificate=None
            if certificate is None
            else CertificateSpec(
                certificate.get("template"),
                self.text(certificate["title"], "certificate.title"),
                layout=certificate.get("layout"),
                paper=certificate.get("paper"),
                revoke_roles=tuple(certificate.get("revoke_roles", ())),
            ),
            simdet=None if "simdet" not in data else SimdetMapping(**data["simdet"]),
            valid_from=self.iso_date(data.get("valid_from"), "valid_from"),
            routing=None if "routing" not in data else self.routing(data["routing"]),
            prerequisites=self.items(
                self.prerequisite, data.get("prerequisites", ()), "prerequisites"
            ),
            plan=None
            if "plan" not in data
            else PlanMembership(data["plan"]["journey"], freeze(data["plan"].get("when"))),
            draft_retention_days=data.get("draft_retention_days"),
            inspection=None if "inspection" not in data else self.inspection(data["inspection"]),
            opinions=self.items(self.opinion, data.get("opinions", ()), "opinions"),
            reasons=self.items(self.reason, data.get("reasons", ()), "reasons"),
        )

    def inspection(self, raw: Mapping[str, Any]) -> InspectionSpec:
        return InspectionSpec(
            checklist=tuple(
                ChecklistItem(
                    item["code"], self.text(item["label"], f"inspection.checklist[{i}].label")
                )
                for i, item in enumerate(raw["checklist"])
            )
        )

    def opinion(self, raw: Mapping[str, Any], path: str) -> OpinionSource:
        return OpinionSource(
            code=raw["code"],
            name=self.text(raw["name"], f"{path}.name"),
            business_days=raw["business_days"],
            suspends_clock=raw.get("suspends_clock", False),
        )

    def reason(self, raw: Mapping[str, Any], path: str) -> Reason:
        return Reason(
            code=raw["code"],
            label=self.text(raw["label"], f"{path}.label"),
            uses=tuple(raw["for"]),
            items=tuple(raw["items"]) if "items" in raw else None,
        )

    def iso_date(self, raw: str | None, path: str) -> date | None:
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.problems.append(Problem(path, "invalid_date", f"{raw!r} is not a calendar date"))
            return None

    def routing(self, raw: Mapping[str, Any]) -> Routing:
        return Routing(
            rules=tuple(
                RoutingRule(freeze(item["when"]), item["authority"])
                for item in raw.get("rules", ())
            ),
            default_authority=raw.get("default_authority"),
        )

    def prerequisite(self, raw: Mapping[str, Any], path: str) -> Prerequisite:
        return Prerequisite(
            procedure=raw["procedure"],
            title=self.text(raw["title"], f"{path}.title"),
            valid_states_kinds=tuple(raw.get("valid_states_kinds", DEFAULT_VALID_STATE_KINDS)),
            max_age_months=raw.get("max_age_months"),
            when=freeze(raw.get("when")),
            field=raw.get("field"),
            same_subject=raw.get("same_subject"),
        )

    def validity(self, raw: Mapping[str, Any]) -> Validity:
        return Validity(
            months=raw.get("months"),
            ends_with_fiscal_year=raw.get("ends_with_fiscal_year", False),
            note=self.maybe_text(raw.get("note"), "validity.note"),
            until=self.iso_date(raw.get("until"), "validity.until"),
        )

    def catalogue(self, raw: Mapping[str, Any]) -> Catalogue:
        texts = {
            key: self.maybe_text(raw.get(key), f"catalogue.{key}")
            for key in ("who_may_apply", "cost_summary", "office", "hours", "outputs")
        }
        return Catalogue(
            purpose=self.text(raw["purpose"], "catalogue.purpose"),
            legal_basis=tuple(
                self.text(item, f"catalogue.legal_basis[{i}]")
                for i, item in enumerate(raw.get("legal_basis", ()))
            ),
            legal_max_business_days=raw.get("legal_max_business_days"),
            max_extension_business_days=raw.get("max_extension_business_days"),
            placeholders=tuple(raw.get("placeholders", ())),
            life_events=tuple(raw.get("life_events", ())),
            **texts,
        )

    def field(self, raw: Mapping[str, Any], path: str) -> Field:
        return Field(
            name=raw["name"],
            type=raw["type"],
            label=self.text(raw["label"], f"{path}.label"),
            help=self.maybe_text(raw.get("help"), f"{path}.help"),
            required=raw.get("required", False),
            min=_bound(raw.get("min")),
            max=_bound(raw.get("max")),
            max_length=raw.get("max_length"),
            pattern=raw.get("pattern"),
            choices=tuple(
                Choice(item["value"], self.text(item["label"], f"{path}.choices[{i}].label"))
                for i, item in enumerate(raw.get("choices", ()))
            ),
            visible_if=freeze(raw.get("visible_if")),
            bind=raw.get("bind"),
        )

    def document(self, raw: Mapping[str, Any], path: str) -> DocumentRequirement:
        return DocumentRequirement(
            code=raw["code"],
            title=self.text(raw["title"], f"{path}.title"),
            help=self.maybe_text(raw.get("help"), f"{path}.help"),
            required=raw.get("required", False),
            required_if=freeze(raw.get("required_if")),
            accept=tuple(raw.get("accept", ("application/pdf",))),
            max_bytes=raw.get("max_bytes", 10 * 1024 * 1024),
            presentation=raw.get("presentation", "upload"),
            active_content=raw.get("active_content"),
        )

    def fee(self, raw: Mapping[str, Any], path: str) -> FeeRule:
        common: dict[str, Any] = {
            "code": raw["code"],
            "label": self.text(raw["label"], f"{path}.label"),
            "when": freeze(raw.get("when")),
            "placeholder": raw.get("placeholder", False),
        }
        kind = raw["kind"]
        if kind == "fixed":
            return FixedFee(fixed=_decimal(raw["amount"]), **common)
        if kind == "per_unit_above":
            return PerUnitAboveFee(
                field=raw["field"],
                base=_amount(raw["base"]),
                threshold=_decimal(raw["threshold"]),
                rate=_amount(raw["rate"]),
                rates=tuple(
                    ConditionalRate(freeze(item["when"]), _amount(item["rate"]))
                    for item in raw.get("rates", ())
                ),
                **common,
            )
        if kind == "table":
            return TableFee(field=raw["field"], amounts=_amount(raw["amounts"]), **common)
        if kind == "by_regime":
            return RegimeFee(amounts=_amount(raw["amounts"]), **common)
        percent = raw.get("percent")
        return Surcharge(
            fixed=None if "amount" not in raw else _decimal(raw["amount"]),
            percent=None if percent is None else _decimal(percent),
            **common,
        )

    def state(self, raw: Mapping[str, Any], path: str) -> State:
        return State(
            code=raw["code"],
            kind=raw["kind"],
            label=self.text(raw["label"], f"{path}.label"),
            roles=tuple(raw.get("roles", ())),
            business_days=raw.get("business_days"),
            clock=raw.get("clock", DEFAULT_CLOCK.get(raw["kind"], "stopped")),
            applicant_can_edit=raw.get("applicant_can_edit", False),
            breach=tuple(_breach(item) for item in raw.get("breach", ())),
            business_days_placeholder=raw.get("business_days_placeholder", False),
        )

    def transition(self, raw: Mapping[str, Any], path: str) -> Transition:
        sources = raw["from"]
        return Transition(
            action=raw["action"],
            sources=(sources,) if isinstance(sources, str) else tuple(sources),
            target=raw["to"],
            label=self.text(raw["label"], f"{path}.label"),
            roles=tuple(raw["roles"]),
            guards=tuple(_ref(item) for item in raw.get("guards", ())),
            effects=tuple(_ref(item) for item in raw.get("effects", ())),
            comment_required=raw.get("comment_required", False),
            verdicts_required=raw.get("verdicts_required", False),
            outputs=self.items(self.field, raw.get("outputs", ()), f"{path}.outputs"),
            kind=raw.get("kind"),
            reasoned_text=self.maybe_text(raw.get("reasoned_text"), f"{path}.reasoned_text"),
        )
