"""A draft keeps what was typed (Chromium at phone size): through a reload, a dropped
connection, a server restart and an expired session; uploads show progress; every step and
the check page pass axe at 360 and 1280 px."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ROOT, START
from tests.portal.helpers import PASSWORD, make_applicant, pdf_bytes

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 800}
ADDRESS = "Final 3a Calle Poniente #7, Colonia Escalón «La Ceiba»"
AXE = ROOT / "frontend/node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill("ana@example.sv")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


def _start(page, base: str) -> str:
    page.goto(f"{base}/tramites/OPAMSS/calificacion-lugar")
    page.get_by_role("button", name=START).click()
    page.wait_for_url(re.compile(r"/borradores/\d+/paso/1$"))
    return page.url


def test_typed_answers_survive_a_reload_and_a_dropped_connection(app, live_server, browser):
    with app.app_context():
        make_applicant()
    context = browser.new_context(viewport=PHONE, locale="es-SV")
    page = context.new_page()
    _sign_in(page, live_server)
    step = _start(page, live_server)
    assert page.get_by_text("Paso 1 de 5").is_visible()
    page.get_by_label("Dirección del inmueble").fill(ADDRESS)
    page.locator("[data-app-draft-status]").filter(has_text="Guardado").wait_for()
    page.reload()
    assert page.get_by_label("Dirección del inmueble").input_value() == ADDRESS

    context.set_offline(True)
    page.get_by_label("Uso actual del inmueble").fill("Vivienda y taller")
    page.locator("[data-app-draft-status]").filter(
        has_text="Sin conexión: se guardará al reconectar"
    ).wait_for()
    context.set_offline(False)
    page.locator("[data-app-draft-status]").filter(has_text="Guardado").wait_for()
    page.goto(step)
    assert page.get_by_label("Uso actual del inmueble").input_value() == "Vivienda y taller"
    assert page.get_by_label("Dirección del inmueble").input_value() == ADDRESS
    context.close()


def test_typed_answers_survive_a_server_restart(app, browser, tmp_path):
    from tests.fixtures_app import worker_environment
    from tests.portal.processes import gunicorn

    with app.app_context():
        make_applicant()
    env = worker_environment(app)
    log = tmp_path / "gunicorn.log"
    context = browser.new_context(viewport=PHONE, locale="es-SV")
    page = context.new_page()
    with gunicorn(env, log_path=log) as first:
        _sign_in(page, first)
        step = _start(page, first)
        page.get_by_label("Dirección del inmueble").fill(ADDRESS)
        page.locator("[data-app-draft-status]").filter(has_text="Guardado").wait_for()
    path = step.removeprefix(first)
    # The first server is gone; another process serves the same database.
    with gunicorn(env, log_path=log) as second:
        page.goto(second + path)
        assert page.get_by_text("Paso 1 de 5").is_visible()
        assert page.get_by_label("Dirección del inmueble").input_value() == ADDRESS
    context.close()


def test_answers_typed_after_the_session_expired_are_kept_until_signing_in_again(
    app, live_server, browser
):
    with app.app_context():
        make_applicant()
    context = browser.new_context(viewport=PHONE, locale="es-SV")
    page = context.new_page()
    _sign_in(page, live_server)
    step = _start(page, live_server)
    context.clear_cookies()  # the session is gone, as after a time-out
    page.get_by_label("Uso de suelo propuesto").fill("Cafetería de barrio, 6 mesas")
    page.locator("[data-app-draft-status]").filter(has_text="Su sesión terminó").wait_for()
    _sign_in(page, live_server)
    page.goto(step)
    page.locator("[data-app-draft-status]").filter(has_text="Guardado").wait_for()
    page.reload()
    assert (
        page.get_by_label("Uso de suelo propuesto").input_value() == "Cafetería de barrio, 6 mesas"
    )
    context.close()


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [f"{v['id']}: {v['help']} ({v['nodes'][0]['target']})" for v in result["violations"]]


def test_steps_upload_progress_and_check_page_pass_axe(app, live_server, browser, tmp_path):
    with app.app_context():
        make_applicant()
    found: dict[str, list[str]] = {}
    scan = tmp_path / "escritura (copia) ñ.pdf"
    scan.write_bytes(pdf_bytes(40))
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        _sign_in(page, live_server)
        step = _start(page, live_server)
        page.get_by_role("button", name="Continuar").click()  # every question in error
        found[f"{width} paso 1 con errores"] = _violations(page)
        base = step.removesuffix("/paso/1")
        page.goto(f"{base}/paso/5")
        found[f"{width} documentos"] = _violations(page)
        page.evaluate(
            """() => new MutationObserver((changes) => {
                 if (changes.some((c) => [...c.addedNodes].some((n) => n.tagName === 'PROGRESS')))
                   window.sawProgress = true
               }).observe(document.body, {childList: true, subtree: true})"""
        )
        page.get_by_label("Escritura de propiedad").set_input_files(str(scan))
        page.locator("#recibido-escritura").filter(has_text="escritura (copia) ñ.pdf").wait_for()
        assert (
            page.get_by_label("Escritura de propiedad").input_value() == ""
        )  # sent: not sent twice
        assert page.evaluate("window.sawProgress === true")  # a progress bar while it went
        page.goto(f"{base}/revisar")
        assert page.get_by_role("heading", name="Revise sus respuestas").is_visible()
        assert page.get_by_text("escritura (copia) ñ.pdf").is_visible()
        found[f"{width} revisar"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_a_documents_step_asks_what_the_answers_of_earlier_steps_call_for(
    app, live_server, browser
):
    from portal.applications.services import save_application, start_application
    from portal.procedures.services import get_procedure

    with app.app_context():
        ana = make_applicant()
        draft = start_application(
            actor=ana,
            procedure=get_procedure("0511", "inscripcion-establecimiento"),
            token="pasos-condiciones-0001",
        )
        save_application(
            actor=ana,
            application=draft,
            data={"tipo_persona": "natural", "mediante_apoderado": True},
            uploads={},
            submit=False,
        )
        draft_id = draft.id
    context = browser.new_context(viewport=PHONE, locale="es-SV")
    page = context.new_page()
    _sign_in(page, live_server)
    page.goto(f"{live_server}/borradores/{draft_id}/paso/4")
    assert page.get_by_text("Paso 4 de 4").is_visible()
    assert page.get_by_label("Copia certificada de DUI y NIT").is_visible()  # a natural person
    assert page.get_by_label("Poder del apoderado").is_visible()  # through a representative
    assert not page.get_by_label("Escritura de constitución inscrita").is_visible()
    assert not page.get_by_label("Contrato de arrendamiento").is_visible()
    context.close()
