"""Inspections and opinions in the browser: axe finds no violation, nothing scrolls sideways at
360 px, and an inspector records a visit with its checklist that the supervisor then sees."""

from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import _sign_in, _violations
from tests.portal.helpers import make_applicant, make_staff

pytestmark = pytest.mark.e2e


def test_inspection_and_opinion_pages_pass_axe_and_fit_a_phone(app, live_server, browser):
    import sqlalchemy as sa

    from portal.accounts.models import User
    from portal.applications.effects import local_now
    from portal.applications.services import act_on_application
    from portal.extensions import db
    from portal.inspections import services as inspections
    from tests.portal.helpers import reload_application
    from tests.portal.test_inspections import case_in_state

    with app.app_context():
        clerk = make_staff("clerk", "APLAN", email="clerk@aplan.example.sv")
        make_staff("inspector", "APLAN", email="ines@aplan.example.sv")
        make_staff("supervisor", "APLAN", email="jefa@aplan.example.sv")
        application = case_in_state(
            make_applicant(), "APLAN", "licencia-funcionamiento", "presentado"
        )
        application_id = application.id
        inspector = db.session.scalar(sa.select(User).where(User.email == "ines@aplan.example.sv"))
        from portal.applications import clocks

        workday = clocks.calendar_of(application).next_business_day(local_now().date())
        visit = inspections.schedule_inspection(
            actor=clerk,
            application=application,
            inspector_id=inspector.id,
            scheduled_for=workday,
            notes="Llamar antes de llegar.",
            today=local_now().date(),
        )
        visit_id = visit.id
        # Another visit scheduled ahead: its case has not reached the inspection state yet.
        ahead = case_in_state(
            make_applicant("b@example.sv", "Beatriz"),
            "APLAN",
            "licencia-funcionamiento",
            "presentado",
        )
        ahead_path = f"/bandeja/{ahead.id}/visitas/%d/registro" % (
            inspections.schedule_inspection(
                actor=clerk,
                application=ahead,
                inspector_id=inspector.id,
                scheduled_for=workday,
                notes="",
                today=local_now().date(),
            ).id
        )
        act_on_application(
            actor=clerk, application=reload_application(application_id), action="programar_visita"
        )
    base = live_server
    found: dict[str, list[str]] = {}
    for width in (360, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="es-SV", bypass_csp=True
        )
        page = context.new_page()
        _sign_in(page, base, "ines@aplan.example.sv")
        for path in (
            ahead_path,  # explained, not refused
            "/bandeja/inspecciones",
            f"/bandeja/{application_id}/visitas/{visit_id}/registro",
        ):
            page.goto(base + path)
            found[f"{width} {path}"] = _violations(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        page.get_by_role("button", name="Registrar inspección").click()  # every field in error
        page.wait_for_load_state()
        found[f"{width} registro con errores"] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()

    context = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="es-SV", bypass_csp=True
    )
    page = context.new_page()
    _sign_in(page, base, "ines@aplan.example.sv")
    page.goto(f"{base}/bandeja/inspecciones")
    page.get_by_role("link", name=reload_tracking(app, application_id)).click()
    today = local_now_date(app)
    page.get_by_label("Día").first.fill(str(today.day))
    page.get_by_label("Mes").first.fill(str(today.month))
    page.get_by_label("Año").first.fill(str(today.year))
    for group in page.locator(".app-verdict").all():
        group.get_by_label("Cumple", exact=True).check()
    page.get_by_label("Conforme", exact=True).check()
    page.get_by_role("button", name="Registrar inspección").click()
    page.wait_for_load_state()
    assert "Inspección registrada." in page.content()
    context.close()

    context = browser.new_context(locale="es-SV", bypass_csp=True)
    page = context.new_page()
    _sign_in(page, base, "jefa@aplan.example.sv")
    page.goto(f"{base}/bandeja/{application_id}")
    found["caso con inspección"] = _violations(page)
    assert "Lista de verificación" in page.content()
    context.close()
    problems = {where: v for where, v in found.items() if v}
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def reload_tracking(app, application_id: int) -> str:
    from tests.portal.helpers import reload_application

    with app.app_context():
        return reload_application(application_id).tracking_number


def local_now_date(app):
    from portal.applications.effects import local_now

    return local_now().date()
