"""A case filed at the counter (ventanilla) by a clerk on behalf of a citizen."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import UTCDateTime, db, utcnow

#: The e-mail domain of counter-citizen accounts (RFC 2606 reserves `.invalid`: no mail is
#: ever delivered there and no person can own such an address, so no sign-up collides).
COUNTER_DOMAIN = "ventanilla.invalid"


class WalkIn(db.Model):
    """One case a clerk opened at the counter for a citizen identified by DUI or NIT.

    The case's `applicant_id` is the citizen's own account when the identifier belongs to a
    registered person, else their counter account (`portal.walkin.services.counter_account`),
    until the citizen claims it online with `claim_code` (then `claimed_by_id`).
    """

    __tablename__ = "walk_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    # The clerk (or supervisor) who opened the draft at the counter: the one agent of the draft.
    clerk_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # "dui" or "nit", and the identifier as `workflows.identifiers` formats it.
    id_kind: Mapped[str] = mapped_column(sa.String(3))
    identifier: Mapped[str] = mapped_column(sa.String(20), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # Where the citizen wants the case's notices (None: none sent until they claim it).
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    # Printed on the counter receipt; with the tracking number it moves the case to an account.
    claim_code: Mapped[str] = mapped_column(sa.String(20))
    # Filed for a person who already had an account (the case is theirs from the start).
    registered_owner: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    clerk: Mapped[User] = relationship(foreign_keys=[clerk_id])
    __table_args__ = (sa.CheckConstraint("id_kind IN ('dui', 'nit')", name="id_kind"),)
