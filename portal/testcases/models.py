"""TestMail: an e-mail a test case would have sent, captured instead of delivered."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class TestMail(db.Model):
    """One e-mail of a test case, as it would have left (`notifications.send_once`).

    Never delivered and never kept in anyone's notification centre; deleted with its case.
    `key` is the e-mail's delivery key, so a job run twice captures it once.
    """

    __tablename__ = "test_mails"
    __test__ = False  # not a pytest class

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(250))
    body: Mapped[str] = mapped_column(sa.Text)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
