"""Sign-up, sign-in, sign-out, password storage and cookie flags."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.portal.helpers import PASSWORD, login, mails, make_applicant, make_staff


def test_sign_up_creates_an_unconfirmed_applicant_that_the_e_mailed_link_activates(
    app, client, run_jobs
):
    from portal.accounts.models import AuditEvent, User
    from portal.extensions import db

    response = client.post(
        "/cuenta/registro",
        data={
            "full_name": "Rosa Campos",
            "email": "Rosa@Example.SV",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
        follow_redirects=True,
    )
    assert "Revise su correo" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "rosa@example.sv"))
        assert user.role == "applicant" and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash and user.email_confirmed_at is None
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "account.registered" in actions
    refused = client.post("/cuenta/entrar", data={"email": "rosa@example.sv", "password": PASSWORD})
    assert "El correo o la contraseña no son correctos." in refused.get_data(as_text=True)
    run_jobs()
    (message,) = mails(app)
    assert message["To"] == "rosa@example.sv"
    link = re.search(r"http://127\.0\.0\.1:5000(/cuenta/confirmar/\S+)", message.get_content())
    shown = client.get(link.group(1))  # what a mail scanner's visit does: nothing changes
    assert shown.status_code == 200 and "Confirmar mi correo" in shown.get_data(as_text=True)
    refused = client.post("/cuenta/entrar", data={"email": "rosa@example.sv", "password": PASSWORD})
    assert "El correo o la contraseña no son correctos." in refused.get_data(as_text=True)
    confirmed = client.post(link.group(1), follow_redirects=True)
    assert "Su correo quedó confirmado" in confirmed.get_data(as_text=True)
    login(client, "rosa@example.sv")
    assert client.get("/solicitudes/").status_code == 200


def test_sign_up_explains_each_problem_in_spanish_and_keeps_what_was_typed(client, app_ctx):
    response = client.post(
        "/cuenta/registro",
        data={
            "full_name": "Rosa Campos",
            "email": "rosa@example.sv",
            "password": "corta",
            "password_confirm": "otra",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Las contraseñas no coinciden." in page
    assert 'value="Rosa Campos"' in page and 'value="rosa@example.sv"' in page
    response = client.post(
        "/cuenta/registro",
        data={
            "full_name": "Rosa Campos",
            "email": "rosa@example.sv",
            "password": "corta",
            "password_confirm": "corta",
        },
    )
    assert "La contraseña debe tener al menos 12 caracteres." in response.get_data(as_text=True)


def test_wrong_password_is_refused_with_one_message_and_audited(client, app_ctx):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    make_applicant(email="ana@example.sv")
    response = client.post(
        "/cuenta/entrar", data={"email": "ana@example.sv", "password": "no-es-la-clave"}
    )
    assert response.status_code == 200
    assert "El correo o la contraseña no son correctos." in response.get_data(as_text=True)
    assert client.get("/solicitudes/").status_code == 302
    failed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "account.login_failed")
    ).all()
    assert [e.subject for e in failed] == ["ana@example.sv"]


def test_session_cookie_is_httponly_and_samesite_lax(client, app_ctx):
    make_applicant()
    response = login(client, "ana@example.sv")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_out_is_a_post_and_ends_the_session(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    assert client.get("/cuenta/salir").status_code == 405
    assert client.post("/cuenta/salir").status_code == 302
    assert client.get("/solicitudes/").status_code == 302


def test_forms_refuse_a_post_without_csrf_token(app, app_ctx):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/cuenta/entrar", data={"email": "a@b.sv", "password": PASSWORD})
    assert response.status_code == 400


def test_staff_land_on_their_queue_and_applicants_cannot_open_it(client, app_ctx):
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    response = login(client, "clerk@example.sv")
    assert response.headers["Location"].endswith("/bandeja/")
    client.post("/cuenta/salir")
    make_applicant()
    login(client, "ana@example.sv")
    assert client.get("/bandeja/").status_code == 403


def test_users_create_command_scopes_staff_to_an_authority(app, app_ctx):
    from portal.accounts.models import User
    from portal.extensions import db

    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "jefa@soyapango.sv",
            "--role",
            "supervisor",
            "--authority",
            "0617",
            "--password",
            PASSWORD,
            "--name",
            "Persona Técnica",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "jefa@soyapango.sv"))
    assert user.role == "supervisor" and user.authority.code == "0617"
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@y.sv",
            "--role",
            "clerk",
            "--authority",
            "NOPE",
            "--password",
            PASSWORD,
            "--name",
            "Persona Técnica",
        ]
    )
    assert (
        result.exit_code != 0 and "No existe una institución con el código «NOPE»" in result.output
    )
    assert "Traceback" not in result.output
    result = runner.invoke(
        args=[
            *("users", "create", "--email", "z@y.sv", "--role", "clerk"),
            *("--authority", "0617", "--password", PASSWORD),
        ]
    )
    assert result.exit_code != 0 and "--name" in result.output  # signed documents need a name


def test_repeated_failed_sign_ins_are_slowed_down_with_a_spanish_page(client, app_ctx):
    make_applicant()
    for _ in range(10):
        response = client.post(
            "/cuenta/entrar", data={"email": "ana@example.sv", "password": "no-es-la-clave"}
        )
        assert response.status_code == 200
    blocked = client.post("/cuenta/entrar", data={"email": "ana@example.sv", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Demasiados intentos" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers


def test_successful_sign_ins_do_not_count_toward_the_limit(client, app_ctx):
    make_applicant()
    for _ in range(12):
        assert login(client, "ana@example.sv").status_code == 302
        client.post("/cuenta/salir")
