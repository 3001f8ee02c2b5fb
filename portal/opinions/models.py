"""A request for a technical opinion (dictamen) to another institution, and its answer."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow

#: What an institution answered: favourable, unfavourable, favourable with conditions.
OPINION_ANSWERS = ("positiva", "negativa", "con_condiciones")


class Opinion(db.Model):
    """One consultation of an institution the case's definition lists (`opinions:`).

    `status` is `pending` until the answer is recorded (`answered`) or the request is
    withdrawn (`cancelled`, with its reason). `suspends_clock` is copied from the definition
    when asked: the case's legal clock was suspended by this request (`portal.opinions`).
    """

    __tablename__ = "opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    institution: Mapped[str] = mapped_column(sa.String(60))
    question: Mapped[str] = mapped_column(sa.Text)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    suspends_clock: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    answer: Mapped[str | None] = mapped_column(sa.String(20))
    answer_text: Mapped[str] = mapped_column(sa.Text, default="")
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    document_filename: Mapped[str | None] = mapped_column(sa.String(255))
    document_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    document_size: Mapped[int | None]
    document_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    document_key: Mapped[str | None] = mapped_column(sa.String(255))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'answered', 'cancelled')", name="status"),
        sa.CheckConstraint("answer IN ('positiva', 'negativa', 'con_condiciones')", name="answer"),
    )
