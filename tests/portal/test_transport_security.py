"""Secure cookies and HSTS on HTTPS (direct or through a trusted proxy), Permissions-Policy,
and the API clients' commands (issue 6, item 26; OWASP ASVS 4.0.3 §3.4, §14.4)."""

from __future__ import annotations

import pytest

from tests.portal.helpers import PASSWORD, make_applicant


def _session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def _sign_in(client, **kwargs):
    response = client.post(
        "/cuenta/entrar", data={"email": "ana@example.sv", "password": PASSWORD}, **kwargs
    )
    assert response.status_code == 302
    return response


@pytest.fixture
def proxied_app(app, app_settings):
    """The same portal configured behind one trusted reverse proxy (TRUSTED_PROXIES=1)."""
    from portal import create_app
    from portal.extensions import db

    behind = create_app(**{**app_settings, "TRUSTED_PROXIES": 1, "WTF_CSRF_ENABLED": False})
    yield behind
    with behind.app_context():
        db.engine.dispose()


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(app):
    with app.app_context():
        make_applicant()
    client = app.test_client()
    page = client.get("/cuenta/entrar", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    response = _sign_in(client, base_url="https://localhost")
    assert "Secure" in _session_cookie(response).split("; ")
    assert client.get("/solicitudes/", base_url="https://localhost").status_code == 200


def test_over_plain_http_there_is_no_hsts_and_a_forged_proto_header_is_not_trusted(app):
    with app.app_context():
        make_applicant()
    client = app.test_client()
    for headers in ({}, {"X-Forwarded-Proto": "https"}):
        page = client.get("/", headers=headers)
        assert "Strict-Transport-Security" not in page.headers
        response = _sign_in(client, headers=headers)
        assert "Secure" not in _session_cookie(response).split("; ")
        client.post("/cuenta/salir", headers=headers)


def test_behind_a_trusted_proxy_https_is_recognised(proxied_app, app):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    with app.app_context():
        make_applicant()
    client = proxied_app.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.50"}
    assert "Strict-Transport-Security" in client.get("/", headers=headers).headers
    response = _sign_in(client, headers=headers)
    assert "Secure" in _session_cookie(response).split("; ")
    plain = proxied_app.test_client().get("/", headers={"X-Forwarded-Proto": "http"})
    assert "Strict-Transport-Security" not in plain.headers
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="account.login").one()
        assert event.ip == "203.0.113.50"


@pytest.mark.parametrize("path", ["/", "/cuenta/entrar", "/healthz"])
def test_every_answer_carries_a_permissions_policy(client, path):
    policy = client.get(path).headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_api_clients_create_refuses_a_taken_name_lists_and_revokes(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["api-clients", "create", "--name", "simdet-prod"])
    assert first.exit_code == 0
    token = first.output.strip()
    for name in ("simdet-prod", "  simdet-prod "):
        again = runner.invoke(args=["api-clients", "create", "--name", name])
        assert again.exit_code == 1 and "Traceback" not in again.output
        assert "already exists" in again.output
    blank = runner.invoke(args=["api-clients", "create", "--name", "   "])
    assert blank.exit_code == 1 and "give the client a name" in blank.output
    runner.invoke(args=["api-clients", "create", "--name", "observatorio"])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/simdet/v1/events", headers=headers).status_code == 200
    revoked = runner.invoke(args=["api-clients", "revoke", "--name", "simdet-prod"])
    assert revoked.exit_code == 0
    assert client.get("/api/simdet/v1/events", headers=headers).status_code == 401
    listing = runner.invoke(args=["api-clients", "list"]).output.splitlines()
    assert listing[0].startswith("observatorio\tsimdet\tcreated ") and listing[0].endswith("active")
    assert listing[1].startswith("simdet-prod\t") and "\trevoked " in listing[1]
    unknown = runner.invoke(args=["api-clients", "revoke", "--name", "nadie"])
    assert unknown.exit_code == 1 and "no API client named 'nadie'" in unknown.output
