"""Bulk reassignment in the admin console: a person's open cases go to another active staff
member of the scope, all at once or the ticked ones, each case as a supervisor assigns it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import g

from portal.accounts.models import AuditEvent, User
from portal.applications.models import Application, HistoryEntry
from portal.extensions import db
from tests.portal.helpers import make_applicant, make_staff
from tests.portal.test_back_office import _filed, _in_inspection
from tests.portal.test_staff import _as

ROLES_EXPLAINED = "Ninguno de sus roles atiende el expediente en el estado en que está."


def _get(client, path: str):
    g.pop("_login_user", None)
    return client.get(path)


def _post(client, path: str, data=None):
    g.pop("_login_user", None)
    return client.post(path, data=data or {})


def _offered(page) -> set[str]:
    """The ids the "Asignar a" list offers."""
    select = re.search(r'<select[^>]*name="reasignar-target".*?</select>', page.text, re.S)
    return set(re.findall(r'<option value="(\d+)"', select.group(0)))


def _assignee(application: Application) -> int | None:
    db.session.expire_all()
    return db.session.get(Application, application.id).assignee_id


def _count(action: str, **where) -> int:
    db.session.expire_all()
    query = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return db.session.scalar(query)


def _form(target: User, cases, which: str = "todos", ticked=()) -> dict:
    """What the person's page posts: the chosen person, which cases, the cases it listed."""
    return {
        "reasignar-target": str(target.id),
        "reasignar-which": which,
        "reasignar-shown": ",".join(str(c.id) for c in cases),
        "reasignar-cases": [str(c.id) for c in ticked],
    }


def _office():
    """A municipal admin, a clerk holding two filed cases, and another clerk of the district."""
    from portal.assignment.services import claim

    admin = make_staff("admin", "M-LLS", email="admin@lls.sv")
    leaving = make_staff("clerk", "0511", email="sale@santatecla.sv")
    other = make_staff("clerk", "0511", email="otra@santatecla.sv")
    cases = [
        _filed(make_applicant()),
        _filed(make_applicant("beto@example.sv", "Beto Alas")),
    ]
    for case in cases:
        assert claim(actor=leaving, application_id=case.id, expected="")
    return admin, leaving, other, cases


def test_deactivating_then_giving_all_open_cases_to_another_clerk_moves_each(app, app_ctx):
    admin_user, leaving, other, cases = _office()
    admin = _as(app, "admin@lls.sv")
    done = _post(admin, f"/admin/personal/{leaving.id}/desactivar", {"desactivar-confirm": "y"})
    page = _get(admin, done.location)
    assert "Asignarlos a otra persona" in page.text and cases[1].tracking_number in page.text
    assert str(other.id) in _offered(page) and str(leaving.id) not in _offered(page)

    moved = _post(admin, f"/admin/personal/{leaving.id}/reasignar", _form(other, cases))
    assert moved.status_code == 302
    page = _get(admin, moved.location)
    assert f"Asignamos 2 expedientes a {other.full_name}." in page.text
    assert "No tiene expedientes asignados abiertos." in page.text
    assert [_assignee(c) for c in cases] == [other.id, other.id]
    for case in cases:  # each audited and in the case history as a supervisor's assignment
        (event,) = db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "assignment.assign", AuditEvent.application_id == case.id
            )
        ).all()
        assert event.actor_id == admin_user.id
        assert event.detail == {"assignee_id": other.id, "previous_id": leaving.id}
        entry = db.session.scalars(
            sa.select(HistoryEntry).where(
                HistoryEntry.application_id == case.id,
                HistoryEntry.action == "assignment:assign",
            )
        ).one()
        assert entry.comment == f"{leaving.full_name} → {other.full_name}"
    (change,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "staff.cases_reassigned")
    ).all()
    numbers = sorted(c.tracking_number for c in cases)
    assert change.actor_id == admin_user.id and change.subject == leaving.email
    assert change.detail["before"] == {"assignee": leaving.email, "cases": numbers}
    assert change.detail["after"]["assignee"] == other.email
    log = _get(admin, "/admin/auditoria?persona=sale%40santatecla.sv").text
    assert "Expedientes reasignados en bloque" in log


