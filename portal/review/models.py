"""The review of a case: what the applicant submitted each time, verdicts on it, notes.

A `Submission` is what the applicant sent when filing or answering a correction (answers and
document digests), written in the transaction of that transition; a `ReviewVerdict` judges an
item of one submission and still counts after a later one when the item did not change
(`portal.review.rounds`); a `CaseNote` is the office's internal note, never shown to the
applicant.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import UTCDateTime, db, utcnow


class Submission(db.Model):
    """What the applicant submitted at one filing or correction; never updated.

    `data` holds the applicable answers as stored (field name -> JSON value); `documents` each
    current document by requirement code: `{"id": document id, "sha256": hex digest,
    "filename": name}`.
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    history_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("history_entries.id"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    documents: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class ReviewVerdict(db.Model):
    """Append-only: the latest verdict on an item counts while the item stays as judged."""

    __tablename__ = "review_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    item: Mapped[str] = mapped_column(sa.String(80))
    ok: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Codes of the definition's correction reasons chosen with a "not OK"; None when none.
    reasons: Mapped[list | None] = mapped_column(sa.JSON)
    # The submission judged (None for verdicts recorded before submissions were kept).
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("submissions.id"))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()
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


class CaseNote(db.Model):
    """An internal note of the office on a case: append-only, never shown to the applicant."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
