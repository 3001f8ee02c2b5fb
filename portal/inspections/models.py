"""What an inspector records beside the result: the checklist's answers and the photos."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import UTCDateTime, db, utcnow

#: Answers to a checklist item: complies, does not comply, does not apply.
CHECKLIST_ANSWERS = ("cumple", "no_cumple", "no_aplica")


class InspectionVisit(db.Model):
    """A site visit scheduled for a day and an inspector of the case's scope.

    `status` is `scheduled` until its inspector records it (`recorded`: the append-only
    `Inspection` whose `visit_id` is this one records it) or the office cancels it
    (`cancelled`, with its reason). The office may move it (another day, another
    inspector) while it is scheduled; the history keeps each move with its reason.
    """

    __tablename__ = "inspection_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    scheduled_for: Mapped[date] = mapped_column(sa.Date)
    scheduled_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="scheduled")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('scheduled', 'recorded', 'cancelled')", name="status"),
    )


class InspectionAnswer(db.Model):
    """One checklist item (`item`: its code in the pinned definition) answered on a visit."""

    __tablename__ = "inspection_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(80))
    answer: Mapped[str] = mapped_column(sa.String(20))
    observation: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "item"),
        sa.CheckConstraint("answer IN ('cumple', 'no_cumple', 'no_aplica')", name="answer"),
    )


class InspectionPhoto(db.Model):
    """A JPEG or PNG taken on a visit, kept in the file storage (`portal.storage`)."""

    __tablename__ = "inspection_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
