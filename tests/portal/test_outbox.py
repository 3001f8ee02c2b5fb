"""The outbox: leases, a sweep that only re-sends what was lost, attempts, e-mails sent once.

Mail goes through a real SMTP sink (tests/portal/faults.py) so a second sending is seen.
"""

from __future__ import annotations

import smtplib
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.portal.faults import SmtpSink, start_workers, wait_for
from tests.portal.helpers import file_new_application, login, logout, make_applicant, make_staff

MAIL_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "OUTBOX_MAX_ATTEMPTS")


@pytest.fixture
def sink(app):
    saved = {key: app.config.get(key) for key in MAIL_KEYS}
    smtp = SmtpSink()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_USE_TLS=False)
    yield smtp
    smtp.close()
    app.config.update(saved)


def _db():
    from portal.extensions import db

    return db


def _file(client, run_jobs) -> int:
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    run_jobs()
    return application_id


def _entry(application_id: int, comment: str = "Aviso") -> int:
    from portal.applications.models import Application, HistoryEntry

    application = _db().session.get(Application, application_id)
    entry = HistoryEntry(
        application_id=application_id,
        actor_role="system",
        action="aviso",
        from_state=application.state,
        to_state=application.state,
        comment=comment,
    )
    _db().session.add(entry)
    _db().session.flush()
    return entry.id


def _by_hand(task: str, **args) -> int:
    """An outbox message committed but not dispatched (we run it ourselves)."""
    from portal.jobs import services

    message = services.enqueue(task, **args)
    _db().session.info.pop(services.PENDING_KEY, None)
    _db().session.commit()
    return message.id


def _message(message_id: int):
    from portal.jobs.models import OutboxMessage

    _db().session.expire_all()
    return _db().session.get(OutboxMessage, message_id)


# ------------------------------------------------------------------ item 30: e-mail once


def test_send_notification_run_again_sends_nothing_and_the_message_id_comes_from_the_entry(
    client, app_ctx, run_jobs, sink
):
    from portal.applications.models import HistoryEntry
    from portal.jobs.services import run_message
    from portal.notifications.models import MailDelivery
    from portal.notifications.services import send_notification

    application_id = _file(client, run_jobs)
    (filed,) = _db().session.scalars(sa.select(HistoryEntry.id)).all()
    notices = [m for m in sink.message_ids() if m.startswith("<history-")]
    assert notices == [f"<history-{filed}@ventanilla.amss>"]

    # 1. The task itself, run twice more (the input).
    assert send_notification(filed) is False
    _db().session.commit()
    assert send_notification(filed) is False
    # 2. The same outbox message run twice; 3. a second message for the same entry.
    new = _entry(application_id, "Resolución notificada")
    _db().session.commit()
    first = _by_hand("send_notification", history_id=new)
    assert run_message(first) is True
    assert run_message(first) is False
    assert run_message(_by_hand("send_notification", history_id=new)) is True  # ran, sent none

    assert [m for m in sink.message_ids() if m.startswith("<history-")] == [
        f"<history-{filed}@ventanilla.amss>",
        f"<history-{new}@ventanilla.amss>",
    ]
    deliveries = (
        _db()
        .session.scalars(
            sa.select(MailDelivery)
            .where(MailDelivery.key.like("history-%"))
            .order_by(MailDelivery.id)
        )
        .all()
    )
    assert [(d.key, d.message_id, d.recipient) for d in deliveries] == [
        (f"history-{filed}", f"<history-{filed}@ventanilla.amss>", "ana@example.sv"),
        (f"history-{new}", f"<history-{new}@ventanilla.amss>", "ana@example.sv"),
    ]


def test_a_refused_notice_is_recorded_as_not_sent_and_goes_out_once_on_the_retry(
    client, app_ctx, run_jobs, sink
):
    from portal.jobs.services import run_message

    application_id = _file(client, run_jobs)
    entry = _entry(application_id)
    _db().session.commit()
    message_id = _by_hand("send_notification", history_id=entry)
    sink.refuse = {"ana@example.sv"}
    with pytest.raises(smtplib.SMTPRecipientsRefused, match=r"ana@example\.sv"):
        run_message(message_id)
    failed = _message(message_id)
    assert failed.completed_at is None and failed.attempts == 1
    assert "SMTPRecipientsRefused" in failed.last_error and failed.last_failed_at is not None
    sink.refuse = set()
    assert run_message(message_id) is True
    assert run_message(message_id) is False
    assert sink.message_ids().count(f"<history-{entry}@ventanilla.amss>") == 1
    assert _message(message_id).attempts == 2


def test_staff_alerts_keep_what_was_sent_when_one_recipient_fails(client, app_ctx, run_jobs, sink):
    from portal.jobs.services import PartialWork, run_message

    application_id = _file(client, run_jobs)
    clerks = [make_staff("clerk", "OPAMSS", email=f"clerk{n}@example.sv") for n in (1, 2, 3)]
    entry = _entry(application_id, "Plazo vencido")
    _db().session.commit()
    message_id = _by_hand("alert_staff", history_id=entry, role="clerk")
    sink.refuse = {"clerk2@example.sv"}
    with pytest.raises(PartialWork, match=r"clerk2@example\.sv"):
        run_message(message_id)
    staff = [r for r in sink.recipients() if r != "ana@example.sv"]  # her mail came first
    assert sorted(staff) == ["clerk1@example.sv", "clerk3@example.sv"]
    sink.refuse = set()
    assert run_message(message_id) is True
    assert run_message(message_id) is False
    alerts = [r for r in sink.recipients() if r != "ana@example.sv"]  # after her mail
    assert sorted(alerts) == sorted(c.email for c in clerks)  # each clerk once
    assert f"<alert-{entry}-{clerks[1].id}@ventanilla.amss>" in sink.message_ids()


