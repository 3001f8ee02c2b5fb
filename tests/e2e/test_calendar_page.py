"""The public calendar in Chromium: chosen with the form, readable on a phone, axe finds nothing."""

from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import _violations

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [360, 1280])
def test_the_calendar_is_chosen_read_and_accessible(live_server, browser, width):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Calendario de días hábiles").click()
    assert _violations(page) == []
    page.get_by_label("Institución").select_option(label="Distrito de San Salvador")
    page.get_by_label("Año").fill("2026")
    page.get_by_role("button", name="Ver calendario").click()
    page.wait_for_url("**/calendario/0614/2026")
    heading = page.get_by_role("heading", level=1)
    assert "Días no laborables 2026" in heading.inner_text()
    listing = page.get_by_role("list", name="Días no laborables")
    assert "Fiestas agostinas de San Salvador" in listing.inner_text()
    assert "Código de Trabajo, Art. 190 (ciudad de San Salvador)" in listing.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # WCAG 1.4.10
    assert _violations(page) == []
    page.get_by_role("link", name="Año 2027").click()
    page.wait_for_url("**/calendario/0614/2027")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "Non-working days 2027" in page.get_by_role("heading", level=1).inner_text()
    assert "Holy Week vacation" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert _violations(page) == []
    context.close()
