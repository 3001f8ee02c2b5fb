"""The dashboard, status, tracking and notification pages: axe at 360 and 1280 px, and
keyboard-only use (Tab reaches every link and button, in order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_accessibility import AXE, _sign_in, _violations
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    reload_application,
)

pytestmark = pytest.mark.e2e

#: What a keyboard can reach, as the browser decides it (no disabled or hidden controls).
FOCUSABLE = """() => {
  const all = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]');
  const reachable = Array.from(all).filter(el => !el.disabled && el.tabIndex >= 0
    && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
  reachable.forEach((el, i) => { el.dataset.tabOrder = String(i); });
  return reachable.map(el => (el.textContent || el.value || el.name || '').trim().slice(0, 40));
}"""


def _case(app, run_jobs) -> tuple[int, str, str]:
    """A filed case sent back for correction, with its e-mails sent."""
    with app.app_context():
        make_applicant()
        make_staff("clerk", "OPAMSS", email="clerk@example.sv")
        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        login(client, "ana@example.sv")
        first = file_new_application(client, token="token-de-prueba-0001")
        application_id = file_new_application(client, token="token-de-prueba-0002")
        logout(client)
        login(client, "clerk@example.sv")
        client.post(
            f"/bandeja/{first}",
            data={
                "action": "prevenir",
                "comment": "Falta la firma del profesional.",
                "lock_version": str(reload_application(first).lock_version),
            },
        )
        app.config["WTF_CSRF_ENABLED"] = True
        run_jobs()
        application = reload_application(application_id)
        return first, application.tracking_number, application.tracking_code


def test_dashboard_status_tracking_and_notices_pass_axe(app, live_server, browser, run_jobs):
    assert Path(AXE).is_file(), "run `make test` (it installs axe-core from npm)"
    waiting, number, code = _case(app, run_jobs)
    base = live_server
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="en-US", bypass_csp=True
        )
        page = context.new_page()
        page.goto(f"{base}/seguimiento/")
        assert page.locator("html").get_attribute("lang") == "es"  # English browser, Spanish
        found[f"{width} seguimiento"] = _violations(page)
        page.get_by_label("Número de expediente").fill(number.lower())
        page.get_by_label("Código de seguimiento").fill(code)
        page.get_by_role("button", name="Consultar").click()
        page.wait_for_load_state()
        assert "Presentado (en revisión)" in page.content()
        found[f"{width} seguimiento encontrado"] = _violations(page)
        page.get_by_label("Código de seguimiento").fill("ZZZZ-ZZZZ")
        page.get_by_role("button", name="Consultar").click()
        page.wait_for_load_state()
        found[f"{width} seguimiento no encontrado"] = _violations(page)
        page.get_by_role("button", name="Consultar").click()
        _sign_in(page, base, "ana@example.sv")
        for path in (
            "/solicitudes/",
            "/solicitudes/?grupo=su-accion",
            f"/solicitudes/{waiting}",
            f"/solicitudes/{waiting}/editar",
            f"/solicitudes/{waiting}/desistir",
            "/avisos/",
        ):
            page.goto(base + path)
            found[f"{width} {path}"] = _violations(page)
            # No sideways scrolling on a phone (WCAG 1.4.10).
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        context.close()
    assert {where: v for where, v in found.items() if v} == {}


def test_a_keyboard_reaches_every_link_and_button_in_order(app, live_server, browser, run_jobs):
    waiting, _number, _code = _case(app, run_jobs)
    base = live_server
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-SV")
    page = context.new_page()
    _sign_in(page, base, "ana@example.sv")
    for path in ("/solicitudes/", f"/solicitudes/{waiting}"):
        page.goto(base + path)
        names = page.evaluate(FOCUSABLE)
        assert len(names) > 5, names
        page.evaluate("document.activeElement && document.activeElement.blur()")
        reached = []
        for _ in names:
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.dataset.tabOrder || null"))
        assert reached == [str(i) for i in range(len(names))], (path, names, reached)
        if path == "/solicitudes/":
            assert any(name.startswith("Corregir y reenviar") for name in names)
            assert any(name.startswith("Avisos") for name in names)
        else:
            assert any(name.startswith("Desistir de la solicitud") for name in names)
    context.close()


def test_a_correction_round_with_locked_items_fits_a_phone(app, live_server, browser):
    """The edit page of a prevención whose items were marked one by one: the locked items'
    hidden legends must not push the page sideways at 360 px (WCAG 1.4.10)."""
    from tests.portal.test_corrections import _asked_to_correct

    with app.app_context():
        app.config["WTF_CSRF_ENABLED"] = False
        application_id = _asked_to_correct(app.test_client(), marked=True)
        app.config["WTF_CSRF_ENABLED"] = True
    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    page = context.new_page()
    _sign_in(page, live_server, "ana@example.sv")
    page.goto(f"{live_server}/solicitudes/{application_id}/editar")
    assert page.locator("fieldset.app-locked-item[disabled]").count() > 1
    assert page.get_by_role("button", name="Enviar corrección").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _violations(page) == []
    # The prevención's text keeps its line breaks on the status page.
    page.goto(f"{live_server}/solicitudes/{application_id}")
    kept = page.locator(".app-pre-line").first
    assert kept.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-line"
    context.close()
