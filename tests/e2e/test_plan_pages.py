"""axe-core finds no violation on the "abrir mi negocio" pages, on a phone and on a desktop."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.e2e.test_accessibility import AXE, _sign_in, _violations
from tests.portal.helpers import make_applicant

pytestmark = pytest.mark.e2e
WORKSHOP = {
    "distrito": "0511",
    "actividad": "45201",
    "local_arrendado": "no",
    "area_m2": "120",
    "obras": "remodelacion",
    "rotulo": "si",
    "venta_alcohol": "no",
    "taller": "si",
}


def test_the_questionnaire_the_plan_and_the_saved_plan_pass_axe(app, live_server, browser):
    assert Path(AXE).is_file(), "run `make test` (it installs axe-core from npm)"
    with app.app_context():
        make_applicant()
    base = live_server
    plan_query = urlencode(WORKSHOP)
    bad_query = urlencode(
        {f"f_{k}": v for k, v in WORKSHOP.items()} | {"f_area_m2": "mucho", "f_actividad": "pan"}
    )
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        for name, path in (
            ("questionnaire", "/abrir-mi-negocio"),
            ("with errors", f"/abrir-mi-negocio?{bad_query}"),
            ("plan", f"/abrir-mi-negocio/plan?{plan_query}"),
            ("no online procedure", "/abrir-mi-negocio/plan?"
             + urlencode(WORKSHOP | {"distrito": "0608", "obras": "ninguna", "taller": "no"})),
        ):  # fmt: skip
            page.goto(base + path)
            found[f"{width} {name}"] = _violations(page)
            # No sideways scrolling on a phone (WCAG 1.4.10).
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        _sign_in(page, base, "ana@example.sv")
        page.goto(f"{base}/abrir-mi-negocio/plan?{plan_query}")
        page.get_by_role("button", name="Guardar mi plan").click()
        page.wait_for_url("**/mis-planes/*")
        found[f"{width} saved plan"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "saved plan"
        page.goto(f"{base}/mis-planes/")
        found[f"{width} my plans"] = _violations(page)
        context.close()
    problems = {where: v for where, v in found.items() if v}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
