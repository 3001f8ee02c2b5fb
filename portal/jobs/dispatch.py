"""Hand committed outbox messages to RQ, or run them in-process when there is no Redis."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal.jobs.services import PENDING_KEY, run_message

log = logging.getLogger(__name__)


def redis_connection():
    """Return the app's Redis client (one per app), or None in the embedded mode."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("redis")
    if client is None:
        from redis import Redis
        from redis.backoff import ExponentialBackoff
        from redis.retry import Retry

        client = Redis.from_url(url, retry=Retry(ExponentialBackoff(), 3))
        current_app.extensions["redis"] = client
    return client


def dispatch(messages: list[tuple[int, str]]) -> None:
    """Enqueue each (message id, queue) on RQ, or run it now in a fresh app context."""
    if not messages:
        return
    connection = redis_connection()
    if connection is None:
        app = current_app._get_current_object()
        for message_id, _queue in messages:
            # A new app context gives a new session, so the caller's committed session is untouched.
            with app.app_context():
                try:
                    run_message(message_id)
                except Exception:
                    log.exception("in-process job %s failed; the sweep will retry it", message_id)
        return
    from rq import Queue, Retry

    queues: dict[str, Queue] = {}
    for message_id, queue_name in messages:
        queue = queues.setdefault(queue_name, Queue(queue_name, connection=connection))
        try:
            queue.enqueue(
                "portal.jobs.worker.perform",
                message_id,
                retry=Retry(max=3, interval=[5, 30, 120]),
                description=f"outbox message #{message_id}",
            )
        except Exception:
            log.exception("could not enqueue outbox message %s; the sweep will retry", message_id)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    if ids:
        dispatch(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def install() -> None:
    """Listen on every ORM session once per process."""
    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
