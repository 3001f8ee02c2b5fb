"""Procedure and ProcedureVersion: the definitions cases are pinned to."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.authorities.models import Authority
from portal.extensions import UTCDateTime, db, utcnow


class Procedure(db.Model):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    authority: Mapped[Authority] = relationship()
    versions: Mapped[list[ProcedureVersion]] = relationship(
        back_populates="procedure", order_by="ProcedureVersion.version"
    )

    __table_args__ = (sa.UniqueConstraint("authority_id", "slug"),)


#: A version's lifecycle: a draft may change and may have problems; publishing (which runs
#: the validator) freezes it; retiring stops new filings while its cases go on.
VERSION_STATUSES = ("draft", "published", "retired")


class ProcedureVersion(db.Model):
    """A published version never changes; new cases take the latest, old cases keep theirs.

    Attributes:
        status: One of `VERSION_STATUSES`.
        definition: The definition mapping; for a draft with problems, the file's raw data.
        source: The file's text as imported (drafts; publishing validates it again).
        valid_from: First local day new cases may take the version (None: from publication).
        published_at: When it was published (for a draft, when it was imported).
        retired_at: When it was retired; None while it takes new cases.
        revision: A draft's edit counter, 1 when stored; each admin save adds one.
        updated_at, updated_by_id: When and by whom a draft was last saved.
    """

    __tablename__ = "procedure_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"), index=True)
    version: Mapped[int]
    # Deferred: parsed once per version by definition_of(), never with every case row.
    definition: Mapped[dict] = mapped_column(sa.JSON, deferred=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(
        sa.String(16), default="published", server_default="published"
    )
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    # A draft's edit counter: a save names the revision it started from (admin console).
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # No foreign key: a version outlives staff accounts; the audit log links each change.
    updated_by_id: Mapped[int | None]

    procedure: Mapped[Procedure] = relationship(back_populates="versions")

    __table_args__ = (
        sa.UniqueConstraint("procedure_id", "version"),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'retired')", name="ck_procedure_versions_status"
        ),
    )
