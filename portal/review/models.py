"""Review verdicts: a reviewer's OK or not, with a reason, on each field and document."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class ReviewVerdict(db.Model):
    """Append-only: the latest verdict on an item since the applicant last submitted counts."""

    __tablename__ = "review_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(80))
    ok: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Reports count the items found not OK in a period (portal.reports).
    __table_args__ = (sa.Index("ix_review_verdicts_decided_at", "decided_at"),)


class Inspection(db.Model):
    """A site visit recorded by staff; it counts for the state visit it was recorded in.

    Append-only. `visit_id` is the scheduled visit it records (`portal.inspections`), None
    for a visit recorded without a schedule.
    """

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    visited_on: Mapped[date] = mapped_column(sa.Date)
    result: Mapped[str] = mapped_column(sa.String(20))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspection_visits.id"))

    __table_args__ = (
        sa.CheckConstraint(
            "result IN ('conforme', 'con_observaciones', 'no_conforme')", name="result"
        ),
    )
