"""The one assessment of a case's fees: the sheet's estimate, the plan's total, the payment order.

The catalogue's estimator, the "abrir mi negocio" plan and the `request_payment` effect all call
`assess`, so what a person is told before starting is what the mandamiento de pago charges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import workflows
from portal.reference.values import tariff_regime_on
from workflows.fees import (
    FeeLine,
    FeeRegimeError,
    compute_fees,
    fee_total,
    unanswered_fee_inputs,
)


@dataclass(frozen=True)
class Assessment:
    """Fees assessed on some data.

    Attributes:
        lines: One line per fee rule that applies, in definition order (amounts in US dollars).
        total: The sum of the lines, in dollars with cents.
        regime: The tariff regime of the district the fees were assessed for (None: the
            authority has none, or no district was given).
        missing_regime: True when a rule that applies depends on the district's tariff regime
            and no district with a known regime was given: nothing can be assessed then
            (`lines` is empty); the estimator asks for the district.
        unanswered: The blank answers the fees depend on (`workflows.fees.unanswered_fee_inputs`),
            in definition order: the lines are what the rules give with them blank, a figure
            nobody will be charged, so a total is shown before filing only when `complete`.
    """

    lines: tuple[FeeLine, ...]
    total: Decimal
    regime: str | None
    missing_regime: bool = False
    unanswered: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every answer and the regime the fees depend on are known."""
        return not self.missing_regime and not self.unanswered


def assess(
    definition: workflows.Definition,
    typed: dict[str, object],
    district=None,
    on: date | None = None,
) -> Assessment:
    """Assess the fees of `definition` on typed answers, for a district, as on a date.

    Args:
        definition: The procedure definition (its `fees` rules, `workflows.fees`).
        typed: Answers as the engine's types (`portal.applications.facts.typed_data`, or the
            estimator's parsed figures); answers a rule does not read are ignored.
        district: The district `Authority` the case is located in, or None.
        on: The date whose tariff regime of the district applies (`tariff_regime_on`): a
            filed case's filing date; None for today in El Salvador (an estimate).

    Returns:
        The `Assessment`; `missing_regime` when a rule needs the district's regime and there is
        none (an estimate then asks for the district; filed cases always have one), and the
        `unanswered` questions the fees depend on (an estimate asks them before any total).
    """
    if on is None:
        from portal.applications.effects import local_now

        on = local_now().date()
    regime = tariff_regime_on(district, on)
    unanswered, missing_regime = unanswered_fee_inputs(definition, typed, regime)
    lines: tuple[FeeLine, ...] = ()
    if not missing_regime:
        try:
            lines = compute_fees(definition, typed, regime)
        except FeeRegimeError:  # a rule whose condition is unanswered may need it
            missing_regime = True
    return Assessment(
        lines=lines,
        total=fee_total(lines),
        regime=regime,
        missing_regime=missing_regime,
        unanswered=unanswered,
    )