def test_only_the_ticked_cases_move_and_a_forgotten_tick_is_said_at_the_boxes(app, app_ctx):
    _admin, leaving, other, cases = _office()
    admin = _as(app, "admin@lls.sv")
    path = f"/admin/personal/{leaving.id}/reasignar"
    app.config["WTF_CSRF_ENABLED"] = True
    forged = _post(admin, path, _form(other, cases))  # no CSRF token: nothing happens
    app.config["WTF_CSRF_ENABLED"] = False
    assert forged.status_code == 400 and _assignee(cases[0]) == leaving.id
    nobody = _post(admin, path, _form(other, cases) | {"reasignar-target": ""})
    assert nobody.status_code == 400 and "Elija a quién asignar los expedientes." in nobody.text
    empty = _post(admin, path, _form(other, cases, which="marcados"))
    assert empty.status_code == 400
    assert "Marque al menos un expediente, o elija «todos»." in empty.text
    assert f'value="{other.id}" selected' in empty.text  # the chosen person stays chosen
    assert [_assignee(c) for c in cases] == [leaving.id, leaving.id]
    chosen = _form(other, cases, which="marcados", ticked=[cases[1]])
    page = _get(admin, _post(admin, path, chosen).location)
    assert f"Asignamos 1 expediente a {other.full_name}." in page.text
    assert [_assignee(c) for c in cases] == [leaving.id, other.id]


def test_boxes_ticked_with_all_left_chosen_move_nothing_and_say_so(app, app_ctx):
    """«Todos» is the default: ticking some cases without choosing «Solo los que marque» must
    not give away the unticked ones too; the page says what to choose, at the boxes."""
    _admin, leaving, other, cases = _office()
    admin = _as(app, "admin@lls.sv")
    path = f"/admin/personal/{leaving.id}/reasignar"
    refused = _post(admin, path, _form(other, cases, which="todos", ticked=[cases[1]]))
    assert refused.status_code == 400
    assert "Marcó algunos expedientes: elija «Solo los que marque»" in refused.text
    assert [_assignee(c) for c in cases] == [leaving.id, leaving.id]
    assert _count("assignment.assign") == 0
    # Every box ticked with «todos»: the same cases either way, so they move.
    every = _post(admin, path, _form(other, cases, which="todos", ticked=cases))
    assert every.status_code == 302
    assert [_assignee(c) for c in cases] == [other.id, other.id]


def test_a_case_the_chosen_person_cannot_take_stays_and_says_why(app, app_ctx):
    from portal.assignment.services import assign
    from portal.staff.services import change_staff_member

    admin_user, leaving, _other, cases = _office()
    change_staff_member(
        actor=admin_user, user_id=leaving.id, authority_id=leaving.authority_id,
        roles=["clerk", "inspector"], ip=None,
    )  # fmt: skip
    visit = _in_inspection(_filed(make_applicant("carla@example.sv", "Carla Ruiz")))
    assign(
        actor=admin_user, application_id=visit.id, assignee_id=leaving.id,
        expected=str(_assignee(visit) or ""),
    )  # fmt: skip
    inspector = make_staff("inspector", "0511", email="visitas@santatecla.sv")
    admin = _as(app, "admin@lls.sv")
    shown = [cases[0], visit]
    page = _get(admin, _post(admin, f"/admin/personal/{leaving.id}/reasignar",
                             _form(inspector, shown)).location)  # fmt: skip
    assert f"Asignamos 1 expediente a {inspector.full_name}." in page.text
    assert f"{cases[0].tracking_number}: {ROLES_EXPLAINED}" in page.text
    assert "siguen como estaban" in page.text
    assert _assignee(visit) == inspector.id and _assignee(cases[0]) == leaving.id
    assert _count("assignment.assign", application_id=cases[0].id) == 0


def test_sending_the_same_reassignment_twice_changes_nothing_the_second_time(app, app_ctx):
    _admin, leaving, other, cases = _office()
    admin = _as(app, "admin@lls.sv")
    path = f"/admin/personal/{leaving.id}/reasignar"
    assert _post(admin, path, _form(other, cases)).status_code == 302
    again = _post(admin, path, _form(other, cases))
    assert again.status_code == 302
    page = _get(admin, again.location)
    assert f"No había cambios: esos expedientes ya estaban asignados a {other.full_name}." in (
        page.text
    )
    assert [_assignee(c) for c in cases] == [other.id, other.id]
    assert _count("assignment.assign") == 2 and _count("staff.cases_reassigned") == 1


