"""Sign-up never tells whether an address has an account, and probing it is throttled
(issue 6, item 23; OWASP ASVS 4.0.3 §2.2, §3.2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.portal.helpers import PASSWORD, login, mails, make_applicant, make_staff

OTHER_PASSWORD = "una frase distinta para probar"


def _sign_up(client, email: str, name: str = "Rosa Campos", password: str = OTHER_PASSWORD):
    return client.post(
        "/cuenta/registro",
        data={
            "full_name": name,
            "email": email,
            "password": password,
            "password_confirm": password,
        },
        follow_redirects=True,
    )


def _main(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index("<main") : page.index("</main>")]


@pytest.mark.parametrize(
    ("owner", "typed"),
    [
        ("applicant", "ocupado@example.sv"),
        ("applicant", "  OCUPADO@Example.SV "),
        ("clerk", "ocupado@example.sv"),
    ],
)
def test_sign_up_with_a_registered_address_looks_the_same_and_tells_the_owner(
    app, client, run_jobs, owner, typed
):
    from portal.accounts.models import User
    from portal.extensions import db

    with app.app_context():
        if owner == "applicant":
            make_applicant(email="ocupado@example.sv")
        else:
            make_staff(owner, email="ocupado@example.sv")
    taken = _sign_up(client, typed)
    fresh = _sign_up(app.test_client(), "nueva@example.sv")
    assert taken.status_code == fresh.status_code == 200
    assert _main(taken) == _main(fresh)
    assert "Revise su correo" in _main(taken)
    assert "Ya existe una cuenta" not in taken.get_data(as_text=True)
    run_jobs()
    by_address = {m["To"]: m for m in mails(app)}
    assert "ya tiene una" in by_address["ocupado@example.sv"].get_content()
    assert "/cuenta/confirmar/" in by_address["nueva@example.sv"].get_content()
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(User)
                .where(User.email == "ocupado@example.sv")
            )
            == 1
        )
    # The owner's password did not change.
    login(app.test_client(), "ocupado@example.sv", PASSWORD)


def test_sign_up_probing_is_throttled_per_target_and_per_address(app):
    one = app.test_client()
    one.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    for n in range(3):
        target = app.test_client()
        target.environ_base["REMOTE_ADDR"] = f"198.51.100.{30 + n}"
        assert _sign_up(target, "blanco@example.sv").status_code == 200
    held = _sign_up(one, "blanco@example.sv")
    assert held.status_code == 429
    assert "Demasiados intentos" in held.get_data(as_text=True)
    assert 'value="Rosa Campos"' in held.get_data(as_text=True)
    for n in range(10):
        assert _sign_up(one, f"sondeo{n}@example.sv").status_code == 200
    assert _sign_up(one, "otra@example.sv").status_code == 429


def test_a_confirmation_link_expires_after_48_hours(app, client, run_jobs):
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False) as clock:
        _sign_up(client, "tarde@example.sv")
        run_jobs()
        (message,) = mails(app)
        link = re.search(r"/cuenta/confirmar/\S+", message.get_content()).group(0)
        clock.shift(timedelta(hours=48, minutes=1))
        expired = client.get(link)
        assert expired.status_code == 400
        assert "El enlace no es válido" in expired.get_data(as_text=True)
        assert client.get("/cuenta/confirmar/no-es-un-enlace").status_code == 400
        assert client.post("/cuenta/confirmar/no-es-un-enlace").status_code == 400
        assert client.post(link).status_code == 400
