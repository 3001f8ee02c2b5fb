"""Staff and roles in the admin console (issue 11, item 8): create, several roles, deactivate,
reset the second factor, the audit log with before and after, and the admin's scope."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import g

from portal.accounts.models import AuditEvent, User
from portal.extensions import db
from tests.portal.helpers import PASSWORD, login, mails, make_applicant, make_staff
from tests.portal.test_back_office import _filed, _today_boxes


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _events(action: str, user: User) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.target_user_id == user.id)
        .order_by(AuditEvent.id)
    ).all()


def _as(app, email: str):
    """A browser signed in as `email` (the shared app context keeps the last user in `g`)."""
    g.pop("_login_user", None)
    client = app.test_client()
    login(client, email)
    return client


def _get(client, path: str):
    g.pop("_login_user", None)
    return client.get(path)


#: The ticked confirmation boxes of "Desactivar la cuenta" and "Restablecer el segundo factor".
SURE, RESET = {"desactivar-confirm": "y"}, {"segundo_factor-confirm": "y"}


def _post(client, path: str, data=None):
    g.pop("_login_user", None)
    return client.post(path, data=data or {})


def _authority_id(code: str) -> int:
    from portal.authorities.services import get_authority

    return get_authority(code).id


def _new_staff(client, email: str, roles: list[str], authority: str = "0511"):
    return _post(
        client,
        "/admin/personal/nuevo",
        {
            "full_name": "Marta Quintanilla",
            "email": email,
            "authority": str(_authority_id(authority)),
            "roles": roles,
        },
    )


def _created(admin_client, email: str, roles: list[str], authority: str = "0511") -> User:
    """A staff member created through the console who chose their password by the link."""
    from portal.accounts import tokens
    from portal.accounts.services import reset_password

    assert _new_staff(admin_client, email, roles, authority).status_code == 302
    user = _user(email)
    reset_password(
        token=tokens.make("welcome", user.id, user.security_stamp), new_password=PASSWORD, ip=None
    )
    return _user(email)


def test_an_admin_creates_staff_who_choose_their_password_by_the_e_mailed_link(
    app, app_ctx, run_jobs
):
    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    admin = _as(app, "admin@opamss.sv")
    assert "Crear una cuenta de personal" in _get(admin, "/admin/personal/nuevo").text

    refused = _new_staff(admin, "marta@", [])
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Escriba un correo electrónico válido" in page and "Elija al menos un rol." in page
    assert 'value="marta@"' in page and 'value="Marta Quintanilla"' in page

    assert _new_staff(admin, "Marta@SantaTecla.sv", ["clerk", "supervisor"]).status_code == 302
    again = _new_staff(admin, "marta@santatecla.sv", ["clerk", "supervisor"])  # double submit
    marta = _user("marta@santatecla.sv")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/{marta.id}")
    assert marta.roles == ("clerk", "supervisor") and marta.email_confirmed_at is None
    (created,) = _events("staff.created", marta)
    assert created.actor.email == "admin@opamss.sv" and created.detail["before"] is None
    assert created.detail["after"]["roles"] == ["clerk", "supervisor"]
    assert created.detail["after"]["authority"] == "0511"
    taken = _new_staff(admin, "marta@santatecla.sv", ["inspector"])
    assert taken.status_code == 400 and "Ya existe una cuenta con este correo" in taken.text

    run_jobs()
    (message,) = [m for m in mails(app) if m["To"] == "marta@santatecla.sv"]
    link = re.search(r"http://127\.0\.0\.1:5000(/cuenta/restablecer/\S+)", message.get_content())
    person = app.test_client()
    chosen = person.post(link.group(1), data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert chosen.status_code == 302
    assert person.post(link.group(1)).status_code == 400  # once
    g.pop("_login_user", None)
    signed_in = person.post(
        "/cuenta/entrar", data={"email": "marta@santatecla.sv", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    enrol = _get(person, "/bandeja/").headers["Location"]
    assert "/cuenta/segundo-factor/activar" in enrol  # a supervisor enrols first


def test_a_person_with_two_roles_acts_in_each_of_them(app, app_ctx):
    from portal.applications.services import act_on_application
    from portal.payments.services import list_payment_orders
    from portal.review import services as review
    from portal.review.models import Inspection
    from tests.portal.helpers import reload_application
    from workflows.guards import review_items

    application = _filed(make_applicant())
    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    both = _created(_as(app, "admin@opamss.sv"), "doble@santatecla.sv", ["clerk", "inspector"])
    make_staff("inspector", "0511", email="solo@santatecla.sv")
    assert _get(_as(app, "solo@santatecla.sv"), "/bandeja/ventanilla/").status_code == 403

    client = _as(app, "doble@santatecla.sv")
    assert _get(client, "/bandeja/ventanilla/").status_code == 200  # the counter: a clerk's
    assert _get(client, "/bandeja/inspecciones").status_code == 200
    queue = _get(client, "/bandeja/").get_data(as_text=True)
    assert application.tracking_number in queue  # the clerk's cases are in their queue
    taken = _post(
        client,
        f"/bandeja/{application.id}",
        {"action": "tomar", "lock_version": str(application.lock_version)},
    )
    assert taken.status_code == 302
    application = reload_application(application.id)
    assert application.history[-1].actor_role == "clerk"

    from portal.applications.facts import facts_for
    from portal.procedures.services import definition_of

    items = review_items(
        definition_of(application.procedure_version), facts_for(application, "clerk")
    )
    review.record_verdicts(
        actor=both, application=application, verdicts=dict.fromkeys(items, (True, "")), items=items
    )
    for order in list_payment_orders(application.id):
        review.record_payment(actor=both, application=application, order_id=order.id, reference="R")
    act_on_application(actor=both, application=reload_application(application.id), action="admitir")

    visit = _post(
        client,
        f"/bandeja/{application.id}/inspeccion",
        {"visited_on": _today_boxes(), "result": "conforme", "notes": "Local en orden."},
    )
    assert visit.status_code == 302  # the same person records the visit, as the inspector
    assert db.session.scalar(
        sa.select(Inspection).where(Inspection.application_id == application.id)
    )


def test_deactivating_ends_their_sessions_and_lists_their_open_cases(app, app_ctx):
    from portal.assignment.services import claim

    application = _filed(make_applicant())
    admin_user = make_staff("admin", "M-LLS", email="admin@lls.sv")
    clerk = make_staff("clerk", "0511", email="clerk@santatecla.sv")
    assert claim(actor=clerk, application_id=application.id, expected="")
    clerk_client = _as(app, "clerk@santatecla.sv")
    assert _get(clerk_client, "/bandeja/").status_code == 200
    admin = _as(app, "admin@lls.sv")

    app.config["WTF_CSRF_ENABLED"] = True
    _post(admin, f"/admin/personal/{clerk.id}/desactivar", SURE)  # forged: no CSRF token
    assert _user("clerk@santatecla.sv").active
    app.config["WTF_CSRF_ENABLED"] = False
    # One click is not enough: the box must be ticked, and the page says so at it.
    page = _post(admin, f"/admin/personal/{clerk.id}/desactivar")
    assert page.status_code == 400 and "Marque la casilla para confirmar." in page.text
    assert 'name="desactivar-confirm"' in page.text and _user("clerk@santatecla.sv").active
    done = _post(admin, f"/admin/personal/{clerk.id}/desactivar", SURE)
    assert done.status_code == 302
    page = _get(admin, done.headers["Location"]).get_data(as_text=True)
    assert "Desactivamos la cuenta y cerramos todas sus sesiones." in page
    assert application.tracking_number in page  # to give to someone else
    assert "/cuenta/entrar" in _get(clerk_client, "/bandeja/").headers["Location"]
    g.pop("_login_user", None)
    refused = app.test_client().post(
        "/cuenta/entrar", data={"email": "clerk@santatecla.sv", "password": PASSWORD}
    )
    assert "El correo o la contraseña no son correctos." in refused.text
    _post(admin, f"/admin/personal/{clerk.id}/desactivar", SURE)  # twice: nothing more
    (event,) = _events("staff.deactivated", _user("clerk@santatecla.sv"))
    assert event.detail["before"]["active"] is True and event.detail["after"]["active"] is False
    assert event.detail["sessions_ended"] == 1 and event.actor_id == admin_user.id

    assert _post(admin, f"/admin/personal/{clerk.id}/reactivar").status_code == 302
    assert _user("clerk@santatecla.sv").active
    itself = _post(admin, f"/admin/personal/{admin_user.id}/desactivar", SURE)
    itself = _get(admin, itself.location)
    assert "No puede desactivar su propia cuenta." in itself.text
    last = _post(
        admin,
        f"/admin/personal/{admin_user.id}",
        {"authority": str(_authority_id("M-LLS")), "roles": ["supervisor"]},
    )
    assert last.status_code == 400 and "Es la única persona que administra" in last.text
    assert 'value="supervisor" checked' in last.text  # what was chosen stays chosen
    assert _user("admin@lls.sv").roles == ("admin",)


def test_resetting_the_second_factor_ends_sessions_and_asks_to_enrol_again(app, app_ctx):
    from portal.two_factor.services import get_factor

    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    boss = make_staff("supervisor", "0511", email="jefa@santatecla.sv")
    boss_client = _as(app, "jefa@santatecla.sv")
    admin = _as(app, "admin@opamss.sv")

    page = _post(admin, f"/admin/personal/{boss.id}/segundo-factor")
    assert page.status_code == 400 and "Marque la casilla para confirmar." in page.text
    assert get_factor(_user("jefa@santatecla.sv")) is not None  # not on one click
    assert _post(admin, f"/admin/personal/{boss.id}/segundo-factor", RESET).status_code == 302
    assert get_factor(_user("jefa@santatecla.sv")) is None
    assert "/cuenta/entrar" in _get(boss_client, "/bandeja/").headers["Location"]
    g.pop("_login_user", None)
    again = boss_client.post(
        "/cuenta/entrar", data={"email": "jefa@santatecla.sv", "password": PASSWORD}
    )
    assert again.status_code == 302
    assert "/segundo-factor/activar" in _get(boss_client, "/bandeja/").headers["Location"]
    _post(admin, f"/admin/personal/{boss.id}/segundo-factor", RESET)  # twice: nothing more
    (event,) = _events("staff.second_factor_reset", _user("jefa@santatecla.sv"))
    assert event.detail["before"]["second_factor"] and not event.detail["after"]["second_factor"]


def test_the_audit_log_finds_changes_by_who_what_whom_and_when(app, app_ctx):
    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    clerk = make_staff("clerk", "0511", email="clerk@santatecla.sv")
    admin = _as(app, "admin@opamss.sv")
    changed = _post(
        admin,
        f"/admin/personal/{clerk.id}",
        {"authority": str(_authority_id("0511")), "roles": ["clerk", "inspector"]},
    )
    assert changed.status_code == 302
    (event,) = _events("staff.changed", _user("clerk@santatecla.sv"))
    assert event.detail["before"]["roles"] == ["clerk"]
    assert event.detail["after"]["roles"] == ["clerk", "inspector"]

    found = _get(admin, "/admin/auditoria?accion=staff.changed&persona=clerk@santa&quien=opamss")
    assert found.status_code == 200 and "1 evento" in found.text
    assert "Roles o institución cambiados" in found.text and "inspector" in found.text
    assert "0 eventos" in _get(admin, "/admin/auditoria?accion=staff.changed&desde=2099-01-01").text
    assert "0 eventos" in _get(admin, "/admin/auditoria?accion=staff.changed&desde=1/1/2099").text
    until = _get(admin, "/admin/auditoria?accion=staff.changed&hasta=31/12/2099")
    assert until.status_code == 200 and "1 evento" in until.text
    bad = _get(admin, "/admin/auditoria?hasta=31/11/2026&persona=clerk")
    assert bad.status_code == 400 and "como día/mes/año, por ejemplo 30/11/2026" in bad.text
    assert 'value="31/11/2026"' in bad.text and 'value="clerk"' in bad.text


def test_a_municipal_admin_reaches_no_staff_of_another_municipio_by_any_url(app, app_ctx):
    make_staff("admin", "M-SSC", email="admin@ssc.sv")
    make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    ours = make_staff("clerk", "0614", email="clerk@sansalvador.sv")
    theirs = make_staff("clerk", "0511", email="clerk@santatecla.sv")
    _post(
        _as(app, "admin@opamss.sv"),
        f"/admin/personal/{theirs.id}",
        {"authority": str(_authority_id("0511")), "roles": ["inspector"]},
    )
    admin = _as(app, "admin@ssc.sv")
    listed = _get(admin, "/admin/personal/").text
    assert "clerk@sansalvador.sv" in listed and "clerk@santatecla.sv" not in listed
    assert _get(admin, f"/admin/personal/{ours.id}").status_code == 200
    log = _get(admin, "/admin/auditoria").text
    assert "admin@ssc.sv" in log and "clerk@santatecla.sv" not in log
    assert "Roles o institución cambiados</td>" not in log

    paths = [("GET", f"/admin/personal/{theirs.id}")] + [
        ("POST", f"/admin/personal/{theirs.id}{suffix}")
        for suffix in ("", "/desactivar", "/reactivar", "/segundo-factor")
    ]
    for method, path in paths:
        g.pop("_login_user", None)
        data = {"authority": str(_authority_id("0614")), "roles": ["admin"]}
        response = admin.open(path, method=method, data=data if method == "POST" else None)
        assert response.status_code == 404, (method, path)
        denied = db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "access.denied", AuditEvent.subject == path
            )
        )
        assert denied >= 1, f"{method} {path} was not audited"
    moved = _post(
        admin,
        f"/admin/personal/{ours.id}",
        {"authority": str(_authority_id("0511")), "roles": ["clerk"]},
    )
    assert moved.status_code == 400 and "Elija una de las opciones" in moved.text
    made = _new_staff(admin, "nuevo@santatecla.sv", ["clerk"], authority="0511")
    assert made.status_code == 400 and _user("nuevo@santatecla.sv") is None
    theirs = _user("clerk@santatecla.sv")
    assert theirs.active and theirs.roles == ("inspector",)


def test_the_audit_log_names_every_action_in_spanish_and_filters_by_any(app, app_ctx):
    """Admin, calendar and account events read in words; the filter offers them all."""

    admin = make_staff("admin", "OPAMSS", email="admin@opamss.sv")
    for action in ("procedure.imported", "calendar.day_added", "account.logout"):
        db.session.add(AuditEvent(action=action, actor_id=admin.id, subject="prueba"))
    db.session.commit()
    client = _as(app, "admin@opamss.sv")
    log = _get(client, "/admin/auditoria").text
    for label in ("Trámite importado", "Día inhábil agregado", "Cierre de sesión"):
        assert f"{label}</td>" in log and f'">{label}</option>' in log
    assert "procedure.imported</td>" not in log and "account.logout</td>" not in log
    found = _get(client, "/admin/auditoria?accion=calendar.day_added").text
    assert "1 evento" in found and "Día inhábil agregado</td>" in found
