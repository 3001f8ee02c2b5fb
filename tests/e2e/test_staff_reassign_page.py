"""Bulk reassignment on the admin staff page in Chromium, as an admin uses it.

Santa Tecla's clerk and inspector Sara leaves: she holds two filed registrations and one in
its inspection. The municipal admin opens her page from the staff list and gives all three to
the inspector: the inspection moves, the two in review stay, each listed with why. She then
ticks one of those for a clerk (leaving «Todos» chosen at first, which the page says at the
boxes instead of giving both away), gives the last one to the clerk too, and finds each case
on the page of the person who now holds it.

Only the people and their cases are set up through the services (tests/portal/
test_staff_reassign.py holds the rules); every step of the admin is a click on the pages.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import click_through, sign_in
from tests.e2e.test_accessibility import _violations
from tests.e2e.test_reflow import WIDEST
from tests.portal.helpers import make_applicant, make_staff

pytestmark = pytest.mark.e2e
LEAVING, CLERK, INSPECTOR = "Sara Linares", "Olga Marín", "Iván Portillo"
NOT_HIS = "Ninguno de sus roles atiende el expediente en el estado en que está."


def _person(role: str, email: str, name: str):
    from portal.extensions import db

    user = make_staff(role, "0511", email=email)
    user.full_name = name
    db.session.commit()
    return user


def _office() -> tuple[list[str], str]:
    """The leaving person's cases: two filed ones, then one in its inspection."""
    from portal.assignment.services import assign, claim
    from portal.staff.services import change_staff_member
    from tests.portal.test_back_office import _filed, _in_inspection
    from tests.portal.test_staff_reassign import _assignee

    admin = make_staff("admin", "M-LLS", email="admin@lls.sv")
    leaving = _person("clerk", "sale@santatecla.sv", LEAVING)
    change_staff_member(
        actor=admin, user_id=leaving.id, authority_id=leaving.authority_id,
        roles=["clerk", "inspector"], ip=None,
    )  # fmt: skip
    _person("clerk", "otra@santatecla.sv", CLERK)
    _person("inspector", "visitas@santatecla.sv", INSPECTOR)
    filed = [
        _filed(make_applicant()),
        _filed(make_applicant("beto@example.sv", "Beto Alas")),
    ]
    for case in filed:
        assert claim(actor=leaving, application_id=case.id, expected="")
    visit = _in_inspection(_filed(make_applicant("carla@example.sv", "Carla Ruiz")))
    assert assign(
        actor=admin, application_id=visit.id, assignee_id=leaving.id,
        expected=str(_assignee(visit) or ""),
    )  # fmt: skip
    return [c.tracking_number for c in filed], visit.tracking_number


def _open(page, name: str) -> None:
    """From the console's staff list to a person's page."""
    click_through(page, page.get_by_role("link", name="Personal", exact=True))
    click_through(page, page.get_by_role("link", name=name, exact=True))


def _held(page) -> list[str]:
    """The numbers listed under «Expedientes asignados abiertos»."""
    return page.locator("#expedientes + p + ul li, #expedientes + ul li").all_inner_texts()


def _give_to(page, name: str) -> None:
    """Pick a person in «Asignar a» by the name the list shows (with their roles)."""
    select = page.get_by_label("Asignar a")
    label = next(o for o in select.locator("option").all_inner_texts() if o.startswith(name))
    select.select_option(label=label)


def _banners(page) -> str:
    return "\n".join(page.locator(".govuk-notification-banner").all_inner_texts())


def test_an_admin_gives_a_leaving_persons_cases_to_others_and_sees_what_stayed_and_why(
    app, live_server, browser
):
    with app.app_context():
        filed, visit = _office()
    page = browser.new_context(
        viewport={"width": 360, "height": 800}, locale="es-SV", bypass_csp=True
    ).new_page()
    sign_in(page, live_server, "admin@lls.sv")
    page.get_by_role("button", name="Menú").click()  # on a phone the sections fold away
    click_through(page, page.get_by_role("link", name="Administración"))
    _open(page, LEAVING)
    assert sorted(_held(page)) == sorted([*filed, visit])
    # The list offers the office's other staff, never the person herself.
    offered = page.get_by_label("Asignar a").locator("option").all_inner_texts()
    assert any(o.startswith(CLERK) for o in offered) and any(
        o.startswith(INSPECTOR) for o in offered
    )
    assert not any(o.startswith(LEAVING) for o in offered)
    assert page.evaluate(WIDEST) == [0, []]  # usable on a phone
    axe = {"persona con expedientes (360 px)": _violations(page)}

    # All to the inspector: only the case in its inspection is his to take.
    _give_to(page, INSPECTOR)
    page.get_by_label("Todos sus expedientes abiertos de esta lista").check()
    click_through(page, page.get_by_role("button", name="Reasignar"))
    said = _banners(page)
    assert f"Asignamos 1 expediente a {INSPECTOR}." in said, said
    assert f"no se asignaron a {INSPECTOR} y siguen como estaban" in said
    for number in filed:
        assert f"{number}: {NOT_HIS}" in said
    assert sorted(_held(page)) == sorted(filed)
    assert page.evaluate(WIDEST) == [0, []]  # the reasons, too, fit the phone

    # One case ticked, «Todos» left as it was: nothing moves, and the page says what to choose.
    _give_to(page, CLERK)
    assert page.get_by_label("Todos sus expedientes abiertos de esta lista").is_checked()
    page.get_by_label(filed[1], exact=True).check()
    click_through(page, page.get_by_role("button", name="Reasignar"))
    summary = page.locator(".govuk-error-summary")
    assert "Marcó algunos expedientes: elija «Solo los que marque»" in summary.inner_text()
    assert sorted(_held(page)) == sorted(filed)
    chosen = page.get_by_label("Asignar a").evaluate("s => s.selectedOptions[0].text")
    assert chosen.startswith(CLERK) and page.get_by_label(filed[1], exact=True).is_checked()
    axe["reasignar con un error (360 px)"] = _violations(page)
    # The summary's link takes the keyboard to the boxes; then «Solo los que marque».
    summary.get_by_role("link").first.click()
    focused = page.evaluate("document.activeElement.name || document.activeElement.id")
    assert "cases" in focused, focused
    page.get_by_label("Solo los que marque").check()
    click_through(page, page.get_by_role("button", name="Reasignar"))
    assert f"Asignamos 1 expediente a {CLERK}." in _banners(page)
    assert _held(page) == [filed[0]]

    # The last one, with "todos".
    _give_to(page, CLERK)
    page.get_by_label("Todos sus expedientes abiertos de esta lista").check()
    click_through(page, page.get_by_role("button", name="Reasignar"))
    assert f"Asignamos 1 expediente a {CLERK}." in _banners(page)
    assert "No tiene expedientes asignados abiertos." in page.locator("main").inner_text()

    # Each case is now on the page of the person who holds it.
    _open(page, CLERK)
    assert sorted(_held(page)) == sorted(filed)
    _open(page, INSPECTOR)
    assert _held(page) == [visit]
    problems = {where: found for where, found in axe.items() if found}
    assert not problems, problems
