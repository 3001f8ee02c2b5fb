"""Staff sign-in's second factor: TOTP required for supervisors and admins, offered to clerks and
inspectors, never shown to applicants; each code once, recovery codes once, wrong codes limited
(issue 9, item 8)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from tests.portal.helpers import (
    PASSWORD,
    TOTP_SECRET,
    enrol_second_factor,
    login,
    make_applicant,
    make_staff,
)

# Later than any real clock that runs the suite: the accounts are enrolled (a step used) now.
T0 = datetime(2030, 1, 15, 15, 0, 10, tzinfo=UTC)
VERIFY = "/cuenta/segundo-factor/verificar"
RECOVER = "/cuenta/segundo-factor/recuperacion"
ENROL = "/cuenta/segundo-factor/activar"
MANAGE = "/cuenta/segundo-factor"
REGENERATE = "/cuenta/segundo-factor/codigos"
DISABLE = "/cuenta/segundo-factor/desactivar"


def _code(offset_steps: int = 0, secret: str = TOTP_SECRET) -> str:
    """What an authenticator app with `secret` shows `offset_steps` steps from now."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(datetime.now(UTC).timestamp()) + offset_steps)


def _password(client, email: str):
    response = client.post("/cuenta/entrar", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _field_error(page: str, field: str = "code") -> str:
    """The message shown at the code field (GOV.UK's error message under its label)."""
    found = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', page, re.S)
    assert found, "no message at the code field"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _events(app, action: str) -> list:
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def _staff(app, role: str, email: str, *, enrolled: bool = True) -> None:
    with app.app_context():
        if enrolled:
            make_staff(role, email=email)
        else:
            from portal.accounts.services import create_staff

            create_staff(email=email, password=PASSWORD, role=role, authority_code="OPAMSS")


def test_a_supervisor_without_a_second_factor_enrols_before_reaching_anything(app):
    _staff(app, "supervisor", "jefa@example.sv", enrolled=False)
    client = app.test_client()
    _password(client, "jefa@example.sv")
    for path in ("/bandeja/", "/cuenta/sesiones", "/solicitudes/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith(ENROL), path
    page = client.get(f"{ENROL}?next=/bandeja/").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code for the app
    shown = re.search(r'<code id="clave">([A-Z2-7 ]+)</code>', page).group(1)
    secret = shown.replace(" ", "")
    with app.app_context():
        from portal.accounts.services import get_user_by_email
        from portal.two_factor.services import get_factor

        assert get_factor(get_user_by_email("jefa@example.sv")).secret == secret

    wrong = client.post(f"{ENROL}?next=/bandeja/", data={"code": "000000"})
    assert wrong.status_code == 200
    assert "El código no es correcto" in _field_error(wrong.get_data(as_text=True))

    done = client.post(f"{ENROL}?next=/bandeja/", data={"code": _code(secret=secret)})
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "no los volveremos a mostrar" in page
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page)
    assert len(set(codes)) == 10
    assert client.get("/bandeja/").status_code == 200
    # Only Argon2 hashes are kept; the secret is never shown again.
    from portal.extensions import db
    from portal.two_factor.models import RecoveryCode

    with app.app_context():
        hashes = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    assert client.get(ENROL).headers["Location"].endswith(MANAGE)
    manage = client.get(MANAGE).get_data(as_text=True)
    assert secret not in manage.replace(" ", "") and "Le quedan 10 códigos sin usar" in manage
    assert [e.subject for e in _events(app, "account.second_factor_enrolled")] == [
        "jefa@example.sv"
    ]


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_an_enrolled_supervisor_or_admin_gives_a_code_after_the_password(app, role):
    _staff(app, role, "jefa@example.sv")
    client = app.test_client()
    _password(client, "jefa@example.sv")
    asked = client.get("/bandeja/")
    assert asked.headers["Location"] == f"{VERIFY}?next=/bandeja/"
    wrong = client.post(f"{VERIFY}?next=/bandeja/", data={"code": "12345"})
    assert "Escriba las 6 cifras del código" in _field_error(wrong.get_data(as_text=True))
    right = client.post(f"{VERIFY}?next=/bandeja/", data={"code": _code(1)})
    assert right.status_code == 302 and right.headers["Location"] == "/bandeja/"
    assert client.get("/bandeja/").status_code == 200
    failed = _events(app, "account.second_factor_failed")
    assert [(e.subject, e.detail["reason"]) for e in failed] == [("jefa@example.sv", "format")]


def test_a_code_is_accepted_once_within_one_step_either_side(app):
    _staff(app, "supervisor", "jefa@example.sv")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False) as clock:
        first = app.test_client()
        _password(first, "jefa@example.sv")
        code = _code()
        assert first.post(VERIFY, data={"code": code}).status_code == 302
        # The same code again, in another browser within its step: refused, and said why.
        second = app.test_client()
        _password(second, "jefa@example.sv")
        again = second.post(VERIFY, data={"code": code})
        assert again.status_code == 200
        assert "Ese código ya se usó" in _field_error(again.get_data(as_text=True))
        assert second.get("/bandeja/").status_code == 302
        # The previous step's code is older than the one used: refused too.
        assert second.post(VERIFY, data={"code": _code(-1)}).status_code == 200
        clock.shift(timedelta(seconds=30))
        # A phone a step behind: the previous step (now the used one) no longer passes, but
        # two steps ahead is outside the window.
        assert second.post(VERIFY, data={"code": _code(2)}).status_code == 200
        assert second.post(VERIFY, data={"code": _code(-1)}).status_code == 200
        assert second.post(VERIFY, data={"code": _code(1)}).status_code == 302
    reasons = [e.detail["reason"] for e in _events(app, "account.second_factor_failed")]
    assert reasons == ["replayed", "replayed", "wrong", "replayed"]


