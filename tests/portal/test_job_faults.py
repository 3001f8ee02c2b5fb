"""Nothing happens twice, nothing stops: real workers, a real Redis that crashes, real SMTP.

Each test starts its own redis-server on a free port and an SMTP sink that can hold a session
before its greeting (a job "mid-job" for as long as the test needs); leases are 6 s long.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.tracking.services import display_code
from tests.portal.faults import (
    PrivateRedis,
    SmtpSink,
    children,
    job_settings,
    kill_group,
    start_workers,
    wait_for,
)
from tests.portal.helpers import file_new_application, login, logout, make_applicant

pytestmark = pytest.mark.worker

CONFIG_KEYS = (
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "OUTBOX_LEASE_SECONDS",
    "OUTBOX_SWEEP_OLDER_THAN",
    "OUTBOX_SWEEP_INTERVAL",
)


class Rig:
    def __init__(self, app, tmp_path) -> None:
        self.app, self.tmp_path = app, tmp_path
        self.redis = PrivateRedis(tmp_path).start()
        self.smtp = SmtpSink()
        self.settings = job_settings(self.redis, self.smtp)
        self.processes: list[subprocess.Popen] = []
        self.log = tmp_path / "workers.log"

    def use_private_redis(self) -> None:
        """From now on this process dispatches to the private Redis with the test's settings."""
        s = self.settings
        self.app.config.update(
            REDIS_URL=s["REDIS_URL"],
            MAIL_SERVER=s["MAIL_SERVER"],
            MAIL_PORT=int(s["MAIL_PORT"]),
            MAIL_USE_TLS=False,
            OUTBOX_LEASE_SECONDS=int(s["OUTBOX_LEASE_SECONDS"]),
            OUTBOX_SWEEP_OLDER_THAN=int(s["OUTBOX_SWEEP_OLDER_THAN"]),
            OUTBOX_SWEEP_INTERVAL=int(s["OUTBOX_SWEEP_INTERVAL"]),
        )
        self.app.extensions.pop("redis", None)

    def set_lease(self, seconds: int) -> None:
        """A longer lease (and RQ job timeout) for jobs enqueued and run from now on."""
        self.settings["OUTBOX_LEASE_SECONDS"] = str(seconds)
        self.app.config["OUTBOX_LEASE_SECONDS"] = seconds

    def workers(self, *, pool: int | None = None) -> subprocess.Popen:
        process = start_workers(self.app, self.settings, self.log, pool=pool)
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                kill_group(process, signal.SIGTERM)
        self.smtp.close()
        self.redis.stop()


@pytest.fixture
def rig(app, tmp_path):
    saved = {key: app.config.get(key) for key in CONFIG_KEYS}
    rig = Rig(app, tmp_path)
    yield rig
    rig.close()
    app.config.update(saved)
    client = app.extensions.pop("redis", None)
    if client is not None:
        client.close()
    print(rig.log.read_text()[-6000:] if rig.log.exists() else "")


def _filed_application(client, rig, *, pool: int | None = None) -> tuple[int, subprocess.Popen]:
    """File a case through the private Redis and let the workers finish its jobs."""
    rig.use_private_redis()
    workers = rig.workers(pool=pool)
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    wait_for(lambda: _all_done(_all_ids()), "the filing's jobs", alive=[workers])
    return application_id, workers


def _all_ids() -> list[int]:
    from portal.extensions import db
    from portal.jobs.models import OutboxMessage

    ids = list(db.session.scalars(sa.select(OutboxMessage.id)))
    db.session.rollback()
    return ids


def _notices(application_id: int, count: int) -> list[int]:
    """Write `count` history entries on the case, each asking for the applicant's e-mail."""
    from portal.applications.models import Application, HistoryEntry
    from portal.extensions import db
    from portal.jobs.services import enqueue

    application = db.session.get(Application, application_id)
    ids = []
    for n in range(count):
        entry = HistoryEntry(
            application_id=application_id,
            actor_role="system",
            action="aviso",
            from_state=application.state,
            to_state=application.state,
            comment=f"Aviso número {n + 1}",
        )
        db.session.add(entry)
        db.session.flush()
        ids.append(enqueue("send_notification", history_id=entry.id).id)
    db.session.commit()  # dispatched now, to the private Redis
    return ids


