"""The catalogue and a procedure sheet pass axe-core and fit a phone, searched and estimated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_accessibility import AXE, _violations

pytestmark = pytest.mark.e2e

PAGES = (
    "/tramites/",
    "/tramites/?q=rotulo&distrito=0511",
    "/tramites/?distrito=0602&evento=rotulo",  # the district-without-it notice
    "/tramites/?distrito=9999",  # an error at the field
    "/tramites/OPAMSS/permiso-construccion",
    "/tramites/OPAMSS/permiso-construccion?calcular=1&f_distrito=0614&f_area_construida_m2=120",
    "/tramites/0511/permiso-rotulo?calcular=1&f_area_publicitaria_m2=doce",  # a bad figure
)


def test_the_catalogue_and_a_sheet_pass_axe_at_360_and_1280_px(app, live_server, browser):
    assert Path(AXE).is_file(), "run `make test` (it installs axe-core from npm)"
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        for path in PAGES:
            page.goto(live_server + path)
            found[f"{width} {path}"] = _violations(page)
            # No sideways scrolling on a phone (WCAG 1.4.10), the diagram included.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        context.close()
    assert {key: value for key, value in found.items() if value} == {}


def test_a_person_searches_without_accents_and_estimates_a_fee_on_a_phone(
    app, live_server, browser
):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="es-SV")
    page = context.new_page()
    page.goto(f"{live_server}/tramites/")
    page.get_by_label("Buscar un trámite").fill("construccion")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name="Permiso de Construcción (OPAMSS)").click()
    page.get_by_label("Distrito donde se ubica el inmueble").select_option("0614")
    page.get_by_label("Área total de construcción (m²)").fill("100")
    page.get_by_role("button", name="Calcular").click()
    assert "Total estimado: $113.75" in page.locator(".app-estimate").inner_text()
    # The state diagram is one click away and fits the phone's width.
    page.get_by_text("Ver el diagrama del trámite").click()
    diagram = page.get_by_role("img", name="Diagrama de los pasos del trámite")
    assert diagram.is_visible()
    assert diagram.bounding_box()["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
