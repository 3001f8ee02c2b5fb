"""IssuedDocument: a receipt or certificate with a public verification code."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.applications.models import Application
from portal.extensions import UTCDateTime, db, utcnow


class IssuedDocument(db.Model):
    """Created in the deciding transaction; its PDF is rendered later by a job."""

    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    # Random, unguessable, printed under the QR code; the public looks it up at /verificar/<code>.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    title: Mapped[dict] = mapped_column(sa.JSON)
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    decision: Mapped[str | None] = mapped_column(sa.String(60))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pdf_key: Mapped[str | None] = mapped_column(sa.String(255))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind"),
        sa.CheckConstraint("kind IN ('receipt', 'certificate')", name="kind"),
    )