def test_a_case_reassigned_by_someone_else_meanwhile_is_left_with_them(app, app_ctx):
    from portal.assignment.services import assign

    _admin, leaving, other, cases = _office()
    third = make_staff("clerk", "0511", email="tercera@santatecla.sv")
    boss = make_staff("supervisor", "0511", email="jefa@santatecla.sv")
    admin = _as(app, "admin@lls.sv")
    assert cases[1].tracking_number in _get(admin, f"/admin/personal/{leaving.id}").text
    # The page is open; a supervisor gives the second case to a third person meanwhile.
    assert assign(
        actor=boss, application_id=cases[1].id, assignee_id=third.id, expected=str(leaving.id)
    )
    page = _get(admin, _post(admin, f"/admin/personal/{leaving.id}/reasignar",
                             _form(other, cases)).location)  # fmt: skip
    assert f"Asignamos 1 expediente a {other.full_name}." in page.text
    assert f"{cases[1].tracking_number}: Otra persona cambió su asignación" in page.text
    assert [_assignee(c) for c in cases] == [other.id, third.id]


def test_a_person_or_case_out_of_the_admins_scope_answers_404_and_is_audited(app, app_ctx):
    _admin, leaving, other, cases = _office()
    stranger = make_staff("clerk", "0614", email="clerk@sansalvador.sv")
    elsewhere = make_staff("clerk", "0511", email="fuera@santatecla.sv")
    admin = _as(app, "admin@lls.sv")
    path = f"/admin/personal/{leaving.id}/reasignar"
    assert str(stranger.id) not in _offered(_get(admin, f"/admin/personal/{leaving.id}"))
    for data, target in (
        (_form(stranger, cases), f"/admin/personal/{leaving.id}/reasignar"),
        (_form(other, cases), f"/admin/personal/{stranger.id}/reasignar"),
    ):
        before = _count("access.denied", subject=target)
        assert _post(admin, target, data).status_code == 404
        assert _count("access.denied", subject=target) == before + 1
    # A case of another municipio slipped into the list: nothing moves, 404, audited.
    foreign = _filed(make_applicant("dora@example.sv", "Dora Mena"))
    db.session.execute(
        sa.update(Application)
        .where(Application.id == foreign.id)
        .values(authority_id=stranger.authority_id)
    )
    db.session.commit()
    before = _count("access.denied", subject=path)
    assert _post(admin, path, _form(other, [*cases, foreign])).status_code == 404
    assert _count("access.denied", subject=path) == before + 1
    assert [_assignee(c) for c in cases] == [leaving.id, leaving.id]
    # An inactive person of the scope, or the same one, is refused at the field.
    elsewhere.active = False
    db.session.commit()
    for target in (elsewhere, leaving):
        refused = _post(admin, path, _form(target, cases))
        assert refused.status_code == 400
        assert "Elija a otra persona activa de su institución." in refused.text
    assert _count("assignment.assign") == 0 and _count("staff.cases_reassigned") == 0


def test_the_opamss_admin_gives_a_district_clerks_cases_to_that_districts_staff(app, app_ctx):
    """OPAMSS's admin manages every office's staff: a district clerk's cases go to another
    clerk of that district (offered in the list), never to OPAMSS staff who do not see them."""
    _admin, leaving, other, cases = _office()
    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    opamss_clerk = make_staff("clerk", "OPAMSS", email="tecnico@opamss.sv")
    admin = _as(app, "admin@opamss.sv")
    page = _get(admin, f"/admin/personal/{leaving.id}")
    assert str(other.id) in _offered(page) and str(leaving.id) not in _offered(page)
    refused = _post(admin, f"/admin/personal/{leaving.id}/reasignar", _form(opamss_clerk, cases))
    assert [_assignee(c) for c in cases] == [leaving.id, leaving.id]
    assert refused.status_code in (200, 302, 400)
    moved = _post(admin, f"/admin/personal/{leaving.id}/reasignar", _form(other, cases))
    assert moved.status_code == 302
    assert f"Asignamos 2 expedientes a {other.full_name}." in _get(admin, moved.location).text
    assert [_assignee(c) for c in cases] == [other.id, other.id]
