"""A test case's documents (admin test mode) carry no verification code, QR code or link to
the case, and say plainly they are a test without validity; /verificar agrees, by file and by
what is printed on them (their serial, their case's number)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.tracking.services import display_code
from tests.portal import pdf_probe
from tests.portal.helpers import login, make_staff, pdf_text, reload_application
from tests.portal.test_test_mode import SEEDED, _act, _file_test_case, _next_version
from tests.portal.test_verification import _page, _upload

TEST_NOTE = (
    "Documento de prueba, sin validez. No tiene código de verificación: no se puede verificar "
    "ni consultar en línea."
)
TEST_ANSWER = "Documento de prueba, sin validez"


@pytest.fixture
def draft(app_ctx):
    """A draft of the next version of OPAMSS's calificación del lugar, to run test cases on."""
    return _next_version(SEEDED)


def _text(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).split())


def _check_test_pdf(client, pdf: bytes, row, tmp_path) -> None:
    """What a person holding the PDF sees: a test, nothing to scan, type or follow."""
    text = _text(pdf)
    assert TEST_NOTE in text, text[:3000]
    assert "PRUEBA — SIN VALIDEZ" in text
    assert display_code(row.code) not in text and row.code not in text
    assert "/verificar" not in text and "/solicitudes/" not in text and "/seguimiento" not in text
    assert "Verifique la autenticidad" not in text
    assert "Documento emitido electrónicamente" not in text
    assert pdf_probe.barcodes(pdf, tmp_path) == []  # no QR code at all
    # Uploaded to /verificar, the file is called what it is.
    answer = _upload(client, pdf)
    assert answer.status_code == 200 and TEST_ANSWER in _page(answer)
    # So is its code, which test documents printed before (and nothing of its case is shown).
    by_code = client.get(f"/verificar/{display_code(row.code)}")
    assert by_code.status_code == 200 and TEST_ANSWER in _page(by_code)
    assert row.serial not in _page(by_code) and "PRUEBA-" not in _page(by_code)


def test_a_test_cases_receipt_order_and_resolution_print_no_code_qr_or_link(
    client, app, draft, run_jobs, tmp_path
):
    from portal.testcases.services import pdf_of, produced

    admin = make_staff("admin", "OPAMSS")
    login(client, admin.email)
    case_id = _file_test_case(client, draft)
    run_jobs()
    page = _act(client, draft, case_id, "clerk", "denegar", "El uso de suelo no es compatible.")
    assert page.status_code == 200
    run_jobs()
    case = reload_application(case_id)
    assert case.state == "desfavorable", _page(page)[:3000]
    made = produced(case)
    kinds = sorted(d.kind for d in made["documents"])
    assert kinds == ["receipt", "resolution"] and made["orders"]
    for document in made["documents"]:
        _check_test_pdf(client, pdf_of(case, "documento", document.id), document, tmp_path)
    for order in made["orders"]:
        pdf = pdf_of(case, "mandamiento", order.id)
        _check_test_pdf(client, pdf, order, tmp_path)
        assert "Pagar en línea" not in _text(pdf)

    # What the test documents do print, typed on /verificar, is called a test too.
    for printed in (made["documents"][0].serial, made["orders"][0].serial, case.tracking_number):
        for typed in (printed, printed.lower(), f"Serie: {printed}."):
            answer = client.post("/verificar/", data={"code": typed})
            shown = _page(answer)
            assert answer.status_code == 422, typed
            assert "de prueba" in shown and "sin validez" in shown, typed
        by_path = client.get(f"/verificar/{printed}")
        assert by_path.status_code == 404 and "sin validez" in _page(by_path)


def test_a_test_certificate_prints_no_code_qr_or_link(client, app, draft, run_jobs, tmp_path):
    from portal.certificates.models import IssuedDocument
    from portal.testcases.services import pdf_of
    from tests.portal.test_test_mode import _task

    admin = make_staff("admin", "OPAMSS")
    login(client, admin.email)
    case_id = _file_test_case(client, draft)
    run_jobs()
    _task(client, draft, case_id, "clerk", "record_verdicts")
    _task(client, draft, case_id, "supervisor", "record_payment")
    _act(client, draft, case_id, "supervisor", "aprobar")
    run_jobs()
    case = reload_application(case_id)
    certificate = db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.application_id == case_id, IssuedDocument.kind == "certificate"
        )
    )
    pdf = pdf_of(case, "documento", certificate.id)
    _check_test_pdf(client, pdf, certificate, tmp_path)
    assert "Código de verificación Ninguno: documento de prueba, sin validez" in _text(pdf)


def test_a_layout_of_the_version_gets_a_test_image_where_the_qr_code_was(app_ctx):
    """A version's own layout draws `qr` and prints the links where it likes: on a test
    document it gets an image saying so and empty links, and still renders."""
    from portal.certificates.layouts import Layout, sandbox
    from portal.pdf import TEST_BLANKS, render_pdf

    layout = Layout(
        sandbox.from_string(
            '{% extends "pdf/base.html" %}{% block content %}<img src="{{ qr }}" alt="QR">'
            "<p>Código: {{ verification_code }} {{ verification_url }} {{ status_url }}</p>"
            "{% endblock %}"
        ),
        "A4",
    )
    context = {"authority_name": "OPAMSS", "test_document": True} | TEST_BLANKS
    text = _text(render_pdf(layout, context))
    assert "Documento de prueba de la Ventanilla Única AMSS, sin validez" in text
    assert "verificar" not in text
