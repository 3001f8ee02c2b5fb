"""The one reader of dated reference values: what was in force on a date (issue 11, item 7).

Each kind of value is a row per version in `reference_values`, in force from its `valid_from`
until the next version of the same kind, key and authority. Every reader takes the date that
matters (the filing date, the fee's date, the decision's date), so a past date gets the value
as it was then; the admin console adds versions from a date, never rewriting one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from portal.extensions import db
from portal.reference.models import ReferenceValue

if TYPE_CHECKING:
    from portal.authorities.models import Authority

MINIMUM_WAGE, MYPE_RULE, TARIFF_REGIME = "minimum_wage", "mype_rule", "tariff_regime"
#: An authority's vacation and Holy Week settings from 1 January of a year (read by
#: `portal.authorities.services.calendar_for`, the one calendar).
CALENDAR_SETTINGS = "calendar_settings"
KINDS = (MINIMUM_WAGE, MYPE_RULE, TARIFF_REGIME, CALENDAR_SETTINGS)
#: Sectors of the minimum wage (reference/law-and-codes.md §5.2).
WAGE_SECTORS = ("comercio_servicios", "industria", "maquila_textil")
#: The wage the Ley MYPE thresholds are counted in: commerce and services.
MYPE_WAGE_SECTOR = "comercio_servicios"
MYPE_KEY, REGIME_KEY, SETTINGS_KEY = "thresholds", "regime", "settings"
#: The tariff instruments of OPAMSS a district may have (reference/authorities.md item 2).
TARIFF_REGIMES = ("tasas_2004_2010", "decreto_27_2023")
#: Since when a value seeded without a known start is in force (the first calendar year).
ORIGIN = date(1990, 1, 1)
#: The Ley MYPE thresholds: whole numbers of minimum wages and of workers.
MYPE_FIELDS = ("micro_max_wages", "small_max_wages", "micro_max_workers", "small_max_workers")
#: The numbers of each kind: a new version moving one of them by more than half is confirmed.
NUMBERS = {MINIMUM_WAGE: ("monthly",), MYPE_RULE: MYPE_FIELDS}


def version_on(
    kind: str, key: str, on: date, authority_id: int | None = None, *, besides: int | None = None
) -> ReferenceValue | None:
    """Return the version of a value in force on `on` (the latest from that day or before).

    Args:
        besides: A version's id to leave out (the one being corrected).
    """
    return db.session.scalar(
        sa.select(ReferenceValue)
        .where(
            ReferenceValue.kind == kind,
            ReferenceValue.key == key,
            ReferenceValue.authority_id.is_not_distinct_from(authority_id),
            ReferenceValue.valid_from <= on,
            ReferenceValue.id != (besides or 0),
        )
        .order_by(ReferenceValue.valid_from.desc(), ReferenceValue.id.desc())
        .limit(1)
    )


def history(kind: str, authority_ids: set[int] | None = None) -> list[ReferenceValue]:
    """Every version of a kind, by key, authority and date (newest first within each).

    Args:
        authority_ids: Only these authorities' values (None: all, national ones included).
    """
    query = sa.select(ReferenceValue).where(ReferenceValue.kind == kind)
    if authority_ids is not None:
        query = query.where(ReferenceValue.authority_id.in_(authority_ids))
    query = query.order_by(
        ReferenceValue.key, ReferenceValue.authority_id, ReferenceValue.valid_from.desc()
    )
    return list(db.session.scalars(query))


def minimum_wage_on(on: date, sector: str = MYPE_WAGE_SECTOR) -> Decimal | None:
    """Return the monthly minimum wage of a sector in force on `on`, in dollars, or None."""
    row = version_on(MINIMUM_WAGE, sector, on)
    return None if row is None else Decimal(row.value["monthly"])


def tariff_regime_on(district: Authority | None, on: date) -> str | None:
    """Return the tariff regime of a district on `on` (None: no district, or it has none)."""
    if district is None:
        return None
    row = version_on(TARIFF_REGIME, REGIME_KEY, on, district.id)
    return None if row is None else row.value["regime"]


@dataclass(frozen=True)
class MypeSize:
    """The Ley MYPE size class of a business on a date, with what it was computed from.

    Attributes:
        size: `micro`, `pequena` or `fuera` (medium or large: outside the Ley MYPE).
        wage: The monthly minimum wage the sales were counted in.
        rule_from: Since when the thresholds used were in force (their version).
    """

    size: str
    wage: Decimal
    rule_from: date


def mype_size(annual_sales: Decimal, workers: int, on: date) -> MypeSize | None:
    """Classify a business by the Ley MYPE in force on `on`; None when no rule or wage was.

    Sales are counted in monthly minimum wages of commerce and services (law-and-codes §5.1);
    where sales and workers point to different classes, sales prevail [R: the commonly cited
    rule; the reform's text was not retrieved], and more workers than a small business has
    puts it outside the law.
    """
    rule, wage = version_on(MYPE_RULE, MYPE_KEY, on), minimum_wage_on(on)
    if rule is None or wage is None:
        return None
    limits, wages = rule.value, annual_sales / wage
    if workers > limits["small_max_workers"] or wages > limits["small_max_wages"]:
        size = "fuera"
    elif wages > limits["micro_max_wages"]:
        size = "pequena"
    else:
        size = "micro"
    return MypeSize(size=size, wage=wage, rule_from=rule.valid_from)
