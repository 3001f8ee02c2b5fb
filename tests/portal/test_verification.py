"""Public verification of issued documents (by code or by file) and their lifecycle: expiry,
revocation and replacement by an authorized officer, with history, SIMDET and audit."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import AuditEvent
from portal.applications import effects
from portal.applications.models import HistoryEntry
from portal.certificates import services as certificates
from portal.certificates.models import IssuedDocument
from portal.extensions import db
from portal.procedures.services import definition_of
from portal.simdet.models import FeedEvent
from portal.tracking.services import display_code, verification_keys
from tests.portal.helpers import (
    decided_case,
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
)

NATURAL = {
    "direccion": "Calle Arce 1234, Colonia Escalón",
    "tipo_persona": "natural",
    "nombre_propietario": "Ana María Pérez",
    "nit_propietario": "01234567-8",
}
COMPANY = NATURAL | {
    "tipo_persona": "juridica",
    "nombre_propietario": "Inversiones La Ceiba, S.A. de C.V.",
    "nit_propietario": "0614-050707-104-8",
}
HEADINGS = {
    "valid": "Documento auténtico y vigente",
    "expired": "Documento auténtico, pero vencido",
    "revoked": "Documento revocado",
    "replaced": "Documento reemplazado",
    "altered": "Documento alterado",
}


def _certificate(data=NATURAL, *, email="ana@example.sv", render=False) -> IssuedDocument:
    """An approved Calificación de Lugar and its certificate, issued as the decision issues it."""
    application = decided_case(make_applicant(email), "calificacion-lugar", data)
    definition = definition_of(application.procedure_version)
    _approve(application, definition)
    document = certificates.get_issued(application.id, "certificate")
    if render:
        certificates.render_issued(document.id)
        db.session.commit()
    return document


def _approve(application, definition) -> None:
    """The approving act's certificate, as the decision's effect issues it (serial, code, day)."""
    entry = HistoryEntry(
        application_id=application.id,
        actor_role="system",
        action="aprobar",
        from_state=application.state,
        to_state=application.state,
    )
    db.session.add(entry)
    db.session.flush()
    effects.issue_certificate(application, definition, entry, {})
    db.session.commit()


def _page(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _headline(response) -> str:
    return next(h for h in HEADINGS.values() if h in _page(response))


def _act(client, document, act: str, reason: str = "Error en el nombre del titular."):
    return client.post(
        f"/bandeja/{document.application_id}/emitidos/{document.id}",
        data={"act": act, "reason": reason},
    )


def test_new_codes_are_sixteen_letters_of_the_tracking_alphabet_printed_in_fours(client, app_ctx):
    document = _certificate(render=True)
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTWXYZ2-9]{16}", document.code)
    from tests.portal.helpers import pdf_text

    text = " ".join(pdf_text(certificates.read_pdf(document)).split())
    assert display_code(document.code) in text
    assert re.fullmatch(r"(\w{4}-){3}\w{4}", display_code(document.code))


def test_typed_codes_with_dashes_spaces_and_lower_case_are_found(client, app_ctx):
    document = _certificate()
    shown = display_code(document.code)
    for typed in (shown, shown.lower(), shown.replace("-", " "), shown.replace("-", "\u2013")):
        response = client.get(f"/verificar/{typed}")
        assert response.status_code == 200, typed
        assert HEADINGS["valid"] in _page(response)
    form = client.post("/verificar/", data={"code": f"  {shown.lower().replace('-', ' ')} "})
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/verificar/{shown}")


def test_a_blank_code_is_asked_for_at_its_field_with_what_was_typed_kept(client, app_ctx):
    for typed in ("", " - - "):
        response = client.post("/verificar/", data={"code": typed})
        page = _page(response)
        assert response.status_code == 422, typed
        assert 'id="code-error"' in page and "Escriba el código de verificación." in page


def test_old_hexadecimal_codes_are_still_found_with_o_for_zero_and_i_or_l_for_one(client, app_ctx):
    document = _certificate()
    document.code = "3F9A1C2B7D4E5F60"
    db.session.commit()
    assert verification_keys("3f9a-Ic2b 7d4e-5f6O") == ("3F9AIC2B7D4E5F6O", "3F9A1C2B7D4E5F60")
    for typed in ("3F9A1C2B7D4E5F60", "3f9a-lc2b-7d4e-5f6o", "3F9A IC2B 7D4E 5F6O"):
        assert client.get(f"/verificar/{typed}").status_code == 200, typed


def test_an_unknown_code_gets_its_own_answer_in_the_portals_layout(client, app_ctx):
    response = client.get("/verificar/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    page = _page(response)
    assert response.status_code == 404
    assert "No encontramos un documento con ese código" in page and "ZZZZ-ZZZZ-ZZZZ-ZZZZ" in page
    assert "app-header" in page and "Verificar otro documento" in page


def test_the_answers_are_in_english_too(client):
    client.post("/idioma/en", data={"next": "/verificar/"})
    form = _page(client.get("/verificar/"))
    assert "Check a document" in form and "With the PDF file" in form
    english = client.get("/verificar/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert english.status_code == 404
    assert "We could not find a document with that code" in _page(english)


def test_valid_expired_revoked_and_replaced_documents_each_get_a_different_clear_answer(
    client, app_ctx
):
    valid = _certificate(email="a@example.sv")
    expired = _certificate(email="b@example.sv")
    expired.valid_until = effects.local_now().date() - timedelta(days=1)
    revoked = _certificate(email="c@example.sv")
    replaced = _certificate(email="d@example.sv")
    db.session.commit()
    supervisor = make_staff("supervisor", "OPAMSS")
    certificates.revoke_document(
        actor=supervisor,
        application=revoked.application,
        document_id=revoked.id,
        reason="La obra invade la zona de protección del río.",
    )
    replacement = certificates.replace_document(
        actor=supervisor,
        application=replaced.application,
        document_id=replaced.id,
        reason="Corrección del área del terreno.",
    )
    answers = {
        name: client.get(f"/verificar/{display_code(doc.code)}")
        for name, doc in (
            ("valid", valid),
            ("expired", expired),
            ("revoked", revoked),
            ("replaced", replaced),
        )
    }
    assert {name: _headline(r) for name, r in answers.items()} == {
        name: HEADINGS[name] for name in answers
    }
    expired_page = _page(answers["expired"])
    assert f"terminó el {expired.valid_until.strftime('%d/%m/%Y')}" in expired_page
    revoked_page = _page(answers["revoked"])
    assert "La obra invade la zona de protección del río." in revoked_page
    assert effects.local_now().strftime("%d/%m/%Y") in revoked_page
    replaced_page = _page(answers["replaced"])
    assert f'href="/verificar/{display_code(replacement.code)}"' in replaced_page
    new_page = _page(client.get(f"/verificar/{display_code(replacement.code)}"))
    assert HEADINGS["valid"] in new_page
    assert f'Reemplaza a <a class="govuk-link" href="/verificar/{display_code(replaced.code)}"' in (
        new_page
    )


def test_the_holder_is_a_company_or_reserved_never_a_natural_persons_name_or_numbers(
    client, app_ctx
):
    person = _certificate(NATURAL, email="a@example.sv")
    company = _certificate(COMPANY, email="b@example.sv")
    person_page = _page(client.get(f"/verificar/{person.code}"))
    assert "Persona natural (datos reservados)" in person_page
    for private in ("Ana María Pérez", "01234567-8", "ana@example.sv", "Calle Arce"):
        assert private not in person_page
    company_page = _page(client.get(f"/verificar/{company.code}"))
    assert "Inversiones La Ceiba, S.A. de C.V." in company_page
    assert "0614-050707-104-8" not in company_page
    assert "Oficina de Planificación del Área Metropolitana" in company_page


def _upload(client, data: bytes, name: str = "resolucion.pdf"):
    return client.post(
        "/verificar/archivo",
        data={"document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_uploaded_pdf_is_found_by_its_hash_and_a_one_byte_change_is_altered(client, app_ctx):
    document = _certificate(render=True)
    pdf = certificates.read_pdf(document)
    same = _upload(client, pdf)
    assert same.status_code == 200 and HEADINGS["valid"] in _page(same)
    at = pdf.index(b"%PDF-1.") + len(b"%PDF-1.")  # the header's minor version: "1.7" -> "1.6"
    changed = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    assert len(changed) == len(pdf) and changed != pdf
    altered = _upload(client, changed)
    page = _page(altered)
    assert altered.status_code == 200 and HEADINGS["altered"] in page
    assert "fue modificado después de emitido" in page and HEADINGS["valid"] not in page
    stranger = _upload(client, pdf_bytes())
    assert stranger.status_code == 404
    assert "Este archivo no es un documento emitido por la Ventanilla Única AMSS" in _page(stranger)


def test_a_file_that_is_not_a_pdf_is_refused_at_its_field_in_spanish(client, app_ctx):
    # (A photo of the paper gets its own message: tests/portal/test_verification_inputs.py.)
    text = b"Resolucion favorable, no es un PDF sino un texto."
    refused = _upload(client, text, "resolucion.pdf")
    page = _page(refused)
    assert refused.status_code == 422
    assert "El archivo debe ser PDF; el que adjuntó es de otro tipo por su contenido." in page
    assert 'id="document-error"' in page
    empty = _upload(client, b"")
    assert empty.status_code == 422 and "El archivo está vacío." in _page(empty)


def test_verifying_is_rate_limited_with_a_page_in_the_layout(client, app_ctx):
    answers = [client.get(f"/verificar/ZZZZ-ZZZZ-ZZZZ-ZZ{i:02d}").status_code for i in range(21)]
    assert answers[:20] == [404] * 20 and answers[20] == 429
    limited = client.get("/verificar/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    page = _page(limited)
    assert limited.status_code == 429 and "Demasiados intentos" in page
    assert "código de verificación" in page and "app-header" in page
    assert _upload(client, pdf_bytes()).status_code == 429  # codes and files count together


def test_a_supervisor_revokes_once_with_history_simdet_and_audit(client, app_ctx):
    document = _certificate()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    case = client.get(f"/bandeja/{document.application_id}").get_data(as_text=True)
    assert "Documento emitido" in case and display_code(document.code) in case
    blank = _act(client, document, "revocar", reason="  ")
    assert blank.status_code == 422 and "Escriba el motivo." in _page(blank)
    for _ in range(2):  # sent twice: revoked once
        assert _act(client, document, "revocar", "Documentos falsos.").status_code == 302
    db.session.expire_all()
    revoked = db.session.get(IssuedDocument, document.id)
    assert revoked.status == "revoked" and revoked.revocation_reason == "Documentos falsos."
    application = reload_application(document.application_id)
    assert [h.action for h in application.history].count("document:revoke") == 1
    events = db.session.scalars(sa.select(FeedEvent).where(FeedEvent.type == "permit.revoked"))
    [event] = events.all()
    assert event.payload["document"] == {
        "id": document.id,
        "kind": "certificate",
        "serial": document.serial,
    }
    assert "Ana María Pérez" not in str(event.payload) and "01234567-8" not in str(event.payload)
    audited = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "document.revoked")
    ).all()
    assert len(audited) == 1
    logout(client)
    login(client, "ana@example.sv")
    status = _page(client.get(f"/solicitudes/{document.application_id}"))
    assert "Documento revocado" in status and "Documentos falsos." in status
    assert "La institución revocó esta resolución: ya no es válida." in status


def test_a_role_the_definition_does_not_name_gets_403_and_another_office_404_audited(
    client, app_ctx
):
    document = _certificate()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    make_staff("supervisor", "0511", email="jefa.0511@example.sv")
    path = f"/bandeja/{document.application_id}/emitidos/{document.id}"
    for email, status in (("clerk@example.sv", 403), ("jefa.0511@example.sv", 404)):
        login(client, email)
        assert _act(client, document, "revocar").status_code == status, email
        logout(client)
    db.session.expire_all()
    assert db.session.get(IssuedDocument, document.id).status == "valid"
    denials = db.session.scalars(
        sa.select(AuditEvent.detail).where(
            AuditEvent.action == "access.denied", AuditEvent.subject == path
        )
    ).all()
    assert sorted(d["status"] for d in denials) == [403, 404]


def test_a_replacement_is_a_new_rendered_document_linked_both_ways_once(client, app_ctx, run_jobs):
    document = _certificate(render=True)
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "jefa@example.sv")
    for _ in range(2):
        assert _act(client, document, "reemplazar", "Corrección del área.").status_code == 302
    run_jobs()
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(IssuedDocument)
        .where(IssuedDocument.application_id == document.application_id)
        .where(IssuedDocument.kind == "certificate")
        .order_by(IssuedDocument.id)
    ).all()
    assert len(rows) == 2 and rows[0].id == document.id
    old, new = rows
    assert old.status == "replaced" and old.replaced_by == new and new.replaces == old
    assert new.code != old.code and new.pdf_key and new.sha256 != old.sha256
    assert new.valid_until == old.valid_until
    assert certificates.get_issued(document.application_id, "certificate") == new
    [event] = db.session.scalars(
        sa.select(FeedEvent).where(FeedEvent.type == "permit.replaced")
    ).all()
    assert event.payload["document"]["id"] == old.id
    assert event.payload["replacement"]["id"] == new.id
    # A replaced document is not revoked; its replacement is the one to act on.
    refused = _act(client, old, "revocar", "Otro motivo.")
    assert refused.status_code == 422 and "ya fue reemplazado" in _page(refused)


def test_the_daily_job_marks_documents_past_their_last_day_expired_once(client, app_ctx):
    document = _certificate()
    today = effects.local_now().date()
    document.valid_until = today - timedelta(days=1)
    db.session.commit()
    assert certificates.mark_expired(today) == {"expired": 1}
    db.session.expire_all()
    first = db.session.get(IssuedDocument, document.id).expired_at
    assert first is not None
    assert certificates.mark_expired(today) == {"expired": 0}
    db.session.expire_all()
    assert db.session.get(IssuedDocument, document.id).expired_at == first
    from portal.jobs.worker import periodic

    assert periodic("expire_documents") == {"expired": 0}


def test_the_certificate_and_the_reminders_read_one_expiry_rule(client, app_ctx):
    from portal.renewals.services import expires_on
    from tests.portal.test_silence import LICENCE

    application = decided_case(
        make_applicant(),
        "licencia-funcionamiento",
        LICENCE,
        authority="APLAN",
        decided_at=effects.utcnow(),
    )
    definition = definition_of(application.procedure_version)
    _approve(application, definition)
    document = certificates.get_issued(application.id, "certificate")
    assert document.valid_until == expires_on(application, definition)
    assert document.valid_until == effects.local_now().date().replace(month=12, day=31)


def test_a_signed_document_shows_its_signer_and_a_changed_byte_breaks_the_signature(
    client, app_ctx
):
    import pytest

    signing = pytest.importorskip("portal.signing")  # stream SIGN: PAdES on every document
    document = _certificate(render=True)
    pdf = certificates.read_pdf(document)
    check = signing.check_signature(pdf)
    assert check.signed and check.intact and check.trusted
    same = _page(_upload(client, pdf))
    assert HEADINGS["valid"] in same and "Firma electrónica válida de" in same
    signer = re.search(r"Firma electrónica válida de ([^<]+)\.", same).group(1)
    assert signer.startswith("Sello electrónico de OPAMSS, Oficina de Planificación")
    for label in ("Common Name", "Organization", "Country", "Unit"):
        assert label not in signer, signer
    at = len(pdf) // 3  # inside the signed bytes, away from the header
    changed = pdf[:at] + bytes([pdf[at] ^ 0x20]) + pdf[at + 1 :]
    assert not signing.check_signature(changed).intact
    altered = _page(_upload(client, changed))
    assert HEADINGS["altered"] in altered


def _typed_check(client, code: str):
    """One check as a clerk makes it: the form's POST and the page it redirects to."""
    sent = client.post("/verificar/", data={"code": code})
    assert sent.status_code == 302
    return client.get(sent.headers["Location"]).status_code


