"""Dated reference data: the CLAEES code tables, and values in force from a date (wages...)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class ActivityCode(db.Model):
    """One economic activity of a dated code table.

    `folded` is the description as `workflows.text.fold` writes it (no accents, no case), kept
    for lookups in SQL; the word search (`search_activities`) reads the description itself
    through `workflows.text.terms`, on PostgreSQL and SQLite alike.
    """

    __tablename__ = "activity_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_version: Mapped[str] = mapped_column(sa.String(40))
    valid_from: Mapped[date] = mapped_column(sa.Date)
    code: Mapped[str] = mapped_column(sa.String(10))
    description: Mapped[str] = mapped_column(sa.String(300))
    folded: Mapped[str] = mapped_column(sa.String(300))

    __table_args__ = (sa.UniqueConstraint("table_version", "code"),)


class ReferenceValue(db.Model):
    """One version of a reference value, in force from `valid_from` until the next one.

    `kind` says what it is (`portal.reference.values.KINDS`: a minimum wage by sector, the Ley
    MYPE thresholds, a district's tariff regime); `key` which one of that kind (a sector, a
    rule set); `authority_id` the authority it belongs to (a district's regime; None: the whole
    country). A change is a new row from a date: rows are never rewritten, so a past date
    reads the value as it was then.
    """

    __tablename__ = "reference_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(60))
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[dict] = mapped_column(sa.JSON)
    # The legal source: a decree and its Diario Oficial, a council's agreement.
    source: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # Who added it is in its audit row (`reference.version_added`); no key to `users`, so the
    # table stays reference data apart from accounts.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_reference_values_lookup", "kind", "key", "authority_id", "valid_from"),
        # One version per day: two identical additions at once cannot both stay (0020_refuniq).
        sa.Index(
            "uq_reference_values_version",
            "kind",
            "key",
            sa.text("coalesce(authority_id, 0)"),
            "valid_from",
            unique=True,
        ),
    )
