"""The outbox: a job lost between commit and dispatch is run by the sweep, once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.portal.helpers import file_new_application, login, make_applicant


def test_a_job_lost_after_commit_is_dispatched_again_by_the_sweep_and_runs_once(
    client, app_ctx, run_jobs
):
    from portal.certificates.models import IssuedDocument
    from portal.extensions import db, utcnow
    from portal.jobs.models import OutboxMessage
    from portal.jobs.services import dispatch_stale, run_message

    make_applicant()
    login(client, "ana@example.sv")
    file_new_application(client)
    run_jobs()
    receipt = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.kind == "receipt"))
    # Simulate a crash right after commit: the receipt was never rendered, its job never ran.
    receipt.pdf_key = None
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.task == "render_receipt")
    )
    message.completed_at = None
    message.created_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    assert dispatch_stale() == 1
    run_jobs()
    db.session.expire_all()
    assert db.session.get(IssuedDocument, receipt.id).pdf_key is not None
    assert db.session.get(OutboxMessage, message.id).completed_at is not None
    # Running it again (an at-least-once queue may) does nothing more.
    assert run_message(message.id) is False
    assert dispatch_stale() == 0


def explode(reason: str) -> None:
    raise RuntimeError(reason)


def test_a_failing_job_records_its_error_stays_pending_and_raises_for_a_retry(app_ctx, monkeypatch):
    import pytest

    from portal.extensions import db
    from portal.jobs import services
    from portal.jobs.models import OutboxMessage

    monkeypatch.setitem(services.TASKS, "explode", ("default", "tests.portal.test_jobs:explode"))
    message = services.enqueue("explode", reason="SMTP caído")
    db.session.info.pop(services.PENDING_KEY, None)  # run it by hand, not on commit
    db.session.commit()
    with pytest.raises(RuntimeError):  # RQ sees the failure and retries with back-off
        services.run_message(message.id)
    db.session.expire_all()
    failed = db.session.get(OutboxMessage, message.id)
    assert failed.completed_at is None and failed.attempts == 1
    assert failed.last_error == "RuntimeError: SMTP caído"
