"""IssuedDocument: a receipt, certificate or resolution with a public verification code and a
serial number; DocumentCounter: the last serial used per authority, document type and year."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.applications.models import Application, HistoryEntry
from portal.extensions import UTCDateTime, db, utcnow

#: The kinds of issued document (`issued_documents.kind`).
KINDS = ("receipt", "certificate", "resolution")
#: What a document is now (`IssuedDocument.status`), as the verification page answers.
STATUSES = ("valid", "expired", "revoked", "replaced")


class IssuedDocument(db.Model):
    """Created in the filing or deciding transaction; its PDF is rendered later by a job.

    A case may hold several documents of a kind over time (a reissue is a new row); the current
    one is the newest no other replaces, revoked or not (`portal.certificates.services.
    issued_for`). One history entry issues at most one document of each kind (unique
    `history_entry_id`, `kind`), so an effect that runs twice for one act adds nothing. A
    corrected one replaces the earlier (`replaces_id`), which stays verifiable and says what
    replaced it.
    """

    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    # The authority that issued it (the case's, at the time of issue).
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    # Printed on the document: OPAMSS-CERT-2026-000123 (`portal.certificates.serials`).
    serial: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # The act that issued it; None on documents issued before it was recorded.
    history_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("history_entries.id"))
    # Random, unguessable, printed under the QR code; the public looks it up at /verificar/<code>.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    title: Mapped[dict] = mapped_column(sa.JSON)
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    decision: Mapped[str | None] = mapped_column(sa.String(60))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pdf_key: Mapped[str | None] = mapped_column(sa.String(255))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last day it is valid, from the definition's validity at issue (`Validity.last_day`).
    valid_until: Mapped[date | None] = mapped_column(sa.Date, index=True)
    # When the daily job found it past `valid_until` (`services.mark_expired`).
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Public: the verification page and the applicant's history show it.
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    replaces_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("issued_documents.id"), unique=True
    )

    application: Mapped[Application] = relationship()
    revoked_by: Mapped[User | None] = relationship()
    replaces: Mapped[IssuedDocument | None] = relationship(
        remote_side=[id], back_populates="replaced_by"
    )
    replaced_by: Mapped[IssuedDocument | None] = relationship(back_populates="replaces")
    #: The act that issued the document (for a replacement, the replacing act and its reason).
    history_entry: Mapped[HistoryEntry | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("history_entry_id", "kind"),
        sa.CheckConstraint("kind IN ('receipt', 'certificate', 'resolution')", name="kind"),
    )

    @property
    def replacement_reason(self) -> str | None:
        """Public: why this document replaced the one before it (the replacing act's comment),
        or None when it replaces none. The replaced one reads it from `replaced_by`."""
        if self.replaces_id is None or self.history_entry is None:
            return None
        return self.history_entry.comment

    @property
    def status(self) -> str:
        """'revoked', 'replaced', 'expired' (past its last day, marked or not yet) or 'valid'."""
        from portal.applications.effects import local_now

        if self.revoked_at is not None:
            return "revoked"
        if self.replaced_by is not None:
            return "replaced"
        if self.expired_at is not None or (
            self.valid_until is not None and self.valid_until < local_now().date()
        ):
            return "expired"
        return "valid"


class DocumentCounter(db.Model):
    """Last serial used per issuing authority, document type and year (El Salvador's year).

    Incremented inside the issuing transaction (`portal.certificates.serials.next_serial`):
    concurrent issuers queue on the row, and a rollback gives the number back.
    """

    __tablename__ = "document_counters"

    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), primary_key=True)
    # The type code printed in the serial (CONST, CERT, RES, MAND).
    doc_type: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
