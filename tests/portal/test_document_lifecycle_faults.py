"""Faults found in the lifecycle of issued documents: the current document is the end of the
replacement chain whatever its status; a public reason names no person and says something;
simultaneous revocations and replacements answer as a resubmission does; the replacement's
reason is shown where the form promises; the applicant is told by e-mail; a document URL of the
other decision kind points to the case's decision document."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from portal.applications.models import HistoryEntry
from portal.certificates import services as certificates
from portal.certificates.models import IssuedDocument
from portal.extensions import db
from portal.tracking.services import display_code
from tests.portal.helpers import login, logout, mails, make_staff, reload_application
from tests.portal.test_verification import _act, _certificate, _page
from workflows.identifiers import identifiers_in

REASONS = ["Corrección del área.", "Corrección del nombre.", "Corrección de la dirección."]


def _staff_client(app, email="jefa@example.sv"):
    client = app.test_client()
    login(client, email)
    return client


def _chain(client, document, times: int) -> list[IssuedDocument]:
    """Replace `document` `times` times through the back office; the chain, oldest first."""
    chain = [document]
    for reason in REASONS[:times]:
        assert _act(client, chain[-1], "reemplazar", reason).status_code == 302
        db.session.expire_all()
        chain.append(db.session.get(IssuedDocument, chain[-1].id).replaced_by)
    return chain


def test_replaced_three_times_then_revoked_the_revoked_end_is_shown_never_the_replaced(
    client, app_ctx, run_jobs
):
    document = _certificate(render=True)
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    _a, _b, c, d = _chain(client, document, 3)
    run_jobs()
    assert _act(client, d, "revocar", "Se comprobó que el plano era falso.").status_code == 302
    db.session.expire_all()
    application_id = document.application_id
    current = certificates.get_issued(application_id, "certificate")
    assert current.id == d.id and current.status == "revoked"
    assert certificates.issued_for(application_id)["certificate"].id == d.id
    assert certificates.current_certificate(application_id).id == d.id
    page = _page(client.get(f"/bandeja/{application_id}"))
    box = page[page.index('id="documentos"') :].split("</dl>")[0]  # the "Documento emitido" box
    assert display_code(d.code) in box and "Revocado" in box
    assert display_code(c.code) not in box and "Reemplazado" not in box
    logout(client)
    login(client, "ana@example.sv")
    status = _page(client.get(f"/solicitudes/{application_id}"))
    assert "La institución revocó esta resolución: ya no es válida." in status
    assert "Se comprobó que el plano era falso." in status
    download = client.get(f"/solicitudes/{application_id}/certificado.pdf")
    assert download.status_code == 200
    db.session.expire_all()
    assert download.data == certificates.read_pdf(db.session.get(IssuedDocument, d.id))


@pytest.mark.parametrize("replacements", [0, 1, 2])
def test_the_current_document_is_the_end_of_its_chain_after_any_order_of_acts(
    client, app_ctx, replacements
):
    document = _certificate()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    chain = _chain(client, document, replacements)
    application_id = document.application_id
    assert certificates.get_issued(application_id, "certificate").id == chain[-1].id
    assert certificates.get_issued(application_id, "certificate").status == "valid"
    assert _act(client, chain[-1], "revocar", "Documentos falsos presentados.").status_code == 302
    db.session.expire_all()
    current = certificates.get_issued(application_id, "certificate")
    assert current.id == chain[-1].id and current.status == "revoked"
    assert [row.status for row in chain[:-1]] == ["replaced"] * replacements
    # Other kinds keep their own current document: none here but the certificate.
    assert set(certificates.issued_for(application_id)) <= {"receipt", "certificate"}


@pytest.mark.parametrize(
    "reason",
    [
        "Revocada por Ana María Pérez, DUI 01234567-8, presentó escritura falsa.",
        "La titular con documento 012345678 presentó escritura falsa.",
        "La titular con documento 0123 4567 8 presentó escritura falsa.",
        "La empresa con NIT 0614-050707-104-8 presentó escritura falsa.",
        "La empresa con NIT 06140507071048 presentó escritura falsa.",
        "Denuncia de ana.perez@example.sv sobre escritura falsa.",
        "DUI 01234567–9 (con guion largo) presentó escritura falsa.",
    ],
)
def test_a_reason_naming_a_persons_identifier_is_refused_at_its_field_and_kept(
    client, app_ctx, reason
):
    document = _certificate()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    for act in ("revocar", "reemplazar"):
        refused = _act(client, document, act, reason)
        page = _page(refused)
        assert refused.status_code == 422
        assert "El motivo es público: quite el DUI, NIT, correo u otro dato" in page
        assert reason.replace("–", "&ndash;") in page or reason in page or "012345" in page
    db.session.expire_all()
    assert db.session.get(IssuedDocument, document.id).status == "valid"


def test_a_one_letter_reason_is_refused_and_the_hint_says_no_names_or_identifiers(client, app_ctx):
    document = _certificate()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    case = _page(client.get(f"/bandeja/{document.application_id}"))
    assert "No escriba nombres, DUI, NIT, correos ni otros datos que identifiquen a personas" in (
        case
    )
    for short in ("a", "Error.", "  abc  "):
        refused = _act(client, document, "revocar", short)
        assert refused.status_code == 422
        assert "Explique el motivo en al menos 10 caracteres" in _page(refused)
    db.session.expire_all()
    assert db.session.get(IssuedDocument, document.id).status == "valid"


def test_identifiers_are_found_in_text_by_the_fields_rule_and_ordinary_numbers_are_not():
    assert identifiers_in("DUI 01234567-8 y NIT 0614-050707-104-8") == ["dui", "nit"]
    assert identifiers_in("01234567 8") == ["dui"]
    for text in (
        "Expediente OPAMSS-2026-000123 del 30.11.2026, Arts. 132 a 135.",
        "Área de 1,250.50 m² en la parcela 12.",
        "Serial OPAMSS-CERT-2026-000123.",
    ):
        assert identifiers_in(text) == [], text


def _race(app, document, act: str, reason: str, count: int = 3) -> list[int]:
    """POST the same lifecycle form from `count` signed-in clients at one instant."""
    clients = [_staff_client(app) for _ in range(count)]
    barrier = threading.Barrier(count)
    answers: list[int | None] = [None] * count
    url = f"/bandeja/{document.application_id}/emitidos/{document.id}"

    def post(index: int) -> None:
        barrier.wait()
        answers[index] = clients[index].post(url, data={"act": act, "reason": reason}).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_simultaneous_replacements_all_answer_with_the_one_replacement(app_ctx):
    document = _certificate()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    assert _race(app_ctx, document, "reemplazar", "Corrección del área.") == [302] * 3
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.replaces_id == document.id)
    ).all()
    assert len(rows) == 1
    application = reload_application(document.application_id)
    assert [h.action for h in application.history].count("document:replace") == 1


def test_simultaneous_revocations_revoke_once(app_ctx):
    document = _certificate()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    assert _race(app_ctx, document, "revocar", "Documentos falsos presentados.") == [302] * 3
    db.session.expire_all()
    assert db.session.get(IssuedDocument, document.id).status == "revoked"
    application = reload_application(document.application_id)
    assert [h.action for h in application.history].count("document:revoke") == 1


def test_a_replacement_refused_by_the_unique_constraint_answers_with_the_existing_one(
    client, app_ctx
):
    """The IntegrityError path: a replacement committed by another request after this one
    read "not replaced" (as on SQLite, which takes no row lock)."""
    from portal.accounts.models import User

    document = _certificate()
    jefa = make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    first = certificates.replace_document(
        actor=jefa,
        application=document.application,
        document_id=document.id,
        reason="Corrección del área.",
    )
    # This request's view of the document: loaded before the other's commit, not replaced.
    db.session.expire_all()
    original = certificates._replace

    def stale(application, definition, actor, role, doc, text, ip):
        doc.replaced_by = None  # what a request that read it a moment earlier saw
        return original(application, definition, actor, role, doc, text, ip)

    certificates._replace = stale
    try:
        again = certificates.replace_document(
            actor=db.session.get(User, jefa.id),
            application=reload_application(document.application_id),
            document_id=document.id,
            reason="Corrección del área.",
        )
    finally:
        certificates._replace = original
    assert again.id == first.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(IssuedDocument.replaces_id == document.id)
        )
        == 1
    )


def test_the_replacement_reason_is_shown_to_the_applicant_and_the_office(client, app_ctx):
    document = _certificate()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    _old, new = _chain(client, document, 1)
    assert new.replacement_reason == "Corrección del área."
    box = _page(client.get(f"/bandeja/{document.application_id}"))
    assert "Motivo del reemplazo" in box and "Corrección del área." in box
    logout(client)
    login(client, "ana@example.sv")
    status = _page(client.get(f"/solicitudes/{document.application_id}"))
    assert "Esta resolución reemplaza a la emitida antes" in status
    assert display_code(document.code) in status and "Corrección del área." in status


def test_the_applicant_is_told_by_mail_of_a_replacement_and_a_revocation(client, app_ctx, run_jobs):
    document = _certificate(render=True)
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    before = len(mails(app_ctx))
    _old, new = _chain(client, document, 1)
    assert _act(client, new, "revocar", "Documentos falsos presentados.").status_code == 302
    run_jobs()
    sent = [m for m in mails(app_ctx)[before:] if m["To"] == "ana@example.sv"]
    subjects = [m["Subject"] for m in sent]
    number = reload_application(document.application_id).tracking_number
    assert f"Expediente {number}: documento reemplazado" in subjects
    assert f"Expediente {number}: documento revocado" in subjects
    for message in sent:
        assert not list(message.iter_attachments())
        body = " ".join(message.get_content().split())
        assert f"/solicitudes/{document.application_id}" in body
    bodies = {m["Subject"]: " ".join(m.get_content().split()) for m in sent}
    replaced = bodies[f"Expediente {number}: documento reemplazado"]
    assert display_code(document.code) in replaced and display_code(new.code) in replaced
    assert "Corrección del área." in replaced
    revoked = bodies[f"Expediente {number}: documento revocado"]
    assert display_code(new.code) in revoked and "Documentos falsos presentados." in revoked
    assert "ya no es válido" in revoked
    # One e-mail per act, however often the job runs.
    run_jobs()
    assert len([m for m in mails(app_ctx)[before:] if m["To"] == "ana@example.sv"]) == len(sent)
    entries = db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.action.like("document:%"))
    ).all()
    assert len(entries) == 2


def test_the_url_of_the_other_decision_kind_points_to_the_cases_decision_document(client, app_ctx):
    document = _certificate(render=True)
    login(client, "ana@example.sv")
    base = f"/solicitudes/{document.application_id}"
    other = client.get(f"{base}/resolucion-desfavorable.pdf")
    assert other.status_code == 303 and other.headers["Location"].endswith(
        f"{base}/certificado.pdf"
    )
    assert client.get(other.headers["Location"]).status_code == 200
