"""Record jobs in the outbox, dispatch them after commit, run them once, sweep the stragglers."""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from portal.extensions import db, utcnow
from portal.jobs.models import OutboxMessage

log = logging.getLogger(__name__)

# task name -> (queue, "module:function"); tasks take primitives and are idempotent.
TASKS: dict[str, tuple[str, str]] = {
    "render_receipt": ("documents", "portal.certificates.tasks:render_receipt"),
    "render_certificate": ("documents", "portal.certificates.tasks:render_certificate"),
    "send_notification": ("mail", "portal.notifications.tasks:send_notification"),
    "alert_staff": ("mail", "portal.notifications.tasks:alert_staff"),
    "sequence_feed": ("simdet", "portal.simdet.tasks:sequence_feed"),
    "account_mail": ("mail", "portal.accounts.tasks:send_account_mail"),
}
PENDING_KEY = "outbox_pending"


def enqueue(task: str, **args: object) -> OutboxMessage:
    """Add a job to the outbox of the current transaction; it is dispatched after commit."""
    queue, _ = TASKS[task]
    message = OutboxMessage(task=task, queue=queue, args=args)
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, []).append((message.id, queue))
    return message


def _resolve(task: str):
    module, _, name = TASKS[task][1].partition(":")
    return getattr(importlib.import_module(module), name)


def run_message(message_id: int) -> bool:
    """Run one outbox message unless it already ran; return True when it ran now."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.completed_at is not None:
        db.session.rollback()
        return False
    task, args = message.task, dict(message.args)
    try:
        _resolve(task)(**args)
    except Exception as exc:
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        raise
    message = db.session.get(OutboxMessage, message_id)
    message.attempts += 1
    message.completed_at = utcnow()
    db.session.commit()
    return True


def dispatch_stale(older_than: timedelta = timedelta(seconds=60)) -> int:
    """Dispatch again the messages not completed after `older_than` (a crash lost them)."""
    cutoff = utcnow() - older_than
    rows = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.queue)
        .where(
            OutboxMessage.completed_at.is_(None),
            OutboxMessage.created_at < cutoff,
            OutboxMessage.attempts < current_app.config.get("OUTBOX_MAX_ATTEMPTS", 10),
        )
        .order_by(OutboxMessage.id)
    ).all()
    db.session.commit()
    from portal.jobs.dispatch import dispatch

    dispatch([(row.id, row.queue) for row in rows])
    return len(rows)
