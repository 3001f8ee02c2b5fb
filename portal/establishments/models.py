"""Establishment: a place of business registered by an approved case (no personal data)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class Establishment(db.Model):
    __tablename__ = "establishments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    trade_name: Mapped[str | None] = mapped_column(sa.String(200))
    activity_code: Mapped[str | None] = mapped_column(sa.String(10))
    employees: Mapped[int | None]
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
