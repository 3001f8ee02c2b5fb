"""The Authority model: one row per office, municipio or district."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db

#: The kind of the 2024 districts (the former municipalities); cases are located in one.
DISTRICT = "distrito"
KINDS = ("metropolitan_office", "municipio", DISTRICT, "special_authority", "national_office")


class Authority(db.Model):
    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(80))
    tracking_prefix: Mapped[str] = mapped_column(sa.String(12), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    # Which OPAMSS tariff instrument applies in a district is dated reference data
    # (`portal.reference.values.tariff_regime_on`), not a column: it changes from a date on.
    # Codes of the offices that issue permits for this district (e.g. OPAMSS); data, not code.
    served_by: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The town where the authority sits, which dates its documents ("Santa Tecla, 22 de ...").
    seat: Mapped[str | None] = mapped_column(sa.String(80))
    # Calendar settings; None inherits the parent's (at the root: vacations on, the default
    # Holy Week variant of workflows.calendar). See `calendar_for`.
    calendar_vacations: Mapped[bool | None]
    calendar_holy_week: Mapped[str | None] = mapped_column(sa.String(40))
    # Where and when the public is attended, shown on the procedure sheets it issues.
    address: Mapped[str | None] = mapped_column(sa.String(300))
    hours: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(120))
    # False until the office confirmed its contact details: the sheet then says so.
    contact_confirmed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

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
        return self.kind == DISTRICT

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
    """A day of an authority's own calendar layers (`workflows.calendar.DayRule`).

    `kind` is `local` (a festivity, Código de Trabajo Art. 190), `decreed` (a day the Assembly
    or the council decreed off) or `working` (a vacation day the office works). With no
    authority it applies to every authority (a day the Assembly decrees for the whole country);
    with no year it recurs every year, from `first_year` to `last_year` when they are set (a
    recurring day added or ended from the admin console counts from then on only, so the
    deadlines already counted keep their days). Children inherit their parents' days
    (`calendar_for`).
    """

    __tablename__ = "authority_days_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    month: Mapped[int]
    day: Mapped[int]
    # None: every year. A year: only that year (a day declared by decree, say).
    year: Mapped[int | None]
    kind: Mapped[str] = mapped_column(sa.String(20), default="local", server_default="local")
    name: Mapped[str] = mapped_column(sa.String(200))  # Spanish
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    # The legal source: a decree with its Diario Oficial, an article, a council's agreement.
    source: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    first_year: Mapped[int | None]
    last_year: Mapped[int | None]

    authority: Mapped[Authority | None] = relationship()

    __table_args__ = (
        # One row per day and start: a recurring day ended and added again is a second row.
        sa.UniqueConstraint("authority_id", "year", "month", "day", "first_year"),
        sa.CheckConstraint("month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31", name="date"),
        sa.CheckConstraint("kind IN ('local', 'decreed', 'working')", name="kind"),
    )
