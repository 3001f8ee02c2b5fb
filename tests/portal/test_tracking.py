"""Public tracking: a tracking number and the code printed on the receipt show state and dates."""

from __future__ import annotations

import re

from portal.tracking.services import display_code
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    pdf_text,
    reload_application,
)


def _filed(client, run_jobs):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    run_jobs()
    return reload_application(application_id)


def _track(client, number: str, code: str):
    return client.post("/seguimiento/", data={"number": number, "code": code})


def _without_typed_values(page: str) -> str:
    return re.sub(r'(value|nonce)="[^"]*"', "", page)


def test_the_receipt_prints_the_code_and_the_tracking_address(client, app_ctx, run_jobs):
    application = _filed(client, run_jobs)
    assert re.fullmatch(r"[A-Z2-9]{8}", application.tracking_code)
    receipt = client.get(f"/solicitudes/{application.id}/constancia.pdf")
    text = " ".join(pdf_text(receipt.data).split())
    assert display_code(application.tracking_code) in text
    assert "http://127.0.0.1:5000/seguimiento/" in text
    status = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert display_code(application.tracking_code) in status


def test_anyone_with_number_and_code_sees_only_procedure_office_state_and_dates(
    client, app_ctx, run_jobs
):
    application = _filed(client, run_jobs)
    logout(client)
    assert client.get("/seguimiento/").status_code == 200
    # As people type them: lower case, spaces instead of dashes, the code without its dash.
    number = application.tracking_number.lower().replace("-", " ")
    response = _track(client, f"  {number} ", application.tracking_code.lower())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Calificación de Lugar" in page and "Oficina de Planificación" in page
    assert "Presentada" in page and application.filed_at.strftime("%Y") in page
    assert application.due_on.strftime("%d/%m/%Y") in page
    for private in ("Ana María Pérez", "ana@example.sv", "Calle Arce", "01234567-8", "escritura"):
        assert private not in page
    dashed = _track(client, application.tracking_number, display_code(application.tracking_code))
    assert dashed.status_code == 200


def test_a_wrong_code_answers_exactly_like_an_unknown_number(client, app_ctx, run_jobs):
    application = _filed(client, run_jobs)
    logout(client)
    client.get("/seguimiento/")  # shows the "signed out" banner, once
    wrong_code = _track(client, application.tracking_number, "ABCD-EFGH")
    unknown = _track(client, "OPAMSS-2026-999999", application.tracking_code)
    assert wrong_code.status_code == unknown.status_code == 404
    assert "No encontramos ese expediente" in wrong_code.get_data(as_text=True)
    assert _without_typed_values(wrong_code.get_data(as_text=True)) == _without_typed_values(
        unknown.get_data(as_text=True)
    )


def test_an_empty_form_says_what_is_missing_at_each_field(client, app_ctx):
    response = _track(client, "", "")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Escriba el número de expediente." in page
    assert "Escriba el código de seguimiento." in page


def test_guessing_codes_is_rate_limited(client, app_ctx, run_jobs):
    application = _filed(client, run_jobs)
    logout(client)
    answers = [
        _track(client, application.tracking_number, f"ZZZZ-ZZ{i:02d}").status_code
        for i in range(11)
    ]
    assert answers[:10] == [404] * 10 and answers[10] == 429


def test_numbers_and_codes_pasted_from_a_pdf_are_read(client, app_ctx, run_jobs):
    application = _filed(client, run_jobs)
    logout(client)
    number, code = application.tracking_number, display_code(application.tracking_code)
    for dash in ("\u2013", "\u2014", "\u2212", "\u00a0", " \u2013 "):
        response = _track(client, number.replace("-", dash), code.replace("-", dash))
        assert response.status_code == 200, dash
        assert "Calificación de Lugar" in response.get_data(as_text=True)
    # A non-breaking space around the whole thing, and the code's groups split by a dot.
    spaced = _track(client, f"\u00a0{number}\u00a0", code.replace("-", "."))
    assert spaced.status_code == 200


def test_the_tracking_limit_page_speaks_of_the_number_and_code_not_of_passwords(
    client, app_ctx, run_jobs
):
    application = _filed(client, run_jobs)
    logout(client)
    for i in range(10):
        _track(client, application.tracking_number, f"ZZZZ-ZZ{i:02d}")
    limited = _track(client, application.tracking_number, "ZZZZ-ZZZZ")
    page = limited.get_data(as_text=True)
    assert limited.status_code == 429 and "Demasiados intentos" in page
    assert "contraseña" not in page
    assert "código de seguimiento" in page