def test_a_typed_code_counts_once_against_the_limit(client, app_ctx):
    # Codes use no 0, 1, I, L, O, U or V: twenty distinct unknown codes typed in the form.
    codes = [f"ZZZZ-ZZZZ-ZZZZ-ZZ{a}{b}" for a in "AB" for b in "ABCDEFGHJK"]
    answers = [_typed_check(client, code) for code in codes]
    assert answers == [404] * 20  # twenty checks are twenty lookups, not forty requests
    assert _typed_check(client, "ZZZZ-ZZZZ-ZZZZ-ZZCA") == 429  # the limit still holds


def test_the_address_with_a_slash_and_the_old_query_count_once_too(client, app_ctx):
    for b in "ABCDEFGHJK":
        asked = client.get(f"/verificar/ZZZZ-ZZZZ-ZZZZ-ZZZ{b}/")
        assert asked.status_code == 308
        assert client.get(asked.headers["Location"]).status_code == 404
        old = client.get(f"/verificar/?codigo=ZZZZZZZZZZZZZZY{b}")
        assert old.status_code == 302
        assert client.get(old.headers["Location"]).status_code == 404
    assert client.get("/verificar/ZZZZ-ZZZZ-ZZZZ-ZZZZ").status_code == 429


def test_the_upload_address_opened_or_bookmarked_shows_the_form(client, app_ctx):
    opened = client.get("/verificar/archivo")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/verificar/")
    again = client.get("/verificar/archivo", follow_redirects=True)
    assert again.status_code == 200 and "Código de verificación" in _page(again)
    with_slash = client.get("/verificar/archivo/", follow_redirects=True)
    assert with_slash.status_code == 200 and "Con el archivo PDF" in _page(with_slash)


