"""Server-side sessions (issue 6, item 21; OWASP ASVS 4.0.3 §3.2, §3.3, §3.7).

A session lives in `user_sessions`; the cookie only names it. Tests replay copied cookies,
forge cookies with the app's own serializer, and move a controllable clock (time-machine)
instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.portal.helpers import PASSWORD, login, mails, make_applicant, make_staff

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A145M) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
T0 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def _copy(client, app, user_agent: str | None = None):
    """A second browser holding the same cookie (what an attacker copies)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    if user_agent:
        other.environ_base["HTTP_USER_AGENT"] = user_agent
    return other


def _signed_in(client, path: str) -> bool:
    response = client.get(path)
    if response.status_code == 302:
        assert "/cuenta/entrar" in response.headers["Location"]
        return False
    assert response.status_code == 200, response.status_code
    return True


def _ended(app, reason: str) -> list[int]:
    """Sessions ended for `reason`, from the audit log."""
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    with app.app_context():
        return [
            e.detail["session"]
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "account.session_ended")
            )
            if e.detail.get("reason") == reason
        ]


def _make(app, role: str, email: str, name: str = "Ana María Pérez") -> int:
    """Create an account in its own app context (requests must not share one: Flask-Login
    keeps the signed-in user on `g`, which lives as long as the app context)."""
    with app.app_context():
        user = (
            make_applicant(email=email, name=name)
            if role == "applicant"
            else make_staff(role, email=email)
        )
        return user.id


@pytest.mark.parametrize(
    ("role", "email", "path"),
    [
        ("applicant", "ana@example.sv", "/solicitudes/"),
        ("clerk", "clerk@example.sv", "/bandeja/"),
        ("admin", "adm@example.sv", "/cuenta/sesiones"),
    ],
)
def test_a_cookie_copied_before_logout_is_signed_out_after_it(app, client, role, email, path):
    _make(app, role, email)
    login(client, email)
    stolen = _copy(client, app)
    assert _signed_in(stolen, path)
    assert client.post("/cuenta/salir").status_code == 302
    assert not _signed_in(stolen, path)
    assert not _signed_in(client, path)
    assert len(_ended(app, "logout")) == 1
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        trail = [(e.action, e.subject) for e in events if e.action != "account.registered"]
    assert trail[-3:] == [
        ("account.login", email),
        ("account.session_ended", email),
        ("account.logout", email),
    ]


def test_a_cookie_forged_with_the_apps_own_serializer_is_refused(app, client):
    from flask_login.utils import encode_cookie

    clerk_id = _make(app, "clerk", "clerk@example.sv")
    serializer = app.session_interface.get_signing_serializer(app)
    forged = app.test_client()
    # 1. Flask-Login's own keys, no server-side session id.
    forged.set_cookie("session", serializer.dumps({"_user_id": str(clerk_id), "_fresh": True}))
    assert not _signed_in(forged, "/bandeja/")
    # 2. A made-up session id.
    forged.set_cookie(
        "session", serializer.dumps({"_user_id": str(clerk_id), "sid": "x" * 43, "_fresh": True})
    )
    assert not _signed_in(forged, "/bandeja/")
    # 3. Someone else's live session id with the clerk's user id.
    _make(app, "applicant", "ana@example.sv")
    login(client, "ana@example.sv")
    with app.test_request_context():
        ana_session = serializer.loads(client.get_cookie("session").value)
    forged.set_cookie("session", serializer.dumps({**ana_session, "_user_id": str(clerk_id)}))
    assert not _signed_in(forged, "/bandeja/")
    # 4. Flask-Login's remember-me cookie, signed with the app's key, is no way in either.
    remember = app.test_client()
    with app.test_request_context():
        remember.set_cookie("remember_token", encode_cookie(str(clerk_id)))
    assert not _signed_in(remember, "/bandeja/")


def test_a_staff_cookie_thirty_days_old_and_re_signed_today_is_refused(app, client):
    _make(app, "clerk", "clerk@example.sv")
    serializer = app.session_interface.get_signing_serializer(app)
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "clerk@example.sv")
        with app.test_request_context():
            old = serializer.loads(client.get_cookie("session").value)
        clock.shift(timedelta(days=30))
        replay = app.test_client()
        replay.set_cookie("session", serializer.dumps(old))  # a fresh signature
        assert not _signed_in(replay, "/bandeja/")
    assert len(_ended(app, "absolute")) == 1


@pytest.mark.parametrize(
    ("role", "path", "idle_minutes"),
    [
        ("clerk", "/bandeja/", 30),
        ("supervisor", "/bandeja/", 30),
        ("applicant", "/solicitudes/", 120),
    ],
)
def test_sessions_end_after_the_idle_time_of_the_role_and_activity_keeps_them(
    app, client, role, path, idle_minutes
):
    _make(app, role, "user@example.sv")
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "user@example.sv")
        for _ in range(3):  # just under the limit, three times: activity renews it
            clock.shift(timedelta(minutes=idle_minutes - 1))
            assert _signed_in(client, path)
        clock.shift(timedelta(minutes=idle_minutes + 1))
        response = client.get(path, follow_redirects=True)
    assert "Su sesión se cerró por inactividad" in response.get_data(as_text=True)
    assert len(_ended(app, "idle")) == 1