def _messages(ids: list[int]):
    from portal.extensions import db
    from portal.jobs.models import OutboxMessage

    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
    db.session.rollback()
    return rows


def _taken(ids: list[int]) -> int:
    return sum(1 for m in _messages(ids) if m.taken_at is not None and m.completed_at is None)


def _all_done(ids: list[int]) -> bool:
    return all(m.completed_at is not None for m in _messages(ids))


def _expected_ids(message_ids: list[int]) -> list[str]:
    """The Message-IDs the sink must have received once each: every notice of the case and
    every payment order's e-mail (issued at filing where the definition charges then)."""
    keys = set()
    for m in _messages(message_ids):
        if m.task == "send_notification":
            keys.add(f"history-{m.args['history_id']}")
        elif m.task == "payment_mail":
            keys.add(f"order-{m.args['order_id']}-{m.args['event']}")
    return sorted(f"<{key}@ventanilla.amss>" for key in keys)


def test_a_redis_crash_mid_job_is_survived_and_every_message_is_sent_once(app_ctx, client, rig):
    application_id, pool = _filed_application(client, rig, pool=2)
    rig.smtp.gate.clear()  # every SMTP session from now on waits: the jobs stay mid-job
    sessions_before = rig.smtp.sessions
    ids = _notices(application_id, 6)

    wait_for(
        lambda: rig.smtp.sessions >= sessions_before + 2 and _taken(ids) >= 2,
        "two jobs mid-SMTP",
        alive=[pool],
    )
    workers_before = children(pool.pid)
    rig.redis.kill9()  # the queue with the other four jobs is gone with it
    # The fault: a worker whose Redis vanished during a job exits...
    wait_for(lambda: workers_before - children(pool.pid), "a worker to die", alive=[pool])
    # ...and the pool starts workers again by itself.
    wait_for(lambda: len(children(pool.pid)) == 2, "two workers again", alive=[pool])
    rig.redis.start()  # same port, empty
    rig.smtp.gate.set()

    wait_for(lambda: _all_done(ids), "every message done after the crash", alive=[pool])
    assert pool.poll() is None  # the pool is still there, with its workers
    everything = _all_ids()
    assert sorted(rig.smtp.message_ids()) == _expected_ids(everything)  # once each, none lost
    assert all(m.failed_at is None for m in _messages(everything))


def test_a_worker_killed_mid_job_leaves_a_lease_that_expires_then_one_result(app_ctx, client, rig):
    from portal.extensions import db, utcnow
    from portal.notifications.models import MailDelivery

    application_id, worker = _filed_application(client, rig)
    rig.smtp.gate.clear()
    sessions_before = rig.smtp.sessions
    (message_id,) = _notices(application_id, 1)
    wait_for(
        lambda: _taken([message_id]) == 1 and rig.smtp.sessions == sessions_before + 1,
        "the job mid-SMTP",
        alive=[worker],
    )
    (message,) = _messages([message_id])
    horse = int(message.taken_by.rsplit(":", 1)[1])  # the process that holds the lease
    kill_group(worker)  # SIGKILL the worker...
    os.kill(horse, signal.SIGKILL)  # ...and its work horse (RQ gives it its own session)

    runner = app_ctx.test_cli_runner()
    # The lease still holds: the sweep must not send it again, however old the message is.
    result = runner.invoke(args=["jobs", "sweep", "--older-than", "0"])
    assert result.exit_code == 0 and "re-dispatched 0 message(s)" in result.output
    (message,) = _messages([message_id])
    wait_for(lambda: utcnow() > message.lease_expires_at, "the lease to expire", timeout=30)
    result = runner.invoke(args=["jobs", "sweep", "--older-than", "0"])
    assert "re-dispatched 1 message(s)" in result.output
    rig.smtp.gate.set()
    rig.workers()

    wait_for(lambda: _all_done([message_id]), "the message done by the second worker")
    everything = _all_ids()
    assert sorted(rig.smtp.message_ids()) == _expected_ids(everything)  # the notice once
    (message,) = _messages([message_id])
    assert message.attempts == 2  # the killed attempt, then the one that sent it
    assert (
        db.session.scalar(
            sa.select(sa.func.count(MailDelivery.id)).where(
                MailDelivery.key == f"history-{message.args['history_id']}"
            )
        )
        == 1
    )


