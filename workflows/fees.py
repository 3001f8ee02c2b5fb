"""Fee rules of a procedure and their computation in dollars, rounded to cents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from workflows.conditions import Condition, comparisons, evaluate, is_blank, thaw
from workflows.numbers import read_number
from workflows.text import Text

if TYPE_CHECKING:
    from workflows.model import Definition

CENT = Decimal("0.01")
#: A fixed amount, or amounts by tariff regime (`{"tasas_2004": 87, "decreto_27_2023": 115}`).
Amount = Decimal | Mapping[str, Decimal]


class FeeRegimeError(ValueError):
    """A fee depends on the district's tariff regime and none, or an unknown one, was given."""


#: Words by which a fee's own label already says its figure is not confirmed (Spanish, English).
UNCONFIRMED_WORDS = ("por confirmar", "pendiente de confirmar", "to be confirmed")


def needs_unconfirmed_notice(label: str, placeholder: bool) -> bool:
    """Return whether a placeholder fee's label still needs the "to be confirmed" notice.

    A definition may already say so in the label ("… (valor de demostración, pendiente de
    confirmar)"); the notice is then left out, so the line says it once.
    """
    folded = label.casefold()
    return placeholder and not any(words in folded for words in UNCONFIRMED_WORDS)


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One line of a fee assessment.

    Attributes:
        code: The rule's code.
        label: What the applicant reads.
        amount: Dollars, rounded to cents.
        placeholder: The figure is a labelled demo value, not a verified tariff.
    """

    code: str
    label: Text
    amount: Decimal
    placeholder: bool = False


@dataclass(frozen=True, kw_only=True)
class FeeRule:
    """What every fee rule has: a code, a label, an optional condition and a placeholder flag."""

    code: str
    label: Text
    when: Condition | None = None
    placeholder: bool = False

    kind = "abstract"

    def amount(self, data: Mapping[str, object], regime: str | None, subtotal: Decimal) -> Decimal:
        """Return the unrounded amount of this rule (subclasses implement it)."""
        raise NotImplementedError

    def fields(self) -> tuple[str, ...]:
        """Return the data fields this rule's amount reads (not counting `when`)."""
        return ()

    def to_dict(self) -> dict[str, Any]:
        """Return the definition mapping of this rule."""
        body = {"code": self.code, "kind": self.kind, "label": self.label.to_dict()}
        if self.when is not None:
            body["when"] = thaw(self.when)
        if self.placeholder:
            body["placeholder"] = True
        return body | {key: thaw(value) for key, value in self._body().items()}

    def _body(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class FixedFee(FeeRule):
    """A fixed amount."""

    fixed: Decimal
    kind = "fixed"

    def amount(self, data: Mapping[str, object], regime: str | None, subtotal: Decimal) -> Decimal:
        """Return the fixed amount."""
        return self.fixed

    def _body(self) -> dict[str, Any]:
        return {"amount": self.fixed}


@dataclass(frozen=True, slots=True)
class ConditionalRate:
    """A rate that applies when its condition holds."""

    when: Condition
    rate: Amount


@dataclass(frozen=True, kw_only=True)
class PerUnitAboveFee(FeeRule):
    """`base + max(0, field - threshold) × rate`; the first `rates` entry that holds wins."""

    field: str
    base: Amount
    threshold: Decimal
    rate: Amount
    rates: tuple[ConditionalRate, ...] = ()
    kind = "per_unit_above"

    def amount(self, data: Mapping[str, object], regime: str | None, subtotal: Decimal) -> Decimal:
        """Return the base plus the units above the threshold times the applicable rate."""
        rate = next((item.rate for item in self.rates if evaluate(item.when, data)), self.rate)
        units = max(Decimal(0), as_decimal(data.get(self.field)) - self.threshold)
        return _pick(self.base, regime, self.code) + units * _pick(rate, regime, self.code)

    def fields(self) -> tuple[str, ...]:
        """Return the field counted in units."""
        return (self.field,)

    def _body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "field": self.field,
            "base": self.base,
            "threshold": self.threshold,
            "rate": self.rate,
        }
        if self.rates:
            body["rates"] = [{"when": item.when, "rate": item.rate} for item in self.rates]
        return body