def test_a_recovery_code_works_once(app):
    with app.app_context():
        user = make_staff("supervisor", email="jefa@example.sv")
        from portal.two_factor.services import reset_second_factor

        reset_second_factor(actor=user, user=user, ip=None)
        codes = enrol_second_factor(user)
    client = app.test_client()
    _password(client, "jefa@example.sv")
    used = client.post(f"{RECOVER}?next=/bandeja/", data={"code": codes[3].upper()})
    assert used.status_code == 302 and used.headers["Location"] == "/bandeja/"
    page = client.get("/bandeja/").get_data(as_text=True)
    assert "Entró con un código de recuperación. Le quedan 9" in page
    client.post("/cuenta/salir")
    _password(client, "jefa@example.sv")
    again = client.post(RECOVER, data={"code": codes[3]})
    assert again.status_code == 200
    assert "no es correcto o ya se usó" in _field_error(again.get_data(as_text=True))
    assert client.post(RECOVER, data={"code": codes[4]}).status_code == 302
    # Once verified, the page spends nothing more.
    assert client.post(RECOVER, data={"code": codes[5]}).status_code == 302
    assert [e.detail["remaining"] for e in _events(app, "account.recovery_code_used")] == [9, 8]


def test_new_recovery_codes_replace_the_old_ones(app):
    with app.app_context():
        user = make_staff("clerk", email="clerk@example.sv")
        old = enrol_second_factor(user)
    client = app.test_client()
    login(client, "clerk@example.sv")
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=90)):
        page = client.post(REGENERATE, data={"regenerar-code": _code()}).get_data(as_text=True)
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/cuenta/salir")
    _password(client, "clerk@example.sv")
    assert client.post(RECOVER, data={"code": old[0]}).status_code == 200
    assert client.post(RECOVER, data={"code": new[0]}).status_code == 302
    assert len(_events(app, "account.recovery_codes_regenerated")) == 1


def test_wrong_codes_are_limited_per_person_for_a_bounded_time(app):
    _staff(app, "supervisor", "jefa@example.sv")
    with time_machine.travel(T0, tick=False) as clock:
        client = app.test_client()
        _password(client, "jefa@example.sv")
        for _ in range(5):
            assert client.post(VERIFY, data={"code": "000000"}).status_code == 200
        # Another browser of the same person shares the count; the right code is not checked.
        other = app.test_client()
        _password(other, "jefa@example.sv")
        held = other.post(VERIFY, data={"code": _code()})
        assert held.status_code == 429
        message = _field_error(held.get_data(as_text=True))
        assert "Demasiados intentos" in message and "espere 15 minutos" in message
        assert client.post(RECOVER, data={"code": "abcde-fghjk"}).status_code == 429
        assert len(_events(app, "account.second_factor_throttled")) == 2
        clock.shift(timedelta(minutes=15, seconds=1))
        assert other.post(VERIFY, data={"code": _code()}).status_code == 302
    assert len(_events(app, "account.second_factor_failed")) == 5


def test_ending_the_session_ends_its_verification(app):
    _staff(app, "admin", "admin@example.sv")
    client = app.test_client()
    login(client, "admin@example.sv")
    assert client.get("/cuenta/sesiones").status_code == 200
    client.post("/cuenta/salir")
    _password(client, "admin@example.sv")
    assert client.get("/cuenta/sesiones").headers["Location"].startswith(VERIFY)
    from portal.extensions import db
    from portal.sessions.models import UserSession

    with app.app_context():
        rows = db.session.scalars(sa.select(UserSession).order_by(UserSession.id)).all()
    assert [(r.ended_reason, r.second_factor) for r in rows] == [("logout", "totp"), (None, None)]