def test_a_document_no_longer_valid_shows_what_ended_it_not_a_validity(client, app_ctx):
    revoked = _certificate(email="c@example.sv")
    replaced = _certificate(email="d@example.sv")
    expired = _certificate(email="b@example.sv")
    expired.valid_until = effects.local_now().date() - timedelta(days=1)
    db.session.commit()
    supervisor = make_staff("supervisor", "OPAMSS")
    for act, doc in (
        (certificates.revoke_document, revoked),
        (certificates.replace_document, replaced),
    ):
        act(
            actor=supervisor,
            application=doc.application,
            document_id=doc.id,
            reason="Error en el nombre del titular.",
        )
    today = effects.local_now().strftime("%d/%m/%Y")
    pages = {
        name: _page(client.get(f"/verificar/{display_code(doc.code)}"))
        for name, doc in (("revoked", revoked), ("replaced", replaced), ("expired", expired))
    }
    assert f'Revocado el </dt> <dd class="govuk-summary-list__value"> {today}' in pages["revoked"]
    assert "Reemplazado el </dt>" in pages["replaced"]
    assert (
        f'Venció el </dt> <dd class="govuk-summary-list__value"> '
        f"{expired.valid_until.strftime('%d/%m/%Y')}" in pages["expired"]
    )
    for page in pages.values():
        assert "Vigente hasta" not in page and "Sin fecha de vencimiento" not in page


