"""A form that comes back with an error keeps every answer, of every kind, as it was given."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import START
from tests.portal.helpers import PASSWORD, make_applicant

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
GIROS = ["cafeteria", "tienda", "taller", "farmacia", "panaderia", "ferreteria", "salon"]

TEXTS = {
    "f_nombre_titular": "Ana María Pérez Łódź",
    "f_nit": "0614 050707 104 8",
    "f_dui": "03.456.781-4",
    "f_nombre_comercial": "Cafetería El Pino",
    "f_direccion_establecimiento": "Calle El Pino 5, Santa Tecla",
    "f_descripcion_actividad": "Venta de café y pan dulce",
    # A date is asked as day, month and year (GOV.UK date input).
    "f_fecha_inicio-day": "1",
    "f_fecha_inicio-month": "3",
    "f_fecha_inicio-year": "2026",
    "f_activo_declarado": "$12,000.50",
    "f_num_empleados": "3",
    "f_ventas_anuales": "25 000",
    "f_area_local_m2": "1,250.50",
    "f_horario": "Lunes a sábado, 7:00 a 19:00",
    "f_correo": "ana@example.sv",
    "f_telefono": "2222 3333",
}
RADIOS = {
    "f_tipo_persona": "natural",
    "f_mediante_apoderado": "si",
    "f_inmueble_arrendado": "si",
    "f_contribuyente_inscrito": "no",
    "f_requiere_calificacion_lugar": "no",
}


def _publish_test_procedure() -> None:
    """The establishment registration with every other kind of question added to it."""
    from portal.extensions import db
    from portal.procedures.services import publish_definition
    from workflows import load, load_file

    data = load_file(ROOT / "workflows/definitions/0511/inscripcion-establecimiento.yaml").to_dict()
    data["slug"] = "prueba-respuestas"
    data["fields"] += [
        {
            "name": "servicios",
            "type": "multi_choice",
            "label": {"es": "Servicios que ofrece", "en": "Services"},
            "choices": [
                {"value": v, "label": {"es": v.capitalize(), "en": v}}
                for v in ("mesas", "domicilio", "wifi")
            ],
        },
        {
            "name": "giro",
            "type": "choice",
            "label": {"es": "Giro del negocio", "en": "Line of business"},
            "choices": [{"value": v, "label": {"es": v.capitalize(), "en": v}} for v in GIROS],
        },
        {
            "name": "detalle_local_grande",
            "type": "text",
            "label": {"es": "Describa el local grande", "en": "Describe the large premises"},
            # Shown by the browser only if it reads "1,250.50" as 1250.5 (numbers.js).
            "visible_if": {"field": "area_local_m2", "op": "gt", "value": 1000},
        },
        {
            "name": "detalle_sotano",
            "type": "text",
            "label": {"es": "¿Tiene sótano?", "en": "Has it a basement?"},
            # A chain: asked only while the question above is asked and answered.
            "visible_if": {"field": "detalle_local_grande", "op": "present"},
        },
    ]
    publish_definition(load(data))
    db.session.commit()


def _fill(page) -> None:
    for name, value in RADIOS.items():  # first: they show the questions that depend on them
        page.locator(f'[name="{name}"][value="{value}"]').check()
    for name, value in TEXTS.items():
        page.locator(f'[name="{name}"]').fill(value)
    page.locator('[name="f_servicios"][value="mesas"]').check()
    page.locator('[name="f_servicios"][value="wifi"]').check()
    page.locator('[name="f_giro"]').select_option("panaderia")
    grande = page.locator('[name="f_detalle_local_grande"]')
    expect(grande).to_be_visible()
    grande.fill("Dos plantas, 40 mesas")


def _assert_every_answer_kept(page) -> None:
    for name, value in TEXTS.items():
        expect(page.locator(f'[name="{name}"]')).to_have_value(value)
    for name, value in RADIOS.items():
        expect(page.locator(f'[name="{name}"][value="{value}"]')).to_be_checked()
    expect(page.locator('[name="f_servicios"][value="mesas"]')).to_be_checked()
    expect(page.locator('[name="f_servicios"][value="wifi"]')).to_be_checked()
    expect(page.locator('[name="f_servicios"][value="domicilio"]')).not_to_be_checked()
    expect(page.locator('[name="f_giro"]')).to_have_value("panaderia")
    expect(page.locator('[name="f_detalle_local_grande"]')).to_have_value("Dos plantas, 40 mesas")
    expect(page.locator('[name="f_detalle_local_grande"]')).to_be_visible()


@pytest.mark.parametrize(
    ("activity", "button", "error"),
    [
        # A value the field refuses, on saving the draft and on filing.
        ("4711", "Guardar borrador", "código de actividad económica de 5 dígitos"),
        ("4711", "Presentar solicitud", "código de actividad económica de 5 dígitos"),
        # Every value right, but documents missing: the engine refuses the filing.
        ("47112", "Presentar solicitud", "para presentar la solicitud"),
    ],
)
def test_a_form_with_an_error_keeps_every_kind_of_answer(
    app, live_server, browser, activity, button, error
):
    with app.app_context():
        make_applicant()
        _publish_test_procedure()
    page = browser.new_context(viewport={"width": 360, "height": 800}, locale="es-SV").new_page()
    page.goto(f"{live_server}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill("ana@example.sv")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"{live_server}/tramites/0511/prueba-respuestas")
    page.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    page.get_by_role("link", name="Ver todas las preguntas en una página").click()

    _fill(page)
    page.locator('[name="f_actividad_claees"]').fill(activity)
    page.get_by_role("button", name=button).click()

    expect(page.get_by_role("heading", name="Hay un problema")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(error)
    _assert_every_answer_kept(page)
    expect(page.locator('[name="f_actividad_claees"]')).to_have_value(activity)


def test_hiding_a_question_hides_the_questions_hanging_from_it(app, live_server, browser):
    with app.app_context():
        make_applicant()
        _publish_test_procedure()
    page = browser.new_context(locale="es-SV").new_page()
    page.goto(f"{live_server}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill("ana@example.sv")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(f"{live_server}/tramites/0511/prueba-respuestas")
    page.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    page.get_by_role("link", name="Ver todas las preguntas en una página").click()

    area = page.locator('[name="f_area_local_m2"]')
    grande = page.locator('[name="f_detalle_local_grande"]')
    sotano = page.locator('[name="f_detalle_sotano"]')
    expect(grande).to_be_hidden()
    area.fill("1,250.50")  # read as 1250.5 by numbers.js: above 1000
    expect(grande).to_be_visible()
    grande.fill("Dos plantas")
    expect(sotano).to_be_visible()
    for smaller in ("500", "2,5", "1.250,50"):  # a small area, or no number at all
        area.fill(smaller)
        expect(grande).to_be_hidden()
        expect(sotano).to_be_hidden()  # its condition's answer is still typed, but not asked
        area.fill("1 250.50")
        expect(sotano).to_be_visible()
