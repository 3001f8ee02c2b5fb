"""Sequence feed events in commit order and serve them by cursor to authorised systems."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa

from portal.errors import InvalidInput
from portal.extensions import db, utcnow
from portal.simdet.models import ApiClient, FeedEvent, FeedSequence

MAX_LIMIT = 500


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_client(*, name: str, token: str | None = None) -> tuple[ApiClient, str]:
    """Register a system and return it with its token (shown once, only its hash is kept).

    Raises InvalidInput("api_client_exists") when the name is taken (revoked ones included).
    """
    name = name.strip()
    if not name or db.session.scalar(sa.select(ApiClient.id).where(ApiClient.name == name)):
        raise InvalidInput("api_client_exists" if name else "required", field="name", name=name)
    token = token or secrets.token_urlsafe(32)
    client = ApiClient(name=name, token_hash=_hash(token))
    db.session.add(client)
    db.session.commit()
    return client, token


def list_api_clients() -> list[ApiClient]:
    """Every registered system, by name, revoked ones included."""
    return list(db.session.scalars(sa.select(ApiClient).order_by(ApiClient.name)))


def revoke_api_client(*, name: str) -> ApiClient:
    """Revoke a system's token at once; raises InvalidInput("unknown_api_client")."""
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.name == name.strip()))
    if client is None:
        raise InvalidInput("unknown_api_client", field="name", name=name)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
    db.session.commit()
    return client


def authenticate_client(token: str | None, scope: str = "simdet") -> ApiClient | None:
    if not token:
        return None
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.token_hash == _hash(token)))
    if client is None or client.revoked_at is not None or client.scope != scope:
        return None
    # Constant-time comparison of what we found, for good measure.
    return client if hmac.compare_digest(client.token_hash, _hash(token)) else None


def sequence_events() -> int:
    """Give the next sequence numbers to committed events that have none, in id order.

    Event ids come from a sequence that does not follow commit order; cursors follow `seq`,
    assigned here under a row lock after commit, so a reader never skips a late-committing event.
    """
    sequencer = db.session.scalar(sa.select(FeedSequence).with_for_update())
    if sequencer is None:
        sequencer = FeedSequence(id=1, last_seq=0)
        db.session.add(sequencer)
        db.session.flush()
    pending = db.session.scalars(
        sa.select(FeedEvent).where(FeedEvent.seq.is_(None)).order_by(FeedEvent.id)
    ).all()
    for event in pending:
        sequencer.last_seq += 1
        event.seq = sequencer.last_seq
    db.session.flush()  # the outbox run commits, with the sequencer still locked until then
    return len(pending)


def list_events(after: int, limit: int) -> list[FeedEvent]:
    return list(
        db.session.scalars(
            sa.select(FeedEvent).where(FeedEvent.seq > after).order_by(FeedEvent.seq).limit(limit)
        )
    )


def event_json(event: FeedEvent) -> dict:
    return {
        "id": event.event_id,
        "cursor": str(event.seq),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        **{k: v for k, v in event.payload.items() if k not in {"type", "occurred_at"}},
    }


def feed_page(after: int, limit: int) -> dict:
    """Return one page of the feed: events after the cursor and the cursor to ask next."""
    events = list_events(after, min(max(limit, 1), MAX_LIMIT))
    next_cursor = events[-1].seq if events else after
    return {
        "events": [event_json(e) for e in events],
        "next_cursor": str(next_cursor),
        "generated_at": utcnow().isoformat(),
    }