@pytest.mark.parametrize(
    ("role", "path", "hours", "step_minutes"),
    [("clerk", "/bandeja/", 12, 25), ("applicant", "/solicitudes/", 7 * 24, 110)],
)
def test_sessions_end_at_the_absolute_limit_even_when_active(
    app, client, role, path, hours, step_minutes
):
    _make(app, role, "user@example.sv")
    with time_machine.travel(T0, tick=False) as clock:
        login(client, "user@example.sv")
        elapsed = timedelta()
        while elapsed + timedelta(minutes=step_minutes) < timedelta(hours=hours):
            clock.shift(timedelta(minutes=step_minutes))
            elapsed += timedelta(minutes=step_minutes)
            assert _signed_in(client, path), elapsed
        clock.shift(timedelta(hours=hours) - elapsed + timedelta(minutes=1))
        assert not _signed_in(client, path)
    assert len(_ended(app, "absolute")) == 1


def test_a_person_sees_their_sessions_and_ends_the_others(app, client):
    _make(app, "applicant", "ana@example.sv")
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = ANDROID
    laptop = app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = WINDOWS
    for browser in (client, phone, laptop):
        login(browser, "ana@example.sv")
    page = client.get("/cuenta/sesiones").get_data(as_text=True)
    assert "Sesiones abiertas" in page and "Esta sesión" in page
    assert "Chrome Mobile · Android · Samsung SM-A145M" in page
    assert "Firefox · Windows" in page
    assert client.post("/cuenta/sesiones/cerrar-otras", follow_redirects=True).status_code == 200
    assert _signed_in(client, "/solicitudes/")
    assert not _signed_in(phone, "/solicitudes/")
    assert not _signed_in(laptop, "/solicitudes/")
    assert len(_ended(app, "revoked")) == 2
    assert "Chrome Mobile" not in client.get("/cuenta/sesiones").get_data(as_text=True)


def test_ending_one_session_by_its_number_only_works_on_ones_own(app, client):
    from portal.extensions import db
    from portal.sessions.models import UserSession

    _make(app, "applicant", "ana@example.sv")
    _make(app, "applicant", "rosa@example.sv", "Rosa Campos")
    phone = app.test_client()
    login(phone, "ana@example.sv")
    rosa = app.test_client()
    login(rosa, "rosa@example.sv")
    login(client, "ana@example.sv")
    with app.app_context():
        rows = db.session.scalars(sa.select(UserSession).order_by(UserSession.id)).all()
        phone_id, rosa_id = rows[0].id, rows[1].id
    assert client.post(f"/cuenta/sesiones/{rosa_id}/cerrar").status_code == 404
    assert client.post("/cuenta/sesiones/999999/cerrar").status_code == 404
    assert _signed_in(rosa, "/solicitudes/")
    assert client.post(f"/cuenta/sesiones/{phone_id}/cerrar").status_code == 302
    assert not _signed_in(phone, "/solicitudes/")
    assert _signed_in(client, "/solicitudes/")


def test_changing_the_password_ends_every_other_session_and_renews_this_one(app, client, run_jobs):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    _make(app, "clerk", "clerk@example.sv")
    tablet, desk = app.test_client(), app.test_client()
    for browser in (tablet, desk, client):
        login(browser, "clerk@example.sv")
    before = _copy(client, app)
    response = client.post(
        "/cuenta/contrasena",
        data={
            "current_password": PASSWORD,
            "password": "otra frase larga de la oficina",
            "password_confirm": "otra frase larga de la oficina",
        },
    )
    assert response.status_code == 302
    assert _signed_in(client, "/bandeja/")
    for browser in (tablet, desk, before):  # the cookie this browser held before is dead too
        assert not _signed_in(browser, "/bandeja/")
    assert len(_ended(app, "password_changed")) == 3
    with app.app_context():
        changed = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "account.password_changed")
        ).all()
        assert [e.subject for e in changed] == ["clerk@example.sv"]
    run_jobs()
    (notice,) = mails(app)
    assert notice["To"] == "clerk@example.sv"
    assert "acaba de cambiar" in notice.get_content()
    login(app.test_client(), "clerk@example.sv", "otra frase larga de la oficina")


def test_a_wrong_current_password_changes_nothing(app, client):
    _make(app, "applicant", "ana@example.sv")
    login(client, "ana@example.sv")
    other = app.test_client()
    login(other, "ana@example.sv")
    response = client.post(
        "/cuenta/contrasena",
        data={
            "current_password": "no-es-la-actual",
            "password": "otra frase larga de la casa",
            "password_confirm": "otra frase larga de la casa",
        },
    )
    assert response.status_code == 200
    assert "La contraseña actual no es correcta." in response.get_data(as_text=True)
    assert _signed_in(other, "/solicitudes/")
    login(app.test_client(), "ana@example.sv")


def test_sign_in_starts_a_new_session_id_and_keeps_the_chosen_language(app, client):
    _make(app, "applicant", "ana@example.sv")
    with client.session_transaction() as cookie:
        cookie["locale"] = "en"
    serializer = app.session_interface.get_signing_serializer(app)
    login(client, "ana@example.sv")
    with app.test_request_context():
        first = serializer.loads(client.get_cookie("session").value)
    client.post("/cuenta/salir")
    login(client, "ana@example.sv")
    with app.test_request_context():
        second = serializer.loads(client.get_cookie("session").value)
    assert first["sid"] != second["sid"] and second["locale"] == "en"
