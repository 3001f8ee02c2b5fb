"""Review verdicts: a reviewer's OK or not, with a reason, on each field and document."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
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


class Inspection(db.Model):
    """A site visit: scheduled (date, inspector), then recorded or cancelled, once.

    `status` is `scheduled` (a visit planned for `scheduled_for` by `inspector_id`),
    `recorded` (the inspector recorded `visited_on`, `result` and the checklist; a visit may
    also be recorded without a schedule) or `cancelled` (with its reason). A recorded one
    counts for the state visit it was recorded in (`review.services.inspection_recorded`).
    """

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(
        sa.String(20), default="recorded", server_default="recorded"
    )
    scheduled_for: Mapped[date | None] = mapped_column(sa.Date)
    scheduled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    schedule_notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    visited_on: Mapped[date | None] = mapped_column(sa.Date)
    result: Mapped[str | None] = mapped_column(sa.String(20))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])

    __table_args__ = (
        sa.CheckConstraint(
            "result IN ('conforme', 'con_observaciones', 'no_conforme')", name="result"
        ),
        sa.CheckConstraint("status IN ('scheduled', 'recorded', 'cancelled')", name="status"),
    )
