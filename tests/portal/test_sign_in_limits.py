"""Failed sign-ins are limited per account and per address, in a store every process shares,
and a Redis outage degrades to counting in memory instead of failing (issue 6, items 22, 32)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.fixtures_app import worker_environment
from tests.portal.helpers import PASSWORD, make_applicant, make_staff
from tests.portal.processes import Browser, gunicorn, private_redis

WRONG = "no-es-la-clave-de-nadie"
T0 = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _throttled(app, scope: str) -> list[str]:
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    with app.app_context():
        return [
            e.subject
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "account.login_throttled")
            )
            if e.detail.get("scope") == scope
        ]


@pytest.mark.parametrize(
    ("role", "typed"),
    [
        ("clerk", "clerk@example.sv"),
        ("supervisor", "  CLERK@Example.SV "),  # the same account, however it is typed
        ("applicant", "Clerk@example.sv"),
    ],
)
def test_wrong_passwords_from_many_addresses_hold_the_account_for_a_bounded_time(app, role, typed):
    with app.app_context():
        if role == "applicant":
            make_applicant(email="clerk@example.sv")
        else:
            make_staff(role, email="clerk@example.sv")
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(10):
            answer = _from(app, f"198.51.100.{n + 1}").post(
                "/cuenta/entrar", data={"email": typed, "password": WRONG}
            )
            assert answer.status_code == 200
        held = _from(app, "203.0.113.77").post(
            "/cuenta/entrar", data={"email": "clerk@example.sv", "password": PASSWORD}
        )
        page = held.get_data(as_text=True)
        assert held.status_code == 429 and "Retry-After" in held.headers
        assert "Demasiados intentos" in page and "espere 15 minutos" in page
        assert 'value="clerk@example.sv"' in page  # what was typed stays
        assert _throttled(app, "account") == ["clerk@example.sv"]
        # No permanent lockout: once the window has passed, the owner signs in.
        clock.shift(timedelta(minutes=15, seconds=1))
        back = _from(app, "203.0.113.77").post(
            "/cuenta/entrar", data={"email": "clerk@example.sv", "password": PASSWORD}
        )
        assert back.status_code == 302


def test_one_address_guessing_many_accounts_is_held_by_the_address_limit(app):
    with app.app_context():
        make_applicant(email="victima@example.sv")
    guesser = _from(app, "192.0.2.10")
    for n in range(10):
        answer = guesser.post(
            "/cuenta/entrar", data={"email": f"persona{n}@example.sv", "password": WRONG}
        )
        assert answer.status_code == 200
    held = guesser.post(
        "/cuenta/entrar", data={"email": "victima@example.sv", "password": PASSWORD}
    )
    assert held.status_code == 429
    assert _throttled(app, "address") == ["victima@example.sv"]
    # The account's owner, elsewhere, is not held by someone else's address.
    assert (
        _from(app, "192.0.2.99")
        .post("/cuenta/entrar", data={"email": "victima@example.sv", "password": PASSWORD})
        .status_code
        == 302
    )


@pytest.mark.parametrize("email", ["victima@example.sv", "nadie@example.sv", "VICTIMA@example.sv"])
def test_an_ordinary_failed_sign_in_logs_no_error(app, caplog, email):
    """A browser with no device cookie has no device limit: nothing for the log to cry about."""
    with app.app_context():
        make_applicant(email="victima@example.sv")
    with caplog.at_level("WARNING"):
        answer = _from(app, "192.0.2.20").post(
            "/cuenta/entrar", data={"email": email, "password": WRONG}
        )
    assert answer.status_code == 200
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


def _env(app, redis_url: str) -> dict[str, str]:
    env = worker_environment(app)
    env.update(REDIS_URL=redis_url, TRUSTED_PROXIES="1")
    return env


def _attempt(browser: Browser, base: str, address: str, password: str = WRONG):
    return browser.post_form(
        f"{base}/cuenta/entrar",
        {"email": "clerk@example.sv", "password": password},
        headers={"X-Forwarded-For": address},
    )


def test_two_app_processes_share_one_count_in_redis(app, tmp_path):
    with app.app_context():
        make_staff("clerk", email="clerk@example.sv")
    log = tmp_path / "gunicorn.log"
    with (
        private_redis() as (redis_url, _redis),
        gunicorn(_env(app, redis_url), workers=2, log_path=log) as first,
        gunicorn(_env(app, redis_url), workers=2, log_path=log) as second,
    ):
        browser = Browser()
        statuses = [
            _attempt(browser, (first, second)[n % 2], f"198.51.100.{n}")[0] for n in range(10)
        ]
        assert statuses == [200] * 10
        # The 11th try is refused whichever process answers it, even with the right password.
        assert _attempt(Browser(), first, "203.0.113.5", PASSWORD)[0] == 429
        assert _attempt(Browser(), second, "203.0.113.6", PASSWORD)[0] == 429


def test_with_redis_down_sign_in_still_works_limits_count_in_memory_and_healthz_says_so(
    app, tmp_path
):
    with app.app_context():
        make_staff("clerk", email="clerk@example.sv")
    log = tmp_path / "gunicorn.log"
    with (
        private_redis() as (redis_url, redis_process),
        gunicorn(_env(app, redis_url), workers=1, log_path=log) as base,
    ):
        assert _attempt(Browser(), base, "198.51.100.1", PASSWORD)[0] == 302
        status, _headers, body = Browser().request(f"{base}/healthz")
        assert status == 200 and json.loads(body)["rate_limits"] == "ok"
        redis_process.kill()
        redis_process.wait()
        # Signing in does not depend on Redis: no HTTP 500.
        assert _attempt(Browser(), base, "198.51.100.2", PASSWORD)[0] == 302
        status, headers, body = Browser().request(f"{base}/healthz")
        report = json.loads(body)
        assert status == 503 and headers["Content-Type"].startswith("application/json")
        assert report["status"] == "error" and report["queue"].startswith("error")
        assert report["database"] == "ok" and report["rate_limits"].startswith("degraded")
        # The limit still holds, counted in this process's memory meanwhile.
        browser = Browser()
        statuses = [_attempt(browser, base, f"198.51.100.{10 + n}")[0] for n in range(10)]
        assert statuses == [200] * 10
        assert _attempt(Browser(), base, "203.0.113.9", PASSWORD)[0] == 429
    assert "falling back to in-memory storage" in log.read_text()


def test_a_browser_where_the_clerk_signed_in_before_is_not_held_by_guessing_elsewhere(app):
    with app.app_context():
        make_staff("clerk", email="clerk@example.sv")
        make_applicant(email="ana@example.sv")
    desk = _from(app, "10.0.0.5")  # the clerk's own browser, signed in yesterday
    assert desk.post(
        "/cuenta/entrar", data={"email": "clerk@example.sv", "password": PASSWORD}
    ).headers["Set-Cookie"]
    desk.post("/cuenta/salir")
    neighbour = _from(app, "10.0.0.6")  # a browser where only another account signed in
    neighbour.post("/cuenta/entrar", data={"email": "ana@example.sv", "password": PASSWORD})
    neighbour.post("/cuenta/salir")
    forged = _from(app, "10.0.0.7")
    forged.set_cookie("ventanilla_dispositivo", "eyJkIjoieCIsImEiOltdfQ.forged")
    for n in range(10):  # someone guesses the clerk's password from many addresses
        _from(app, f"198.51.100.{n + 1}").post(
            "/cuenta/entrar", data={"email": "clerk@example.sv", "password": WRONG}
        )
    right = {"email": "clerk@example.sv", "password": PASSWORD}
    assert neighbour.post("/cuenta/entrar", data=right).status_code == 429
    assert forged.post("/cuenta/entrar", data=right).status_code == 429
    assert desk.post("/cuenta/entrar", data=right).status_code == 302
    desk.post("/cuenta/salir")
    # The trusted browser has its own limit: guessing from it is held too, whatever address.
    for n in range(10):
        desk.environ_base["REMOTE_ADDR"] = f"10.1.0.{n + 1}"
        desk.post("/cuenta/entrar", data={"email": "clerk@example.sv", "password": WRONG})
    desk.environ_base["REMOTE_ADDR"] = "10.1.0.99"
    assert desk.post("/cuenta/entrar", data=right).status_code == 429
    assert _throttled(app, "device") == ["clerk@example.sv"]
    assert _throttled(app, "address") == []
