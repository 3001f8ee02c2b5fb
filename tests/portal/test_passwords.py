"""One password policy for every channel, and password reset by a link that expires and works
once (issue 6, item 24; OWASP ASVS 4.0.3 §2.1, §2.5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.portal.helpers import PASSWORD, login, mails, make_applicant, make_staff

# The three, then ours: a keyboard walk, a repeated digit, a Spanish word the English
# lists miss, the person's own name and e-mail with a year.
COMMON = [
    "1234567890",
    "password12",
    "qwertyuiop",
    "asdfghjkl123",
    "111111111111",
    "contraseña2026",
    "anaperez1990!",
]
GOOD = "mi perro café de Santa Tecla"


def _main(response) -> str:
    page = response.get_data(as_text=True)  # the layout differs only by its CSP nonce
    return page[page.index("<main") : page.index("</main>")]


def _refused(page: str) -> bool:
    return "demasiado común o fácil de adivinar" in page


@pytest.mark.parametrize("password", COMMON)
def test_sign_up_refuses_common_and_guessable_passwords(client, password):
    response = client.post(
        "/cuenta/registro",
        data={
            "full_name": "Ana Pérez",
            "email": "anaperez@example.sv",
            "password": password,
            "password_confirm": password,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _refused(page) or "al menos 12 caracteres" in page
    assert 'value="anaperez@example.sv"' in page


def test_the_same_policy_holds_for_change_reset_and_the_cli(app, client, run_jobs):
    with app.app_context():
        make_applicant(email="ana@example.sv")
    login(client, "ana@example.sv")
    for password in ("1234567890ab", "qwertyuiopas", "anamariaperez"):
        response = client.post(
            "/cuenta/contrasena",
            data={
                "current_password": PASSWORD,
                "password": password,
                "password_confirm": password,
            },
        )
        assert response.status_code == 200 and _refused(response.get_data(as_text=True))
    client.post("/cuenta/olvide", data={"email": "ana@example.sv"})
    run_jobs()
    link = re.search(r"/cuenta/restablecer/\S+", mails(app)[-1].get_content()).group(0)
    for password in ("password1234", "1111111111111"):
        response = client.post(link, data={"password": password, "password_confirm": password})
        assert response.status_code == 200 and _refused(response.get_data(as_text=True))
    runner = app.test_cli_runner()
    for password in ("1234567890", "password12", "qwertyuiop", "iloveyou2026"):
        result = runner.invoke(
            args=[
                "users",
                "create",
                "--email",
                "nuevo@opamss.sv",
                "--role",
                "clerk",
                "--authority",
                "OPAMSS",
                "--password",
                password,
                "--name",
                "Nuevo Técnico",
            ]
        )
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "contraseña" in result.output and "password_too" not in result.output
    result = runner.invoke(
        args=[
            *("users", "create", "--email", "nuevo@opamss.sv", "--role", "clerk"),
            *("--authority", "OPAMSS", "--password", GOOD, "--name", "Nuevo Técnico"),
        ]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("password", [GOOD, "Årbol ñandú 7 cañas", "x" * 12 + " 9q$Zr"])
def test_long_passphrases_with_spaces_and_accents_are_accepted(app, client, password):
    response = client.post(
        "/cuenta/registro",
        data={
            "full_name": "Rosa Campos",
            "email": "rosa@example.sv",
            "password": password,
            "password_confirm": password,
        },
    )
    assert response.status_code == 302


def test_a_reset_link_works_once_ends_every_session_and_confirms_the_address(app, client, run_jobs):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    with app.app_context():
        make_staff("clerk", email="clerk@example.sv")
    elsewhere = app.test_client()
    login(elsewhere, "clerk@example.sv")
    sent = client.post("/cuenta/olvide", data={"email": "Clerk@Example.sv"}, follow_redirects=True)
    assert "Revise su correo" in sent.get_data(as_text=True)
    run_jobs()
    (message,) = mails(app)
    assert message["To"] == "clerk@example.sv"
    link = re.search(r"/cuenta/restablecer/\S+", message.get_content()).group(0)
    assert client.get(link).status_code == 200
    new = "la ventana del cuarto piso"
    done = client.post(link, data={"password": new, "password_confirm": new})
    assert done.status_code == 302
    assert client.get("/bandeja/").status_code == 302  # signed out
    assert elsewhere.get("/bandeja/").status_code == 302  # every session ended
    again = client.post(link, data={"password": GOOD, "password_confirm": GOOD})
    assert again.status_code == 400 and "El enlace no es válido" in again.get_data(as_text=True)
    login(app.test_client(), "clerk@example.sv", new)
    response = app.test_client().post(
        "/cuenta/entrar", data={"email": "clerk@example.sv", "password": PASSWORD}
    )
    assert response.status_code == 200  # the old password no longer works
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "account.password_reset_requested" in actions and "account.password_reset" in actions


def test_a_reset_link_expires_after_an_hour_and_dies_when_the_password_changes(
    app, client, run_jobs
):
    with app.app_context():
        make_applicant(email="ana@example.sv")
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False) as clock:
        client.post("/cuenta/olvide", data={"email": "ana@example.sv"})
        client.post("/cuenta/olvide", data={"email": "ana@example.sv"})
        run_jobs()
        first, second = (
            re.search(r"/cuenta/restablecer/\S+", m.get_content()).group(0) for m in mails(app)
        )
        clock.shift(timedelta(minutes=59))
        new = "otra frase para la casa nueva"
        assert (
            client.post(first, data={"password": new, "password_confirm": new}).status_code == 302
        )
        assert client.get(second).status_code == 400  # the other link died with the change
        client.post("/cuenta/olvide", data={"email": "ana@example.sv"})
        run_jobs()
        third = re.search(r"/cuenta/restablecer/\S+", mails(app)[-1].get_content()).group(0)
        clock.shift(timedelta(hours=1, seconds=1))
        assert client.get(third).status_code == 400


def test_asking_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    app, client, run_jobs
):
    with app.app_context():
        make_applicant(email="ana@example.sv")
    known = client.post("/cuenta/olvide", data={"email": "ana@example.sv"}, follow_redirects=True)
    unknown = app.test_client().post(
        "/cuenta/olvide", data={"email": "nadie@example.sv"}, follow_redirects=True
    )
    assert known.status_code == unknown.status_code == 200
    assert _main(known) == _main(unknown)
    run_jobs()
    assert [m["To"] for m in mails(app)] == ["ana@example.sv"]
