"""Record jobs in the outbox, run each once under a lease, sweep the ones a crash left behind.

The rules (docs/operations.md, "Jobs and the outbox"):

- A run first *takes* its message: one atomic UPDATE sets `taken_at`, `lease_expires_at` (now +
  `OUTBOX_LEASE_SECONDS`) and `attempts + 1`, and only succeeds when the message is open and no
  unexpired lease is held. A second run of the same message (a duplicate RQ job, a sweep, a
  second worker) finds the lease held and does nothing.
- The work then runs in one transaction that holds the message's row lock (`FOR UPDATE`): the
  task checks its own effect (a PDF already stored, an e-mail already recorded) and writes it,
  and the message is marked completed in the same commit.
- A failed attempt records its error and time on the row and frees the lease; after
  `OUTBOX_MAX_ATTEMPTS` attempts the message is marked failed (`flask jobs failed`).
- The sweep re-dispatches only messages whose lease expired or that were never taken and are no
  longer waiting in RQ (lost when Redis lost its data, or out of RQ's own retries).
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal.extensions import db, utcnow
from portal.jobs.models import OutboxMessage

log = logging.getLogger(__name__)

# task name -> (queue, "module:function"); tasks take primitives, check their own effect and
# leave the commit to run_message.
TASKS: dict[str, tuple[str, str]] = {
    "render_receipt": ("documents", "portal.certificates.tasks:render_receipt"),
    "render_certificate": ("documents", "portal.certificates.tasks:render_certificate"),
    "render_resolution": ("documents", "portal.certificates.tasks:render_resolution"),
    "render_payment_order": ("documents", "portal.payments.tasks:render_payment_order"),
    "send_notification": ("mail", "portal.notifications.tasks:send_notification"),
    "alert_staff": ("mail", "portal.notifications.tasks:alert_staff"),
    "sequence_feed": ("simdet", "portal.simdet.tasks:sequence_feed"),
    "account_mail": ("mail", "portal.accounts.tasks:send_account_mail"),
    "representation_invite": ("mail", "portal.subjects.tasks:send_invitation"),
    "warn_draft_expiry": ("mail", "portal.drafts.tasks:warn_draft_expiry"),
    "payment_mail": ("mail", "portal.payments.tasks:send_payment_mail"),
    "rederive_deadlines": ("default", "portal.deadlines.tasks:rederive_deadlines"),
}
PENDING_KEY = "outbox_pending"


class PartialWork(Exception):
    """Raised by a task that did part of its work: what it wrote is kept, the rest is retried."""


def enqueue(task: str, **args: object) -> OutboxMessage:
    """Add a job to the outbox of the current transaction; it is dispatched after commit."""
    queue, _ = TASKS[task]
    message = OutboxMessage(task=task, queue=queue, args=args)
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, []).append((message.id, queue))
    return message


def lease_seconds() -> int:
    """How long one run may hold a message (also the RQ job timeout), in seconds."""
    return int(current_app.config.get("OUTBOX_LEASE_SECONDS", 120))


def max_attempts() -> int:
    return int(current_app.config.get("OUTBOX_MAX_ATTEMPTS", 10))


def _resolve(task: str):
    module, _, name = TASKS[task][1].partition(":")
    return getattr(importlib.import_module(module), name)


def _take(message_id: int) -> bool:
    """Take the lease of an open message; False when it is done, failed or held by another run."""
    now = utcnow()
    M = OutboxMessage
    # SKIP LOCKED: while a run holds the row (its work in progress) another run gives up at
    # once instead of waiting for it (PostgreSQL; SQLite has one writer at a time anyway).
    free = (
        sa.select(M.id)
        .where(
            M.id == message_id,
            M.completed_at.is_(None),
            M.failed_at.is_(None),
            sa.or_(M.lease_expires_at.is_(None), M.lease_expires_at < now),
        )
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    taken = db.session.execute(
        sa.update(M)
        .where(M.id == free)
        .values(
            taken_at=now,
            taken_by=f"{socket.gethostname()}:{os.getpid()}"[:120],
            lease_expires_at=now + timedelta(seconds=lease_seconds()),
            attempts=M.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def run_message(message_id: int) -> bool:
    """Run one outbox message unless it is done or another run holds it; True when it ran now.

    Raises what the task raised (after recording it on the row), so RQ retries with back-off.
    """
    if not _take(message_id):
        db.session.rollback()
        return False
    try:
        message = db.session.scalar(
            sa.select(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if message.completed_at is not None:  # a run whose lease had expired finished it
            db.session.rollback()
            return False
        _resolve(message.task)(**dict(message.args))
        message.completed_at = utcnow()
        message.lease_expires_at = None
        db.session.commit()
    except PartialWork as exc:
        db.session.commit()  # keep what was done (e-mails already sent and recorded)
        _record_failure(message_id, exc)
        raise
    except Exception as exc:
        db.session.rollback()
        _record_failure(message_id, exc)
        raise
    return True


def _record_failure(message_id: int, exc: Exception) -> None:
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.last_failed_at = utcnow()
    message.lease_expires_at = None  # a retry may take it at once
    if message.attempts >= max_attempts():
        message.failed_at = message.last_failed_at
        log.error(
            "outbox message %s (%s) gave up after %s attempts: %s",
            message_id,
            message.task,
            message.attempts,
            message.last_error,
        )
    db.session.commit()


def dispatch_stale(older_than: timedelta | None = None) -> int:
    """Dispatch again the open messages a crash left behind; return how many.

    A message qualifies when it is older than `older_than` (default `OUTBOX_SWEEP_OLDER_THAN`
    seconds), its lease expired or it was never taken, it was not re-dispatched within
    `older_than`, and (with Redis) its RQ job is not waiting in a queue. Messages whose last
    lease expired after their last allowed attempt are marked failed instead.
    """
    from portal.jobs.dispatch import dispatch, waiting_in_rq

    if older_than is None:
        older_than = timedelta(seconds=int(current_app.config.get("OUTBOX_SWEEP_OLDER_THAN", 60)))
    now = utcnow()
    cutoff = now - older_than
    M = OutboxMessage
    open_and_free = sa.and_(
        M.completed_at.is_(None),
        M.failed_at.is_(None),
        sa.or_(M.lease_expires_at.is_(None), M.lease_expires_at < now),
    )
    gave_up = db.session.execute(
        sa.update(M)
        .where(open_and_free, M.attempts >= max_attempts())
        .values(
            failed_at=now,
            last_failed_at=now,
            last_error=sa.func.coalesce(M.last_error, "the last attempt never finished"),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if gave_up:
        log.error("%s outbox message(s) gave up: their last attempt never finished", gave_up)
    rows = db.session.execute(
        sa.select(M.id, M.queue)
        .where(
            open_and_free,
            M.created_at < cutoff,
            sa.or_(M.dispatched_at.is_(None), M.dispatched_at < cutoff),
        )
        .order_by(M.id)
    ).all()
    db.session.commit()
    waiting = waiting_in_rq([row.id for row in rows])
    claimed = []
    for row in rows:
        if row.id in waiting:
            continue
        # Claim the re-dispatch, so two sweeps at one instant hand it over once; a row that a
        # run still holds (a slow job past its lease) is skipped, not waited for.
        claimable = (
            sa.select(M.id)
            .where(M.id == row.id, sa.or_(M.dispatched_at.is_(None), M.dispatched_at < cutoff))
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        won = db.session.execute(
            sa.update(M)
            .where(M.id == claimable)
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won:
            claimed.append((row.id, row.queue))
    db.session.commit()
    dispatch(claimed, replace=True)
    return len(claimed)


def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    """Messages that gave up, newest first (for `flask jobs failed`)."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.failed_at.is_not(None))
            .order_by(OutboxMessage.failed_at.desc())
            .limit(limit)
        )
    )