def test_two_workers_on_one_message_send_one_email(app_ctx, client, rig):
    from rq import Queue

    from portal.jobs.dispatch import redis_connection
    from portal.jobs.services import enqueue

    application_id, pool = _filed_application(client, rig, pool=2)
    rig.smtp.gate.clear()
    sessions_before = rig.smtp.sessions
    (first,) = _notices(application_id, 1)
    wait_for(
        lambda: rig.smtp.sessions == sessions_before + 1 and _taken([first]) == 1,
        "the notice mid-SMTP",
        alive=[pool],
    )
    # The same message handed to RQ twice more (as the old sweep did), and a second message
    # for the very same notice (as a use case that asked twice would).
    mail = Queue("mail", connection=redis_connection())
    duplicates = [mail.enqueue("portal.jobs.worker.perform", first) for _ in range(2)]
    from portal.applications.models import HistoryEntry
    from portal.extensions import db
    from portal.jobs.models import OutboxMessage

    history_id = db.session.get(OutboxMessage, first).args["history_id"]
    second = enqueue("send_notification", history_id=history_id).id
    db.session.commit()
    for job in duplicates:  # the copies of a message in hand end at once, doing nothing
        wait_for(lambda job=job: job.get_status(refresh=True) == "finished", "a duplicate ends")
        assert job.return_value() is False
    rig.smtp.gate.set()
    wait_for(lambda: _all_done([first, second]), "both messages done", alive=[pool])
    assert rig.smtp.sessions == sessions_before + 1  # nobody else even tried to send it
    assert rig.smtp.message_ids().count(f"<history-{history_id}@ventanilla.amss>") == 1
    assert sorted(rig.smtp.message_ids()) == _expected_ids(_all_ids())
    assert db.session.get(HistoryEntry, history_id) is not None


def test_two_workers_rendering_one_certificate_store_one_pdf(app_ctx, client, rig):
    from rq import Queue

    from portal.accounts.models import User
    from portal.applications.services import act_on_application, get_application_for
    from portal.certificates.models import IssuedDocument
    from portal.certificates.services import read_pdf
    from portal.extensions import db
    from portal.jobs.dispatch import redis_connection
    from portal.jobs.models import OutboxMessage
    from portal.jobs.services import enqueue
    from tests.portal.helpers import make_staff, pdf_text, ready_to_decide

    application_id, workers = _filed_application(client, rig)
    kill_group(workers, signal.SIGTERM)  # no worker while the race is set up
    rig.set_lease(30)  # the renders wait at the lock, then render
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    ready_to_decide(application_id, clerk)
    application = get_application_for(application_id, db.session.get(User, clerk.id))
    act_on_application(actor=clerk, application=application, action="aprobar")
    original = db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.task == "render_certificate")
    )
    twin = enqueue("render_certificate", application_id=application_id).id
    db.session.commit()
    Queue("documents", connection=redis_connection()).enqueue(
        "portal.jobs.worker.perform", original
    )
    certificate = db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.application_id == application_id, IssuedDocument.kind == "certificate"
        )
    )
    db.session.commit()
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as gate:
        if postgres:  # hold the certificate's row so both renders meet at its lock
            gate.execute(
                sa.text("SELECT id FROM issued_documents WHERE id = :id FOR UPDATE"),
                {"id": certificate.id},
            )
        pool = rig.workers(pool=2)
        if postgres:
            waiting = sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE '%issued_documents%'"
            )
            with db.engine.connect() as probe:

                def waiters() -> int:
                    count = probe.execute(waiting).scalar()
                    probe.rollback()  # pg_stat_activity is a snapshot per transaction
                    return count

                wait_for(lambda: waiters() >= 2, "two renders at the lock", alive=[pool])
        gate.rollback()  # both renders go on at once
    wait_for(lambda: _all_done([original, twin]), "both render messages done", alive=[pool])

    folder = Path(app_ctx.config["FILES_DIR"])
    stored = {str(p.relative_to(folder)) for p in folder.glob(f"issued/{application_id}/*.pdf")}
    db.session.expire_all()
    keys = set(
        db.session.scalars(
            sa.select(IssuedDocument.pdf_key).where(IssuedDocument.application_id == application_id)
        )
    )
    assert stored == keys and len(keys) == 2  # the receipt and one certificate: no orphan PDF
    certificate = db.session.get(IssuedDocument, certificate.id)
    assert display_code(certificate.code) in pdf_text(read_pdf(certificate))