def test_the_applicants_download_of_a_revoked_document_says_it_is_revoked(client, app_ctx):
    document = _certificate(email="c@example.sv", render=True)
    login(client, "c@example.sv")
    status = f"/solicitudes/{document.application_id}"
    assert "Descargar resolución (PDF)" in _page(client.get(status))
    pdf_before = certificates.read_pdf(document)
    certificates.revoke_document(
        actor=make_staff("supervisor", "OPAMSS"),
        application=document.application,
        document_id=document.id,
        reason="Error en el nombre del titular.",
    )
    page = _page(client.get(status))
    assert "Descargar resolución (PDF; documento revocado, sin validez)" in page
    assert "Descargar resolución (PDF)" not in page
    assert certificates.read_pdf(document) == pdf_before  # the signed file is not changed


def test_verifiers_see_why_a_document_was_replaced_on_the_old_and_the_new(client, app_ctx):
    old = _certificate(NATURAL)
    supervisor = make_staff("supervisor", "OPAMSS")
    new = certificates.replace_document(
        actor=supervisor,
        application=old.application,
        document_id=old.id,
        reason="Se corrigió el área del inmueble.",
    )
    old_page = _page(client.get(f"/verificar/{display_code(old.code)}"))
    new_page = _page(client.get(f"/verificar/{display_code(new.code)}"))
    assert "Motivo del reemplazo:</strong> Se corrigió el área del inmueble." in old_page
    assert "reemplaza al anterior:</strong> Se corrigió el área del inmueble." in new_page
    for page in (old_page, new_page):
        assert NATURAL["nombre_propietario"] not in page and NATURAL["nit_propietario"] not in page


