"""Hand committed outbox messages to RQ, or run them in-process when there is no Redis."""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal.jobs.services import PENDING_KEY, lease_seconds, run_message

log = logging.getLogger(__name__)

# The messages an in-process run still has to run, per thread (`_run_in_process`).
_in_process = threading.local()

# RQ statuses of a job that will still run by itself: the sweep leaves those alone.
WAITING = {"queued", "scheduled", "deferred"}


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


def job_id(message_id: int) -> str:
    """The RQ job id of an outbox message: one id per message, so the sweep can look it up."""
    return f"outbox-{message_id}"


def waiting_in_rq(message_ids: list[int]) -> set[int]:
    """The ids among `message_ids` whose RQ job is still queued, scheduled or deferred."""
    connection = redis_connection()
    if connection is None or not message_ids:
        return set()
    from rq.job import Job

    jobs = Job.fetch_many([job_id(i) for i in message_ids], connection=connection)
    return {
        message_id
        for message_id, job in zip(message_ids, jobs, strict=True)
        if job is not None and job.get_status(refresh=False) in WAITING
    }


def dispatch(messages: list[tuple[int, str]], *, replace: bool = False) -> None:
    """Enqueue each (message id, queue) on RQ, or run it now in a fresh app context.

    `replace` (the sweep) first deletes what is left of the message's previous RQ job (failed,
    or started by a worker that died), so each message has one RQ job at a time.
    """
    if not messages:
        return
    connection = redis_connection()
    if connection is None:
        _run_in_process(messages)
        return
    from rq import Queue, Retry
    from rq.job import Job

    queues: dict[str, Queue] = {}
    timeout = lease_seconds()
    for message_id, queue_name in messages:
        queue = queues.setdefault(queue_name, Queue(queue_name, connection=connection))
        try:
            if replace:
                for old in Job.fetch_many([job_id(message_id)], connection=connection):
                    if old is not None:
                        old.delete()
            queue.enqueue(
                "portal.jobs.worker.perform",
                message_id,
                job_id=job_id(message_id),
                # The horse is stopped before its lease runs out, so no two runs overlap.
                job_timeout=timeout,
                retry=Retry(max=3, interval=[5, 30, 120]),
                description=f"outbox message #{message_id}",
            )
        except Exception:
            log.exception("could not enqueue outbox message %s; the sweep will retry", message_id)


def _run_in_process(messages: list[tuple[int, str]]) -> None:
    """Run messages now, each in a fresh app context, in the order they were committed.

    A job that queues more jobs (a batch that queues the next) commits inside this loop: its
    messages join the loop's backlog instead of running nested in that commit, so a chain of
    any length runs one after the other, not ever deeper in the stack.
    """
    backlog = getattr(_in_process, "backlog", None)
    if backlog is not None:
        backlog.extend(messages)
        return
    app = current_app._get_current_object()
    _in_process.backlog = backlog = list(messages)
    try:
        while backlog:
            message_id, _queue = backlog.pop(0)
            # A new app context gives a new session, so the caller's committed session is untouched.
            with app.app_context():
                try:
                    run_message(message_id)
                except Exception:
                    log.exception("in-process job %s failed; the sweep will retry it", message_id)
    finally:
        _in_process.backlog = None


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
