"""Questions appear only when they apply, in the browser, as the engine decides on the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import START
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
    page.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    page.get_by_role("link", name="Ver todas las preguntas en una página").click()

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


def _publish_code_procedure() -> None:
    """The establishment registration with a question that depends on a code with a zero."""
    from pathlib import Path

    from portal.extensions import db
    from portal.procedures.services import publish_definition
    from workflows import load, load_file

    root = Path(__file__).resolve().parents[2]
    data = load_file(root / "workflows/definitions/0511/inscripcion-establecimiento.yaml").to_dict()
    data["slug"] = "prueba-codigos"
    data["fields"] += [
        {
            "name": "codigo_zona",
            "type": "text",
            "label": {"es": "Código de zona", "en": "Zone code"},
        },
        {
            "name": "plano_zona_centro",
            "type": "text",
            "label": {"es": "Plano de la zona centro", "en": "Plan of the central zone"},
            # The browser once read "0614" as the number 614 and never showed this question.
            "visible_if": {"field": "codigo_zona", "op": "eq", "value": "0614"},
        },
    ]
    publish_definition(load(data))
    db.session.commit()


def test_a_question_follows_a_code_with_a_leading_zero_as_typed(app, live_server, browser):
    with app.app_context():
        make_applicant()
        _publish_code_procedure()
    page = browser.new_context(locale="es-SV").new_page()
    page.goto(f"{live_server}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill("ana@example.sv")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"{live_server}/tramites/0511/prueba-codigos")
    page.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    page.get_by_role("link", name="Ver todas las preguntas en una página").click()

    code = page.locator('[name="f_codigo_zona"]')
    plan = page.locator('[name="f_plano_zona_centro"]')
    expect(plan).to_be_hidden()
    code.press_sequentially("0614")
    expect(plan).to_be_visible()
    plan.fill("Plano 12")
    for other in ("614", "00614", "0614.0"):  # the number 614, but another code
        code.fill(other)
        expect(plan).to_be_hidden()
    code.fill(" 0614 ")
    expect(plan).to_be_visible()
    code.press("Backspace")
    code.press("Backspace")
    expect(plan).to_be_hidden()
    code.fill("0614")
    expect(plan).to_be_visible()

    # The server asks the same question: the answer is kept when the draft is saved.
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.locator('[name="f_codigo_zona"]')).to_have_value("0614")
    expect(plan).to_be_visible()
    expect(plan).to_have_value("Plano 12")
