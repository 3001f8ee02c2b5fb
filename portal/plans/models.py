"""A person's saved plan: the journey's answers; the steps are computed from the definitions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class BusinessPlan(db.Model):
    """The answers of one "abrir mi negocio" questionnaire, kept for its owner.

    The steps are not stored: the plan page computes them from the answers and the
    definitions in force, so a new procedure version shows at once.
    """

    __tablename__ = "business_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    journey: Mapped[str] = mapped_column(sa.String(40))
    journey_version: Mapped[int]
    # Question name -> answer as a JSON primitive ("0614", true, "80", "obra_nueva").
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
