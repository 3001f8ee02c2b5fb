"""Serial numbers of issued documents, several documents per case, and signed resolutions."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.applications.services import act_on_application
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_text,
    qr_texts,
    reload_application,
)

DENIAL_COMMENT = "El inmueble está en zona de protección ecológica según el Plan de Desarrollo."


def _year() -> int:
    from portal.applications.effects import local_now

    return local_now().year


def _filed(client) -> int:
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    return application_id


def _documents(application_id: int):
    from portal.certificates.models import IssuedDocument
    from portal.extensions import db

    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(IssuedDocument)
            .where(IssuedDocument.application_id == application_id)
            .order_by(IssuedDocument.id)
        )
    )


def _deny(application_id: int):
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    return act_on_application(
        actor=clerk,
        application=reload_application(application_id),
        action="denegar",
        comment=DENIAL_COMMENT,
        reasons=["uso_suelo_incompatible"],
    )


def test_filing_and_denial_issue_numbered_documents_and_the_applicant_downloads_the_resolution(
    client, app_ctx, run_jobs, tmp_path
):
    from portal.payments.services import list_payment_orders, read_order_pdf

    application_id = _filed(client)
    entry = _deny(application_id)
    run_jobs()
    application = reload_application(application_id)
    prefix, year = application.authority.tracking_prefix, _year()
    receipt, resolution = _documents(application_id)
    assert (receipt.kind, receipt.serial) == ("receipt", f"{prefix}-CONST-{year}-000001")
    assert (resolution.kind, resolution.serial) == ("resolution", f"{prefix}-RES-{year}-000001")
    assert resolution.history_entry_id == entry.id and resolution.decision == "desfavorable"
    assert resolution.authority_id == application.authority_id
    # Each PDF under a name fixed by the document: a rerun overwrites it, never adds one.
    assert resolution.pdf_key == f"issued/{application_id}/{resolution.id}-{resolution.serial}.pdf"
    for order in list_payment_orders(application_id):
        assert re.fullmatch(rf"{prefix}-MAND-{year}-\d{{6}}", order.serial)
        assert order.serial in pdf_text(read_order_pdf(order))

    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert f"/solicitudes/{application_id}/resolucion-desfavorable.pdf" in status
    assert f"/solicitudes/{application_id}/constancia.pdf" in status
    download = client.get(f"/solicitudes/{application_id}/resolucion-desfavorable.pdf")
    assert download.status_code == 200
    text = " ".join(pdf_text(download.data).split())
    assert "RESOLUCIÓN" in text and resolution.serial in text and resolution.code in text
    assert "Uso de suelo no compatible con la zonificación" in text  # the reason given
    assert DENIAL_COMMENT in text  # the reasoned text the officer signed
    assert "recurso de reconsideración" in text and "recurso de apelación" in text
    assert "Arts. 132 a 135" in text
    assert "Ley de Procedimientos Administrativos" in text  # the procedure's legal basis
    verify = f"http://127.0.0.1:5000/verificar/{resolution.code}"
    assert qr_texts(download.data, tmp_path) == [verify]
    receipt_pdf = client.get(f"/solicitudes/{application_id}/constancia.pdf")
    assert receipt.serial in pdf_text(receipt_pdf.data)
    # The certificate's URL of a denied case points to its decision: the resolution.
    certificate_url = client.get(f"/solicitudes/{application_id}/certificado.pdf")
    assert certificate_url.status_code == 303
    assert certificate_url.headers["Location"].endswith(
        f"/solicitudes/{application_id}/resolucion-desfavorable.pdf"
    )
    logout(client)
    verification = client.get(f"/verificar/{resolution.code}").get_data(as_text=True)
    assert "Documento auténtico" in verification and "Resolución" in verification


def test_an_effect_run_twice_for_one_act_issues_once_and_a_new_act_issues_a_new_document(
    client, app_ctx
):
    from portal.applications import effects
    from portal.applications.models import HistoryEntry
    from portal.extensions import db, utcnow
    from portal.jobs.models import OutboxMessage
    from portal.procedures.services import definition_of

    application_id = _filed(client)
    entry = _deny(application_id)
    application = reload_application(application_id)
    definition = definition_of(application.procedure_version)
    effects.issue_resolution(application, definition, entry, {})  # the same act again
    effects.issue_receipt(application, definition, application.history[0], {})
    db.session.commit()
    assert [d.kind for d in _documents(application_id)] == ["receipt", "resolution"]
    renders = db.session.scalars(
        sa.select(OutboxMessage.task).where(
            OutboxMessage.task.in_(["render_receipt", "render_resolution"])
        )
    ).all()
    assert sorted(renders) == ["render_receipt", "render_resolution"]

    # A second act (a reissue) issues a second resolution with the next serial; it is current.
    again = HistoryEntry(
        application_id=application_id,
        actor_role="system",
        action=entry.action,
        from_state=entry.to_state,
        to_state=entry.to_state,
    )
    db.session.add(again)
    db.session.flush()
    effects.issue_resolution(application, definition, again, {})
    db.session.commit()
    from portal.certificates.services import get_issued, issued_for

    first, second = [d for d in _documents(application_id) if d.kind == "resolution"]
    assert second.serial.endswith("-000002") and first.serial.endswith("-000001")
    assert get_issued(application_id, "resolution").id == second.id
    second.revoked_at = utcnow()
    db.session.commit()
    assert issued_for(application_id)["resolution"].id == first.id


def test_concurrent_issuers_get_consecutive_serials_without_gaps_or_duplicates(app, client):
    """Eight sessions issue certificates for one authority at once; one of them rolls back.

    Each holds its transaction open after taking its number, so they overlap: the seven that
    commit hold 000001..000007, the number of the one that rolled back was given back.
    """
    from portal.applications import effects
    from portal.applications.models import Application, HistoryEntry
    from portal.certificates.models import DocumentCounter, IssuedDocument
    from portal.extensions import db
    from portal.procedures.services import definition_of

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent writers need PostgreSQL (SQLite has one writer at a time)")
        application_id = _filed(client)
        entries = []
        for n in range(8):
            entry = HistoryEntry(
                application_id=application_id,
                actor_role="system",
                action="aprobar",
                from_state="presentado",
                to_state="favorable",
                comment=f"Acto {n}",
            )
            db.session.add(entry)
            db.session.flush()
            entries.append(entry.id)
        db.session.commit()
        db.session.remove()

    start = threading.Barrier(len(entries))
    failures: list[BaseException] = []

    def issue(entry_id: int, rollback: bool) -> None:
        try:
            with app.app_context():
                application = db.session.get(Application, application_id)
                definition = definition_of(application.procedure_version)
                entry = db.session.get(HistoryEntry, entry_id)
                start.wait(timeout=20)
                effects.issue_certificate(application, definition, entry, {})
                time.sleep(0.2)  # hold the number while the others queue for theirs
                if rollback:
                    db.session.rollback()
                else:
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below, with the thread's traceback
            failures.append(error)

    threads = [
        threading.Thread(target=issue, args=(entry_id, n == 3))
        for n, entry_id in enumerate(entries)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - began
    assert not failures, failures
    with app.app_context():
        serials = db.session.scalars(
            sa.select(IssuedDocument.serial).where(IssuedDocument.kind == "certificate")
        ).all()
        prefix = db.session.get(Application, application_id).authority.tracking_prefix
        year = _year()
        assert sorted(serials) == [f"{prefix}-CERT-{year}-{n:06d}" for n in range(1, 8)]
        counter = db.session.scalar(
            sa.select(DocumentCounter.last).where(
                DocumentCounter.doc_type == "CERT", DocumentCounter.year == year
            )
        )
        assert counter == 7
    assert elapsed >= 8 * 0.2  # they queued on the counter: one number at a time


def test_a_rendered_file_left_by_a_run_that_died_before_its_commit_is_overwritten(
    client, app_ctx, run_jobs
):
    """The storage key is fixed per document: a rerun replaces the file, never adds a second."""
    from portal.certificates.services import render_issued
    from portal.extensions import db

    application_id = _filed(client)
    run_jobs()
    receipt = _documents(application_id)[0]
    folder = Path(app_ctx.config["FILES_DIR"]) / "issued" / str(application_id)
    name = f"{receipt.id}-{receipt.serial}.pdf"
    assert sorted(p.name for p in folder.iterdir()) == [name]
    receipt.pdf_key = None  # as if the run stored the file and died before its commit
    db.session.commit()
    assert render_issued(receipt.id)
    db.session.commit()
    assert sorted(p.name for p in folder.iterdir()) == [name]


def test_a_long_resolution_is_signed_after_its_last_word_the_appeal_it_grants(
    client, app_ctx, run_jobs
):
    """A resolution's closing block (place, date, signer, QR code) follows the appeal text on
    the last page however long the reasoned text is; it never stands on page 1 with the
    appeal continuing after it."""
    import io

    from pypdf import PdfReader

    from portal.certificates.services import get_issued, read_pdf

    application_id = _filed(client)
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    long_comment = " ".join(
        f"Considerando {n}: el inmueble está en zona de protección ecológica según el Plan de "
        "Desarrollo y el uso solicitado no es compatible con ella."
        for n in range(1, 31)
    )
    act_on_application(
        actor=clerk,
        application=reload_application(application_id),
        action="denegar",
        comment=long_comment,
        reasons=["uso_suelo_incompatible"],
    )
    run_jobs()
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(read_pdf(get_issued(application_id, "resolution")))).pages
    ]
    assert len(pages) >= 2
    *earlier, last = pages
    assert not any("Firmado electrónicamente por" in page for page in earlier)
    assert "Considerando 30" in " ".join(pages)
    assert last.index("Arts. 132 a 135") < last.index("Firmado electrónicamente por")
    assert "Verifique la autenticidad" in last
