"""The Authority model: one row per office, municipio or district."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db

KINDS = ("metropolitan_office", "municipio", "distrito", "special_authority", "national_office")


class Authority(db.Model):
    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(80))
    tracking_prefix: Mapped[str] = mapped_column(sa.String(12), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    # Which OPAMSS tariff instrument applies in a district (reference/authorities.md item 2).
    tariff_regime: Mapped[str | None] = mapped_column(sa.String(40))
    # Codes of the offices that issue permits for this district (e.g. OPAMSS); data, not code.
    served_by: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The town where the authority sits, which dates its documents ("Santa Tecla, 22 de ...").
    seat: Mapped[str | None] = mapped_column(sa.String(80))

    parent: Mapped[Authority | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Authority]] = relationship(back_populates="parent")

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('metropolitan_office', 'municipio', 'distrito', 'special_authority', "
            "'national_office')",
            name="kind",
        ),
    )

    @property
    def is_district(self) -> bool:
        return self.kind == "distrito"

    @property
    def place(self) -> str:
        """The place its documents are issued at: its seat, else its parent's, else its name."""
        current: Authority | None = self
        while current is not None:
            if current.seat:
                return current.seat
            current = current.parent
        return self.short_name

    def __repr__(self) -> str:
        return f"<Authority {self.code}>"


class AuthorityDayOff(db.Model):
    """A local non-working day of an authority (fiestas patronales), every year or one year."""

    __tablename__ = "authority_days_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    month: Mapped[int]
    day: Mapped[int]
    # None: every year. A year: only that year (a day declared by decree, say).
    year: Mapped[int | None]
    name: Mapped[str] = mapped_column(sa.String(200))

    __table_args__ = (
        sa.UniqueConstraint("authority_id", "year", "month", "day"),
        sa.CheckConstraint("month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31", name="date"),
    )