def test_a_document_in_the_middle_of_a_chain_shows_both_reasons(client, app_ctx):
    first = _certificate(COMPANY)
    supervisor = make_staff("supervisor", "OPAMSS")
    second = certificates.replace_document(
        actor=supervisor,
        application=first.application,
        document_id=first.id,
        reason="Se corrigió el área del inmueble.",
    )
    third = certificates.replace_document(
        actor=supervisor,
        application=first.application,
        document_id=second.id,
        reason="Se corrigió la dirección del inmueble.",
    )
    middle = _page(client.get(f"/verificar/{display_code(second.code)}"))
    assert "reemplaza al anterior:</strong> Se corrigió el área del inmueble." in middle
    assert "Motivo del reemplazo:</strong> Se corrigió la dirección del inmueble." in middle
    last = _page(client.get(f"/verificar/{display_code(third.code)}"))
    assert "Se corrigió la dirección del inmueble." in last
    assert "Se corrigió el área del inmueble." not in last


def test_the_resolutions_legal_basis_closes_its_sentence_once(client, app_ctx):
    from tests.portal.helpers import pdf_text

    document = _certificate(render=True)
    text = " ".join(pdf_text(certificates.read_pdf(document)).split())
    assert "artículos 0.4 y IV.25; Ley de Procedimientos Administrativos" in text
    assert "artículos 82, 95, 96 y 97." in text
    assert "97.." not in text and "IV.25.;" not in text