@dataclass(frozen=True, kw_only=True)
class TableFee(FeeRule):
    """An amount by the value of a choice field; values not in the table add no line."""

    field: str
    amounts: Mapping[str, Decimal]
    kind = "table"

    def amount(self, data: Mapping[str, object], regime: str | None, subtotal: Decimal) -> Decimal:
        """Return the table's amount for the field's value, or zero."""
        return self.amounts.get(str(data.get(self.field)), Decimal(0))

    def fields(self) -> tuple[str, ...]:
        """Return the choice field the table is keyed by."""
        return (self.field,)

    def _body(self) -> dict[str, Any]:
        return {"field": self.field, "amounts": self.amounts}


@dataclass(frozen=True, kw_only=True)
class RegimeFee(FeeRule):
    """An amount per tariff regime of the application's district."""

    amounts: Mapping[str, Decimal]
    kind = "by_regime"

    def amount(self, data: Mapping[str, object], regime: str | None, subtotal: Decimal) -> Decimal:
        """Return the amount of the given regime."""
        return _pick(self.amounts, regime, self.code)

    def _body(self) -> dict[str, Any]:
        return {"amounts": self.amounts}


@dataclass(frozen=True, kw_only=True)
class Surcharge(FeeRule):
    """An extra (express service): a fixed amount, or a percentage of the lines before it."""

    fixed: Decimal | None = None
    percent: Decimal | None = None
    kind = "surcharge"

    def amount(self, data: Mapping[str, object], regime: str | None, subtotal: Decimal) -> Decimal:
        """Return the fixed extra, or the percentage of the subtotal so far."""
        if self.fixed is not None:
            return self.fixed
        return subtotal * (self.percent or Decimal(0)) / 100

    def _body(self) -> dict[str, Any]:
        if self.fixed is not None:
            return {"amount": self.fixed}
        return {"percent": self.percent}


def compute_fees(
    definition: Definition, data: Mapping[str, object], regime: str | None = None
) -> tuple[FeeLine, ...]:
    """Assess the fees of an application.

    Args:
        definition: The procedure definition.
        data: The application's field values.
        regime: The tariff regime of the application's district, if the authority has one.

    Returns:
        One line per rule whose `when` holds and whose amount is not zero, in definition order.

    Raises:
        FeeRegimeError: A rule that applies depends on the regime and `regime` is missing or
            not one it knows.
    """
    lines: list[FeeLine] = []
    subtotal = Decimal(0)
    for rule in definition.fees:
        if rule.when is not None and not evaluate(rule.when, data, definition.field_types):
            continue
        amount = rule.amount(data, regime, subtotal).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount:
            lines.append(FeeLine(rule.code, rule.label, amount, rule.placeholder))
            subtotal += amount
    return tuple(lines)


def fee_total(lines: Iterable[FeeLine]) -> Decimal:
    """Return the sum of fee lines, in dollars with cents."""
    return sum((line.amount for line in lines), Decimal("0.00")).quantize(CENT)


def as_decimal(value: object) -> Decimal:
    """Return a stored number as a Decimal (read by `workflows.numbers`); else zero.

    Data reaches fees already checked by `validate_value`; blank, ambiguous or not a number
    counts as zero rather than as a guess.
    """
    if value is None:
        return Decimal(0)
    number = read_number(value)
    return Decimal(0) if number is None else number


def _pick(amount: Amount, regime: str | None, code: str) -> Decimal:
    if isinstance(amount, Decimal):
        return amount
    if regime is None or regime not in amount:
        raise FeeRegimeError(f"fee {code!r} needs a tariff regime among {sorted(amount)}")
    return amount[regime]


