"""The draft editors redraw as the admin types (static/js/live.js): the fee estimate follows a
sample answer and a rule, the workflow diagram a transition, nothing saved."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import pass_second_factor
from tests.portal.helpers import PASSWORD, make_staff

pytestmark = pytest.mark.e2e
EMAIL = "admin.opamss@example.sv"


def _draft_charging_by_area() -> tuple[str, int]:
    """A draft of calificacion-lugar whose fee is $40 plus $0.25 a m² above 100 m²."""
    from portal.admin.draft_services import save_draft_definition
    from tests.portal.test_admin_editors import _draft, _url

    admin = make_staff("admin", "OPAMSS", email=EMAIL)
    draft = _draft(admin)
    data = dict(draft.definition)
    fee = {"code": "tasa", "kind": "per_unit_above", "field": "area_terreno_m2"}
    fee |= {"base": 40, "threshold": 100, "rate": 0.25, "label": {"es": "Tasa", "en": "Fee"}}
    data["fees"] = [fee]
    _saved, problems = save_draft_definition(admin, draft.id, data, expected_revision=1)
    assert not problems
    return _url(draft, ""), draft.id


def test_the_estimate_and_the_diagram_follow_what_is_typed(app, live_server, browser):
    with app.app_context():
        editor, draft_id = _draft_charging_by_area()
    page = browser.new_page(locale="es-SV")
    page.goto(f"{live_server}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill(EMAIL)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    pass_second_factor(page)

    page.goto(f"{live_server}{editor}tasas")
    estimate = page.locator(".app-estimate")
    page.locator('input[name="f_area_terreno_m2"]').fill("300")
    estimate.filter(has_text="Total estimado: $90.00").wait_for()
    page.locator('input[name="fees[0].rate"]').fill("0.50")  # the rule, unsaved
    estimate.filter(has_text="Total estimado: $140.00").wait_for()
    assert page.locator('input[name="f_area_terreno_m2"]').input_value() == "300"

    page.goto(f"{live_server}{editor}flujo")
    drawing = page.locator("img[data-app-live-image]")
    page.locator('input[name="workflow.transitions[1].label.es"]').fill("Pedir que corrija")
    page.locator("[data-app-live-status]").filter(has_text="Diagrama redibujado").wait_for()
    assert "Pedir%20que%20corrija" in drawing.get_attribute("src")

    page.locator('select[name="workflow.transitions[1].to"]').select_option("borrador")
    page.locator("[data-app-live-status]").filter(has_text="no se puede dibujar").wait_for()
    assert "Pedir%20que%20corrija" in drawing.get_attribute("src")  # the last drawing stays

    with app.app_context():
        from portal.extensions import db
        from portal.procedures.models import ProcedureVersion

        assert db.session.get(ProcedureVersion, draft_id).revision == 2  # nothing saved
    page.close()
