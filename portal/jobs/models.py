"""OutboxMessage: a job recorded in the same transaction as the change that asks for it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class OutboxMessage(db.Model):
    """One job and the record of its attempts.

    A run takes the message with a lease (`taken_at`, `lease_expires_at`, `attempts` + 1) before
    its work starts; while the lease holds nobody else runs it. Each attempt's failure is kept
    in `last_error` (with `last_failed_at`); after `OUTBOX_MAX_ATTEMPTS` the message gets
    `failed_at` and is never tried again by itself (`flask jobs failed` lists it).
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(80))
    queue: Mapped[str] = mapped_column(sa.String(20), default="default")
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Last time the sweep handed it to RQ again (None: only the dispatch after commit).
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "host:pid" of the process that took the last lease (the RQ work horse).
    taken_by: Mapped[str | None] = mapped_column(sa.String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