# ------------------------------------------------------------------ item 29: attempts, give up


@pytest.mark.parametrize("limit", [1, 3])
def test_every_attempt_is_recorded_and_the_message_gives_up_after_the_limit(
    app_ctx, monkeypatch, limit
):
    from portal.jobs import services

    app_ctx.config["OUTBOX_MAX_ATTEMPTS"] = limit
    monkeypatch.setitem(services.TASKS, "explode", ("default", "tests.portal.test_jobs:explode"))
    message_id = _by_hand("explode", reason="SMTP caído")
    for attempt in range(1, limit + 1):
        with pytest.raises(RuntimeError):
            services.run_message(message_id)
        message = _message(message_id)
        assert message.attempts == attempt
        assert message.last_error == "RuntimeError: SMTP caído"
        assert (message.failed_at is not None) == (attempt == limit)
    assert services.run_message(message_id) is False  # given up: never runs by itself again
    message = _message(message_id)
    assert message.attempts == limit
    message.created_at = services.utcnow() - timedelta(hours=1)
    _db().session.commit()
    assert services.dispatch_stale(timedelta(seconds=0)) == 0

    result = app_ctx.test_cli_runner().invoke(args=["jobs", "failed"])
    assert result.exit_code == 1
    assert f"#{message_id} explode" in result.output
    assert f"attempts={limit}" in result.output and "RuntimeError: SMTP caído" in result.output


def test_a_last_attempt_that_never_finished_is_marked_failed_by_the_sweep(app_ctx):
    from portal.jobs.services import dispatch_stale, utcnow

    app_ctx.config["OUTBOX_MAX_ATTEMPTS"] = 2
    message_id = _by_hand("sequence_feed")
    message = _message(message_id)
    message.attempts, message.lease_expires_at = 2, utcnow() - timedelta(seconds=1)
    message.created_at = utcnow() - timedelta(minutes=5)
    _db().session.commit()  # (before _message expires what was set)
    assert dispatch_stale() == 0
    message = _message(message_id)
    assert message.failed_at is not None
    assert message.last_error == "the last attempt never finished"


# ------------------------------------------------------------------ item 29: the sweep


def test_the_sweep_leaves_held_leases_alone_and_resends_expired_ones(app_ctx, run_jobs):
    from portal.jobs.models import OutboxMessage as M
    from portal.jobs.services import dispatch_stale, run_message, utcnow

    now = utcnow()
    held, expired, fresh = (_by_hand("sequence_feed") for _ in range(3))
    _set = _db().session.execute
    _set(sa.update(M).values(created_at=now - timedelta(minutes=5)))
    for message_id, lease in ((held, now + timedelta(minutes=1)), (expired, now)):
        _set(
            sa.update(M)
            .where(M.id == message_id)
            .values(taken_at=now, lease_expires_at=lease, attempts=1)
        )
    _db().session.commit()
    assert run_message(held) is False  # a second run while the lease holds does nothing
    assert _message(held).attempts == 1

    assert dispatch_stale() == 2  # the expired lease and the one never taken
    run_jobs()
    assert _message(expired).completed_at is not None and _message(expired).attempts == 2
    assert _message(fresh).completed_at is not None and _message(fresh).attempts == 1
    assert _message(held).completed_at is None
    assert dispatch_stale() == 0  # the held lease is still left alone


def test_a_backlog_waiting_in_rq_is_never_dispatched_again_and_two_workers_run_each_once(
    client, app_ctx, run_jobs, sink, tmp_path
):
    """The issue's input: two workers and a backlog of 60 messages (it ran 102 RQ jobs)."""
    if not app_ctx.config.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: jobs run in-process (CI always sets it)")
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    from portal.jobs.dispatch import redis_connection
    from portal.jobs.models import OutboxMessage
    from portal.jobs.services import dispatch_stale, enqueue, utcnow

    application_id = _file(client, run_jobs)
    entries = [_entry(application_id, f"Aviso {n}") for n in range(60)]

    ids = [enqueue("send_notification", history_id=e).id for e in entries]
    _db().session.commit()  # 60 RQ jobs wait in the mail queue
    _db().session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(created_at=utcnow() - timedelta(minutes=5))
    )
    _db().session.commit()
    assert dispatch_stale() == 0  # all are waiting in RQ: nothing is sent again
    assert dispatch_stale(timedelta(seconds=0)) == 0

    finished = FinishedJobRegistry("mail", connection=redis_connection())
    finished_before = len(finished)  # the filing's notice, drained in this process
    settings = {
        "REDIS_URL": app_ctx.config["REDIS_URL"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink.port),
        "MAIL_USE_TLS": "0",
    }
    workers = [start_workers(app_ctx, settings, tmp_path / "w.log") for _ in range(2)]
    try:
        wait_for(lambda: all(_message(i).completed_at for i in ids), "60 messages done")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert len(finished) - finished_before == 60  # one RQ job per message, not 102
    assert {_message(i).attempts for i in ids} == {1}
    expected = {f"<history-{e}@ventanilla.amss>" for e in entries}
    sent = [m for m in sink.message_ids() if m in expected]
    assert sorted(sent) == sorted(expected)  # 60 e-mails, each once
    assert Queue("mail", connection=redis_connection()).count == 0
