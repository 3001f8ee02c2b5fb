"""CatalogueEntry: what the public catalogue searches and filters, one row per published version."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.authorities.models import Authority
from portal.extensions import db
from portal.procedures.models import Procedure, ProcedureVersion

#: A tsvector on PostgreSQL (full-text search with `unaccent`); unused text on SQLite, which
#: matches the folded `search_text` with LIKE instead (`portal.catalogue.services.search`).
SEARCH_VECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class CatalogueEntry(db.Model):
    """A published version of a procedure as the catalogue lists it.

    Rebuilt from the definition whenever a version of the procedure is published, seeded or
    retired (`refresh_entries`). The catalogue shows, per procedure, the newest entry in force
    today (`valid_from`), the same version `latest_version` gives new cases, in one query.

    `districts` and `life_events` hold codes between spaces (" 0511 0614 ") so one LIKE finds
    a code on PostgreSQL and SQLite alike; `search_text` is the folded text (`workflows.text.fold`)
    of the title, summary, purpose and office; `search_vector` is its PostgreSQL tsvector
    (spanish, through the IMMUTABLE `catalogue_unaccent`), indexed with GIN.
    """

    __tablename__ = "catalogue_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure_versions.id"), unique=True)
    number: Mapped[int]  # the version's number: the newest in force wins
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    valid_from: Mapped[date | None]
    title: Mapped[dict] = mapped_column(sa.JSON)
    summary: Mapped[dict] = mapped_column(sa.JSON)
    districts: Mapped[str] = mapped_column(sa.Text, default="")
    life_events: Mapped[str] = mapped_column(sa.String(200), default="")
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    search_vector: Mapped[str | None] = mapped_column(SEARCH_VECTOR)

    procedure: Mapped[Procedure] = relationship()
    version: Mapped[ProcedureVersion] = relationship()
    authority: Mapped[Authority] = relationship()

    __table_args__ = (
        sa.Index("ix_catalogue_entries_search_vector", "search_vector", postgresql_using="gin"),
    )
