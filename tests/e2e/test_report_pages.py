"""The reports page in Chromium: reached from the menu, axe finds nothing, nothing overflows at
360 px (charts included), and a wrong date is told at its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_accessibility import AXE, _sign_in, _violations
from tests.portal.helpers import make_applicant, make_staff

pytestmark = pytest.mark.e2e


def _cases(app) -> None:
    """Three of Santa Tecla's registrations: one waiting, one under review, one denied."""
    from tests.portal.test_reports import _act, _file

    with app.app_context():
        ana = make_applicant()
        clerk = make_staff("clerk", "0511", email="clerk@santatecla.example.sv")
        make_staff("supervisor", "0511", email="jefa@santatecla.example.sv")
        cases = [_file(ana, f"informe-{n:04d}-token") for n in range(3)]
        for case in cases[1:]:
            _act(clerk, case.id, "tomar")
        _act(clerk, cases[2].id, "denegar", "La actividad no se permite en la zona.")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_reports_are_read_on_a_phone_and_pass_axe(app, live_server, browser, width, tmp_path):
    assert Path(AXE).is_file(), "run `make test` (it installs axe-core from npm)"
    _cases(app)
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
    )
    page = context.new_page()
    _sign_in(page, live_server, "jefa@santatecla.example.sv")
    if width < 641:  # the menu folds behind its button on a phone
        page.get_by_role("button", name="Menú").click()
    page.get_by_role("link", name="Informes").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Informes"
    chart = page.get_by_role("img", name="Expedientes por estado")
    assert chart.bounding_box()["width"] <= width
    table = page.get_by_role("table", name="Tabla: Expedientes por estado")
    assert "Inscripción denegada" in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # WCAG 1.4.10
    assert _violations(page) == []
    page.screenshot(path=str(tmp_path / f"informes-{width}.png"), full_page=True)
    page.locator("#desde").fill("31")
    page.locator("#desde-month").fill("2")
    page.get_by_role("button", name="Ver informes").click()
    page.wait_for_load_state()
    assert "Ese día no existe en febrero" in page.locator(".govuk-error-message").first.inner_text()
    assert page.locator("#desde").input_value() == "31"
    assert _violations(page) == []
    context.close()
