"""The whole journey in headless Chromium, on a phone-sized screen for the applicant."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import START, wait_until
from tests.portal.helpers import (
    PASSWORD,
    mails,
    make_staff,
    pdf_bytes,
    pdf_text,
    qr_texts,
    ready_to_decide,
)

pytestmark = pytest.mark.e2e


def _sign_in(page, base_url, email):
    page.goto(f"{base_url}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def _sign_out(page):
    menu = page.get_by_role("button", name="Menú")
    if menu.is_visible():  # on a phone the navigation folds behind a menu button
        menu.click()
    page.get_by_role("button", name="Salir").click()
    page.get_by_text("Cerró su sesión").wait_for()


def _open_until(page, url, link_name):
    """Reload the status page until the PDF job has produced the download link."""

    def ready():
        page.goto(url)
        return page.get_by_role("link", name=link_name).count() > 0

    wait_until(ready)


def _decide(page, base_url, number, choice, comment=""):
    page.goto(f"{base_url}/bandeja/")
    page.get_by_role("link", name=number).click()
    page.get_by_label(choice, exact=True).check()
    if comment:
        page.get_by_label("Motivo u observaciones").fill(comment)
    page.get_by_role("button", name="Registrar decisión").click()
    page.get_by_text(f"Decisión registrada en el expediente {number}").wait_for()


def test_file_correct_approve_download_and_verify(app, live_server, rq_worker, browser, tmp_path):
    base = live_server
    with app.app_context():
        make_staff("clerk", "OPAMSS", email="tecnico@opamss.example.sv")
    escritura = tmp_path / "escritura.pdf"
    escritura.write_bytes(pdf_bytes())
    plano = tmp_path / "plano.pdf"
    plano.write_bytes(pdf_bytes(2))

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="es-SV", accept_downloads=True
    )
    applicant = phone.new_page()
    # Sign up.
    applicant.goto(f"{base}/cuenta/registro")
    applicant.get_by_label("Nombre completo").fill("Ana María Pérez")
    applicant.get_by_label("Correo electrónico").fill("ana@example.sv")
    applicant.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    applicant.get_by_label("Repita la contraseña").fill(PASSWORD)
    applicant.get_by_role("button", name="Crear cuenta").click()
    applicant.get_by_role("heading", name="Revise su correo").wait_for()
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 360
    # Follow the link of the confirmation e-mail, then sign in.
    (message,) = wait_until(lambda: mails(app))
    link = re.search(r"http\S+/cuenta/confirmar/\S+", message.get_content()).group(0)
    applicant.goto(link)
    applicant.get_by_role("button", name="Confirmar mi correo").click()
    applicant.get_by_text("Su correo quedó confirmado").wait_for()
    _sign_in(applicant, base, "ana@example.sv")
    applicant.get_by_role("heading", name="Mis solicitudes").wait_for()
    applicant.goto(f"{base}/tramites/")
    # Choose the procedure and file it with two uploads.
    applicant.get_by_role("link", name="Calificación de Lugar").first.click()
    applicant.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    applicant.get_by_role("link", name="Ver todas las preguntas en una página").click()
    applicant.get_by_label("Distrito donde se ubica el inmueble").select_option(
        label="San Salvador"
    )
    applicant.get_by_label("Dirección del inmueble").fill("Calle Arce 1234, Colonia Escalón")
    applicant.get_by_label("Área del terreno (m²)").fill("350")
    applicant.get_by_label("Uso actual del inmueble").fill("Vivienda")
    applicant.get_by_label("Uso de suelo propuesto").fill("Cafetería de barrio")
    applicant.get_by_label("Código de actividad económica (CLAEES)").fill("56101")
    applicant.get_by_label("Persona natural").check()
    applicant.get_by_label("Nombre o razón social de la persona propietaria").fill(
        "Ana María Pérez"
    )
    applicant.get_by_label("NIT de la persona propietaria").fill("01234567-8")
    applicant.get_by_label("Nombre del profesional responsable").fill("Arq. José Martínez")
    applicant.get_by_label("Número de registro del profesional").fill("A-1234")
    applicant.get_by_label(
        "Escritura de propiedad, o promesa u opción de compraventa"
    ).set_input_files(str(escritura))
    applicant.get_by_label("Plano topográfico del terreno").set_input_files(str(plano))
    applicant.get_by_role("button", name="Presentar solicitud").click()
    applicant.get_by_text("Solicitud presentada").wait_for()
    number = re.search(r"OPAMSS-\d{4}-\d{6}", applicant.content()).group(0)
    status_url = applicant.url
    _open_until(applicant, status_url, "Descargar constancia de recepción (PDF)")
    with applicant.expect_download() as receipt:
        applicant.get_by_role("link", name="Descargar constancia de recepción (PDF)").click()
    assert number in pdf_text(receipt.value.path().read_bytes())
    _sign_out(applicant)

    # A clerk asks for a correction.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-SV")
    clerk = desk.new_page()
    _sign_in(clerk, base, "tecnico@opamss.example.sv")
    _decide(
        clerk,
        base,
        number,
        "Solicitar corrección (prevención)",
        "El plano no muestra las curvas de nivel a cada metro.",
    )

    # The applicant sees the reason, corrects and resubmits.
    _sign_in(applicant, base, "ana@example.sv")
    applicant.goto(status_url)
    applicant.get_by_text("El plano no muestra las curvas de nivel a cada metro.").first.wait_for()
    applicant.get_by_role("link", name="Corregir la solicitud").click()
    applicant.get_by_label("Plano topográfico del terreno").set_input_files(str(plano))
    applicant.get_by_role("button", name="Enviar corrección").click()
    applicant.get_by_text("Presentado (en revisión)").first.wait_for()

    # The clerk finds every item OK and records the fee paid at the counter (those forms have
    # their own tests: tests/portal/test_corrections.py, test_payments.py), then approves.
    with app.app_context():
        import sqlalchemy as sa

        from portal.accounts.services import get_user_by_email
        from portal.applications.models import Application
        from portal.extensions import db

        case = db.session.scalar(
            sa.select(Application).where(Application.tracking_number == number)
        )
        ready_to_decide(case.id, get_user_by_email("tecnico@opamss.example.sv"))
        db.session.remove()
    _decide(clerk, base, number, "Resolver favorable")

    # The applicant downloads the certificate; its QR code leads to the verification page.
    _open_until(applicant, status_url, "Descargar resolución (PDF)")
    with applicant.expect_download() as certificate:
        applicant.get_by_role("link", name="Descargar resolución (PDF)").click()
    pdf = certificate.value.path().read_bytes()
    text = pdf_text(pdf)
    assert number in text and "FAVORABLE" in text
    (target,) = qr_texts(pdf, tmp_path)
    assert target.startswith(f"{base}/verificar/")
    public = browser.new_context(locale="es-SV").new_page()
    public.goto(target)
    public.get_by_role("heading", name="Documento auténtico").wait_for()
    assert number in public.content()
    assert "Ana María Pérez" not in public.content()
    if rq_worker is not None:
        assert rq_worker.poll() is None, "the rq worker died"
