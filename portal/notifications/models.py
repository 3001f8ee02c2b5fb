"""MailDelivery: the record that one e-mail was sent, so it is never sent again."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class MailDelivery(db.Model):
    """One row per e-mail sent; `key` names what it is about (`history-12`, `alert-12-5`).

    The row is inserted before the e-mail leaves, in the transaction that completes the job:
    the unique key makes a second sender wait for the first and then skip.
    """

    __tablename__ = "mail_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    message_id: Mapped[str] = mapped_column(sa.String(250))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notice(db.Model):
    """A message sent to a person, kept for the notification centre (/avisos).

    Written in the transaction that records the e-mail's delivery, with the same `key`, so
    each message is kept once; `read_at` is set when the person opens the centre.
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    subject: Mapped[str] = mapped_column(sa.String(250))
    body: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_notices_user_id_id", "user_id", "id"),)
