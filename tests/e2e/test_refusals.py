"""In Chromium: a session that expires while someone types keeps the text; a download keeps
its name; the language switch works as a form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import START
from tests.portal.helpers import PASSWORD, make_applicant

pytestmark = pytest.mark.e2e


def _sign_in(page, base_url):
    page.goto(f"{base_url}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill("ana@example.sv")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r"/solicitudes/"))


def _draft_data(app, application_id):
    from portal.applications.models import Application
    from portal.extensions import db

    with app.app_context():
        db.session.expire_all()
        return dict(db.session.get(Application, application_id).data or {})


def test_a_session_that_expired_while_typing_keeps_the_text(app, live_server, browser):
    with app.app_context():
        make_applicant()
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="es-SV")
    page = context.new_page()
    _sign_in(page, live_server)
    page.goto(f"{live_server}/tramites/OPAMSS/calificacion-lugar")
    page.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    page.get_by_role("link", name="Ver todas las preguntas en una página").click()
    page.wait_for_url(re.compile(r"/solicitudes/\d+/editar"))
    edit_url = page.url
    application_id = int(re.search(r"/solicitudes/(\d+)/editar", edit_url).group(1))

    typed = {
        "f_direccion": "Final 3a Calle Poniente #7, Colonia Escalón",
        "f_uso_propuesto": "Cafetería «La Ceiba»: 6 mesas\ny venta de pan dulce",
        "f_profesional_nombre": "Arq. Zoë Peña-Čapek",
    }
    for name, value in typed.items():
        page.locator(f'[name="{name}"]').fill(value)
    context.clear_cookies()  # the session ends while the person is still typing
    page.get_by_role("button", name="Guardar borrador").click()

    expect(page.get_by_role("heading", name="Su sesión expiró")).to_be_visible()
    assert "CSRF" not in page.content()
    assert _draft_data(app, application_id).get("direccion") is None  # nothing saved yet
    page.get_by_role("link", name="Entrar de nuevo").click()
    page.get_by_label("Correo electrónico").fill("ana@example.sv")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()

    page.wait_for_url(edit_url)
    expect(page.get_by_role("status")).to_contain_text("Pusimos de nuevo lo que había escrito")
    for name, value in typed.items():
        expect(page.locator(f'[name="{name}"]')).to_have_value(value)
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.get_by_text("Borrador guardado.")).to_be_visible()
    data = _draft_data(app, application_id)
    assert data["direccion"] == typed["f_direccion"]
    # Browsers post line breaks as CRLF (HTML Standard); the text is otherwise as typed.
    assert data["uso_propuesto"].replace("\r\n", "\n") == typed["f_uso_propuesto"]
    assert data["profesional_nombre"] == typed["f_profesional_nombre"]
    # Saved: the tab's copy is dropped. Text typed and then left (not an expired session)
    # is never put into the form later: a later visit shows the stored answers only.
    page.locator('[name="f_direccion"]').fill("Texto que la persona abandonó")
    page.goto(f"{live_server}/solicitudes/{application_id}")
    page.goto(edit_url)
    expect(page.locator('[name="f_direccion"]')).to_have_value(typed["f_direccion"])
    expect(page.locator(".app-keep-notice")).to_have_count(0)
    context.close()


def test_the_language_switch_is_a_form_that_comes_back_to_the_page(app, live_server, browser):
    with app.app_context():
        make_applicant()
    context = browser.new_context(locale="es-SV", java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, live_server)
    page.goto(f"{live_server}/tramites/")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"{live_server}/tramites/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with app.app_context():
        from portal.accounts.models import User
        from portal.extensions import db

        assert db.session.query(User).filter_by(email="ana@example.sv").one().locale == "en"
    context.close()


@pytest.mark.parametrize(
    "name", ["Fotomontaje–Čapek.pdf", "Constancia_Peña.pdf", "Planta 🏠 «baja» (2).pdf"]
)
def test_chromium_saves_a_document_under_the_name_it_was_uploaded_with(
    app, live_server, browser, tmp_path, name
):
    with app.app_context():
        make_applicant()
    source = tmp_path / name
    from tests.portal.helpers import pdf_bytes

    source.write_bytes(pdf_bytes())
    context = browser.new_context(locale="es-SV", accept_downloads=True)
    page = context.new_page()
    _sign_in(page, live_server)
    page.goto(f"{live_server}/tramites/OPAMSS/calificacion-lugar")
    page.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    page.get_by_role("link", name="Ver todas las preguntas en una página").click()
    page.wait_for_url(re.compile(r"/solicitudes/\d+/editar"))
    page.locator('[name="d_escritura"]').set_input_files(str(source))
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.get_by_text("Borrador guardado.")).to_be_visible()
    page.goto(page.url.replace("/editar", ""))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Escritura")).first.click()
    assert download.value.suggested_filename == name
    assert download.value.path().read_bytes() == source.read_bytes()
    context.close()