def test_joined_pieces_lose_their_own_stop_whatever_joins_them():
    assert certificates.clauses(["Ley A, Art. 4.", " Ordenanza B, Art. 2 . ", "", "Ley C"]) == [
        "Ley A, Art. 4",
        "Ordenanza B, Art. 2",
        "Ley C",
    ]


def _download_name(response) -> str:
    return re.search(
        r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", response.headers["Content-Disposition"]
    )[1]


def test_the_download_is_named_by_the_documents_kind_as_its_link(client, app_ctx):
    document = _certificate(email="c@example.sv", render=True)
    login(client, "c@example.sv")
    application = reload_application(document.application_id)
    assert "Descargar resolución (PDF)" in _page(client.get(f"/solicitudes/{application.id}"))
    sent = client.get(f"/solicitudes/{application.id}/certificado.pdf")
    assert sent.status_code == 200
    assert _download_name(sent) == f"resolucion-{application.tracking_number}.pdf"


@pytest.mark.parametrize(
    ("title", "kind", "word"),
    [
        (
            "Constancia de inscripción en el Registro Tributario Municipal",
            "certificate",
            "constancia",
        ),
        ("Permiso de Rótulo", "certificate", "permiso"),
        ("Licencia de Funcionamiento", "certificate", "licencia"),
        ("Resolución desfavorable", "resolution", "resolucion"),
        ("Calificación de Lugar", "receipt", "constancia"),
        ("Autorización de Obra", "certificate", "certificado"),
    ],
)
def test_every_documents_file_name_starts_with_the_kind_its_title_names(title, kind, word):
    document = IssuedDocument(kind=kind, title={"es": title, "en": title})
    assert certificates.document_word(document) == word
