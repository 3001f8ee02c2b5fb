"""Questions appear only when they apply, in the browser, as the engine decides on the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.portal.helpers import PASSWORD, make_applicant

pytestmark = pytest.mark.e2e


def test_questions_and_documents_follow_the_answers_given(app, live_server, browser):
    with app.app_context():
        make_applicant()
    page = browser.new_context(viewport={"width": 360, "height": 800}, locale="es-SV").new_page()
    page.goto(f"{live_server}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill("ana@example.sv")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"{live_server}/tramites/0511/inscripcion-establecimiento")
    page.get_by_role("button", name="Comenzar solicitud").click()

    dui = page.locator('[name="f_dui"]')
    power_of_attorney = page.locator('[name="d_poder"]')
    land_use = page.locator('[name="f_resolucion_calificacion_lugar"]')
    # expect() waits for the page's script, which runs once the document is parsed.
    expect(dui).to_be_hidden()
    expect(power_of_attorney).to_be_hidden()
    expect(land_use).to_be_hidden()
    expect(page.locator('[name="f_nombre_comercial"]')).to_be_visible()

    page.locator('[name="f_tipo_persona"][value="natural"]').check()
    expect(dui).to_be_visible()
    page.locator('[name="f_tipo_persona"][value="juridica"]').check()
    expect(dui).to_be_hidden()
    page.locator('[name="f_mediante_apoderado"][value="si"]').check()
    expect(power_of_attorney).to_be_visible()
    page.locator('[name="f_requiere_calificacion_lugar"][value="si"]').check()
    expect(land_use).to_be_visible()
    page.locator('[name="f_requiere_calificacion_lugar"][value="no"]').check()
    expect(land_use).to_be_hidden()