def test_a_clerk_may_turn_it_on_and_off(app):
    _staff(app, "clerk", "clerk@example.sv")
    client = app.test_client()
    login(client, "clerk@example.sv")  # no code asked
    assert client.get("/bandeja/").status_code == 200
    assert "Verificación en dos pasos" in client.get("/cuenta/sesiones").get_data(as_text=True)
    assert "Activar la verificación en dos pasos" in client.get(MANAGE).get_data(as_text=True)
    page = client.get(ENROL).get_data(as_text=True)
    secret = re.search(r'<code id="clave">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert client.post(ENROL, data={"code": _code(secret=secret)}).status_code == 200
    client.post("/cuenta/salir")
    _password(client, "clerk@example.sv")
    assert client.get("/bandeja/").headers["Location"].startswith(VERIFY)
    assert client.post(VERIFY, data={"code": _code(1, secret)}).status_code == 302
    wrong = client.post(DISABLE, data={"desactivar-code": "999999"})
    message = _field_error(wrong.get_data(as_text=True), "desactivar-code")
    assert "El código no es correcto" in message
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=60)):
        off = client.post(DISABLE, data={"desactivar-code": _code(0, secret)})
    assert off.status_code == 302
    client.post("/cuenta/salir")
    _password(client, "clerk@example.sv")
    assert client.get("/bandeja/").status_code == 200
    assert len(_events(app, "account.second_factor_disabled")) == 1


def test_a_supervisor_cannot_turn_it_off(app):
    _staff(app, "supervisor", "jefa@example.sv")
    client = app.test_client()
    login(client, "jefa@example.sv")
    # The page offers no button; a crafted request is answered in the error summary.
    refused = client.post(DISABLE, data={"desactivar-code": _code(-1)}).get_data(as_text=True)
    assert "Hay un problema" in refused
    assert "Su rol exige la verificación en dos pasos, así que no puede desactivarla" in refused
    assert "no puede desactivarla" in client.get(MANAGE).get_data(as_text=True)
    assert not _events(app, "account.second_factor_disabled")


def test_after_an_admin_reset_the_supervisor_enrols_again(app):
    _staff(app, "supervisor", "jefa@example.sv")
    _staff(app, "admin", "admin@example.sv")
    with app.app_context():
        from portal.accounts.services import get_user_by_email
        from portal.two_factor.services import reset_second_factor

        reset_second_factor(
            actor=get_user_by_email("admin@example.sv"),
            user=get_user_by_email("jefa@example.sv"),
            ip="192.0.2.1",
        )
    client = app.test_client()
    _password(client, "jefa@example.sv")
    assert client.get("/bandeja/").headers["Location"].startswith(ENROL)
    [event] = _events(app, "account.second_factor_reset")
    with app.app_context():
        admin = get_user_by_email("admin@example.sv")
    assert event.subject == "jefa@example.sv" and event.actor_id == admin.id


def test_an_applicant_never_sees_it(app):
    with app.app_context():
        make_applicant()
    client = app.test_client()
    login(client, "ana@example.sv")
    assert client.get("/solicitudes/").status_code == 200
    assert "dos pasos" not in client.get("/cuenta/sesiones").get_data(as_text=True)
    for path in (VERIFY, RECOVER, ENROL, MANAGE):
        assert client.get(path).status_code == 403, path
    for path in (ENROL, REGENERATE, DISABLE):
        assert client.post(path, data={"code": "123456"}).status_code == 403, path


def test_wrong_codes_on_the_account_page_share_the_limit(app):
    with app.app_context():
        enrol_second_factor(make_staff("clerk", email="clerk@example.sv"))
    client = app.test_client()
    login(client, "clerk@example.sv")
    for _ in range(3):
        assert client.post(DISABLE, data={"desactivar-code": "000000"}).status_code == 200
    for _ in range(2):
        assert client.post(REGENERATE, data={"regenerar-code": "000000"}).status_code == 200
    held = client.post(REGENERATE, data={"regenerar-code": _code(1)})
    assert held.status_code == 429
    assert "Demasiados intentos" in _field_error(held.get_data(as_text=True), "regenerar-code")
    held = client.post(DISABLE, data={"desactivar-code": _code(1)})
    assert "Demasiados intentos" in _field_error(held.get_data(as_text=True), "desactivar-code")
    assert not _events(app, "account.recovery_codes_regenerated")