def fee_inputs(definition: Definition) -> tuple[tuple[str, ...], bool]:
    """Return what an estimate of a definition's fees must ask, and whether it needs a district.

    The fields are those the fee rules read (their amounts, their `when`, the conditions of
    their rates) and, since an answer to a hidden question is not charged on
    (`workflows.guards.applicable_data`), the fields that decide whether those are asked.

    Args:
        definition: The procedure definition.

    Returns:
        `(fields, needs_regime)`: field names in definition order, and True when an amount
        depends on the tariff regime of the case's district.
    """
    wanted: set[str] = set()
    needs_regime = False
    for rule in definition.fees:
        when, amount, regimes = _reads(rule)
        wanted |= when | amount
        needs_regime = needs_regime or bool(regimes)
    fields = {item.name: item for item in definition.fields}  # the validator checked the names
    pending = list(wanted)
    while pending:
        spec = fields[pending.pop()]
        if spec.visible_if is not None:
            new = _condition_fields([spec.visible_if]) - wanted
            wanted |= new
            pending += new
    return tuple(item.name for item in definition.fields if item.name in wanted), needs_regime


def unanswered_fee_inputs(
    definition: Definition, data: Mapping[str, object], regime: str | None = None
) -> tuple[tuple[str, ...], bool]:
    """Return the blank answers the fees of these answers depend on, and whether the regime is.

    The one rule for "can these answers be charged yet": the sheet's estimator, the business
    plan and anything that shows a total before filing ask it, so no total is shown that a
    blank answer would change. A rule reads the fields of its `when` (which decide whether it
    applies) and, when it applies, its amount's field and its rates' conditions. A blank
    answer (`workflows.conditions.is_blank`) to a question that is not asked is not missing;
    a blank answer that hides a question the fees read is.

    Args:
        definition: The procedure definition.
        data: Answers by field name, typed or as stored.
        regime: The tariff regime of the case's district, or None when none is known.

    Returns:
        `(fields, regime_missing)`: the blank fields in definition order, and True when a rule
        that applies has amounts by regime and `regime` is not one of them. Both empty/False
        mean the fees can be assessed (`compute_fees`) as they will be charged.
    """
    from workflows.guards import applicable_data, asked_fields  # guards imports the model

    data = applicable_data(definition, data)
    asked = asked_fields(definition, data)
    fields = {item.name: item for item in definition.fields}

    def gaps(names: Iterable[str], seen: frozenset[str] = frozenset()) -> set[str]:
        found: set[str] = set()
        for name in set(names) - seen:
            if name not in asked:  # hidden: blank unless what hides it is blank too
                condition = fields[name].visible_if
                found |= gaps(_condition_fields([condition]), seen | {name})
            elif is_blank(data.get(name)):
                found.add(name)
        return found

    missing: set[str] = set()
    regime_missing = False
    for rule in definition.fees:
        when, amount, regimes = _reads(rule)
        deciding = gaps(when)
        if deciding:
            missing |= deciding
            continue
        if rule.when is not None and not evaluate(rule.when, data, definition.field_types):
            continue
        missing |= gaps(amount)
        regime_missing = regime_missing or any(regime not in item for item in regimes)
    return tuple(name for name in fields if name in missing), regime_missing


def _reads(rule: FeeRule) -> tuple[set[str], set[str], list[Mapping[str, Decimal]]]:
    """What a rule reads: its `when` fields, its amount's fields (with its rates' conditions),
    and its amounts by regime."""
    when = _condition_fields([rule.when] if rule.when is not None else [])
    amount = set(rule.fields())
    amounts: list[object] = []
    if isinstance(rule, PerUnitAboveFee):
        amount |= _condition_fields(item.when for item in rule.rates)
        amounts += [rule.base, rule.rate, *(item.rate for item in rule.rates)]
    if isinstance(rule, RegimeFee):
        amounts.append(rule.amounts)
    return when, amount, [item for item in amounts if isinstance(item, Mapping)]


def _condition_fields(conditions: Iterable[Condition]) -> set[str]:
    return {leaf["field"] for condition in conditions for _path, leaf in comparisons(condition, "")}
