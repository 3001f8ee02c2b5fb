"""One document, one serial, one file: a real `rq worker` killed with SIGKILL mid-render.

The render job pauses after storing the PDF and before its commit (`PDF_STORED_PAUSE_SECONDS`,
set only in the first worker's environment): the test sees the file appear in storage, kills
the worker and its work horse there, lets the lease expire, sweeps, and a second worker finishes.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.portal.faults import kill_group, wait_for
from tests.portal.helpers import make_staff, pdf_text, ready_to_decide
from tests.portal.test_job_faults import _all_done, _filed_application, _messages, rig  # noqa: F401

pytestmark = pytest.mark.worker


def _stored(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*")} if folder.exists() else set()


def test_a_worker_killed_after_storing_a_certificate_leaves_one_document_serial_and_file(
    app_ctx,
    client,
    rig,  # noqa: F811
):
    from portal.accounts.models import User
    from portal.applications.services import act_on_application, get_application_for
    from portal.certificates.models import DocumentCounter, IssuedDocument
    from portal.certificates.services import read_pdf
    from portal.extensions import db, utcnow
    from portal.jobs.models import OutboxMessage

    application_id, workers = _filed_application(client, rig)
    kill_group(workers, signal.SIGTERM)  # the receipt is done; no worker while the case is decided
    folder = Path(app_ctx.config["FILES_DIR"]) / "issued" / str(application_id)
    receipt_files = _stored(folder)
    assert len(receipt_files) == 1

    rig.set_lease(20)  # render, then the pause, within one lease
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    ready_to_decide(application_id, clerk)
    application = get_application_for(application_id, db.session.get(User, clerk.id))
    act_on_application(actor=clerk, application=application, action="aprobar")
    certificate = db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.application_id == application_id, IssuedDocument.kind == "certificate"
        )
    )
    serial, certificate_id = certificate.serial, certificate.id
    message_id = db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.task == "render_certificate")
    )
    db.session.commit()

    rig.settings["PDF_STORED_PAUSE_SECONDS"] = "60"
    worker = rig.workers()
    wait_for(lambda: len(_stored(folder)) == 2, "the certificate's PDF stored", alive=[worker])
    (message,) = _messages([message_id])
    assert message.taken_at is not None and message.completed_at is None
    horse = int(message.taken_by.rsplit(":", 1)[1])
    kill_group(worker)  # SIGKILL the worker...
    os.kill(horse, signal.SIGKILL)  # ...and the work horse paused before its commit
    db.session.expire_all()
    assert db.session.get(IssuedDocument, certificate_id).pdf_key is None  # never committed
    left_behind = _stored(folder) - receipt_files

    wait_for(lambda: utcnow() > message.lease_expires_at, "the lease to expire", timeout=40)
    result = app_ctx.test_cli_runner().invoke(args=["jobs", "sweep", "--older-than", "0"])
    assert "re-dispatched 1 message(s)" in result.output
    del rig.settings["PDF_STORED_PAUSE_SECONDS"]
    rig.workers()
    wait_for(lambda: _all_done([message_id]), "the certificate rendered by the second worker")

    db.session.expire_all()
    documents = db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.application_id == application_id)
    ).all()
    certificate = next(d for d in documents if d.kind == "certificate")
    assert [d.kind for d in documents].count("certificate") == 1
    assert certificate.id == certificate_id and certificate.serial == serial
    last = db.session.scalar(
        sa.select(DocumentCounter.last).where(DocumentCounter.doc_type == "CERT")
    )
    assert last == 1  # one serial taken, by the decision, none by the renders
    # Exactly one file per document: the rerun overwrote what the killed run stored.
    assert _stored(folder) == {Path(d.pdf_key).name for d in documents}
    assert _stored(folder) - receipt_files == left_behind
    pdf = read_pdf(certificate)
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    text = pdf_text(pdf)
    assert serial in text and certificate.code in text
    (message,) = _messages([message_id])
    assert message.attempts == 2  # the killed attempt, then the one that committed
