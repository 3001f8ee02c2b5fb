"""Links that leave the portal (PDFs, e-mail, QR codes) point where people reach it."""

from __future__ import annotations

import email
import email.policy
import logging
from pathlib import Path

import pytest

from tests.portal.helpers import PASSWORD, file_new_application, login, make_applicant, pdf_text


@pytest.fixture(autouse=True)
def _dispose_apps():
    yield
    from portal.extensions import db

    while _CREATED:
        with _CREATED.pop().app_context():
            db.engine.dispose()


_CREATED: list = []


def _embedded_app(app_settings, **overrides):
    """The embedded default: no Redis (jobs run right after commit), no PUBLIC_BASE_URL."""
    from portal import create_app

    settings = {
        **app_settings,
        "REDIS_URL": None,
        "PUBLIC_BASE_URL": None,
        "WTF_CSRF_ENABLED": False,
        **overrides,
    }
    app = create_app(**settings)
    _CREATED.append(app)
    return app


@pytest.mark.parametrize(
    ("base_url", "headers", "expected", "overrides"),
    [
        ("https://ventanilla.santatecla.gob.sv", {}, "https://ventanilla.santatecla.gob.sv", {}),
        ("http://10.20.0.7:8000", {}, "http://10.20.0.7:8000", {}),
        (
            "http://app-1:8000",
            {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ventanilla.amss.gob.sv"},
            "https://ventanilla.amss.gob.sv",
            {"TRUSTED_PROXIES": 1},
        ),
    ],
)
def test_without_public_base_url_links_follow_the_host_that_served_the_request(
    app, app_settings, base_url, headers, expected, overrides
):
    embedded = _embedded_app(app_settings, **overrides)
    client = embedded.test_client()
    with embedded.app_context():
        make_applicant()
    client.environ_base.update(
        {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    )
    response = client.post(
        "/cuenta/entrar",
        data={"email": "ana@example.sv", "password": PASSWORD},
        base_url=base_url,
    )
    assert response.status_code == 302
    application_id = _file(client, base_url)
    mails = list(Path(app_settings["MAIL_DIR"]).glob("*.eml"))
    assert mails, "no e-mail was written"
    text = "\n".join(
        email.message_from_bytes(m.read_bytes(), policy=email.policy.default)
        .get_body(("plain",))
        .get_content()
        for m in mails
    )
    assert f"{expected}/solicitudes/{application_id}" in text
    assert "127.0.0.1:5000" not in text
    receipt = client.get(f"/solicitudes/{application_id}/constancia.pdf", base_url=base_url)
    assert receipt.status_code == 200
    assert f"{expected}/solicitudes/{application_id}" in pdf_text(receipt.data).replace("\n", "")


def _file(client, base_url) -> int:
    import re

    from tests.portal.helpers import VALID_FIELDS, documents, pdf_bytes, procedure_id

    with client.application.app_context():
        pid = procedure_id()
    started = client.post(
        f"/solicitudes/nueva/{pid}", data={"token": "token-de-enlaces-0001"}, base_url=base_url
    )
    assert started.status_code == 302, started.get_data(as_text=True)[:1500]
    application_id = int(re.search(r"/borradores/(\d+)/", started.headers["Location"])[1])
    data = {**VALID_FIELDS, "submit": "1"}
    data.update(documents(escritura=pdf_bytes(), plano_topografico=pdf_bytes()))
    filed = client.post(f"/solicitudes/{application_id}/editar", data=data, base_url=base_url)
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    return application_id


def test_jobs_outside_a_request_use_the_configured_address(app_settings):
    from portal.links import public_base_url, verification_url

    configured = _embedded_app(app_settings, PUBLIC_BASE_URL="https://ventanilla.amss.gob.sv/")
    with configured.app_context():
        assert verification_url("AB12") == "https://ventanilla.amss.gob.sv/verificar/AB12"
    with configured.test_request_context(base_url="http://10.0.0.9:8000"):
        assert public_base_url() == "https://ventanilla.amss.gob.sv"  # configured wins
    named = _embedded_app(app_settings, SERVER_NAME="portal.lan", PREFERRED_URL_SCHEME="https")
    with named.app_context():
        assert public_base_url() == "https://portal.lan"


def test_production_refuses_to_start_without_public_base_url(app_settings, caplog):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        _embedded_app(app_settings, PRODUCTION=True)
    assert _embedded_app(
        app_settings, PRODUCTION=True, PUBLIC_BASE_URL="https://ventanilla.amss.gob.sv"
    )
    with caplog.at_level(logging.WARNING, logger="portal.links"):
        _embedded_app(app_settings)
    assert "PUBLIC_BASE_URL is not set" in caplog.text


def test_the_receipt_of_a_request_on_the_configured_address(client, app_ctx, run_jobs):
    make_applicant()
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    run_jobs()
    receipt = client.get(f"/solicitudes/{application_id}/constancia.pdf")
    assert f"http://127.0.0.1:5000/solicitudes/{application_id}" in pdf_text(receipt.data)
