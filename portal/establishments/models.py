"""Establishment: a place of business, registered by an approved case, with its life span.

`valid_from` is the day it started (its declared start date, else the registration's
decision); `valid_to` the day a closure ended it (None while it is open). Its attributes are
the latest a case filed about it gave; each case keeps its own copy of what it was filed with,
so changing the record never changes a filed case.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class Establishment(db.Model):
    __tablename__ = "establishments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The registration that created it.
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    # The NIT holder that runs it.
    legal_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_units.id"), index=True)
    trade_name: Mapped[str | None] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    activity_code: Mapped[str | None] = mapped_column(sa.String(10))
    employees: Mapped[int | None]
    # Every bound value (`establishment.<name>` -> JSON primitive), for prefill.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def open(self) -> bool:
        return self.valid_to is None
