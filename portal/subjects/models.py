"""Legal units and properties, and the link of each case to the subjects it is about.

Records hold the latest values cases filed about them (`details`: element name -> JSON
primitive, as `workflows.dictionary` names them); a case keeps its own data, so editing a
record never changes a filed case. An account's records are those linked to its own cases.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.establishments.models import Establishment
from portal.extensions import UTCDateTime, db, utcnow

#: The subjects a case may be about, each with its record table (workflows.dictionary).
RECORD_SUBJECTS = ("legal_unit", "establishment", "property")


class LegalUnit(db.Model):
    """A NIT holder: a natural person in business or a legal person (company, cooperative)."""

    __tablename__ = "legal_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    nit: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # "natural" or "juridica"; None when no case said.
    kind: Mapped[str | None] = mapped_column(sa.String(20))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The account that first filed with this NIT: only it writes and reads the unit's personal
    # data (a natural person's name, DUI); other accounts linked to it see their own answers.
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Property(db.Model):
    """A plot of land with its buildings, known by its cadastral key (CNR) when given."""

    __tablename__ = "properties"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadastral_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    lot_area_m2: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CaseSubject(db.Model):
    """A case is about this record, as `role` (the subject: legal_unit, establishment, property).

    A draft gets its links from prefill or the applicant's choice; filing fixes them. One
    record per role and case.
    """

    __tablename__ = "case_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    legal_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_units.id"), index=True)
    establishment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("establishments.id"), index=True
    )
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    # How the account acts for the subject in this case: "owner" or "representative".
    acting_as: Mapped[str] = mapped_column(sa.String(20), default="owner")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    legal_unit: Mapped[LegalUnit | None] = relationship()
    establishment: Mapped[Establishment | None] = relationship()
    # Not `property`, which would hide the builtin in this class body.
    property_record: Mapped[Property | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("application_id", "role"),
        sa.CheckConstraint(
            "(CASE WHEN legal_unit_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN establishment_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN property_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_record",
        ),
    )

    @property
    def record(self):
        return self.legal_unit or self.establishment or self.property_record

    @property
    def record_id(self) -> int:
        return self.legal_unit_id or self.establishment_id or self.property_id


class Representation(db.Model):
    """An account a legal unit's owner authorizes to act for it (a representative).

    The owner invites an e-mail address; the link sent there is accepted by the signed-in
    account with that address (`account_id`, `accepted_at`). A representative then files for
    the legal unit, sees and writes its personal data like the owner, and the unit's
    resolutions count as prerequisites of the cases filed for it. The owner revokes it at any
    time; a revoked representation keeps its row (`revoked_at`).
    """

    __tablename__ = "representations"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_units.id"), index=True)
    invited_email: Mapped[str] = mapped_column(sa.String(254))
    # Signed into the invitation link (portal.accounts.tokens); revoking the row kills the link.
    nonce: Mapped[str] = mapped_column(sa.String(32))
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    legal_unit: Mapped[LegalUnit] = relationship()
    account: Mapped[User | None] = relationship(foreign_keys=[account_id])

    __table_args__ = (
        # One standing invitation or representation per unit and address.
        sa.Index(
            "uq_representations_standing",
            "legal_unit_id",
            "invited_email",
            unique=True,
            postgresql_where=sa.text("revoked_at IS NULL"),
            sqlite_where=sa.text("revoked_at IS NULL"),
        ),
    )
