"""Versioned code tables: the CLAEES activity codes (Hacienda's DTE catalogue CAT-019)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class ActivityCode(db.Model):
    """One economic activity of a dated code table.

    `folded` is the description as `workflows.text.fold` writes it (no accents, no case), kept
    for lookups in SQL; the word search (`search_activities`) reads the description itself
    through `workflows.text.terms`, on PostgreSQL and SQLite alike.
    """

    __tablename__ = "activity_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_version: Mapped[str] = mapped_column(sa.String(40))
    valid_from: Mapped[date] = mapped_column(sa.Date)
    code: Mapped[str] = mapped_column(sa.String(10))
    description: Mapped[str] = mapped_column(sa.String(300))
    folded: Mapped[str] = mapped_column(sa.String(300))

    __table_args__ = (sa.UniqueConstraint("table_version", "code"),)
