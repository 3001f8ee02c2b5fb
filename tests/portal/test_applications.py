"""The applicant's path: start, save, upload, submit, receipt, status; and bad input."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from tests.portal.helpers import (
    VALID_FIELDS,
    documents,
    file_new_application,
    login,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
    start,
    submit,
)


def _db():
    from portal.extensions import db

    return db


def test_a_double_click_on_start_opens_one_draft(client, app_ctx):
    from portal.applications.models import Application

    make_applicant()
    login(client, "ana@example.sv")
    first = start(client, token="mismo-token-123456")
    second = start(client, token="mismo-token-123456")
    assert first == second
    assert _db().session.scalar(sa.select(sa.func.count(Application.id))) == 1


def test_filing_gives_a_tracking_number_receipt_history_and_feed_event(client, app_ctx, run_jobs):
    from portal.simdet.models import FeedEvent

    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    run_jobs()
    application = reload_application(application_id)
    assert re.fullmatch(r"OPAMSS-\d{4}-000001", application.tracking_number)
    assert application.state == "presentado" and application.filed_at is not None
    assert application.district.code == "0614"
    assert application.due_on is not None and application.state_due_on is not None
    assert [(h.action, h.from_state, h.to_state) for h in application.history] == [
        ("presentar", "borrador", "presentado")
    ]
    events = _db().session.scalars(sa.select(FeedEvent)).all()
    assert [e.type for e in events] == ["case.filed"]
    assert events[0].seq == 1
    page = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert application.tracking_number in page and "Presentado (en revisión)" in page
    receipt = client.get(f"/solicitudes/{application_id}/constancia.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.data)).pages)
    assert application.tracking_number in text
    assert application.filed_at.astimezone().strftime("%Y") in text
    assert "Art. 96" in text


def test_filing_sends_the_applicant_an_email(client, app, app_ctx, run_jobs):
    from pathlib import Path

    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    run_jobs()
    number = reload_application(application_id).tracking_number
    # The filing notice; the calificación's payment order, issued at filing, has its own.
    mails = list(Path(app.config["MAIL_DIR"]).glob("history-*.eml"))
    assert len(mails) == 1
    body = mails[0].read_text()
    assert "To: ana@example.sv" in body and number in body
    (order,) = Path(app.config["MAIL_DIR"]).glob("order-*-issued.eml")
    assert "To: ana@example.sv" in order.read_text()


def test_submit_explains_every_missing_field_and_document_and_keeps_the_draft(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    fields = dict(VALID_FIELDS, f_uso_actual="", f_profesional_registro="")
    response = submit(client, application_id, fields=fields, files=documents(escritura=pdf_bytes()))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # Each message names its question, at the field and in the summary at the top.
    assert page.count("Complete «Uso actual del inmueble».") == 2
    assert page.count("Complete «Número de registro del profesional».") == 2
    assert "Adjunte «Plano topográfico del terreno» para presentar la solicitud." in page
    assert 'value="Calle Arce 1234, Colonia Escalón"' in page
    application = reload_application(application_id)
    assert application.state == "borrador" and application.tracking_number is None
    assert application.data["direccion"] == "Calle Arce 1234, Colonia Escalón"
    assert [d.requirement_code for d in application.current_documents] == ["escritura"]


def test_bad_values_get_spanish_messages_at_the_field(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    fields = dict(
        VALID_FIELDS,
        f_nit_propietario="0614-010190-101-9",
        f_area_terreno_m2="mucho",
        f_actividad_claees="12",
    )
    page = submit(client, application_id, fields=fields).get_data(as_text=True)
    assert "El dígito verificador no coincide con los demás dígitos del NIT." in page
    assert "Escriba un número" in page
    assert "código de actividad económica" in page
    assert 'value="mucho"' in page
    assert reload_application(application_id).state == "borrador"


def test_an_upload_that_is_not_pdf_jpeg_or_png_by_content_is_refused(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    fake = b"MZ\x90\x00 this is an executable renamed to pdf" * 10
    page = submit(
        client, application_id, files=documents(escritura=fake, plano_topografico=pdf_bytes())
    ).get_data(as_text=True)
    assert "El archivo debe ser PDF; el que adjuntó es de otro tipo por su contenido." in page
    application = reload_application(application_id)
    assert application.state == "borrador"
    assert [d.requirement_code for d in application.current_documents] == ["plano_topografico"]


def test_an_upload_over_the_size_limit_is_refused(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    big = pdf_bytes() + b"%" + b"0" * (10 * 1024 * 1024 + 10)
    page = submit(
        client, application_id, files=documents(escritura=big, plano_topografico=pdf_bytes())
    ).get_data(as_text=True)
    assert "El archivo es demasiado grande (máximo 10 MB)." in page
    assert reload_application(application_id).state == "borrador"


def test_a_double_submit_files_once(client, app_ctx):
    from portal.applications.models import HistoryEntry

    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    assert submit(client, application_id).status_code == 302
    second = submit(client, application_id)
    assert second.status_code == 302 and second.headers["Location"].endswith(
        f"/solicitudes/{application_id}"
    )
    count = _db().session.scalar(sa.select(sa.func.count(HistoryEntry.id)))
    assert count == 1
    assert reload_application(application_id).tracking_number.endswith("000001")


def test_a_tampered_post_cannot_set_the_state_or_undeclared_data(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    fields = dict(
        VALID_FIELDS,
        state="favorable",
        f_hackeo="x",
        tracking_number="X-1",
        amount="0.01",
        fee_paid="1",
        lock_version="99",
    )
    submit(client, application_id, fields=fields, button="save")
    application = reload_application(application_id)
    assert application.state == "borrador"
    assert "hackeo" not in application.data and application.tracking_number is None
    assert "amount" not in application.data and "fee_paid" not in application.data


def test_another_applicants_case_answers_404(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    client.post("/cuenta/salir")
    make_applicant(email="otro@example.sv", name="Otro")
    login(client, "otro@example.sv")
    for url in (
        f"/solicitudes/{application_id}",
        f"/solicitudes/{application_id}/editar",
        f"/solicitudes/{application_id}/constancia.pdf",
        f"/solicitudes/{application_id}/documentos/1",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/solicitudes/{application_id}/desistir").status_code == 404


def test_staff_of_another_authority_cannot_see_the_case(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    client.post("/cuenta/salir")
    make_staff("clerk", "0617", email="soyapango@example.sv")
    login(client, "soyapango@example.sv")
    assert client.get(f"/bandeja/{application_id}").status_code == 404
    assert client.get(f"/solicitudes/{application_id}").status_code == 404
    assert "OPAMSS-" not in client.get("/bandeja/").get_data(as_text=True)


def test_the_applicant_can_withdraw(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    response = client.post(f"/solicitudes/{application_id}/desistir")
    assert response.status_code == 302
    assert reload_application(application_id).state == "desistido"


def test_e_mails_follow_the_language_the_applicant_chose(client, app, app_ctx, run_jobs):
    from pathlib import Path

    make_applicant()
    login(client, "ana@example.sv")
    client.post("/idioma/en", data={"next": "/"})
    application_id = file_new_application(client)
    run_jobs()
    (mail,) = Path(app.config["MAIL_DIR"]).glob("history-*.eml")
    text = mail.read_text()
    number = reload_application(application_id).tracking_number
    assert f"Subject: Case {number}: Filed (under review)" in text
    assert "Your case" in text and "Land-use qualification" in text
