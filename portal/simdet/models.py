"""FeedEvent (written with each state change), ApiClient (bearer tokens) and the sequencer."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class FeedEvent(db.Model):
    """An event for SIMDET. `seq` is given after commit, in commit order, so cursors never skip."""

    __tablename__ = "feed_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    seq: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
    type: Mapped[str] = mapped_column(sa.String(60))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[dict] = mapped_column(sa.JSON)


class FeedSequence(db.Model):
    """A single row locked while sequencing, so two sequencers never interleave."""

    __tablename__ = "feed_sequence"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class ApiClient(db.Model):
    """A system allowed to read the feed; only the SHA-256 of its token is kept."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[str] = mapped_column(sa.String(40), default="simdet")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
