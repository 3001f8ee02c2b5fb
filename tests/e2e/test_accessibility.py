"""axe-core (WCAG 2.1 A and AA rules) finds no violation on the pages people use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, START, pass_second_factor
from tests.portal.helpers import (
    PASSWORD,
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    procedure_id,
)

pytestmark = pytest.mark.e2e
# axe is injected as a script, which our Content-Security-Policy rightly refuses: the test
# contexts bypass CSP (bypass_csp=True) for that one purpose.
AXE = ROOT / "frontend/node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]


def _sign_in(page, base, email):
    page.goto(f"{base}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    pass_second_factor(page)  # supervisors and admins give their code (a no-op for others)


def test_public_applicant_and_clerk_pages_pass_axe(app, live_server, browser):
    assert Path(AXE).is_file(), "run `make test` (it installs axe-core from npm)"
    with app.app_context():
        make_applicant()
        make_staff("clerk", "OPAMSS", email="clerk@example.sv")
        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        login(client, "ana@example.sv")
        application_id = file_new_application(client)
        logout(client)
        login(client, "clerk@example.sv")
        # A counter draft for a citizen with a long name: the counter lists it.
        counter = client.post(
            "/bandeja/ventanilla/",
            data={
                "token": "ventanilla-e2e-token-0001",
                "procedure": str(procedure_id()),
                "id_kind": "dui",
                "identifier": "04567891-1",
                "full_name": "María de los Ángeles Hernández Villalobos de Castañeda",
                "email": "maria.de.los.angeles.hernandez@example.sv",
            },
        )
        assert counter.status_code == 302
        app.config["WTF_CSRF_ENABLED"] = True
    base = live_server
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        for path in (
            "/",
            "/tramites/",
            "/tramites/OPAMSS/calificacion-lugar",
            "/verificar/",
            "/cuenta/registro",
            "/cuenta/entrar",
            "/cuenta/olvide",
        ):
            page.goto(base + path)
            found[f"{width} {path}"] = _violations(page)
        page.goto(f"{base}/cuenta/registro")
        page.get_by_role("button", name="Crear cuenta").click()  # every field in error
        found[f"{width} registro con errores"] = _violations(page)
        _sign_in(page, base, "ana@example.sv")
        for path in (
            "/solicitudes/",
            f"/solicitudes/{application_id}",
            "/cuenta/sesiones",
            "/cuenta/contrasena",
        ):
            page.goto(base + path)
            found[f"{width} {path}"] = _violations(page)
            if path.startswith("/cuenta/"):  # no sideways scrolling on a phone (WCAG 1.4.10)
                assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        page.goto(f"{base}/mis-datos/")
        found[f"{width} mis datos"] = _violations(page)
        page.get_by_role("link", name="Cambiar").first.click()
        page.get_by_role("button", name="Guardar cambios").wait_for()
        found[f"{width} cambiar un registro"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        _sign_in(page, base, "clerk@example.sv")
        fits = ("/bandeja/", "/bandeja/?desde=2026-13-01", "/bandeja/ventanilla/")
        for path in (*fits, f"/bandeja/{application_id}"):
            page.goto(base + path)
            found[f"{width} {path}"] = _violations(page)
            if path in fits:  # the queue and the counter fit a phone
                assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        context.close()
    problems = {where: v for where, v in found.items() if v}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_application_form_passes_axe_with_and_without_errors(app, live_server, browser):
    with app.app_context():
        make_applicant()
    base = live_server
    page = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="es-SV", bypass_csp=True
    ).new_page()
    _sign_in(page, base, "ana@example.sv")
    page.goto(f"{base}/tramites/OPAMSS/calificacion-lugar")
    page.get_by_role("button", name=START).click()
    # A new draft opens at its first step; this test fills the whole form on one page.
    page.get_by_role("link", name="Ver todas las preguntas en una página").click()
    clean = _violations(page)
    page.get_by_label("Área del terreno (m²)").fill("mucho")
    page.get_by_role("button", name="Presentar solicitud").click()
    page.get_by_text("Hay un problema").first.wait_for()
    with_errors = _violations(page)
    assert not clean and not with_errors, (clean, with_errors)


def test_the_second_factor_pages_pass_axe_on_a_phone(app, live_server, browser):
    import time

    import pyotp

    from portal.accounts.services import create_staff

    with app.app_context():
        create_staff(
            email="jefa@example.sv", password=PASSWORD, role="supervisor", authority_code="OPAMSS"
        )
    base = live_server
    page = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="es-SV", bypass_csp=True
    ).new_page()
    found: dict[str, list[str]] = {}

    def check(where: str) -> None:
        found[where] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, where

    _sign_in(page, base, "jefa@example.sv")  # an unenrolled supervisor is sent to enrol
    page.get_by_role("heading", name="Active la verificación en dos pasos").wait_for()
    check("activar")
    totp = pyotp.TOTP(page.locator("#clave").inner_text().replace(" ", ""))
    code = page.get_by_label("Código de verificación")
    code.fill("000000")
    page.get_by_role("button", name="Activar").click()
    page.get_by_text("Hay un problema").first.wait_for()
    check("activar con error")
    page.get_by_label("Código de verificación").fill(totp.now())
    page.get_by_role("button", name="Activar").click()
    page.get_by_role("heading", name="Sus códigos de recuperación").wait_for()
    check("códigos")
    page.goto(f"{base}/cuenta/segundo-factor")
    check("mi verificación")
    page.context.clear_cookies()  # another browser: the password, then the code
    _sign_in(page, base, "jefa@example.sv")
    page.get_by_role("heading", name="Verificación en dos pasos").wait_for()
    check("verificar")
    page.get_by_role("link", name="No tengo mi teléfono: usar un código de recuperación").click()
    page.get_by_role("button", name="Continuar").click()
    page.get_by_text("Hay un problema").first.wait_for()
    check("recuperación con error")
    page.get_by_role("link", name="Volver a escribir el código de la aplicación").click()
    page.get_by_label("Código de verificación").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(f"{base}/bandeja/")
    problems = {where: v for where, v in found.items() if v}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
